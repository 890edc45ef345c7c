package gotests

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/nfsh/nfsh/tests/go/nstest"
)

// jsonApplyCase is one differential case of JSON input: the same
// document is applied with `nft -j -f -` in one fresh namespace and with
// `nfsh -j apply -` in another (after the same setup); both must succeed
// or both fail, and leave identical `nft -a list ruleset` listings.
type jsonApplyCase struct {
	name string
	// listed, when set, is an nft script loaded in a scratch namespace:
	// the document is what `nft -j list ruleset` prints for it.
	listed string
	doc    string // the document, when not listed
	setup  string // nft script loaded (with nft) in both namespaces first
	fails  bool   // nft must fail (and so nfsh)
	// args are nfsh's arguments (default -j apply -).
	args []string
}

// jsonApplyRich is jsonRuleset without what nft 1.0.6 cannot read back
// from its own JSON listing: synproxy objects (no JSON add command) and
// the netdev chain (listed without its device), maps with concatenated
// data (listed as "map": "ipv4_addr . inet_service", no datatype name)
// and verdict maps jumping to chains (listed before the chains).
var jsonApplyRich = strings.NewReplacer(
	"\tsynproxy sp1 { mss 1460; wscale 7; timestamp sack-perm; }\n", "",
	"\tmap m1 { type ipv4_addr : ipv4_addr . inet_service; elements = { 1.1.1.1 : 2.2.2.2 . 80 } }\n", "",
	`"lo" : jump other`, `"lo" : accept`,
).Replace(jsonRuleset[:strings.Index(jsonRuleset, "table netdev n {")]) +
	jsonRuleset[strings.Index(jsonRuleset, "table ip6 x {"):]

const jsonApplyBase = `table ip t {
	set s { type ipv4_addr; }
	chain c { type filter hook input priority 0; policy accept;
		counter
		tcp dport 22 accept
	}
	chain d { }
}
`

