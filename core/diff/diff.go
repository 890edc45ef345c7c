// Package diff computes the Patch that turns one Ruleset value into another:
// the minimal list of commands, topologically sorted so that one atomic
// batch can carry it (deletes before the creates that depend on them,
// referenced objects before the rules that reference them).
//
// Rules are identified by their tag when both sides have one (a changed
// tagged rule is replaced in place, keeping its handle), otherwise by their
// content (expressions with run-time state such as counter values ignored);
// the rules of a chain are matched with a longest common subsequence, so
// inserting one rule in the middle of a thousand sends one message.
package diff

import (
	"github.com/nfsh/nfsh/core/expr"
	"github.com/nfsh/nfsh/core/ruleset"
)

// Options tune Diff.
type Options struct {
	// Prune deletes tables that exist only in from. By default they are
	// left alone (another tool may own them).
	Prune bool
	// FromKeys, when not nil, memoizes the keys of from's rules across
	// calls; from's rules must then not change while the cache serves them.
	FromKeys *KeyCache
	// ToKeys, likewise, memoizes the keys of to's rules.
	ToKeys *KeyCache
}

// Patch is an ordered list of commands; applying them in one batch turns
// the from value into the to value.
type Patch struct {
	Commands []*ruleset.Command

	// from and to are the values the patch was computed between; the
	// printer looks up tables (set types, chain definitions) in them.
	from, to *ruleset.Ruleset
}

// Empty reports whether the patch changes nothing.
func (p *Patch) Empty() bool { return len(p.Commands) == 0 }

// Diff returns the patch from → to. Both values are only read; the
// commands share the objects of to.
func Diff(from, to *ruleset.Ruleset, opts Options) *Patch {
	if from == nil {
		from = &ruleset.Ruleset{}
	}
	if to == nil {
		to = &ruleset.Ruleset{}
	}
	ph := phases{fromKeys: opts.FromKeys, toKeys: opts.ToKeys}
	for _, tt := range to.Tables {
		ft := from.Table(tt.Family, tt.Name)
		if ft == nil {
			ph.createTable(tt)
			continue
		}
		ph.diffTable(ft, tt)
	}
	if opts.Prune {
		for _, ft := range from.Tables {
			if to.Table(ft.Family, ft.Name) == nil {
				ph.add(phDelTable, &ruleset.Command{Op: ruleset.OpDelete, Kind: ruleset.KindTable,
					Family: ft.Family, Table: ft.Name, Handle: ft.Handle})
			}
		}
	}
	return &Patch{Commands: ph.flatten(), from: from, to: to}
}

// The phases of a patch, in the order they are sent.
const (
	phDelRule = iota
	phDelElem
	phDelChain
	phDelSet
	phDelObj
	phDelFlowtable
	phDelTable
	phAddTable
	phAddChain
	phAddObj
	phAddFlowtable
	phAddSet
	phAddElem
	phAddRule
	numPhases
)

type phases struct {
	cmds     [numPhases][]*ruleset.Command
	fromKeys *KeyCache // keys of the from side's rules, or nil
	toKeys   *KeyCache // keys of the to side's rules, or nil
}

func (p *phases) add(phase int, c *ruleset.Command) { p.cmds[phase] = append(p.cmds[phase], c) }

func (p *phases) flatten() []*ruleset.Command {
	var out []*ruleset.Command
	for _, cs := range p.cmds {
		out = append(out, cs...)
	}
	return out
}

// createTable adds a table and everything in it.
func (p *phases) createTable(t *ruleset.Table) {
	p.add(phAddTable, &ruleset.Command{Op: ruleset.OpAdd, Kind: ruleset.KindTable, Family: t.Family,
		Table: t.Name, TableObj: t, Pos: t.Pos})
	for _, c := range t.Chains {
		p.createChain(t, c)
	}
	for _, o := range t.Objects {
		p.addObject(t, o)
	}
	for _, f := range t.Flowtables {
		p.addFlowtable(t, f)
	}
	for _, s := range t.Sets {
		p.addSet(t, s)
	}
	for _, c := range t.Chains {
		p.addRules(t, c, c.Rules)
	}
}

func (p *phases) createChain(t *ruleset.Table, c *ruleset.Chain) {
	p.add(phAddChain, &ruleset.Command{Op: ruleset.OpAdd, Kind: ruleset.KindChain, Family: t.Family,
		Table: t.Name, Chain: c.Name, ChainObj: c, Pos: c.Pos})
}

func (p *phases) addObject(t *ruleset.Table, o *ruleset.Object) {
	p.add(phAddObj, &ruleset.Command{Op: ruleset.OpAdd, Kind: ruleset.KindObject, Family: t.Family,
		Table: t.Name, Name: o.Name, ObjType: o.Type, Object: o, Pos: o.Pos})
}

