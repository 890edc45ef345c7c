package parse

import "testing"

// FuzzJSON checks that JSON never panics, whatever the input.
func FuzzJSON(f *testing.F) {
	for _, s := range []string{
		`{"nftables":[{"add":{"table":{"family":"inet","name":"t"}}}]}`,
		`{"nftables":[{"metainfo":{"json_schema_version":1}},{"chain":{"family":"ip","table":"t","name":"c","type":"filter","hook":"input","prio":0,"policy":"drop"}}]}`,
		`{"nftables":[{"add":{"rule":{"family":"ip","table":"t","chain":"c","expr":[{"match":{"left":{"payload":{"protocol":"tcp","field":"dport"}},"op":"==","right":{"set":[22,{"range":[80,90]}]}}},{"counter":null},{"accept":null}]}}}]}`,
		`{"nftables":[{"add":{"rule":{"family":"ip","table":"t","chain":"c","expr":[{"vmap":{"key":{"meta":{"key":"l4proto"}},"data":{"set":[["tcp",{"jump":{"target":"x"}}]]}}}]}}}]}`,
		`{"nftables":[{"add":{"set":{"family":"ip","table":"t","name":"s","type":["ipv4_addr","inet_service"],"flags":["interval"],"elem":[{"concat":["1.2.3.4",22]}]}}}]}`,
		`{"nftables":[{"delete":{"rule":{"family":"ip","table":"t","chain":"c","handle":4}}},{"flush":{"ruleset":null}}]}`,
		`{"nftables":[{"add":{"rule":{"family":"ip","table":"t","chain":"c","expr":[{"mangle":{"key":{"tcp option":{"name":"maxseg","field":"size"}},"value":1360}},{"snat":{"addr":"1.2.3.4","port":{"range":[1,2]},"flags":["random"]}}]}}}]}`,
		`{"nftables":[{"add":{"element":{"family":"ip","table":"t","name":"s","elem":[{"elem":{"val":"1.2.3.4","timeout":10,"comment":"x"}}]}}}]}`,
		`{"nftables": [1, "x", {"add": []}]}`, `[`, `{"a":"\ud800"}`, `{"nftables":[{"add":{"rule":{"expr":[{"&":[1]}]}}}]}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		JSON("fuzz.json", b, nil)
	})
}
