package gotests

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/mdlayher/netlink"
	"golang.org/x/sys/unix"

	"github.com/nfsh/nfsh/core/expr"
	"github.com/nfsh/nfsh/core/kernel"
	"github.com/nfsh/nfsh/core/nfnl"
	"github.com/nfsh/nfsh/core/ruleset"
	"github.com/nfsh/nfsh/tests/go/nstest"
)

// iptablesRules are iptables-nft invocations whose rules hold xt match and
// target expressions (conntrack, comment, limit, multiport, LOG, REJECT,
// MASQUERADE ...) next to native nft expressions iptables-nft emits.
var iptablesRules = [][]string{
	{"iptables-nft", "-A", "INPUT", "-p", "tcp", "--dport", "22", "-m", "conntrack", "--ctstate", "NEW", "-m", "comment", "--comment", "x", "-j", "ACCEPT"},
	{"iptables-nft", "-A", "INPUT", "-m", "limit", "--limit", "5/min", "--limit-burst", "7", "-j", "LOG", "--log-prefix", "in: ", "--log-level", "4"},
	{"iptables-nft", "-A", "INPUT", "-p", "tcp", "-m", "multiport", "--dports", "80,443,8000:8080", "-j", "ACCEPT"},
	{"iptables-nft", "-A", "INPUT", "-p", "udp", "-m", "udp", "--dport", "53", "-j", "ACCEPT"},
	{"iptables-nft", "-A", "INPUT", "-p", "tcp", "--tcp-flags", "SYN,RST", "SYN", "-j", "REJECT", "--reject-with", "tcp-reset"},
	{"iptables-nft", "-A", "INPUT", "-m", "recent", "--name", "scan", "--set"},
	{"iptables-nft", "-A", "INPUT", "-s", "192.0.2.0/24", "-i", "lo", "-m", "mark", "--mark", "0x1/0xff", "-j", "DROP"},
	{"iptables-nft", "-N", "custom"},
	{"iptables-nft", "-A", "custom", "-m", "hashlimit", "--hashlimit-upto", "10/sec", "--hashlimit-name", "hl", "-j", "RETURN"},
	{"iptables-nft", "-A", "FORWARD", "-j", "custom"},
	{"iptables-nft", "-A", "FORWARD", "-p", "tcp", "--tcp-flags", "SYN,RST", "SYN", "-j", "TCPMSS", "--clamp-mss-to-pmtu"},
	{"iptables-nft", "-t", "nat", "-A", "POSTROUTING", "-o", "lo", "-j", "MASQUERADE"},
	{"iptables-nft", "-t", "mangle", "-A", "PREROUTING", "-j", "MARK", "--set-xmark", "0x2/0xffffffff"},
	{"ip6tables-nft", "-A", "INPUT", "-p", "ipv6-icmp", "-m", "icmp6", "--icmpv6-type", "echo-request", "-j", "ACCEPT"},
	{"ip6tables-nft", "-A", "INPUT", "-m", "conntrack", "--ctstate", "INVALID", "-j", "DROP"},
}

// foreignUserdata is an NFTA_RULE_USERDATA of TLVs: nft's comment (type 0)
// framed by TLV types nft and nfsh do not know, which must survive as is.
var foreignUserdata = []byte{
	0xc8, 3, 'a', 'b', 'c', // unknown type 200
	0, 6, 'h', 'e', 'l', 'l', 'o', 0, // NFTNL_UDATA_RULE_COMMENT "hello"
	7, 0, // unknown type 7, empty
	0x42, 4, 0xde, 0xad, 0xbe, 0xef, // unknown type 66
}

