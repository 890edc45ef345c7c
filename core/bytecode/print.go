// Package bytecode prints a command list the way `nft --debug=netlink -f`
// does: libnftnl's default text of every chain, set, element batch, object,
// flowtable and rule nft sends, in batch order.
package bytecode

import (
	"bufio"
	"encoding/binary"
	"fmt"
	"io"
	"strings"

	"github.com/mdlayher/netlink"
	"github.com/nfsh/nfsh/core/diag"
	"github.com/nfsh/nfsh/core/expr"
	"github.com/nfsh/nfsh/core/ruleset"
	"github.com/nfsh/nfsh/core/wire"
	"golang.org/x/sys/unix"
)

// Print writes the `nft --debug=netlink` text of cmds to w. Commands nft
// prints nothing for (tables, deletions other than of elements, flushes of
// tables and chains) produce no output.
func Print(w io.Writer, cmds []ruleset.Command) error {
	bw := bufio.NewWriter(w)
	added := map[string]bool{} // sets created in this batch: their element batches carry NFTA_SET_ELEM_LIST_SET_ID
	p := &printer{w: bw, ruleIDs: RuleIDs(cmds)}
	for i := range cmds {
		c := &cmds[i]
		if c.Kind == ruleset.KindSet && (c.Op == ruleset.OpAdd || c.Op == ruleset.OpCreate) {
			added[c.Family.String()+" "+c.Table+" "+c.Name] = true
		}
		if err := p.command(c, added[c.Family.String()+" "+c.Table+" "+c.Name]); err != nil {
			return err
		}
	}
	if err := bw.Flush(); err != nil {
		return &diag.Error{Op: "print bytecode", Err: err}
	}
	return nil
}

// RuleIDs numbers the rules of a batch that a later command places itself
// next to (`index N` resolved to a rule of the same batch): NFTA_RULE_ID,
// from 1 in the order they are first referenced, as nft and core/kernel
// number them.
func RuleIDs(cmds []ruleset.Command) map[*ruleset.Rule]uint32 {
	var ids map[*ruleset.Rule]uint32
	for i := range cmds {
		if r := cmds[i].PositionRule; r != nil {
			if ids == nil {
				ids = map[*ruleset.Rule]uint32{}
			}
			if _, ok := ids[r]; !ok {
				ids[r] = uint32(len(ids) + 1)
			}
		}
	}
	return ids
}

// printer prints the commands of one batch.
type printer struct {
	w       *bufio.Writer
	ruleIDs map[*ruleset.Rule]uint32
}

func (p *printer) command(c *ruleset.Command, inBatch bool) error {
	w := p.w
	switch c.Kind {
	case ruleset.KindChain:
		switch c.Op {
		case ruleset.OpAdd, ruleset.OpCreate:
			w.WriteString(ChainLine(c.Family, c.ChainObj) + "\n")
		case ruleset.OpRename:
			// libnftnl prints the chain it sends: table and new name
			w.WriteString(familyStr(c.Family) + " " + c.Table + " " + c.NewName + " use 0\n")
		}
	case ruleset.KindSet:
		switch c.Op {
		case ruleset.OpAdd, ruleset.OpCreate:
			if c.Set == nil {
				return &diag.Error{Op: "print bytecode", Object: c.Describe(), Msg: "set command without set"}
			}
			writeSet(w, c.Family, c.Table, c.Set)
		case ruleset.OpFlush:
			w.WriteString(fmt.Sprintf("%s %s 0\n", c.Name, c.Table))
		}
	case ruleset.KindElements:
		switch c.Op {
		case ruleset.OpAdd, ruleset.OpCreate, ruleset.OpDelete, ruleset.OpDestroy:
			w.WriteString(fmt.Sprintf("%s %s 0\n", c.Name, c.Table))
			typ := uint16(unix.NFT_MSG_NEWSETELEM)
			ref := wire.ElemsRef{Table: c.Table, Set: c.Name}
			if c.Op == ruleset.OpDelete || c.Op == ruleset.OpDestroy {
				typ = unix.NFT_MSG_DELSETELEM
			} else if inBatch {
				ref.SetID = 1
			}
			writeElements(w, c.Family, ref, typ, c.Elements)
		}
	case ruleset.KindObject:
		if (c.Op == ruleset.OpAdd || c.Op == ruleset.OpCreate) && c.Object != nil {
			w.WriteString(ObjectLine(c.Object) + "\n")
		}
	case ruleset.KindFlowtable:
		if (c.Op == ruleset.OpAdd || c.Op == ruleset.OpCreate) && c.Flowtable != nil {
			w.WriteString(FlowtableLine(c.Family, c.Flowtable) + "\n")
		}
	case ruleset.KindRule:
		switch c.Op {
		case ruleset.OpAdd, ruleset.OpCreate, ruleset.OpInsert, ruleset.OpReplace:
			if c.Rule == nil {
				return &diag.Error{Op: "print bytecode", Object: c.Describe(), Msg: "rule command without rule"}
			}
			for _, s := range c.Rule.Sets {
				writeSet(w, c.Family, c.Table, s)
				if !strings.HasPrefix(s.Name, "__") && len(s.Elements) == 0 {
					// A set a rule declares (a meter): nft prints the
					// header of its empty element batch too.
					w.WriteString(fmt.Sprintf("%s %s 0\n", s.Name, c.Table))
				}
			}
			ref := RuleRef{ID: p.ruleIDs[c.Rule]}
			if c.Op != ruleset.OpReplace {
				ref.Position = c.Position
			}
			if c.PositionRule != nil {
				ref.PositionID = p.ruleIDs[c.PositionRule]
			}
			w.WriteString(RuleText(c.Family, c.Table, c.Chain, ref, c.Rule) + "\n")
		}
	}
	return nil
}

