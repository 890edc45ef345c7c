package monitor

import (
	"bytes"
	"fmt"
	"slices"

	"golang.org/x/sys/unix"

	"github.com/nfsh/nfsh/core/diag"
	"github.com/nfsh/nfsh/core/ruleset"
)

// Apply replays the events of commit c onto rs, so that a snapshot at
// generation g followed by Apply of every later commit equals a pull of
// the ruleset at the last commit's generation. Tables, chains and named
// sets that already exist are updated in place (their contents kept);
// deleted entities are removed; a new rule goes where its
// NFTA_RULE_POSITION, NLM_F_APPEND flag or absence of both puts it.
// Anonymous sets and their elements are not applied on their own: they
// arrive inside the new-rule events (Rule.Sets). A resync commit replaces
// rs's tables with c.Snapshot when it has one.
//
// Apply returns an error naming the first event that did not fit rs (an
// entity missing from it); it still applies the rest.
func Apply(rs *ruleset.Ruleset, c Commit) error {
	if c.Resync {
		if c.Snapshot == nil {
			return &diag.Error{Op: "monitor apply", Msg: "resync needed: events were lost, re-pull"}
		}
		rs.Tables = c.Snapshot.Tables
		return nil
	}
	ap := &applier{rs: rs}
	for i := range c.Events {
		ap.event(&c.Events[i])
	}
	// Rules placed after a rule that never showed up: append them.
	for _, p := range ap.pending {
		p.ch.Rules = append(p.ch.Rules, p.r)
		ap.fail(fmt.Sprintf("rule handle %d: position %d not found", p.r.Handle, p.pos))
	}
	return ap.err
}

// pendingRule is a new rule whose predecessor has not been placed yet.
type pendingRule struct {
	ch  *ruleset.Chain
	r   *ruleset.Rule
	pos uint64
}

type applier struct {
	rs      *ruleset.Ruleset
	pending []pendingRule
	// gone holds the anonymous sets of rules deleted in this commit: the
	// kernel announces their deletion with a plain DELSET.
	gone map[tableKey]map[string]bool
	// replaced maps a rule deleted in this commit to the handle of the
	// rule before it (0: it was first). `replace rule` keeps the handle:
	// the kernel announces it as a delete and a new rule, and leaves out
	// NFTA_RULE_POSITION when the rule is first or last, with
	// NLM_F_APPEND either way, so the old place is the only clue.
	replaced map[ruleKey]uint64
	err      error
}

// ruleKey names a rule by chain and handle.
type ruleKey struct {
	ch     *ruleset.Chain
	handle uint64
}

func (ap *applier) fail(msg string) {
	if ap.err == nil {
		ap.err = &diag.Error{Op: "monitor apply", Msg: msg}
	}
}

func (ap *applier) table(e *Event) *ruleset.Table {
	t := ap.rs.Table(e.Family, e.Table)
	if t == nil {
		ap.fail(fmt.Sprintf("%s %s event: no table %s %s", e.Op, e.Kind, e.Family, e.Table))
	}
	return t
}

func (ap *applier) event(e *Event) {
	switch e.Kind {
	case KindTable:
		ap.tableEvent(e)
	case KindChain:
		ap.chainEvent(e)
	case KindRule:
		ap.ruleEvent(e)
	case KindSet:
		ap.setEvent(e)
	case KindElement:
		ap.elemEvent(e)
	case KindObject:
		ap.objEvent(e)
	case KindFlowtable:
		ap.flowtableEvent(e)
	case KindUnknown:
		ap.fail(fmt.Sprintf("undecoded message: %v", e.Err))
	}
}

