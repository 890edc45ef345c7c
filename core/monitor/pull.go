package monitor

import (
	"github.com/mdlayher/netlink"
	"golang.org/x/sys/unix"

	"github.com/nfsh/nfsh/core/diag"
	"github.com/nfsh/nfsh/core/nfnl"
	"github.com/nfsh/nfsh/core/ruleset"
	"github.com/nfsh/nfsh/core/wire"
)

// PullFunc reads the whole ruleset of the namespace c lives in.
type PullFunc func(c *nfnl.Conn) (*ruleset.Ruleset, error)

// Pull reads the whole ruleset over c: tables, chains, named sets with
// their elements, rules with their anonymous sets, objects and flowtables,
// each list in the kernel's order. It is a local stand-in for
// core/kernel.Pull (which did not exist when this package was written)
// and builds the same kernel-level value.
func Pull(c *nfnl.Conn) (*ruleset.Ruleset, error) {
	rs := &ruleset.Ruleset{}
	tables := map[tableKey]*ruleset.Table{}
	table := func(fam uint8, name string) (*ruleset.Table, error) {
		if t := tables[tableKey{ruleset.Family(fam), name}]; t != nil {
			return t, nil
		}
		return nil, &diag.Error{Op: "pull", Msg: "object of unknown table " + ruleset.Family(fam).String() + " " + name}
	}
	err := dumpAll(c, unix.NFT_MSG_GETTABLE, nil, func() { rs.Tables = nil; clear(tables) }, func(m nfnl.Msg) error {
		t, err := wire.DecodeTable(m.Family, m.Attrs)
		if err != nil {
			return err
		}
		rs.Tables = append(rs.Tables, t)
		tables[tableKey{t.Family, t.Name}] = t
		return nil
	})
	if err != nil {
		return nil, err
	}
	err = dumpAll(c, unix.NFT_MSG_GETCHAIN, nil, func() { clearAll(rs, func(t *ruleset.Table) { t.Chains = nil }) }, func(m nfnl.Msg) error {
		tn, ch, err := wire.DecodeChain(m.Attrs)
		if err != nil {
			return err
		}
		t, err := table(m.Family, tn)
		if err != nil {
			return err
		}
		t.Chains = append(t.Chains, ch)
		return nil
	})
	if err != nil {
		return nil, err
	}
	type setRef struct {
		t *ruleset.Table
		s *ruleset.Set
	}
	var sets []setRef
	anon := map[tableKey]map[string]*ruleset.Set{}
	err = dumpAll(c, unix.NFT_MSG_GETSET, nil, func() {
		sets = nil
		clear(anon)
		clearAll(rs, func(t *ruleset.Table) { t.Sets = nil })
	}, func(m nfnl.Msg) error {
		tn, s, err := wire.DecodeSet(m.Attrs)
		if err != nil {
			return err
		}
		t, err := table(m.Family, tn)
		if err != nil {
			return err
		}
		sets = append(sets, setRef{t, s})
		if s.Anonymous() {
			k := tableKey{t.Family, t.Name}
			if anon[k] == nil {
				anon[k] = map[string]*ruleset.Set{}
			}
			anon[k][s.Name] = s
		} else {
			t.Sets = append(t.Sets, s)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	for _, sr := range sets {
		ae := netlink.NewAttributeEncoder()
		ae.String(unix.NFTA_SET_ELEM_LIST_TABLE, sr.t.Name) // NFTA_SET_ELEM_LIST_TABLE
		ae.String(unix.NFTA_SET_ELEM_LIST_SET, sr.s.Name)   // NFTA_SET_ELEM_LIST_SET
		attrs, err := ae.Encode()
		if err != nil {
			return nil, &diag.Error{Op: "pull", Err: err}
		}
		s := sr.s
		err = c.Dump(nfnl.DumpRequest{Type: unix.NFT_MSG_GETSETELEM, Family: uint8(sr.t.Family), Attrs: attrs,
			Reset: func() { s.Elements = nil }}, func(m nfnl.Msg) error {
			_, elems, err := wire.DecodeSetElems(cloneBytes(m.Attrs))
			if err != nil {
				return err
			}
			s.Elements = append(s.Elements, elems...)
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	err = dumpAll(c, unix.NFT_MSG_GETRULE, nil, func() {
		clearAll(rs, func(t *ruleset.Table) {
			for _, ch := range t.Chains {
				ch.Rules = nil
			}
		})
	}, func(m nfnl.Msg) error {
		tn, cn, r, err := wire.DecodeRule(m.Attrs)
		if err != nil {
			return err
		}
		t, err := table(m.Family, tn)
		if err != nil {
			return err
		}
		ch := t.Chain(cn)
		if ch == nil {
			return &diag.Error{Op: "pull", Msg: "rule of unknown chain " + cn}
		}
		for _, name := range setRefs(r.Exprs) {
			if s := anon[tableKey{t.Family, t.Name}][name]; s != nil && !hasSet(r.Sets, name) {
				r.Sets = append(r.Sets, s)
			}
		}
		ch.Rules = append(ch.Rules, r)
		return nil
	})
	if err != nil {
		return nil, err
	}
	err = dumpAll(c, unix.NFT_MSG_GETOBJ, nil, func() { clearAll(rs, func(t *ruleset.Table) { t.Objects = nil }) }, func(m nfnl.Msg) error {
		tn, o, err := wire.DecodeObj(m.Attrs)
		if err != nil {
			return err
		}
		t, err := table(m.Family, tn)
		if err != nil {
			return err
		}
		t.Objects = append(t.Objects, o)
		return nil
	})
	if err != nil {
		return nil, err
	}
	err = dumpAll(c, unix.NFT_MSG_GETFLOWTABLE, nil, func() { clearAll(rs, func(t *ruleset.Table) { t.Flowtables = nil }) }, func(m nfnl.Msg) error {
		tn, f, err := wire.DecodeFlowtable(m.Attrs)
		if err != nil {
			return err
		}
		t, err := table(m.Family, tn)
		if err != nil {
			return err
		}
		t.Flowtables = append(t.Flowtables, f)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return rs, nil
}

// dumpAll dumps all families' objects of one message type, decoding from a
// copy of each message (the receive buffer is reused).
func dumpAll(c *nfnl.Conn, typ uint16, attrs []byte, reset func(), fn func(nfnl.Msg) error) error {
	return c.Dump(nfnl.DumpRequest{Type: typ, Family: unix.NFPROTO_UNSPEC, Attrs: attrs, Reset: reset}, func(m nfnl.Msg) error {
		m.Attrs = cloneBytes(m.Attrs)
		return fn(m)
	})
}

func clearAll(rs *ruleset.Ruleset, fn func(t *ruleset.Table)) {
	for _, t := range rs.Tables {
		fn(t)
	}
}

func cloneBytes(b []byte) []byte { return append([]byte(nil), b...) }