func (p *phases) addFlowtable(t *ruleset.Table, f *ruleset.Flowtable) {
	p.add(phAddFlowtable, &ruleset.Command{Op: ruleset.OpAdd, Kind: ruleset.KindFlowtable, Family: t.Family,
		Table: t.Name, Name: f.Name, Flowtable: f, Pos: f.Pos})
}

func (p *phases) addSet(t *ruleset.Table, s *ruleset.Set) {
	p.add(phAddSet, &ruleset.Command{Op: ruleset.OpAdd, Kind: ruleset.KindSet, Family: t.Family,
		Table: t.Name, Name: s.Name, Set: s, Pos: s.Pos})
}

// addRules appends rules at the end of chain c, in order.
func (p *phases) addRules(t *ruleset.Table, c *ruleset.Chain, rules []*ruleset.Rule) {
	for _, r := range rules {
		p.add(phAddRule, &ruleset.Command{Op: ruleset.OpAdd, Kind: ruleset.KindRule, Family: t.Family,
			Table: t.Name, Chain: c.Name, Rule: r, Pos: r.Pos, Text: r.Text})
	}
}

func (p *phases) diffTable(ft, tt *ruleset.Table) {
	if ft.Flags&^tableStateFlags != tt.Flags&^tableStateFlags || string(ft.Userdata) != string(tt.Userdata) {
		p.add(phAddTable, &ruleset.Command{Op: ruleset.OpAdd, Kind: ruleset.KindTable, Family: tt.Family,
			Table: tt.Name, TableObj: tt, Pos: tt.Pos})
	}

	// Chains and objects that must be deleted and created again: rules
	// and map elements that refer to them go with them, since the kernel
	// refuses to delete what is still referenced.
	var dep deps
	for _, fc := range ft.Chains {
		if tc := tt.Chain(fc.Name); tc != nil && !sameChainDef(fc, tc) {
			dep.add(&dep.chains, fc.Name)
		}
	}
	for _, fo := range ft.Objects {
		if to := tt.Object(fo.Type, fo.Name); to != nil && !sameObject(fo, to) {
			dep.add(&dep.objects, fo.Name)
		}
	}

	// Objects, flowtables and sets first: a recreated set forces the rules
	// that use it to be recreated too.
	for _, fo := range ft.Objects {
		to := tt.Object(fo.Type, fo.Name)
		if to == nil || !sameObject(fo, to) {
			p.add(phDelObj, &ruleset.Command{Op: ruleset.OpDelete, Kind: ruleset.KindObject, Family: ft.Family,
				Table: ft.Name, Name: fo.Name, ObjType: fo.Type, Handle: fo.Handle})
		}
	}
	for _, to := range tt.Objects {
		if fo := ft.Object(to.Type, to.Name); fo == nil || !sameObject(fo, to) {
			p.addObject(tt, to)
		}
	}
	for _, ff := range ft.Flowtables {
		tf := tt.Flowtable(ff.Name)
		if tf == nil || !sameFlowtable(ff, tf) {
			p.add(phDelFlowtable, &ruleset.Command{Op: ruleset.OpDelete, Kind: ruleset.KindFlowtable, Family: ft.Family,
				Table: ft.Name, Name: ff.Name, Handle: ff.Handle})
		}
	}
	for _, tf := range tt.Flowtables {
		if ff := ft.Flowtable(tf.Name); ff == nil || !sameFlowtable(ff, tf) {
			p.addFlowtable(tt, tf)
		}
	}
	for _, fs := range ft.Sets {
		ts := tt.Set(fs.Name)
		if ts == nil || setKey(fs, false) != setKey(ts, false) {
			p.add(phDelSet, &ruleset.Command{Op: ruleset.OpDelete, Kind: ruleset.KindSet, Family: ft.Family,
				Table: ft.Name, Name: fs.Name, Handle: fs.Handle})
			if ts != nil {
				dep.add(&dep.sets, fs.Name)
			}
			continue
		}
		p.diffElements(tt, fs, ts, &dep)
	}
	for _, ts := range tt.Sets {
		if ft.Set(ts.Name) == nil || dep.sets[ts.Name] {
			p.addSet(tt, ts)
		}
	}

	for _, fc := range ft.Chains {
		tc := tt.Chain(fc.Name)
		if tc == nil || !sameChainDef(fc, tc) {
			if jumpsOut(fc) {
				// Its rules go first: a chain it jumps to may be deleted
				// too, and the kernel refuses that while the jump exists.
				p.add(phDelRule, &ruleset.Command{Op: ruleset.OpFlush, Kind: ruleset.KindChain, Family: ft.Family,
					Table: ft.Name, Chain: fc.Name})
			}
			p.add(phDelChain, &ruleset.Command{Op: ruleset.OpDelete, Kind: ruleset.KindChain, Family: ft.Family,
				Table: ft.Name, Chain: fc.Name, Handle: fc.Handle})
		}
	}
	for _, tc := range tt.Chains {
		fc := ft.Chain(tc.Name)
		switch {
		case fc == nil || !sameChainDef(fc, tc):
			p.createChain(tt, tc)
			p.addRules(tt, tc, tc.Rules)
		default:
			if !samePolicy(fc, tc) {
				p.createChain(tt, tc) // NEWCHAIN on an existing chain updates its policy
			}
			p.diffRules(tt, fc, tc, &dep)
		}
	}
}