// innerExpr builds the kernel's "inner" expression (VXLAN inner header
// match, Linux >= 6.2), which nfsh does not model and keeps raw: load the
// inner IPv4 source address into register 1.
func innerExpr() expr.Expr {
	pl := netlink.NewAttributeEncoder()
	pl.ByteOrder = binary.BigEndian
	pl.Uint32(1, 1)  // NFTA_PAYLOAD_DREG
	pl.Uint32(2, 1)  // NFTA_PAYLOAD_BASE: network header
	pl.Uint32(3, 12) // NFTA_PAYLOAD_OFFSET
	pl.Uint32(4, 4)  // NFTA_PAYLOAD_LEN
	plData, _ := pl.Encode()
	ie := netlink.NewAttributeEncoder()
	ie.String(1, "payload")            // NFTA_EXPR_NAME
	ie.Bytes(netlink.Nested|2, plData) // NFTA_EXPR_DATA
	ieData, _ := ie.Encode()
	ae := netlink.NewAttributeEncoder()
	ae.ByteOrder = binary.BigEndian
	ae.Uint32(1, 0)                    // NFTA_INNER_NUM
	ae.Uint32(2, 1)                    // NFTA_INNER_TYPE: NFT_INNER_VXLAN
	ae.Uint32(3, 0x1|0x2|0x4)          // NFTA_INNER_FLAGS: HDRSIZE|LL|NH
	ae.Uint32(4, 8)                    // NFTA_INNER_HDRSIZE
	ae.Bytes(netlink.Nested|5, ieData) // NFTA_INNER_EXPR
	data, _ := ae.Encode()
	return &expr.Raw{ExprName: "inner", Data: data}
}

// foreignTable is a table pushed through core/kernel from a hand-built
// value: a rule with unknown userdata TLVs, a rule with an expression nfsh
// keeps raw, and a rule with an unknown attribute inside a known expression.
func foreignTable(withInner bool) *ruleset.Table {
	accept := &expr.Immediate{Verdict: &expr.Verdict{Code: 1}} // NF_ACCEPT
	rules := []*ruleset.Rule{
		{
			Exprs: []expr.Expr{
				&expr.Meta{Key: unix.NFT_META_L4PROTO, DReg: 1},
				&expr.Cmp{Op: unix.NFT_CMP_EQ, SReg: 1, Data: []byte{unix.IPPROTO_TCP}},
				&expr.Counter{},
				accept,
			},
			Userdata: foreignUserdata,
		},
	}
	if withInner {
		rules = append(rules, &ruleset.Rule{
			Exprs: []expr.Expr{
				&expr.Meta{Key: unix.NFT_META_L4PROTO, DReg: 1},
				&expr.Cmp{Op: unix.NFT_CMP_EQ, SReg: 1, Data: []byte{unix.IPPROTO_UDP}},
				innerExpr(),
				&expr.Cmp{Op: unix.NFT_CMP_EQ, SReg: 1, Data: []byte{192, 0, 2, 7}},
				&expr.Counter{},
			},
			Userdata: []byte{9, 1, 0}, // a lone unknown TLV
		})
	}
	policy := uint32(1)
	return &ruleset.Table{
		Family:  ruleset.FamilyIP,
		Name:    "foreign",
		Persist: true,
		Chains: []*ruleset.Chain{{
			Name:  "c",
			Hook:  &ruleset.Hook{Type: "filter", Num: unix.NF_INET_LOCAL_IN, Priority: 0, Policy: &policy},
			Rules: rules,
		}},
	}
}

// persistFlags matches the "flags" line (and the blank line after it) nft
// 1.0.6 prints for a table whose only flag is NFT_TABLE_F_PERSIST.
var persistFlags = regexp.MustCompile(`(?m)^\tflags \n\s*\n`)

// rawRule is one rule as the kernel dumps it, attributes undecoded.
type rawRule struct {
	Exprs, Userdata, Compat []byte
}