func (ap *applier) tableEvent(e *Event) {
	rs := ap.rs
	i := slices.IndexFunc(rs.Tables, func(t *ruleset.Table) bool { return t.Family == e.Family && t.Name == e.Table })
	if e.Op == OpDelete {
		if i < 0 {
			ap.fail("delete of missing table " + e.Family.String() + " " + e.Table)
			return
		}
		rs.Tables = remove(rs.Tables, i)
		return
	}
	n := e.TableObj
	if i >= 0 {
		t := rs.Tables[i]
		t.Handle, t.Flags, t.Persist, t.Userdata, t.Owner = n.Handle, n.Flags, n.Persist, n.Userdata, n.Owner
		return
	}
	cp := *n
	cp.Chains, cp.Sets, cp.Objects, cp.Flowtables = nil, nil, nil, nil
	rs.Tables = append(rs.Tables, &cp)
}

func (ap *applier) chainEvent(e *Event) {
	t := ap.table(e)
	if t == nil {
		return
	}
	i := slices.IndexFunc(t.Chains, func(c *ruleset.Chain) bool { return c.Name == e.Chain })
	if e.Op == OpDelete {
		if i < 0 {
			ap.fail("delete of missing chain " + e.Chain)
			return
		}
		t.Chains = remove(t.Chains, i)
		return
	}
	n := e.ChainObj
	if i >= 0 {
		c := t.Chains[i]
		c.Handle, c.Hook, c.Flags, c.Userdata = n.Handle, n.Hook, n.Flags, n.Userdata
		return
	}
	cp := *n
	cp.Rules = nil
	t.Chains = append(t.Chains, &cp)
}

func (ap *applier) ruleEvent(e *Event) {
	t := ap.table(e)
	if t == nil {
		return
	}
	ch := t.Chain(e.Chain)
	if ch == nil {
		ap.fail(fmt.Sprintf("%s rule event: no chain %s", e.Op, e.Chain))
		return
	}
	h := e.Rule.Handle
	if e.Op == OpDelete {
		i := slices.IndexFunc(ch.Rules, func(r *ruleset.Rule) bool { return r.Handle == h })
		if i < 0 {
			ap.fail(fmt.Sprintf("delete of missing rule handle %d", h))
			return
		}
		for _, s := range ch.Rules[i].Sets {
			if ap.gone == nil {
				ap.gone = map[tableKey]map[string]bool{}
			}
			k := tableKey{e.Family, e.Table}
			if ap.gone[k] == nil {
				ap.gone[k] = map[string]bool{}
			}
			ap.gone[k][s.Name] = true
		}
		if ap.replaced == nil {
			ap.replaced = map[ruleKey]uint64{}
		}
		prev := uint64(0)
		if i > 0 {
			prev = ch.Rules[i-1].Handle
		}
		ap.replaced[ruleKey{ch, h}] = prev
		ch.Rules = remove(ch.Rules, i)
		return
	}
	r := e.Rule
	prev, isReplace := ap.replaced[ruleKey{ch, h}]
	switch {
	case e.Position == 0 && isReplace && prev == 0:
		ch.Rules = slices.Insert(ch.Rules, 0, r)
	case e.Position == 0 && isReplace && ap.insertAfter(ch, r, prev):
	case e.Position != 0:
		if !ap.insertAfter(ch, r, e.Position) {
			ap.pending = append(ap.pending, pendingRule{ch, r, e.Position})
			return
		}
	case e.Flags&unix.NLM_F_APPEND != 0:
		ch.Rules = append(ch.Rules, r)
	default:
		ch.Rules = slices.Insert(ch.Rules, 0, r)
	}
	ap.placePending(ch, r.Handle)
}

// insertAfter puts r after the rule with handle pos in ch.
func (ap *applier) insertAfter(ch *ruleset.Chain, r *ruleset.Rule, pos uint64) bool {
	i := slices.IndexFunc(ch.Rules, func(x *ruleset.Rule) bool { return x.Handle == pos })
	if i < 0 {
		return false
	}
	ch.Rules = slices.Insert(ch.Rules, i+1, r)
	return true
}