// writeSet prints a set declaration and, when it has elements, the element
// batch nft sends right after it.
func writeSet(w *bufio.Writer, fam ruleset.Family, table string, s *ruleset.Set) {
	w.WriteString(SetLine(table, s) + "\n")
	if len(s.Elements) > 0 {
		w.WriteString(fmt.Sprintf("%s %s 0\n", s.Name, table))
		writeElements(w, fam, wire.ElemsRef{Table: table, Set: s.Name, SetID: 1}, unix.NFT_MSG_NEWSETELEM, s.Elements)
	}
}

func writeElements(w *bufio.Writer, fam ruleset.Family, ref wire.ElemsRef, typ uint16, es []*ruleset.Element) {
	if len(es) == 0 {
		return
	}
	// nft prints the first element of every further message of a split
	// batch twice (libnftnl retries the element that did not fit).
	again := map[int]bool{}
	if len(es) > 1000 {
		if _, firsts, err := wire.SetElems(discard{}, typ, fam, ref, es, 0); err == nil {
			for _, f := range firsts[1:] {
				again[f] = true
			}
		}
	}
	for i, e := range es {
		if again[i] {
			w.WriteString("\t" + ElementText(e))
		}
		w.WriteString("\t" + ElementText(e))
	}
	w.WriteString("\n")
}

// discard is a wire.Sink that keeps nothing; it measures message splits.
type discard struct{}

func (discard) Begin(typ uint16, family uint8, flags uint16) []byte { return make([]byte, 0, 4096) }
func (discard) End(buf []byte) int                                  { return 0 }

// ChainLine is libnftnl's text of a chain as nft dumps it when adding it:
// table and name are not set at that point and print as "(null)".
func ChainLine(fam ruleset.Family, c *ruleset.Chain) string {
	s := familyStr(fam) + " (null) (null) use 0"
	if c == nil || c.Hook == nil {
		return s
	}
	h := c.Hook
	s += fmt.Sprintf(" type %s hook %s prio %d packets 0 bytes 0", h.Type, hookStr(fam, h.Num), h.Priority)
	switch {
	case len(h.Devices) == 1:
		s += " dev " + h.Devices[0] + " "
	case len(h.Devices) > 1:
		s += " dev { "
		for _, d := range h.Devices {
			s += " " + d + " "
		}
		s += " } "
	}
	if c.Flags&chainHWOffload != 0 {
		s += fmt.Sprintf(" flags %x", chainHWOffload)
	}
	return s
}

const chainHWOffload = 0x2 // NFT_CHAIN_HW_OFFLOAD, the only flag nft sets before dumping