var jsonApplyCases = []jsonApplyCase{
	{name: "rich-listing", listed: jsonApplyRich},
	{name: "rich-listing-long-flag", listed: jsonApplyRich, args: []string{"apply", "--json", "-"}},
	{name: "with-synproxy-object", listed: jsonRuleset[:strings.Index(jsonRuleset, "table netdev n {")], fails: true},
	{name: "concat-data-map", listed: "table ip t { map m1 { type ipv4_addr : ipv4_addr . inet_service; elements = { 1.1.1.1 : 2.2.2.2 . 80 }; }; }\n", fails: true},
	{name: "vmap-jump-listing", listed: "table ip t { map m { type ipv4_addr : verdict; elements = { 1.1.1.1 : jump c }; }; chain c { }; }\n", fails: true},
	{name: "netdev-listing", listed: jsonRuleset[strings.Index(jsonRuleset, "table netdev n {"):strings.Index(jsonRuleset, "table ip6 x {")], fails: true},
	{name: "list-base", listed: strings.Replace(listBase, "\tct expectation exp1 { protocol tcp; dport 22; timeout 1m; size 12; l3proto ip; }\n", "", 1)},
	{name: "ct-expectation", listed: listBase, fails: true},
	{name: "list-stateful", listed: listStateful},
	{name: "list-meter", listed: listMeter},
	{name: "cmd-base", listed: cmdBase},
	{name: "cmd-objs", listed: strings.NewReplacer("\tsynproxy sp { mss 1460; wscale 7; }\n", "",
		"\tct expectation e { protocol tcp; dport 21; timeout 1s; size 12; l3proto ip; }\n", "").Replace(cmdObjs)},
	{name: "singleton-sets", listed: singletonSets},
	{name: "nat-and-mangle", listed: `table ip nat {
	chain pre { type nat hook prerouting priority dstnat; policy accept;
		dnat to tcp dport map { 80 : 10.0.0.2, 443 : 10.0.0.3 }
		tcp dport 8000-8100 dnat to 10.0.0.4:9000-9100
		ip daddr 1.1.1.1 dnat ip addr . port to tcp dport map { 80 : 10.0.0.1 . 8080 }
	}
	chain post { type nat hook postrouting priority 100; policy accept;
		ip saddr 10.0.0.0/8 oifname != "lo" snat to 192.0.2.1 fully-random
		ip protocol udp masquerade to :1024-2048
	}
	chain out { type filter hook output priority mangle; policy accept;
		ip ttl set 64 ip dscp set af21 tcp flags syn tcp option maxseg size set rt mtu
		ct zone set 3 meta priority set 1:2 ct label set 10
		ip saddr & 255.255.0.0 == 10.1.0.0 ip length 100-200 log group 2 snaplen 64 queue-threshold 3
		icmp type { echo-request, echo-reply } ip id != 1 notrack
	}
}
`},
	{name: "interval-concat-timeout", listed: `table inet x {
	set a { type ipv4_addr . inet_service . ifname; flags interval; elements = { 10.0.0.0/8 . 22-25 . "eth0", 192.168.0.1 . 80 . "lo" } }
	set b { type ipv6_addr; flags timeout; timeout 1h; elements = { 2001:db8::1 timeout 2h, ::1 } }
	set c { typeof tcp dport; elements = { 1, 2, 3 } }
	map vm { type ipv4_addr . inet_service : verdict; elements = { 1.2.3.4 . 22 : drop, 5.6.7.8 . 80 : continue } }
	chain ch { return; }
	chain in { type filter hook input priority -10; policy drop;
		ip saddr . tcp dport . iifname @a accept
		ip saddr . tcp dport vmap @vm
		ip6 saddr @b counter drop
		tcp dport @c add @b { ip6 saddr timeout 30s } accept
		meta time < "2030-01-01" ct state new ct count over 10 reject with icmpx admin-prohibited
		socket transparent 1 meta mark 0x1/0x3 accept
		meta l4proto tcp tcp option sack-perm exists tcp option timestamp tsval 1 drop
	}
}
`},
	{name: "flowtable-free-objects", listed: `table inet o {
	quota q { until 2 mbytes }
	limit lb { rate 1 mbytes/second burst 2 mbytes }
	limit lp { rate over 5/minute }
	counter c { }
	map qm { type ipv4_addr : quota; elements = { 1.1.1.1 : "q" } }
	chain c1 { quota name ip saddr map @qm limit name "lb" counter name "c"; }
}
`},
	{name: "commands", setup: jsonApplyBase, doc: `{"nftables": [
  {"metainfo": {"version": "1.0.6", "json_schema_version": 1}},
  {"add": {"rule": {"family": "ip", "table": "t", "chain": "d", "expr": [{"match": {"op": "==", "left": {"meta": {"key": "iifname"}}, "right": "lo"}}, {"accept": null}], "comment": "from json"}}},
  {"insert": {"rule": {"family": "ip", "table": "t", "chain": "c", "expr": [{"jump": {"target": "d"}}]}}},
  {"add": {"element": {"family": "ip", "table": "t", "name": "s", "elem": ["1.2.3.4", {"elem": {"val": "5.6.7.8"}}]}}},
  {"add": {"chain": {"family": "ip", "table": "t", "name": "e"}}},
  {"add": {"set": {"family": "ip", "table": "t", "name": "ports", "type": "inet_service", "flags": ["interval"], "elem": [22, {"range": [1000, 2000]}]}}},
  {"add": {"map": {"family": "ip", "table": "t", "name": "m", "type": "ipv4_addr", "map": "verdict", "elem": [["1.1.1.1", {"jump": {"target": "e"}}]]}}},
  {"add": {"rule": {"family": "ip", "table": "t", "chain": "c", "index": 0, "expr": [{"vmap": {"key": {"payload": {"protocol": "ip", "field": "saddr"}}, "data": "@m"}}]}}}
]}`},
	{name: "insert-at-handle", setup: jsonApplyBase, doc: `{"nftables": [{"insert": {"rule": {"family": "ip", "table": "t", "chain": "c", "handle": 5, "expr": [{"drop": null}]}}}, {"add": {"rule": {"family": "ip", "table": "t", "chain": "c", "handle": 5, "expr": [{"continue": null}]}}}]}`},
	{name: "delete-and-flush", setup: jsonApplyBase, doc: `{"nftables": [{"delete": {"rule": {"family": "ip", "table": "t", "chain": "c", "handle": 4}}}, {"flush": {"chain": {"family": "ip", "table": "t", "name": "d"}}}, {"delete": {"chain": {"family": "ip", "table": "t", "name": "d"}}}, {"delete": {"set": {"family": "ip", "table": "t", "name": "s"}}}]}`},
	{name: "replace-rule", setup: jsonApplyBase, doc: `{"nftables": [{"replace": {"rule": {"family": "ip", "table": "t", "chain": "c", "handle": 5, "expr": [{"match": {"op": "==", "left": {"payload": {"protocol": "tcp", "field": "dport"}}, "right": {"set": [22, 2222]}}}, {"counter": null}, {"accept": null}]}}}]}`},
	{name: "flush-ruleset-then-add", setup: jsonApplyBase, doc: `{"nftables": [{"flush": {"ruleset": null}}, {"table": {"family": "inet", "name": "n"}}, {"chain": {"family": "inet", "table": "n", "name": "c", "type": "filter", "hook": "output", "prio": 0, "policy": "drop"}}]}`},
	{name: "rename-and-delete-table", setup: jsonApplyBase + "table ip u { }\n", doc: `{"nftables": [{"rename": {"chain": {"family": "ip", "table": "t", "name": "d", "newname": "dd"}}}, {"delete": {"table": {"family": "ip", "name": "u"}}}]}`},
	{name: "create-existing-table", setup: jsonApplyBase, doc: `{"nftables": [{"create": {"table": {"family": "ip", "name": "t"}}}]}`, fails: true},
	{name: "unknown-chain", setup: jsonApplyBase, doc: `{"nftables": [{"add": {"rule": {"family": "ip", "table": "t", "chain": "nope", "expr": [{"accept": null}]}}}]}`, fails: true},
	{name: "nft-text-fallback", doc: "add table ip fromtext\nadd chain ip fromtext c\n"},
	{name: "malformed-json", doc: `{"nftables": [{"add": {"table": {"family": "ip", "name": "t"}}}`, fails: true},
	{name: "no-nftables", doc: `{"commands": []}`, fails: true},
	{name: "unknown-statement", doc: `{"nftables": [{"table": {"family": "ip", "name": "t"}}, {"chain": {"family": "ip", "table": "t", "name": "c"}}, {"rule": {"family": "ip", "table": "t", "chain": "c", "expr": [{"frobnicate": null}]}}]}`, fails: true},
	{name: "bad-family", doc: `{"nftables": [{"add": {"table": {"family": "ipx", "name": "t"}}}]}`, fails: true},
	{name: "create-rule", setup: jsonApplyBase, doc: `{"nftables": [{"create": {"rule": {"family": "ip", "table": "t", "chain": "c", "expr": []}}}]}`, fails: true},
	{name: "expr-not-array", setup: jsonApplyBase, doc: `{"nftables": [{"add": {"rule": {"family": "ip", "table": "t", "chain": "c", "expr": {"accept": null}}}}]}`, fails: true},
	{name: "replace-without-handle", setup: jsonApplyBase, doc: `{"nftables": [{"replace": {"rule": {"family": "ip", "table": "t", "chain": "c", "expr": [{"accept": null}]}}}]}`, fails: true},
	{name: "xt-statement", setup: jsonApplyBase, doc: `{"nftables": [{"add": {"rule": {"family": "ip", "table": "t", "chain": "c", "expr": [{"xt": {"type": "match", "name": "conntrack"}}]}}}]}`, fails: true},
	{name: "bad-value", setup: jsonApplyBase, doc: `{"nftables": [{"add": {"rule": {"family": "ip", "table": "t", "chain": "c", "expr": [{"match": {"op": "==", "left": {"payload": {"protocol": "ip", "field": "saddr"}}, "right": "not-an-address.invalid"}}]}}}]}`, fails: true},
	{name: "list-in-context", setup: jsonApplyBase, doc: `{"nftables": [{"add": {"rule": {"family": "ip", "table": "t", "chain": "c", "expr": [{"match": {"op": "==", "left": [1, 2], "right": 1}}]}}}]}`, fails: true},
}

