package monitor

import (
	"fmt"
	"regexp"
	"strings"

	"golang.org/x/sys/unix"

	"github.com/nfsh/nfsh/core/delinearize"
	"github.com/nfsh/nfsh/core/format"
	"github.com/nfsh/nfsh/core/ruleset"
)

// Printer renders commits as `nft monitor` (nft 1.0.6) prints them: one
// line per event ("add table ip t", "add chain ip t c { type filter hook
// input priority filter; policy accept; }", "delete rule ip t c handle
// 4", ...) and "# new generation N by process PID (NAME)" after each
// commit. Like nft it skips anonymous sets and their elements, and joins
// the two halves of an interval ("10.0.0.0/8") that the kernel announces
// as separate elements. It keeps the set declarations it has seen, which
// element and rule text depend on.
type Printer struct {
	tables map[tableKey]*ruleset.Table // set declarations by table
	rg     map[setKey]*ruleset.Element // interval starts waiting for their end
}

type setKey struct {
	table tableKey
	set   string
}

// NewPrinter returns a Printer that knows the sets of rs (may be nil).
func NewPrinter(rs *ruleset.Ruleset) *Printer {
	p := &Printer{rg: map[setKey]*ruleset.Element{}}
	p.Reset(rs)
	return p
}

// Reset forgets what p learnt and takes the sets of rs (after a resync).
func (p *Printer) Reset(rs *ruleset.Ruleset) {
	p.tables = map[tableKey]*ruleset.Table{}
	clear(p.rg)
	if rs != nil {
		p.tables = shadowOf(rs)
	}
}

func (p *Printer) table(k tableKey) *ruleset.Table {
	t := p.tables[k]
	if t == nil {
		t = &ruleset.Table{Family: k.family, Name: k.name}
		p.tables[k] = t
	}
	return t
}

// Lines returns the lines of commit c, without newlines. A resync commit
// resets p from its snapshot and prints nothing.
func (p *Printer) Lines(c Commit) []string {
	if c.Resync {
		p.Reset(c.Snapshot)
		return nil
	}
	return p.FilteredLines(c, Filter{})
}

// FilteredLines is Lines keeping only what f keeps, as `nft monitor`
// with arguments prints it: no generation line when f was given.
func (p *Printer) FilteredLines(c Commit, f Filter) []string {
	if c.Resync {
		p.Reset(c.Snapshot)
		return nil
	}
	var out []string
	for i := range c.Events {
		if l, ok := p.Line(&c.Events[i]); ok && f.Keep(&c.Events[i]) {
			out = append(out, l)
		}
	}
	if f.Given {
		return out
	}
	g := fmt.Sprintf("# new generation %d", c.Gen)
	if c.Proc != "" || c.PID != 0 {
		g += fmt.Sprintf(" by process %d (%s)", c.PID, c.Proc)
	}
	return append(out, g)
}

func cmdWord(e *Event) string {
	if e.Op == OpDelete {
		return "delete"
	}
	if e.Kind == KindRule && e.Flags&unix.NLM_F_APPEND == 0 {
		return "insert"
	}
	return "add"
}

// Line returns the line of one event, and records the set declarations it
// changes; ok is false for events nft does not print (anonymous sets and
// elements, the first half of an interval). Lines calls it for each event
// of a commit. What a message with NLM_F_EXCL made is "create"d, as nft
// prints it.
func (p *Printer) Line(e *Event) (string, bool) {
	l, ok := p.line(e)
	if ok && e.Op == OpNew && e.Kind != KindRule && e.Flags&unix.NLM_F_EXCL != 0 {
		l = "create" + strings.TrimPrefix(l, "add")
	}
	return l, ok
}

func (p *Printer) line(e *Event) (string, bool) {
	k := tableKey{e.Family, e.Table}
	head := cmdWord(e) + " " + e.Kind.String() + " " + e.Family.String() + " " + e.Table
	switch e.Kind {
	case KindTable:
		if e.Op == OpDelete {
			delete(p.tables, k)
		}
		if e.TableObj.Flags&0x1 != 0 { // NFT_TABLE_F_DORMANT
			head += " { flags dormant; }"
		}
		return head, true
	case KindChain:
		head += " " + e.Chain
		if e.Op == OpNew && e.ChainObj.Hook != nil {
			h := e.ChainObj.Hook
			pol := "accept"
			if h.Policy != nil && *h.Policy == 0 {
				pol = "drop"
			}
			head += fmt.Sprintf(" { type %s hook %s priority %s; policy %s; }", h.Type, hookName(e.Family, h.Num),
				format.PriorityString(uint8(e.Family), h.Num, h.Priority), pol)
		}
		return head, true
	case KindRule:
		head += " " + e.Chain + " "
		if e.Position != 0 {
			head += fmt.Sprintf("handle %d ", e.Position)
		}
		if e.Op == OpDelete {
			return head + fmt.Sprintf("handle %d", e.Rule.Handle), true
		}
		txt := e.Text
		if txt == "" {
			var err error
			if txt, err = format.Rule(p.table(k), e.Rule); err != nil {
				txt = "unknown"
			}
		}
		return head + txt, true
	case KindSet:
		s := e.SetObj
		if s.Anonymous() {
			return "", false
		}
		t := p.table(k)
		t.Sets = removeSet(t.Sets, s.Name)
		delete(p.rg, setKey{k, s.Name})
		if e.Op == OpDelete {
			return cmdWord(e) + " set " + e.Family.String() + " " + e.Table + " " + s.Name, true
		}
		t.Sets = append(t.Sets, s)
		return cmdWord(e) + " " + oneLine(format.SetString(t, s, nil), e.Family.String()+" "+e.Table, "; ") + " ", true
	case KindElement:
		return p.elements(e)
	case KindObject:
		if e.Op == OpDelete {
			typ := delinearize.ObjTypeName(e.Object.Type) // "counter", "ct helper", ...
			if typ == "unknown" {
				typ = "object"
			}
			return fmt.Sprintf("delete %s %s %s %s", typ, e.Family, e.Table, e.Object.Name), true
		}
		return objectLine(e), true
	case KindFlowtable:
		head += " " + e.Flowtable.Name
		if e.Op == OpNew {
			f := e.Flowtable
			head += fmt.Sprintf(" { hook %s priority %s; devices = { %s }; }", hookName(ruleset.FamilyNetdev, f.Hook),
				format.PriorityString(uint8(ruleset.FamilyNetdev), f.Hook, f.Priority), strings.Join(f.Devices, ", "))
		}
		return head, true
	}
	return fmt.Sprintf("# undecodable message type %d: %v", e.Type, e.Err), true
}