func familyStr(f ruleset.Family) string {
	switch f {
	case ruleset.FamilyInet, ruleset.FamilyIP, ruleset.FamilyARP, ruleset.FamilyNetdev, ruleset.FamilyBridge, ruleset.FamilyIP6:
		return f.String()
	}
	return "unknown"
}

// hookStr is libnftnl's nftnl_hooknum2str.
func hookStr(fam ruleset.Family, n uint32) string {
	switch fam {
	case ruleset.FamilyIP, ruleset.FamilyIP6, ruleset.FamilyInet, ruleset.FamilyBridge:
		if n < 5 {
			return []string{"prerouting", "input", "forward", "output", "postrouting"}[n]
		}
	case ruleset.FamilyARP:
		if n < 3 {
			return []string{"input", "output", "forward"}[n]
		}
	case ruleset.FamilyNetdev:
		if n == 0 {
			return "ingress"
		}
	}
	return "unknown"
}

// SetLine is libnftnl's text of a set declaration: name, table, flags
// (hex), then timeout, gc interval, policy and size when present.
func SetLine(table string, s *ruleset.Set) string {
	out := fmt.Sprintf("%s %s %x", s.Name, table, s.Flags)
	if s.Timeout != nil {
		out += fmt.Sprintf(" timeout %dms", *s.Timeout)
	}
	if s.GCInterval != nil {
		out += fmt.Sprintf(" gc_interval %dms", *s.GCInterval)
	}
	if s.Policy != nil {
		out += fmt.Sprintf(" policy %d", *s.Policy)
	}
	if s.Size != nil {
		out += fmt.Sprintf(" size %d", *s.Size)
	}
	return out
}

// ElementText is libnftnl's text of one set element, e.g.
// "element 00001600  : 0 [end]" (without the leading tab).
func ElementText(e *ruleset.Element) string {
	var sb strings.Builder
	sb.WriteString("element ")
	sb.WriteString(words(e.Key))
	if e.KeyEnd != nil {
		sb.WriteString(" - ")
		sb.WriteString(words(e.KeyEnd))
	}
	sb.WriteString(" : ")
	switch {
	case e.Verdict != nil:
		sb.WriteString(e.Verdict.String() + " ")
	default:
		sb.WriteString(words(e.Data))
	}
	fmt.Fprintf(&sb, "%d [end]", e.Flags)
	if len(e.Userdata) > 0 {
		sb.WriteString("  userdata = { " + escape(e.Userdata) + " }")
	}
	return sb.String()
}

// words prints data as libnftnl does for set elements: "%08x " per 32-bit
// host-order word, without the 0x prefix.
func words(b []byte) string {
	var sb strings.Builder
	for i := 0; i < len(b); i += 4 {
		var w [4]byte
		copy(w[:], b[i:])
		fmt.Fprintf(&sb, "%08x ", binary.LittleEndian.Uint32(w[:]))
	}
	return sb.String()
}

// escape prints userdata bytes as libnftnl does: printable ASCII as is,
// everything else as \xNN.
func escape(b []byte) string {
	var sb strings.Builder
	for _, c := range b {
		if c >= 0x20 && c < 0x7f {
			sb.WriteByte(c)
		} else {
			fmt.Fprintf(&sb, "\\x%02x", c)
		}
	}
	return sb.String()
}

// RuleRef is where a rule goes in a batch, as libnftnl prints it after the
// chain: NFTA_RULE_POSITION (a kernel handle), NFTA_RULE_ID (the rule's
// own batch id, when a later rule is placed next to it) and
// NFTA_RULE_POSITION_ID (the batch id of the rule it is placed next to).
// Zero fields are not printed.
type RuleRef struct {
	Position   uint64
	ID         uint32
	PositionID uint32
}

