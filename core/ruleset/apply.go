package ruleset

import (
	"github.com/nfsh/nfsh/core/diag"
)

// Apply executes cmd on rs offline, the way the kernel would commit it:
// objects are created, replaced or removed and rule handles are assigned
// (per table, counting up, like the kernel does). It is used by `nfsh fmt`
// and to build a value from a script without a kernel. Apply does not
// validate rule contents; it refuses references to missing tables, chains,
// sets and rules with a *diag.Error at the command's position.
func (rs *Ruleset) Apply(cmd *Command) error {
	fail := func(format string, args ...any) error {
		e := diag.Errorf(cmd.Pos, format, args...)
		e.Op = cmd.Op.String() + " " + cmd.Kind.String()
		e.Object = cmd.Describe()
		return e
	}
	if cmd.Kind == KindRuleset {
		if cmd.Op == OpFlush {
			keep := rs.Tables[:0:0]
			for _, t := range rs.Tables {
				if cmd.Family != FamilyUnspec && t.Family != cmd.Family {
					keep = append(keep, t)
				}
			}
			rs.Tables = keep
			return nil
		}
		return fail("unsupported operation on the ruleset")
	}
	if cmd.Op == OpReset {
		// Resetting counters and quotas changes no declaration.
		if cmd.Table != "" && rs.Table(cmd.Family, cmd.Table) == nil {
			return fail("no such table %s %s", cmd.Family, cmd.Table)
		}
		return nil
	}
	t := rs.Table(cmd.Family, cmd.Table)
	if cmd.Kind == KindTable {
		switch cmd.Op {
		case OpAdd, OpCreate:
			if t != nil {
				if cmd.Op == OpCreate {
					return fail("table %s %s exists", cmd.Family, cmd.Table)
				}
				if cmd.TableObj != nil {
					t.Flags, t.Userdata = cmd.TableObj.Flags, cmd.TableObj.Userdata
				}
				return nil
			}
			nt := &Table{Family: cmd.Family, Name: cmd.Table, Pos: cmd.Pos}
			if cmd.TableObj != nil {
				nt.Flags, nt.Userdata, nt.Persist = cmd.TableObj.Flags, cmd.TableObj.Userdata, cmd.TableObj.Persist
			}
			nt.Handle = rs.nextTableHandle()
			rs.Tables = append(rs.Tables, nt)
			return nil
		case OpDelete, OpDestroy:
			for i, x := range rs.Tables {
				if x == t {
					rs.Tables = append(rs.Tables[:i:i], rs.Tables[i+1:]...)
					return nil
				}
			}
			if cmd.Op == OpDestroy {
				return nil
			}
			return fail("no such table")
		case OpFlush:
			if t == nil {
				return fail("no such table")
			}
			// Like the kernel under nft 1.0.6: the rules of every chain go,
			// set elements stay.
			for _, c := range t.Chains {
				c.Rules = nil
			}
			return nil
		}
		return fail("unsupported operation")
	}
	if t == nil {
		if cmd.Op == OpDestroy {
			return nil
		}
		return fail("no such table %s %s", cmd.Family, cmd.Table)
	}
	switch cmd.Kind {
	case KindChain:
		return rs.applyChain(t, cmd, fail)
	case KindRule:
		return rs.applyRule(t, cmd, fail)
	case KindSet, KindElements:
		return rs.applySet(t, cmd, fail)
	case KindObject:
		return applyObject(t, cmd, fail)
	case KindFlowtable:
		return applyFlowtable(t, cmd, fail)
	}
	return fail("unsupported command")
}

type failFunc func(format string, args ...any) error

func (rs *Ruleset) nextTableHandle() uint64 {
	var h uint64
	for _, t := range rs.Tables {
		h = max(h, t.Handle)
	}
	return h + 1
}

// nextHandle returns the next object handle in t (chains, rules, sets,
// objects and flowtables share the table's handle space in the kernel).
func nextHandle(t *Table) uint64 {
	var h uint64
	for _, c := range t.Chains {
		h = max(h, c.Handle)
		for _, r := range c.Rules {
			h = max(h, r.Handle)
			for _, s := range r.Sets {
				h = max(h, s.Handle)
			}
		}
	}
	for _, s := range t.Sets {
		h = max(h, s.Handle)
	}
	for _, o := range t.Objects {
		h = max(h, o.Handle)
	}
	for _, f := range t.Flowtables {
		h = max(h, f.Handle)
	}
	return h + 1
}