// placePending places the pending rules that follow the rule with handle
// h, and, in turn, those that follow them.
func (ap *applier) placePending(ch *ruleset.Chain, h uint64) {
	for i := 0; i < len(ap.pending); i++ {
		p := ap.pending[i]
		if p.ch != ch || p.pos != h {
			continue
		}
		ap.pending = remove(ap.pending, i)
		if ap.insertAfter(ch, p.r, p.pos) {
			ap.placePending(ch, p.r.Handle)
		}
		i = -1 // the list changed; rescan
	}
}

func (ap *applier) setEvent(e *Event) {
	if e.SetObj.Anonymous() {
		return // lives in the rule that uses it
	}
	t := ap.table(e)
	if t == nil {
		return
	}
	i := slices.IndexFunc(t.Sets, func(s *ruleset.Set) bool { return s.Name == e.Set })
	if e.Op == OpDelete {
		if i < 0 && ap.gone[tableKey{e.Family, e.Table}][e.Set] {
			return // an anonymous set, gone with its rule
		}
		if i < 0 {
			ap.fail("delete of missing set " + e.Set)
			return
		}
		t.Sets = remove(t.Sets, i)
		return
	}
	cp := *e.SetObj
	if i >= 0 {
		cp.Elements = t.Sets[i].Elements
		t.Sets[i] = &cp
		return
	}
	cp.Elements = nil
	t.Sets = append(t.Sets, &cp)
}

func (ap *applier) elemEvent(e *Event) {
	if e.Anonymous() {
		return // already in the rule's Sets
	}
	t := ap.table(e)
	if t == nil {
		return
	}
	s := t.Set(e.Set)
	if s == nil {
		if e.Op == OpNew {
			ap.fail("elements of missing set " + e.Set)
		}
		// Deleted anonymous sets of earlier commits are not tracked.
		return
	}
	for _, el := range e.Elements {
		i := slices.IndexFunc(s.Elements, func(x *ruleset.Element) bool { return SameElement(x, el) })
		if e.Op == OpDelete {
			if i < 0 {
				ap.fail("delete of missing element of set " + e.Set)
				continue
			}
			s.Elements = remove(s.Elements, i)
			continue
		}
		if i >= 0 {
			s.Elements[i] = el
		} else {
			s.Elements = append(s.Elements, el)
		}
	}
}

// SameElement reports whether a and b are the same set element (same
// key, range end and interval-end/catch-all flags).
func SameElement(a, b *ruleset.Element) bool {
	const idFlags = ruleset.ElemIntervalEnd | ruleset.ElemCatchall
	return bytes.Equal(a.Key, b.Key) && bytes.Equal(a.KeyEnd, b.KeyEnd) && a.Flags&idFlags == b.Flags&idFlags
}

func (ap *applier) objEvent(e *Event) {
	t := ap.table(e)
	if t == nil {
		return
	}
	o := e.Object
	i := slices.IndexFunc(t.Objects, func(x *ruleset.Object) bool { return x.Type == o.Type && x.Name == o.Name })
	switch {
	case e.Op == OpDelete && i < 0:
		ap.fail("delete of missing object " + o.Name)
	case e.Op == OpDelete:
		t.Objects = remove(t.Objects, i)
	case i >= 0:
		t.Objects[i] = o
	default:
		t.Objects = append(t.Objects, o)
	}
}

func (ap *applier) flowtableEvent(e *Event) {
	t := ap.table(e)
	if t == nil {
		return
	}
	f := e.Flowtable
	i := slices.IndexFunc(t.Flowtables, func(x *ruleset.Flowtable) bool { return x.Name == f.Name })
	switch {
	case e.Op == OpDelete && i < 0:
		ap.fail("delete of missing flowtable " + f.Name)
	case e.Op == OpDelete:
		t.Flowtables = remove(t.Flowtables, i)
	case i >= 0:
		t.Flowtables[i] = f
	default:
		t.Flowtables = append(t.Flowtables, f)
	}
}

// remove deletes element i of list; an emptied list becomes nil, as a
// pull leaves it.
func remove[T any](list []T, i int) []T {
	list = slices.Delete(list, i, i+1)
	if len(list) == 0 {
		return nil
	}
	return list
}
