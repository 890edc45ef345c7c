package monitor

import (
	"encoding/binary"
	"fmt"

	"github.com/mdlayher/netlink"
	"golang.org/x/sys/unix"

	"github.com/nfsh/nfsh/core/diag"
	"github.com/nfsh/nfsh/core/expr"
	"github.com/nfsh/nfsh/core/ruleset"
	"github.com/nfsh/nfsh/core/wire"
)

// Netlink header sizes and masks.
const (
	nlmsgHdrLen = 16 // struct nlmsghdr
	nfgenmsgLen = 4  // struct nfgenmsg
	nlaTypeMask = 0x3fff
)

// Message types the x/sys headers lack.
const (
	msgDestroyTable     = 0x1a // NFT_MSG_DESTROYTABLE
	msgDestroyChain     = 0x1b // NFT_MSG_DESTROYCHAIN
	msgDestroyRule      = 0x1c // NFT_MSG_DESTROYRULE
	msgDestroySet       = 0x1d // NFT_MSG_DESTROYSET
	msgDestroySetElem   = 0x1e // NFT_MSG_DESTROYSETELEM
	msgDestroyObj       = 0x1f // NFT_MSG_DESTROYOBJ
	msgDestroyFlowtable = 0x20 // NFT_MSG_DESTROYFLOWTABLE
)

var ne = binary.NativeEndian

// message is one nf_tables message of a datagram.
type message struct {
	typ    uint16 // NFT_MSG_* (subsystem removed)
	flags  uint16 // NLM_F_*
	family uint8
	resID  uint16
	attrs  []byte
}

// splitMessages calls fn for each nf_tables message in a datagram; other
// netlink messages are skipped.
func splitMessages(b []byte, fn func(m message)) error {
	for len(b) >= nlmsgHdrLen {
		l := int(ne.Uint32(b[0:4]))
		if l < nlmsgHdrLen || l > len(b) {
			return fmt.Errorf("malformed netlink message: length %d of %d bytes", l, len(b))
		}
		typ := ne.Uint16(b[4:6])
		if typ>>8 == unix.NFNL_SUBSYS_NFTABLES && l >= nlmsgHdrLen+nfgenmsgLen {
			d := b[nlmsgHdrLen:l]
			fn(message{
				typ:    typ & 0xff,
				flags:  ne.Uint16(b[6:8]),
				family: d[0],
				resID:  binary.BigEndian.Uint16(d[2:4]),
				attrs:  d[nfgenmsgLen:],
			})
		}
		a := (l + 3) &^ 3
		if a >= len(b) {
			break
		}
		b = b[a:]
	}
	return nil
}

// genInfo is the content of a NEWGEN message.
type genInfo struct {
	id   uint32
	pid  uint32
	proc string
}

// decodeGen decodes NEWGEN attributes (NFTA_GEN_*).
func decodeGen(attrs []byte) (genInfo, error) {
	var g genInfo
	ad, err := netlink.NewAttributeDecoder(attrs)
	if err != nil {
		return g, &diag.Error{Op: "decode generation", Err: err}
	}
	ad.ByteOrder = binary.BigEndian
	found := false
	for ad.Next() {
		switch ad.Type() {
		case unix.NFTA_GEN_ID: // NFTA_GEN_ID
			g.id, found = ad.Uint32(), true
		case unix.NFTA_GEN_PROC_PID: // NFTA_GEN_PROC_PID
			g.pid = ad.Uint32()
		case unix.NFTA_GEN_PROC_NAME: // NFTA_GEN_PROC_NAME
			g.proc = ad.String()
		}
	}
	if err := ad.Err(); err != nil {
		return g, &diag.Error{Op: "decode generation", Err: err}
	}
	if !found {
		return g, &diag.Error{Op: "decode generation", Msg: "missing NFTA_GEN_ID"}
	}
	return g, nil
}