func (rs *Ruleset) applyChain(t *Table, cmd *Command, fail failFunc) error {
	c := t.Chain(cmd.Chain)
	if c == nil && cmd.Chain == "" && cmd.Handle != 0 {
		c = t.chainByHandle(cmd.Handle)
	}
	switch cmd.Op {
	case OpAdd, OpCreate:
		if c != nil {
			if cmd.Op == OpCreate {
				return fail("chain exists")
			}
			if cmd.ChainObj != nil && cmd.ChainObj.Hook != nil && c.Hook != nil && cmd.ChainObj.Hook.Policy != nil {
				c.Hook.Policy = cmd.ChainObj.Hook.Policy
			}
			if cmd.Policy != nil {
				if c.Hook == nil {
					return fail("policy is only allowed in base chains")
				}
				p := *cmd.Policy
				c.Hook.Policy = &p
			}
			return nil
		}
		if cmd.Policy != nil && (cmd.ChainObj == nil || cmd.ChainObj.Hook == nil) {
			return fail("policy is only allowed in base chains")
		}
		nc := &Chain{Name: cmd.Chain, Pos: cmd.Pos}
		if cmd.ChainObj != nil {
			x := *cmd.ChainObj
			nc = &x
			nc.Name, nc.Rules = cmd.Chain, nil
		}
		nc.Handle = nextHandle(t)
		t.Chains = append(t.Chains, nc)
		return nil
	case OpDelete, OpDestroy:
		if c == nil {
			if cmd.Op == OpDestroy {
				return nil
			}
			return fail("no such chain")
		}
		for i, x := range t.Chains {
			if x == c {
				t.Chains = append(t.Chains[:i:i], t.Chains[i+1:]...)
			}
		}
		return nil
	case OpFlush:
		if c == nil {
			return fail("no such chain")
		}
		c.Rules = nil
		return nil
	case OpRename:
		// The kernel finds the chain by handle; a value built offline
		// may not have handles, then the old name does.
		if cmd.Handle != 0 {
			c = t.chainByHandle(cmd.Handle)
		}
		if c == nil {
			return fail("no such chain")
		}
		if x := t.Chain(cmd.NewName); x != nil && x != c {
			return fail("chain %s exists", cmd.NewName)
		}
		c.Name = cmd.NewName
		return nil
	}
	return fail("unsupported operation")
}

// chainByHandle returns the chain of t with handle h, or nil.
func (t *Table) chainByHandle(h uint64) *Chain {
	for _, c := range t.Chains {
		if c.Handle == h {
			return c
		}
	}
	return nil
}

func (rs *Ruleset) applyRule(t *Table, cmd *Command, fail failFunc) error {
	c := t.Chain(cmd.Chain)
	if c == nil {
		return fail("no such chain %s", cmd.Chain)
	}
	idx := func(h uint64) int {
		for i, r := range c.Rules {
			if r.Handle == h {
				return i
			}
		}
		return -1
	}
	switch cmd.Op {
	case OpAdd, OpCreate, OpInsert, OpReplace:
		if cmd.Rule == nil {
			return fail("missing rule")
		}
		r := cmd.Rule
		r.Handle = nextHandle(t)
		for _, s := range r.Sets {
			if s.Handle == 0 {
				s.Handle = nextHandle(t)
			}
		}
		pos := -1
		if cmd.PositionRule != nil {
			for i, x := range c.Rules {
				if x == cmd.PositionRule {
					pos = i
				}
			}
			if pos < 0 {
				return fail("position rule not found")
			}
		} else if cmd.Position != 0 || cmd.Op == OpReplace {
			h := cmd.Position
			if cmd.Op == OpReplace {
				h = cmd.Handle
			}
			if pos = idx(h); pos < 0 {
				return fail("no rule with handle %d", h)
			}
		}
		switch {
		case cmd.Op == OpReplace:
			c.Rules[pos] = r
		case cmd.Op == OpInsert && pos < 0:
			c.Rules = append([]*Rule{r}, c.Rules...)
		case cmd.Op == OpInsert:
			c.Rules = append(c.Rules[:pos:pos], append([]*Rule{r}, c.Rules[pos:]...)...)
		case pos < 0:
			c.Rules = append(c.Rules, r)
		default:
			c.Rules = append(c.Rules[:pos+1:pos+1], append([]*Rule{r}, c.Rules[pos+1:]...)...)
		}
		return nil
	case OpDelete, OpDestroy:
		i := idx(cmd.Handle)
		if i < 0 {
			if cmd.Op == OpDestroy {
				return nil
			}
			return fail("no rule with handle %d", cmd.Handle)
		}
		c.Rules = append(c.Rules[:i:i], c.Rules[i+1:]...)
		return nil
	}
	return fail("unsupported operation")
}

