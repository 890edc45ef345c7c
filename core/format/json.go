package format

// This file prints listings in nft's JSON (libnftables-json(5), schema
// version 1) exactly as `nft -j list ruleset` / `nft -j list table` of
// nft 1.0.6 do (its src/json.c): the same objects, key order and spacing.
// Rule bodies come from delinearize.RuleJSONValue.
//
// One deliberate difference: nft 1.0.6 prints a table with exactly one
// flag from freed memory (table_flags_json unpacks the string, then frees
// its array), so its "flags" value is garbage; nfsh prints the flag's name.

import (
	"bufio"
	"io"

	"github.com/nfsh/nfsh/core/delinearize"
	"github.com/nfsh/nfsh/core/ruleset"
)

// JSON version facts nft 1.0.6 prints in its metainfo object.
const (
	jsonVersion       = "1.0.6"
	jsonReleaseName   = "Lester Gooch #5"
	jsonSchemaVersion = 1
)

type jobj = delinearize.JSONObject

var newObj = delinearize.NewJSONObject

// JSONMetainfo returns the {"metainfo": {...}} object that opens every
// JSON listing.
func JSONMetainfo() *delinearize.JSONObject {
	return newObj("metainfo", newObj("version", jsonVersion, "release_name", jsonReleaseName,
		"json_schema_version", jsonSchemaVersion))
}

// RulesetJSON writes rs like `nft -j list ruleset`: one line
// {"nftables": [metainfo, table, objects, sets, flowtables, chains,
// rules, next table...]}.
func RulesetJSON(w io.Writer, rs *ruleset.Ruleset, o *Options) error {
	items := []any{JSONMetainfo()}
	if rs != nil {
		for _, t := range rs.Tables {
			ti, err := TableJSON(t, o)
			if err != nil {
				return err
			}
			items = append(items, ti...)
		}
	}
	return WriteJSON(w, items)
}

// WriteJSON writes {"nftables": items} and a newline, as nft prints its
// listings.
func WriteJSON(w io.Writer, items []any) error {
	bw := bufio.NewWriterSize(w, 64<<10)
	b := delinearize.AppendJSON(nil, newObj("nftables", items))
	b = append(b, '\n')
	if _, err := bw.Write(b); err != nil {
		return err
	}
	return bw.Flush()
}

// TableJSON returns the items of table t in nft's JSON listing
// (table_print_json_full): the table, its objects, named sets and maps,
// flowtables and chains, then the rules of every chain.
func TableJSON(t *ruleset.Table, o *Options) ([]any, error) {
	out := []any{TableObjJSON(t)}
	for _, ob := range t.Objects {
		out = append(out, ObjectJSON(t, ob))
	}
	for _, s := range t.Sets {
		if s.Anonymous() {
			continue
		}
		sj, err := delinearize.SetJSON(t, s, o)
		if err != nil {
			return nil, err
		}
		out = append(out, sj)
	}
	for _, ft := range t.Flowtables {
		out = append(out, FlowtableJSON(t, ft))
	}
	var rules []any
	for _, c := range t.Chains {
		out = append(out, ChainJSON(t, c))
		for _, r := range c.Rules {
			rj, err := RuleJSON(t, c, r, o)
			if err != nil {
				return nil, err
			}
			rules = append(rules, rj)
		}
	}
	return append(out, rules...), nil
}

// TableObjJSON returns {"table": {...}} (table_print_json).
func TableObjJSON(t *ruleset.Table) *delinearize.JSONObject {
	root := newObj("family", t.Family.String(), "name", t.Name, "handle", t.Handle)
	var flags []any
	for i, n := range []string{"dormant", "owner", "persist"} {
		if t.Flags&(1<<i) != 0 {
			flags = append(flags, n)
		}
	}
	switch len(flags) {
	case 0:
	case 1:
		root.Set("flags", flags[0])
	default:
		root.Set("flags", flags)
	}
	return newObj("table", root)
}

// ChainJSON returns {"chain": {...}} (chain_print_json).
func ChainJSON(t *ruleset.Table, c *ruleset.Chain) *delinearize.JSONObject {
	root := newObj("family", t.Family.String(), "table", t.Name, "name", c.Name, "handle", c.Handle)
	if h := c.Hook; h != nil {
		pol := uint32(1)
		if h.Policy != nil {
			pol = *h.Policy
		}
		root.Set("type", h.Type)
		root.Set("hook", hookName(uint8(t.Family), h.Num))
		root.Set("prio", h.Priority)
		root.Set("policy", policyName(pol))
		// nft 1.0.6 prints "dev" only from a parsed chain's device
		// expression, which a listed chain never has
	}
	return newObj("chain", root)
}