// rulePosition returns NFTA_RULE_POSITION of a rule message, or 0.
func rulePosition(attrs []byte) uint64 {
	ad, err := netlink.NewAttributeDecoder(attrs)
	if err != nil {
		return 0
	}
	ad.ByteOrder = binary.BigEndian
	var pos uint64
	for ad.Next() {
		switch ad.Type() {
		case unix.NFTA_RULE_POSITION: // NFTA_RULE_POSITION
			pos = ad.Uint64()
		}
	}
	if ad.Err() != nil {
		return 0
	}
	return pos
}

// tableKey names a table.
type tableKey struct {
	family ruleset.Family
	name   string
}

// assembler turns messages into events and groups them into commits. It
// keeps the anonymous sets announced in the current commit, so that the
// new-rule event using one carries it (with its elements) in Rule.Sets.
type assembler struct {
	events []Event
	anon   map[tableKey]map[string]*ruleset.Set
}

// reset drops the events and anonymous sets of the current commit.
func (a *assembler) reset() {
	a.events = nil
	a.anon = nil
}

// decode turns one message into an event; ok is false for messages that
// are no entity change (NEWGEN, traces, unknown types).
func (a *assembler) decode(m message) (ev Event, ok bool) {
	ev = Event{Type: m.typ, Flags: m.flags, Family: ruleset.Family(m.family), ResID: m.resID}
	var err error
	switch m.typ {
	case unix.NFT_MSG_NEWTABLE, unix.NFT_MSG_DELTABLE, msgDestroyTable:
		ev.Kind = KindTable
		ev.TableObj, err = wire.DecodeTable(m.family, m.attrs)
		if err == nil {
			ev.Table = ev.TableObj.Name
		}
	case unix.NFT_MSG_NEWCHAIN, unix.NFT_MSG_DELCHAIN, msgDestroyChain:
		ev.Kind = KindChain
		ev.Table, ev.ChainObj, err = wire.DecodeChain(m.attrs)
		if err == nil {
			ev.Chain = ev.ChainObj.Name
		}
	case unix.NFT_MSG_NEWRULE, unix.NFT_MSG_DELRULE, msgDestroyRule:
		ev.Kind = KindRule
		ev.Table, ev.Chain, ev.Rule, err = wire.DecodeRule(m.attrs)
		if err == nil {
			ev.Position = rulePosition(m.attrs)
			if m.typ == unix.NFT_MSG_NEWRULE {
				a.attachSets(ev.Family, ev.Table, ev.Rule)
			}
		}
	case unix.NFT_MSG_NEWSET, unix.NFT_MSG_DELSET, msgDestroySet:
		ev.Kind = KindSet
		ev.Table, ev.SetObj, err = wire.DecodeSet(m.attrs)
		if err == nil {
			ev.Set = ev.SetObj.Name
			if m.typ == unix.NFT_MSG_NEWSET && ev.SetObj.Anonymous() {
				a.addAnon(ev.Family, ev.Table, ev.SetObj)
			}
		}
	case unix.NFT_MSG_NEWSETELEM, unix.NFT_MSG_DELSETELEM, msgDestroySetElem:
		ev.Kind = KindElement
		var ref wire.ElemsRef
		ref, ev.Elements, err = wire.DecodeSetElems(m.attrs)
		if err == nil {
			ev.Table, ev.Set = ref.Table, ref.Set
			if s := a.anonSet(ev.Family, ev.Table, ev.Set); s != nil {
				ev.SetObj = s // marks the event as anonymous
				if m.typ == unix.NFT_MSG_NEWSETELEM {
					s.Elements = append(s.Elements, ev.Elements...)
				}
			}
		}
	case unix.NFT_MSG_NEWOBJ, unix.NFT_MSG_DELOBJ, msgDestroyObj:
		ev.Kind = KindObject
		ev.Table, ev.Object, err = wire.DecodeObj(m.attrs)
	case unix.NFT_MSG_NEWFLOWTABLE, unix.NFT_MSG_DELFLOWTABLE, msgDestroyFlowtable:
		ev.Kind = KindFlowtable
		ev.Table, ev.Flowtable, err = wire.DecodeFlowtable(m.attrs)
	default:
		return ev, false
	}
	switch m.typ {
	case unix.NFT_MSG_NEWTABLE, unix.NFT_MSG_NEWCHAIN, unix.NFT_MSG_NEWRULE, unix.NFT_MSG_NEWSET,
		unix.NFT_MSG_NEWSETELEM, unix.NFT_MSG_NEWOBJ, unix.NFT_MSG_NEWFLOWTABLE:
		ev.Op = OpNew
	default:
		ev.Op = OpDelete
	}
	if err != nil {
		ev = Event{Op: ev.Op, Kind: KindUnknown, Type: m.typ, Flags: m.flags, Family: ev.Family, ResID: m.resID,
			Err: &diag.Error{Op: "monitor", Msg: fmt.Sprintf("message type %d", m.typ), Err: err}}
	}
	return ev, true
}

