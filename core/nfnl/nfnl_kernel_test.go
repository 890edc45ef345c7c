package nfnl_test

import (
	"encoding/binary"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/mdlayher/netlink"
	"golang.org/x/sys/unix"

	"github.com/nfsh/nfsh/core/diag"
	"github.com/nfsh/nfsh/core/nfnl"
	"github.com/nfsh/nfsh/tests/go/nstest"
)

func attrs(t testing.TB, fn func(ae *netlink.AttributeEncoder)) []byte {
	t.Helper()
	ae := netlink.NewAttributeEncoder()
	ae.ByteOrder = binary.BigEndian
	fn(ae)
	b, err := ae.Encode()
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func tableAttrs(t testing.TB, name string) []byte {
	return attrs(t, func(ae *netlink.AttributeEncoder) {
		ae.String(unix.NFTA_TABLE_NAME, name)
		ae.Uint32(unix.NFTA_TABLE_FLAGS, 0)
	})
}

func chainAttrs(t testing.TB, table, name string) []byte {
	return attrs(t, func(ae *netlink.AttributeEncoder) {
		ae.String(unix.NFTA_CHAIN_TABLE, table)
		ae.String(unix.NFTA_CHAIN_NAME, name)
	})
}

// acceptRule is `accept` (one immediate expression) or `jump target`.
func verdictRule(t testing.TB, table, chain string, code int32, target string) []byte {
	return attrs(t, func(ae *netlink.AttributeEncoder) {
		ae.String(unix.NFTA_RULE_TABLE, table)
		ae.String(unix.NFTA_RULE_CHAIN, chain)
		ae.Nested(unix.NFTA_RULE_EXPRESSIONS, func(ae *netlink.AttributeEncoder) error {
			ae.Nested(unix.NFTA_LIST_ELEM, func(ae *netlink.AttributeEncoder) error {
				ae.String(unix.NFTA_EXPR_NAME, "immediate")
				ae.Nested(unix.NFTA_EXPR_DATA, func(ae *netlink.AttributeEncoder) error {
					ae.Uint32(unix.NFTA_IMMEDIATE_DREG, 0)
					ae.Nested(unix.NFTA_IMMEDIATE_DATA, func(ae *netlink.AttributeEncoder) error {
						ae.Nested(unix.NFTA_DATA_VERDICT, func(ae *netlink.AttributeEncoder) error {
							ae.Uint32(unix.NFTA_VERDICT_CODE, uint32(code))
							if target != "" {
								ae.String(unix.NFTA_VERDICT_CHAIN, target)
							}
							return nil
						})
						return nil
					})
					return nil
				})
				return nil
			})
			return nil
		})
	})
}

func dial(t testing.TB, ns *nstest.NS) *nfnl.Conn {
	t.Helper()
	c, err := nfnl.Dial(nfnl.Options{NetNS: nfnl.NetNSPath(ns.Path())})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

func TestBatchCommitAndDump(t *testing.T) {
	nstest.Require(t)
	ns := nstest.New(t)
	c := dial(t, ns)

	gen0, err := c.GenID()
	if err != nil {
		t.Fatal(err)
	}
	b := nfnl.NewBatch(0)
	b.Add(unix.NFT_MSG_NEWTABLE, unix.NFPROTO_IPV4, unix.NLM_F_CREATE, tableAttrs(t, "t"))
	b.Add(unix.NFT_MSG_NEWCHAIN, unix.NFPROTO_IPV4, unix.NLM_F_CREATE, chainAttrs(t, "t", "c"))
	b.Add(unix.NFT_MSG_NEWRULE, unix.NFPROTO_IPV4, unix.NLM_F_CREATE|unix.NLM_F_APPEND, verdictRule(t, "t", "c", 1, ""))
	res, err := c.SendBatch(b, nfnl.SendOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if res.Acked != 3 {
		t.Errorf("acked %d messages, want 3", res.Acked)
	}
	gen1, err := c.GenID()
	if err != nil {
		t.Fatal(err)
	}
	if gen1 == gen0 {
		t.Errorf("generation did not change after commit: %d", gen1)
	}
	want := "table ip t {\n\tchain c {\n\t\taccept\n\t}\n}\n"
	if got := ns.Nft(t, "list", "ruleset"); got != want {
		t.Errorf("nft list ruleset =\n%s\nwant\n%s", got, want)
	}

	var names []string
	err = c.Dump(nfnl.DumpRequest{Type: unix.NFT_MSG_GETCHAIN, Family: unix.NFPROTO_UNSPEC}, func(m nfnl.Msg) error {
		if m.Type != unix.NFT_MSG_NEWCHAIN || m.Family != unix.NFPROTO_IPV4 {
			t.Errorf("dump message type %d family %d", m.Type, m.Family)
		}
		if m.ResID != uint16(gen1) {
			t.Errorf("res_id %d, want genid %d", m.ResID, uint16(gen1))
		}
		ad, err := netlink.NewAttributeDecoder(m.Attrs)
		if err != nil {
			return err
		}
		for ad.Next() {
			if ad.Type() == unix.NFTA_CHAIN_NAME {
				names = append(names, ad.String())
			}
		}
		return ad.Err()
	})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(names, ",") != "c" {
		t.Errorf("dumped chains %q", names)
	}
}

func TestBatchErrorIndexAndAbort(t *testing.T) {
	nstest.Require(t)
	ns := nstest.New(t)
	c := dial(t, ns)
	b := nfnl.NewBatch(0)
	b.Add(unix.NFT_MSG_NEWTABLE, unix.NFPROTO_IPV4, unix.NLM_F_CREATE, tableAttrs(t, "t"))
	b.Add(unix.NFT_MSG_NEWCHAIN, unix.NFPROTO_IPV4, unix.NLM_F_CREATE, chainAttrs(t, "t", "c"))
	b.Add(unix.NFT_MSG_NEWRULE, unix.NFPROTO_IPV4, unix.NLM_F_CREATE|unix.NLM_F_APPEND, verdictRule(t, "t", "c", unix.NFT_JUMP, "missing"))
	b.Add(unix.NFT_MSG_NEWCHAIN, unix.NFPROTO_IPV4, unix.NLM_F_CREATE, chainAttrs(t, "nosuchtable", "c"))
	_, err := c.SendBatch(b, nfnl.SendOptions{})
	var de *diag.Error
	if !errors.As(err, &de) {
		t.Fatalf("error %v (%T), want *diag.Error", err, err)
	}
	var be *nfnl.BatchError
	if !errors.As(err, &be) {
		t.Fatalf("error %v does not wrap *nfnl.BatchError", err)
	}
	t.Logf("error: %v; all: %+v", err, be.Errors)
	if len(be.Errors) != 2 {
		t.Fatalf("got %d message errors, want 2: %+v", len(be.Errors), be.Errors)
	}
	if e := be.Errors[0]; e.Index != 2 || e.Errno != unix.ENOENT || e.Type != unix.NFT_MSG_NEWRULE {
		t.Errorf("first error %+v, want index 2 NEWRULE ENOENT", e)
	}
	if e := be.Errors[1]; e.Index != 3 || e.Errno != unix.ENOENT || !e.HasOffset {
		t.Errorf("second error %+v, want index 3 ENOENT with offset", e)
	} else if off := int(e.Offset); off != 20 {
		// NFTA_CHAIN_TABLE is the first attribute, right after the headers.
		t.Errorf("extack offset %d, want 20 (NFTA_CHAIN_TABLE)", off)
	}
	if de.Errno != unix.ENOENT || !errors.Is(err, unix.ENOENT) {
		t.Errorf("diag errno %v", de.Errno)
	}
	if got := ns.Nft(t, "list", "ruleset"); got != "" {
		t.Errorf("ruleset changed by a refused batch:\n%s", got)
	}
}

func TestCheckModeDoesNotCommit(t *testing.T) {
	nstest.Require(t)
	ns := nstest.New(t)
	c := dial(t, ns)
	b := nfnl.NewBatch(0)
	b.Add(unix.NFT_MSG_NEWTABLE, unix.NFPROTO_IPV4, unix.NLM_F_CREATE, tableAttrs(t, "t"))
	res, err := c.SendBatch(b, nfnl.SendOptions{Check: true})
	if err != nil {
		t.Fatal(err)
	}
	if res.Acked != 1 {
		t.Errorf("acked %d, want 1", res.Acked)
	}
	if got := ns.Nft(t, "list", "ruleset"); got != "" {
		t.Errorf("check mode committed:\n%s", got)
	}
	// A bad batch in check mode still reports the error.
	b.Reset()
	b.Add(unix.NFT_MSG_NEWCHAIN, unix.NFPROTO_IPV4, unix.NLM_F_CREATE, chainAttrs(t, "nosuchtable", "c"))
	_, err = c.SendBatch(b, nfnl.SendOptions{Check: true})
	var be *nfnl.BatchError
	if !errors.As(err, &be) || be.Errors[0].Index != 0 || !be.Check {
		t.Errorf("check of a bad batch: %v", err)
	}
}

func TestStaleGenID(t *testing.T) {
	nstest.Require(t)
	ns := nstest.New(t)
	c := dial(t, ns)
	gen, err := c.GenID()
	if err != nil {
		t.Fatal(err)
	}
	ns.Nft(t, "add", "table", "ip", "other")
	b := nfnl.NewBatch(0)
	b.SetGenID(gen)
	b.Add(unix.NFT_MSG_NEWTABLE, unix.NFPROTO_IPV4, unix.NLM_F_CREATE, tableAttrs(t, "t"))
	_, err = c.SendBatch(b, nfnl.SendOptions{})
	var be *nfnl.BatchError
	if !errors.As(err, &be) || be.Errors[0].Index != nfnl.IndexBegin || be.Errors[0].Errno != unix.ERESTART {
		t.Fatalf("stale genid: %v (%+v)", err, be)
	}
	gen, err = c.GenID()
	if err != nil {
		t.Fatal(err)
	}
	b.SetGenID(gen)
	if _, err := c.SendBatch(b, nfnl.SendOptions{}); err != nil {
		t.Fatalf("fresh genid: %v", err)
	}
}

func TestDialNewNetNS(t *testing.T) {
	nstest.Require(t)
	c, err := nfnl.Dial(nfnl.Options{NetNS: nfnl.NetNSNew()})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if c.NetNSFD() < 0 {
		t.Error("no netns fd kept for a throwaway namespace")
	}
	b := nfnl.NewBatch(0)
	b.Add(unix.NFT_MSG_NEWTABLE, unix.NFPROTO_IPV4, unix.NLM_F_CREATE, tableAttrs(t, "throwaway"))
	if _, err := c.SendBatch(b, nfnl.SendOptions{}); err != nil {
		t.Fatal(err)
	}
	n := 0
	if err := c.Dump(nfnl.DumpRequest{Type: unix.NFT_MSG_GETTABLE}, func(nfnl.Msg) error { n++; return nil }); err != nil {
		t.Fatal(err)
	}
	if n != 1 {
		t.Errorf("%d tables in the throwaway namespace, want 1", n)
	}
	// A second socket in the same namespace sees the table too.
	c2, err := nfnl.Dial(nfnl.Options{NetNS: nfnl.NetNSPath("/proc/self/fd/" + itoa(c.NetNSFD()))})
	if err != nil {
		t.Fatal(err)
	}
	defer c2.Close()
	n = 0
	if err := c2.Dump(nfnl.DumpRequest{Type: unix.NFT_MSG_GETTABLE}, func(nfnl.Msg) error { n++; return nil }); err != nil {
		t.Fatal(err)
	}
	if n != 1 {
		t.Errorf("second socket sees %d tables, want 1", n)
	}
}

func itoa(n int) string {
	var b [20]byte
	i := len(b)
	for {
		i--
		b[i] = byte('0' + n%10)
		n /= 10
		if n == 0 {
			return string(b[i:])
		}
	}
}

// TestLargeBatch commits 10k rules in one batch and dumps them back.
func TestLargeBatch(t *testing.T) {
	nstest.Require(t)
	ns := nstest.New(t)
	c := dial(t, ns)
	const n = 10000
	rule := verdictRule(t, "t", "c", 1, "")
	b := nfnl.NewBatch(n * (len(rule) + 24))
	b.Add(unix.NFT_MSG_NEWTABLE, unix.NFPROTO_IPV4, unix.NLM_F_CREATE, tableAttrs(t, "t"))
	b.Add(unix.NFT_MSG_NEWCHAIN, unix.NFPROTO_IPV4, unix.NLM_F_CREATE, chainAttrs(t, "t", "c"))
	start := time.Now()
	for range n {
		b.Add(unix.NFT_MSG_NEWRULE, unix.NFPROTO_IPV4, unix.NLM_F_CREATE|unix.NLM_F_APPEND, rule)
	}
	built := time.Since(start)
	res, err := c.SendBatch(b, nfnl.SendOptions{})
	if err != nil {
		t.Fatal(err)
	}
	sent := time.Since(start)
	if res.Acked != n+2 {
		t.Errorf("acked %d, want %d", res.Acked, n+2)
	}
	rules := 0
	if err := c.Dump(nfnl.DumpRequest{Type: unix.NFT_MSG_GETRULE, Family: unix.NFPROTO_IPV4}, func(nfnl.Msg) error { rules++; return nil }); err != nil {
		t.Fatal(err)
	}
	if rules != n {
		t.Errorf("dumped %d rules, want %d", rules, n)
	}
	t.Logf("%d rules, %d bytes: build %v, build+commit %v, dump %v", n, b.Size(), built, sent, time.Since(start)-sent)
}

func TestCloneSharesNamespace(t *testing.T) {
	nstest.Require(t)
	c, err := nfnl.Dial(nfnl.Options{NetNS: nfnl.NetNSNew()})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	b := nfnl.NewBatch(0)
	b.Add(unix.NFT_MSG_NEWTABLE, unix.NFPROTO_IPV4, unix.NLM_F_CREATE, tableAttrs(t, "cloned"))
	if _, err := c.SendBatch(b, nfnl.SendOptions{}); err != nil {
		t.Fatal(err)
	}
	c2, err := c.Clone()
	if err != nil {
		t.Fatal(err)
	}
	defer c2.Close()
	if c2.PortID() == c.PortID() {
		t.Errorf("clone has the same port id %d", c.PortID())
	}
	var names []string
	if err := c2.Dump(nfnl.DumpRequest{Type: unix.NFT_MSG_GETTABLE}, func(m nfnl.Msg) error {
		names = append(names, strings.TrimRight(string(m.Attrs[4:]), "\x00"))
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if len(names) != 1 || !strings.HasPrefix(names[0], "cloned") {
		t.Errorf("clone sees tables %q, want only the throwaway namespace's \"cloned\"", names)
	}
	st := c2.Stats()
	c.AddStats(st)
	if got := c.Stats(); got.RecvCalls < st.RecvCalls || st.RecvCalls == 0 {
		t.Errorf("AddStats: %+v after adding %+v", got, st)
	}
}