func (rs *Ruleset) applySet(t *Table, cmd *Command, fail failFunc) error {
	name := cmd.Name
	if cmd.Set != nil && name == "" {
		name = cmd.Set.Name
	}
	s := t.Set(name)
	if cmd.Kind == KindElements {
		if s == nil {
			return fail("no such set %s", name)
		}
		switch cmd.Op {
		case OpAdd, OpCreate:
			return addElements(s, cmd.Elements, cmd.Op == OpCreate, fail)
		case OpDelete, OpDestroy:
			for _, e := range cmd.Elements {
				for i, x := range s.Elements {
					if string(x.Key) == string(e.Key) && string(x.KeyEnd) == string(e.KeyEnd) && x.Flags == e.Flags {
						s.Elements = append(s.Elements[:i:i], s.Elements[i+1:]...)
						break
					}
				}
			}
			return nil
		}
		return fail("unsupported operation")
	}
	switch cmd.Op {
	case OpAdd, OpCreate:
		if s != nil {
			if cmd.Op == OpCreate {
				return fail("set exists")
			}
			if cmd.Set != nil {
				return addElements(s, cmd.Set.Elements, false, fail)
			}
			return nil
		}
		if cmd.Set == nil {
			return fail("missing set")
		}
		ns := *cmd.Set
		ns.Elements = append([]*Element(nil), cmd.Set.Elements...)
		ns.Handle = nextHandle(t)
		t.Sets = append(t.Sets, &ns)
		return nil
	case OpDelete, OpDestroy:
		if s == nil {
			if cmd.Op == OpDestroy {
				return nil
			}
			return fail("no such set")
		}
		for i, x := range t.Sets {
			if x == s {
				t.Sets = append(t.Sets[:i:i], t.Sets[i+1:]...)
			}
		}
		return nil
	case OpFlush:
		if s == nil {
			return fail("no such set")
		}
		s.Elements = nil
		return nil
	}
	return fail("unsupported operation")
}

// addElements adds els to s the way the kernel does: an element whose key
// (with its interval-end and catch-all flags and its range end) s already
// holds is not added again, unless excl (create) or its data differs,
// which the kernel refuses with EEXIST. nft sends an interval set's
// elements again with each `add element` (and a declaration's elements
// with the later ones merged in), so this keeps each interval once.
func addElements(s *Set, els []*Element, excl bool, fail failFunc) error {
	for _, e := range els {
		var dup *Element
		for _, x := range s.Elements {
			if sameElementKey(x, e) {
				dup = x
				break
			}
		}
		if dup == nil {
			s.Elements = append(s.Elements, e)
			continue
		}
		if excl || !sameElementData(dup, e) {
			err := fail("element exists in set %s", s.Name)
			if de, ok := err.(*diag.Error); ok && e.Pos.IsValid() {
				de.Pos = e.Pos
			}
			return err
		}
	}
	return nil
}

// sameElementKey reports whether a and b are the same element of a set:
// the kernel keys an element by its key, range end and the interval-end
// and catch-all flags.
func sameElementKey(a, b *Element) bool {
	const keyFlags = ElemIntervalEnd | ElemCatchall
	return string(a.Key) == string(b.Key) && string(a.KeyEnd) == string(b.KeyEnd) && a.Flags&keyFlags == b.Flags&keyFlags
}

// sameElementData reports whether two elements with the same key map to
// the same data, verdict or object.
func sameElementData(a, b *Element) bool {
	if string(a.Data) != string(b.Data) || a.ObjRef != b.ObjRef || (a.Verdict == nil) != (b.Verdict == nil) {
		return false
	}
	return a.Verdict == nil || *a.Verdict == *b.Verdict
}

func applyObject(t *Table, cmd *Command, fail failFunc) error {
	typ, name := cmd.ObjType, cmd.Name
	if cmd.Object != nil {
		typ, name = cmd.Object.Type, cmd.Object.Name
	}
	o := t.Object(typ, name)
	switch cmd.Op {
	case OpAdd, OpCreate:
		if o != nil {
			if cmd.Op == OpCreate {
				return fail("object exists")
			}
			return nil
		}
		if cmd.Object == nil {
			return fail("missing object")
		}
		no := *cmd.Object
		no.Handle = nextHandle(t)
		t.Objects = append(t.Objects, &no)
		return nil
	case OpDelete, OpDestroy:
		if o == nil {
			if cmd.Op == OpDestroy {
				return nil
			}
			return fail("no such object")
		}
		for i, x := range t.Objects {
			if x == o {
				t.Objects = append(t.Objects[:i:i], t.Objects[i+1:]...)
			}
		}
		return nil
	}
	return fail("unsupported operation")
}

func applyFlowtable(t *Table, cmd *Command, fail failFunc) error {
	name := cmd.Name
	if cmd.Flowtable != nil {
		name = cmd.Flowtable.Name
	}
	f := t.Flowtable(name)
	switch cmd.Op {
	case OpAdd, OpCreate:
		if f != nil {
			if cmd.Op == OpCreate {
				return fail("flowtable exists")
			}
			return nil
		}
		if cmd.Flowtable == nil {
			return fail("missing flowtable")
		}
		nf := *cmd.Flowtable
		nf.Handle = nextHandle(t)
		t.Flowtables = append(t.Flowtables, &nf)
		return nil
	case OpDelete, OpDestroy:
		if f == nil {
			if cmd.Op == OpDestroy {
				return nil
			}
			return fail("no such flowtable")
		}
		for i, x := range t.Flowtables {
			if x == f {
				t.Flowtables = append(t.Flowtables[:i:i], t.Flowtables[i+1:]...)
			}
		}
		return nil
	}
	return fail("unsupported operation")
}