// dumpRawRules dumps every rule of the namespace with core/nfnl and keeps
// the raw NFTA_RULE_EXPRESSIONS, NFTA_RULE_USERDATA and NFTA_RULE_COMPAT,
// keyed "family table chain #index" (handles differ between namespaces).
func dumpRawRules(t *testing.T, ns *nstest.NS) map[string]rawRule {
	t.Helper()
	c, err := nfnl.Dial(nfnl.Options{NetNS: nfnl.NetNSPath(ns.Path())})
	if err != nil {
		t.Fatalf("dial %s: %v", ns.Name(), err)
	}
	defer c.Close()
	out := map[string]rawRule{}
	count := map[string]int{}
	err = c.Dump(nfnl.DumpRequest{Type: unix.NFT_MSG_GETRULE}, func(m nfnl.Msg) error {
		ad, err := netlink.NewAttributeDecoder(m.Attrs)
		if err != nil {
			return err
		}
		var table, chain string
		var r rawRule
		cp := func() []byte { return append([]byte{}, ad.Bytes()...) }
		for ad.Next() {
			switch ad.Type() {
			case unix.NFTA_RULE_TABLE:
				table = ad.String()
			case unix.NFTA_RULE_CHAIN:
				chain = ad.String()
			case unix.NFTA_RULE_EXPRESSIONS:
				r.Exprs = cp()
			case unix.NFTA_RULE_USERDATA:
				r.Userdata = cp()
			case unix.NFTA_RULE_COMPAT:
				r.Compat = cp()
			}
		}
		if err := ad.Err(); err != nil {
			return err
		}
		k := fmt.Sprintf("%d %s %s", m.Family, table, chain)
		out[fmt.Sprintf("%s #%d", k, count[k])] = r
		count[k]++
		return nil
	})
	if err != nil {
		t.Fatalf("dump rules in %s: %v", ns.Name(), err)
	}
	return out
}