// RuleJSON returns {"rule": {...}} (rule_print_json) for rule r of chain c.
func RuleJSON(t *ruleset.Table, c *ruleset.Chain, r *ruleset.Rule, o *Options) (*delinearize.JSONObject, error) {
	root := newObj("family", t.Family.String(), "table", t.Name, "chain", c.Name, "handle", r.Handle)
	if cm := r.Comment(); cm != "" {
		root.Set("comment", cm)
	}
	ex, err := delinearize.RuleJSONValue(t, r, o)
	if err != nil {
		return nil, err
	}
	if len(ex) > 0 {
		root.Set("expr", ex)
	}
	return newObj("rule", root), nil
}

// FlowtableJSON returns {"flowtable": {...}} (flowtable_print_json).
func FlowtableJSON(t *ruleset.Table, ft *ruleset.Flowtable) *delinearize.JSONObject {
	root := newObj("family", t.Family.String(), "name", ft.Name, "table", t.Name, "handle", ft.Handle,
		"hook", hookName(5, ft.Hook), "prio", ft.Priority)
	devs := ft.Devices
	switch len(devs) {
	case 0:
	case 1:
		root.Set("dev", devs[0])
	default:
		l := make([]any, len(devs))
		for i, d := range devs {
			l[i] = d
		}
		root.Set("dev", l)
	}
	return newObj("flowtable", root)
}

// protoJSON is proto_name_json: the protocol's name, else its number.
func protoJSON(p uint8) any {
	if n, ok := protoNames()[int(p)]; ok {
		return n
	}
	return p
}

// ObjectJSON returns a stateful object of table t as nft's obj_print_json:
// {"counter"|"quota"|...: {...}}.
func ObjectJSON(t *ruleset.Table, ob *ruleset.Object) *delinearize.JSONObject {
	a := objAttrs(ob.Data)
	typ := delinearize.ObjTypeName(ob.Type)
	root := newObj("family", t.Family.String(), "name", ob.Name, "table", t.Name, "handle", ob.Handle)
	if c := ruleset.UdataString(ob.Userdata, ruleset.UdataObjComment); c != "" {
		root.Set("comment", c)
	}
	switch ob.Type {
	case objCounter:
		root.Set("packets", be(a[2]))
		root.Set("bytes", be(a[1]))
	case objQuota:
		root.Set("bytes", be(a[1]))
		root.Set("used", be(a[4]))
		root.Set("inv", be(a[2])&1 != 0)
	case objSecmark:
		root.Set("context", cstr(a[1]))
	case objCtHelper:
		root.Set("type", cstr(a[1]))
		root.Set("protocol", protoJSON(uint8(be(a[3]))))
		root.Set("l3proto", famName(int(be(a[2]))))
	case objCtTmo:
		l4 := uint8(be(a[2]))
		root.Set("protocol", protoJSON(l4))
		root.Set("l3proto", famName(int(be(a[1]))))
		root.Set("policy", timeoutPolicyJSON(l4, a[3]))
	case objCtExpect:
		root.Set("protocol", protoJSON(uint8(be(a[2]))))
		root.Set("dport", be(a[3]))
		root.Set("timeout", hostU32(a[4]))
		root.Set("size", be(a[5]))
		root.Set("l3proto", famName(int(be(a[1]))))
	case objLimit:
		rate, unit, burst, typ, flags := be(a[1]), be(a[2]), be(a[3]), be(a[4]), be(a[5])
		var rateU, burstU string
		if typ == 1 {
			rate, rateU = delinearize.RateUnit(rate)
			burst, burstU = delinearize.RateUnit(burst)
		}
		root.Set("rate", rate)
		root.Set("per", delinearize.TimeUnit(unit))
		if flags&1 != 0 {
			root.Set("inv", true)
		}
		if rateU != "" {
			root.Set("rate_unit", rateU)
		}
		if burst != 0 {
			root.Set("burst", burst)
			if burstU != "" {
				root.Set("burst_unit", burstU)
			}
		}
	case objSynproxy:
		flags := be(a[3])
		root.Set("mss", be(a[1]))
		root.Set("wscale", be(a[2]))
		var fl []any
		if flags&0x8 != 0 {
			fl = append(fl, "timestamp")
		}
		if flags&0x4 != 0 {
			fl = append(fl, "sack-perm")
		}
		if len(fl) > 0 {
			root.Set("flags", fl)
		}
	}
	return newObj(typ, root)
}

// timeoutPolicyJSON is timeout_policy_json: the states whose timeout
// differs from the default, or null.
func timeoutPolicyJSON(l4 uint8, data []byte) any {
	var names []string
	var dflt []uint64
	switch l4 {
	case 6:
		names, dflt = tcpStates, tcpDefaults
	case 17:
		names, dflt = udpStates, udpDefaults
	default:
		return nil
	}
	vals := append([]uint64(nil), dflt...)
	for t, v := range objAttrs(data) {
		if int(t) >= 1 && int(t) <= len(vals) {
			vals[t-1] = be(v)
		}
	}
	var root *jobj
	for i := range names {
		if vals[i] != dflt[i] {
			if root == nil {
				root = newObj()
			}
			root.Set(names[i], vals[i])
		}
	}
	if root == nil {
		return nil
	}
	return root
}