// TestJSONApply runs every jsonApplyCase.
func TestJSONApply(t *testing.T) {
	nstest.Require(t)
	for _, tc := range jsonApplyCases {
		t.Run(tc.name, func(t *testing.T) {
			doc := tc.doc
			if tc.listed != "" {
				gen := nstest.New(t)
				gen.NftScript(t, tc.listed)
				doc = gen.Nft(t, "-j", "list", "ruleset")
			}
			args := tc.args
			if args == nil {
				args = []string{"-j", "apply", "-"}
			}
			ref := nstest.New(t)
			got := nstest.New(t)
			if tc.setup != "" {
				ref.NftScript(t, tc.setup)
				got.NftScript(t, tc.setup)
			}
			// Listings go through stdin; written documents through a
			// file: nft reads a file that is not JSON as nft text, but
			// from stdin it finds nothing left to read.
			input, file := doc, "-"
			if tc.listed == "" {
				file = filepath.Join(t.TempDir(), "doc.json")
				if err := os.WriteFile(file, []byte(doc), 0o644); err != nil {
					t.Fatal(err)
				}
				input = ""
				args = append(args[:len(args)-1:len(args)-1], file)
			}
			refOut, refErr := ref.RunInput(t, input, "nft", "-j", "-f", file)
			gotOut, gotErr := got.RunInput(t, input, nfshBin, args...)
			if len(doc) > 400 {
				doc = doc[:400] + "..."
			}
			if (refErr != nil) != tc.fails {
				t.Fatalf("nft -j -f: want failure %v, got %v: %s\ndocument: %s", tc.fails, refErr, refOut, doc)
			}
			if (gotErr != nil) != (refErr != nil) {
				t.Fatalf("nft -j -f: %v (%s)\nnfsh %s: %v (%s)\ndocument: %s", refErr, refOut, strings.Join(args, " "), gotErr, gotOut, doc)
			}
			if gotErr != nil {
				t.Logf("both fail; nfsh: %v", gotErr)
			}
			want := expiresRE.ReplaceAllString(ref.Nft(t, "-a", "list", "ruleset"), "expires X")
			have := expiresRE.ReplaceAllString(got.Nft(t, "-a", "list", "ruleset"), "expires X")
			if d := cmp.Diff(want, have); d != "" {
				t.Errorf("ruleset after (-nft +nfsh):\n%s\ndocument: %s", d, doc)
			}
		})
	}
}