// TestLosslessForeignRules loads iptables-nft rules (xt match/target
// expressions), a hand-built rule with unknown userdata TLVs and one with
// an expression nfsh keeps raw; pulls the namespace with kernel.Pull,
// pushes the value with kernel.Push into a fresh namespace, and compares
// the raw rule attributes the kernel dumps in both, byte for byte.
func TestLosslessForeignRules(t *testing.T) {
	nstest.Require(t)
	src := nstest.New(t)
	for _, args := range iptablesRules {
		if _, err := src.Run(t, args[0], args[1:]...); err != nil {
			t.Fatalf("%v", err)
		}
	}
	// Native nft content beside the foreign rules.
	src.NftScript(t, "table inet native {\n\tset s {\n\t\ttype ipv4_addr\n\t\telements = { 192.0.2.1 }\n\t}\n"+
		"\tchain c {\n\t\tip saddr @s tcp dport { 22, 80 } counter accept comment \"native\"\n\t}\n}\n")

	c, err := nfnl.Dial(nfnl.Options{NetNS: nfnl.NetNSPath(src.Path())})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	withInner := true
	if err := kernel.Push(c, &ruleset.Ruleset{Tables: []*ruleset.Table{foreignTable(true)}}, kernel.PushOptions{}); err != nil {
		t.Logf("kernel refuses the hand-built inner expression (%v); pushing without it", err)
		withInner = false
		if err := kernel.Push(c, &ruleset.Ruleset{Tables: []*ruleset.Table{foreignTable(false)}}, kernel.PushOptions{}); err != nil {
			t.Fatalf("push foreign table: %v", err)
		}
	}

	rs, err := kernel.Pull(c, kernel.PullOptions{})
	if err != nil {
		t.Fatalf("pull: %v", err)
	}
	var xt, raw int
	for _, tb := range rs.Tables {
		tb.Persist = true
		for _, ch := range tb.Chains {
			for _, r := range ch.Rules {
				for _, e := range r.Exprs {
					switch e.(type) {
					case *expr.Match, *expr.Target:
						xt++
					case *expr.Raw:
						raw++
					}
				}
			}
		}
	}
	if xt < 10 {
		t.Errorf("pulled %d xt match/target expressions, want >= 10", xt)
	}
	if withInner && raw == 0 {
		t.Errorf("the inner expression was not kept as *expr.Raw")
	}
	t.Logf("pulled %d tables, %d xt expressions, %d raw expressions", len(rs.Tables), xt, raw)

	dst := nstest.New(t)
	dc, err := nfnl.Dial(nfnl.Options{NetNS: nfnl.NetNSPath(dst.Path())})
	if err != nil {
		t.Fatal(err)
	}
	defer dc.Close()
	if err := kernel.Push(dc, rs, kernel.PushOptions{}); err != nil {
		t.Fatalf("push into the fresh namespace: %v", err)
	}

	want, got := dumpRawRules(t, src), dumpRawRules(t, dst)
	if len(want) < len(iptablesRules) {
		t.Fatalf("source holds only %d rules", len(want))
	}
	keys := make([]string, 0, len(want))
	for k := range want {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var withUdata int
	for _, k := range keys {
		w, g := want[k], got[k]
		if w.Userdata != nil {
			withUdata++
		}
		if !bytes.Equal(w.Exprs, g.Exprs) {
			t.Errorf("%s: NFTA_RULE_EXPRESSIONS differ\nsrc % x\ndst % x", k, w.Exprs, g.Exprs)
		}
		if !bytes.Equal(w.Userdata, g.Userdata) {
			t.Errorf("%s: NFTA_RULE_USERDATA differ\nsrc % x\ndst % x", k, w.Userdata, g.Userdata)
		}
		if !bytes.Equal(w.Compat, g.Compat) {
			t.Errorf("%s: NFTA_RULE_COMPAT differ\nsrc % x\ndst % x", k, w.Compat, g.Compat)
		}
	}
	for k := range got {
		if _, ok := want[k]; !ok {
			t.Errorf("%s: extra rule in the fresh namespace", k)
		}
	}
	if !bytes.Contains(want[fmt.Sprintf("%d foreign c #0", ruleset.FamilyIP)].Userdata, foreignUserdata) {
		t.Errorf("the unknown userdata TLVs did not reach the kernel")
	}
	t.Logf("%d rules byte-identical (%d with userdata)", len(keys), withUdata)

	// Both namespaces list the same in nft once the pushing sockets are
	// closed (persisting tables then drop the owner flag).
	// nft 1.0.6 prints the NFT_TABLE_F_PERSIST flag Push sets as an empty
	// "flags" line; that line is the only expected difference.
	c.Close()
	dc.Close()
	dstList := persistFlags.ReplaceAllString(dst.Nft(t, "list", "ruleset"), "")
	srcList := persistFlags.ReplaceAllString(src.Nft(t, "list", "ruleset"), "")
	if d := cmp.Diff(srcList, dstList); d != "" {
		t.Errorf("nft list ruleset differs after pull/push (-src +dst):\n%s", d)
	}
}

// TestListForeignRules checks that `nfsh list` of iptables-nft tables and
// of rules with unknown userdata does not fail and prints what nft prints.
func TestListForeignRules(t *testing.T) {
	nstest.Require(t)
	ns := nstest.New(t)
	for _, args := range iptablesRules {
		if _, err := ns.Run(t, args[0], args[1:]...); err != nil {
			t.Fatalf("%v", err)
		}
	}
	c, err := nfnl.Dial(nfnl.Options{NetNS: nfnl.NetNSPath(ns.Path())})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := kernel.Push(c, &ruleset.Ruleset{Tables: []*ruleset.Table{foreignTable(false)}}, kernel.PushOptions{}); err != nil {
		t.Fatalf("push foreign table: %v", err)
	}
	want := ns.Nft(t, "list", "ruleset")
	got, err := ns.Run(t, nfshBin, "list")
	if err != nil {
		t.Fatalf("nfsh list: %v", err)
	}
	if got != want {
		t.Errorf("nfsh list differs from nft list ruleset (-nft +nfsh):\n%s", cmp.Diff(strings.Split(want, "\n"), strings.Split(got, "\n")))
	}
}