// elements renders an element event, joining interval halves.
func (p *Printer) elements(e *Event) (string, bool) {
	if e.Anonymous() {
		return "", false
	}
	k := tableKey{e.Family, e.Table}
	t := p.table(k)
	s := t.Set(e.Set)
	if s == nil || s.Anonymous() {
		return "", false // unknown (anonymous) set
	}
	elems := e.Elements
	for _, el := range elems {
		if el.Flags&ruleset.ElemIntervalEnd != 0 && allZero(el.Key) {
			return "", false // the kernel's null interval end
		}
	}
	if s.Flags&ruleset.SetInterval != 0 && len(s.Concat) == 0 && len(elems) > 0 {
		sk := setKey{k, s.Name}
		if start := p.rg[sk]; start != nil {
			delete(p.rg, sk)
			elems = append([]*ruleset.Element{start}, elems...)
		} else if last := elems[len(elems)-1]; !openInterval(last) {
			p.rg[sk] = last
			return "", false
		}
	}
	tmp := *s
	tmp.Elements = elems
	return fmt.Sprintf("%s element %s %s %s %s", cmdWord(e), e.Family, e.Table, e.Set, elementsText(format.SetString(t, &tmp, nil))), true
}

var spaceAfterComma = regexp.MustCompile(`,\s+`)

// elementsText extracts "{ ... }" from the "elements = { ... }" part of a
// set listing, on one line.
func elementsText(listing string) string {
	i := strings.Index(listing, "elements = ")
	if i < 0 {
		return "{ }"
	}
	body := listing[i+len("elements = "):]
	depth := 0
	for j, r := range body {
		switch r {
		case '{':
			depth++
		case '}':
			depth--
			if depth == 0 {
				return spaceAfterComma.ReplaceAllString(body[:j+1], ", ")
			}
		}
	}
	return spaceAfterComma.ReplaceAllString(strings.TrimSpace(body), ", ")
}

// oneLine turns a listing block ("\tset s {\n\t\ttype x\n\t}\n") into
// nft monitor's one-line form: "set FAMILY TABLE s { type x; }" with sep
// after each inner line ("; " for sets, " " for objects).
func oneLine(block, where, sep string) string {
	lines := strings.Split(strings.TrimSpace(block), "\n")
	if len(lines) == 0 {
		return ""
	}
	head := strings.TrimSpace(lines[0])
	head = strings.TrimSuffix(head, "{")
	f := strings.Fields(head)
	if len(f) >= 2 && where != "" {
		head = f[0] + " " + where + " " + strings.Join(f[1:], " ") + " "
	}
	var b strings.Builder
	b.WriteString(head + "{ ")
	for _, l := range lines[1:] {
		l = strings.TrimSpace(l)
		if l == "}" || l == "" {
			continue
		}
		b.WriteString(strings.TrimSuffix(l, ";") + sep)
	}
	b.WriteString("}")
	return b.String()
}

func removeSet(sets []*ruleset.Set, name string) []*ruleset.Set {
	out := sets[:0:0]
	for _, s := range sets {
		if s.Name != name {
			out = append(out, s)
		}
	}
	return out
}

func allZero(b []byte) bool {
	for _, c := range b {
		if c != 0 {
			return false
		}
	}
	return true
}

// openInterval reports whether an element is an open-ended interval (the
// NFTNL_UDATA_SET_ELEM_FLAGS TLV with NFTNL_SET_ELEM_F_INTERVAL_OPEN).
func openInterval(el *ruleset.Element) bool {
	v, ok := ruleset.UdataGet(el.Userdata, 1) // NFTNL_UDATA_SET_ELEM_FLAGS
	return ok && len(v) > 0 && v[0]&0x1 != 0  // NFTNL_SET_ELEM_F_INTERVAL_OPEN
}

// hookName returns the nft name of a hook number in a family.
func hookName(fam ruleset.Family, num uint32) string {
	var names []string
	switch fam {
	case ruleset.FamilyIP, ruleset.FamilyIP6, ruleset.FamilyInet, ruleset.FamilyBridge:
		names = []string{"prerouting", "input", "forward", "output", "postrouting", "ingress"}
	case ruleset.FamilyARP:
		names = []string{"input", "output", "forward"}
	case ruleset.FamilyNetdev:
		names = []string{"ingress", "egress"}
	}
	if int(num) < len(names) {
		return names[num]
	}
	return "unknown"
}