// deps names the objects of a table that are deleted and created again in
// one patch; whatever refers to them must be recreated as well.
type deps struct {
	sets, chains, objects map[string]bool
}

func (d *deps) add(m *map[string]bool, name string) {
	if *m == nil {
		*m = map[string]bool{}
	}
	(*m)[name] = true
}

// empty reports whether nothing is recreated.
func (d *deps) empty() bool { return len(d.sets)+len(d.chains)+len(d.objects) == 0 }

// elem reports whether a map element refers to a recreated chain or object.
func (d *deps) elem(e *ruleset.Element) bool {
	return (e.Verdict != nil && d.chains[e.Verdict.Chain]) || (e.ObjRef != "" && d.objects[e.ObjRef])
}

// tableStateFlags are table flags that describe the kernel's state rather
// than the desired value (ownership is decided at push time).
const tableStateFlags = 0x2 | 0x4 // NFT_TABLE_F_OWNER | NFT_TABLE_F_PERSIST

func sameChainDef(a, b *ruleset.Chain) bool {
	if (a.Hook == nil) != (b.Hook == nil) || a.Flags != b.Flags || string(a.Userdata) != string(b.Userdata) {
		return false
	}
	if a.Hook == nil {
		return true
	}
	ha, hb := a.Hook, b.Hook
	if ha.Type != hb.Type || ha.Num != hb.Num || ha.Priority != hb.Priority || len(ha.Devices) != len(hb.Devices) {
		return false
	}
	for i := range ha.Devices {
		if ha.Devices[i] != hb.Devices[i] {
			return false
		}
	}
	return true
}

func samePolicy(a, b *ruleset.Chain) bool {
	if a.Hook == nil || b.Hook == nil {
		return true
	}
	pa, pb := uint32(1), uint32(1) // NF_ACCEPT is the kernel's default
	if a.Hook.Policy != nil {
		pa = *a.Hook.Policy
	}
	if b.Hook.Policy != nil {
		pb = *b.Hook.Policy
	}
	return pa == pb
}

func sameFlowtable(a, b *ruleset.Flowtable) bool {
	if a.Hook != b.Hook || a.Priority != b.Priority || a.Flags != b.Flags || len(a.Devices) != len(b.Devices) {
		return false
	}
	for i := range a.Devices {
		if a.Devices[i] != b.Devices[i] {
			return false
		}
	}
	return true
}

// diffElements adds and removes elements of a set kept in place.
func (p *phases) diffElements(t *ruleset.Table, fs, ts *ruleset.Set, dep *deps) {
	have := make(map[string]*ruleset.Element, len(fs.Elements))
	for _, e := range fs.Elements {
		have[elemKey(e)] = e
	}
	want := make(map[string]bool, len(ts.Elements))
	var add []*ruleset.Element
	for _, e := range ts.Elements {
		k := elemKey(e)
		want[k] = true
		if old, ok := have[k]; !ok || elemValue(old) != elemValue(e) || dep.elem(old) {
			add = append(add, e)
			if ok {
				want[k] = false // changed: delete the old one first
			}
		}
	}
	var del []*ruleset.Element
	for _, e := range fs.Elements {
		if !want[elemKey(e)] {
			del = append(del, e)
		}
	}
	if len(del) > 0 {
		p.add(phDelElem, &ruleset.Command{Op: ruleset.OpDelete, Kind: ruleset.KindElements, Family: t.Family,
			Table: t.Name, Name: fs.Name, Elements: del})
	}
	if len(add) > 0 {
		p.add(phAddElem, &ruleset.Command{Op: ruleset.OpAdd, Kind: ruleset.KindElements, Family: t.Family,
			Table: t.Name, Name: ts.Name, Elements: add, Pos: ts.Pos})
	}
}

// jumpsOut reports whether a rule of c jumps to or goes to another chain,
// directly or through a verdict map of its own.
func jumpsOut(c *ruleset.Chain) bool {
	for _, r := range c.Rules {
		for _, e := range r.Exprs {
			if x, ok := e.(*expr.Immediate); ok && x.Verdict != nil && x.Verdict.Chain != "" {
				return true
			}
		}
		for _, s := range r.Sets {
			for _, e := range s.Elements {
				if e.Verdict != nil && e.Verdict.Chain != "" {
					return true
				}
			}
		}
	}
	return false
}