// addAnon remembers an anonymous set announced in the current commit.
func (a *assembler) addAnon(fam ruleset.Family, table string, s *ruleset.Set) {
	if a.anon == nil {
		a.anon = map[tableKey]map[string]*ruleset.Set{}
	}
	k := tableKey{fam, table}
	if a.anon[k] == nil {
		a.anon[k] = map[string]*ruleset.Set{}
	}
	a.anon[k][s.Name] = s
}

// anonSet returns the anonymous set announced in the current commit, or nil.
func (a *assembler) anonSet(fam ruleset.Family, table, name string) *ruleset.Set {
	return a.anon[tableKey{fam, table}][name]
}

// attachSets puts the anonymous sets r refers to into r.Sets.
func (a *assembler) attachSets(fam ruleset.Family, table string, r *ruleset.Rule) {
	for _, name := range setRefs(r.Exprs) {
		if s := a.anonSet(fam, table, name); s != nil && !hasSet(r.Sets, name) {
			r.Sets = append(r.Sets, s)
		}
	}
}

// setRefs returns the names of the sets the expressions refer to.
func setRefs(es []expr.Expr) []string {
	var names []string
	for _, e := range es {
		switch x := e.(type) {
		case *expr.Lookup:
			names = append(names, x.SetName)
		case *expr.Dynset:
			names = append(names, x.SetName)
		case *expr.Objref:
			if x.SetName != "" {
				names = append(names, x.SetName)
			}
		}
	}
	return names
}

func hasSet(sets []*ruleset.Set, name string) bool {
	for _, s := range sets {
		if s.Name == name {
			return true
		}
	}
	return false
}

// datagram feeds one datagram to the assembler and calls done for every
// commit it completes. Events whose generation (res_id) is not the
// commit's are dropped and counted in stray: they are leftovers of a
// commit torn by an overrun.
func (a *assembler) datagram(b []byte, done func(c Commit), stray func(n int)) error {
	return splitMessages(b, func(m message) {
		if m.typ == unix.NFT_MSG_NEWGEN {
			g, err := decodeGen(m.attrs)
			if err != nil {
				a.events = append(a.events, Event{Kind: KindUnknown, Type: m.typ, ResID: m.resID, Err: err})
				return
			}
			evs := a.events[:0:0]
			dropped := 0
			for _, ev := range a.events {
				if ev.ResID == uint16(g.id) {
					evs = append(evs, ev)
				} else {
					dropped++
				}
			}
			if dropped > 0 && stray != nil {
				stray(dropped)
			}
			a.reset()
			done(Commit{Gen: g.id, PID: g.pid, Proc: g.proc, Events: evs})
			return
		}
		if ev, ok := a.decode(m); ok {
			a.events = append(a.events, ev)
		}
	})
}