// RuleText is the block nft prints for a rule: the "FAMILY TABLE CHAIN"
// header (and the rule's place, see RuleRef), one "  [ ... ]" line per
// expression and the userdata line, ending the way nft does (a blank line
// follows unless there is userdata). The returned text has no final
// newline.
func RuleText(fam ruleset.Family, table, chain string, ref RuleRef, r *ruleset.Rule) string {
	var sb strings.Builder
	sb.WriteString(familyStr(fam) + " " + table)
	if chain != "" {
		sb.WriteString(" " + chain)
	}
	for _, v := range []uint64{ref.Position, uint64(ref.ID), uint64(ref.PositionID)} {
		if v != 0 {
			fmt.Fprintf(&sb, " %d", v)
		}
	}
	sb.WriteString("\n")
	for _, e := range r.Exprs {
		sb.WriteString("  " + expr.Line(e) + "\n")
	}
	if len(r.Userdata) > 0 {
		sb.WriteString("  userdata = { " + escape(r.Userdata) + " }")
	}
	return sb.String()
}

// FlowtableLine is libnftnl's text of a flowtable as nft dumps it when
// adding it (table and name not set yet).
func FlowtableLine(fam ruleset.Family, f *ruleset.Flowtable) string {
	s := fmt.Sprintf("flow table (null) (null) use 0 size 0 flags %x hook %s prio %d ", f.Flags, hookStr(fam, f.Hook), f.Priority)
	if len(f.Devices) > 0 {
		s += " dev { "
		for _, d := range f.Devices {
			s += " " + d + " "
		}
		s += " } "
	}
	return s
}

// Object types (NFT_OBJECT_*).
const (
	objCounter   = 1
	objQuota     = 2
	objCtHelper  = 3
	objLimit     = 4
	objCtTimeout = 7
	objSecmark   = 8
	objCtExpect  = 9
	objSynproxy  = 10
)

// ObjectLine is libnftnl's text of a stateful object as nft dumps it when
// adding it, e.g. "table (null) name (null) use 0 [ counter pkts 0 bytes 0 ]".
// The type-specific part is decoded from the raw NFTA_OBJ_DATA.
func ObjectLine(o *ruleset.Object) string {
	name, body := objectBody(o)
	return "table (null) name (null) use 0 [ " + name + " " + body + "]"
}

func objectBody(o *ruleset.Object) (string, string) {
	a := map[uint16][]byte{}
	if ad, err := netlink.NewAttributeDecoder(o.Data); err == nil {
		for ad.Next() {
			a[ad.Type()] = ad.Bytes()
		}
	}
	u := func(t uint16) uint64 {
		b := a[t]
		switch len(b) {
		case 1:
			return uint64(b[0])
		case 2:
			return uint64(binary.BigEndian.Uint16(b))
		case 4:
			return uint64(binary.BigEndian.Uint32(b))
		case 8:
			return binary.BigEndian.Uint64(b)
		}
		return 0
	}
	str := func(t uint16) string { return strings.TrimRight(string(a[t]), "\x00") }
	has := func(t uint16) bool { _, ok := a[t]; return ok }
	switch o.Type {
	case objCounter:
		return "counter", fmt.Sprintf("pkts %d bytes %d ", u(2), u(1))
	case objQuota:
		return "quota", fmt.Sprintf("bytes %d flags %d ", u(1), u(2))
	case objLimit:
		return "limit", fmt.Sprintf("rate %d unit %d burst %d type %d flags %d ", u(1), u(2), u(3), u(4), u(5))
	case objCtHelper:
		return "ct_helper", fmt.Sprintf("name %s family %d protocol %d ", str(1), u(2), u(3))
	case objSecmark:
		return "secmark", fmt.Sprintf("context %s ", str(1))
	case objSynproxy:
		if has(1) && has(2) {
			return "synproxy", fmt.Sprintf("mss %d wscale %d ", u(1), u(2))
		}
		return "synproxy", ""
	case objCtExpect:
		s := ""
		if has(1) {
			s += fmt.Sprintf("family %d ", u(1))
		}
		if has(2) {
			s += fmt.Sprintf("protocol %d ", u(2))
		}
		if has(3) {
			s += fmt.Sprintf("dport %d ", u(3))
		}
		if b := a[4]; len(b) == 4 { // NFTA_CT_EXPECT_TIMEOUT: libnftnl uses host byte order
			s += fmt.Sprintf("timeout %d ", binary.NativeEndian.Uint32(b))
		}
		if has(5) {
			s += fmt.Sprintf("size %d ", u(5))
		}
		return "ct_expect", s
	case objCtTimeout:
		return "ct_timeout", ctTimeoutBody(a, u, has)
	}
	return "(unknown)", ""
}
