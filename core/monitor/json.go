package monitor

// This file prints events as `nft -j monitor` (nft 1.0.6, its
// src/monitor.c with src/json.c) prints them: one line per event,
// {"add"|"insert"|"create"|"delete": {KIND: {...}}}, the objects shaped
// like the JSON listing's, and no generation lines.
//
// nft's quirks copied (they follow from the kernel messages alone):
//   - deleted tables, chains, sets and objects carry only what the kernel
//     sends for a deletion (names and handle), so a deleted set has
//     "type": "invalid", a deleted object's values are zero and a deleted
//     ct helper's "type" is "(null)";
//   - a deleted anonymous set is printed ("__set0").
//
// Not copied, because the output would be wrong:
//   - nft 1.0.6 prints a new table with exactly one flag from freed memory
//     ("flags": garbage); nfsh prints the flag's name, as
//     format.TableObjJSON does;
//   - before printing a deleted rule, nft drops every set the rule looks
//     up from its cache: the lookups vanish from that rule, and later
//     elements of such a set and later lookups of it are lost too. nfsh
//     keeps the sets and prints the rules whole.

import (
	"slices"

	"golang.org/x/sys/unix"

	"github.com/nfsh/nfsh/core/delinearize"
	"github.com/nfsh/nfsh/core/expr"
	"github.com/nfsh/nfsh/core/format"
	"github.com/nfsh/nfsh/core/ruleset"
)

type jobj = delinearize.JSONObject

var newObj = delinearize.NewJSONObject

// JSONPrinter renders commits as `nft -j monitor` (nft 1.0.6) prints
// them: one JSON object per event on its own line. Like Printer it skips
// new anonymous sets and their elements, joins interval halves and keeps
// the set declarations it has seen.
type JSONPrinter struct {
	p *Printer
	o *format.Options
}

// NewJSONPrinter returns a JSONPrinter that knows the sets of rs (may be
// nil).
func NewJSONPrinter(rs *ruleset.Ruleset) *JSONPrinter {
	return &JSONPrinter{p: NewPrinter(rs), o: &format.Options{}}
}

// Reset forgets what j learnt and takes the sets of rs (after a resync).
func (j *JSONPrinter) Reset(rs *ruleset.Ruleset) { j.p.Reset(rs) }

// Lines returns the lines of commit c, without newlines. A resync commit
// resets j from its snapshot and prints nothing.
func (j *JSONPrinter) Lines(c Commit) []string {
	if c.Resync {
		j.Reset(c.Snapshot)
		return nil
	}
	return j.FilteredLines(c, Filter{})
}

// FilteredLines is Lines keeping only the events f keeps.
func (j *JSONPrinter) FilteredLines(c Commit, f Filter) []string {
	if c.Resync {
		j.Reset(c.Snapshot)
		return nil
	}
	var out []string
	for i := range c.Events {
		if l, ok := j.Line(&c.Events[i]); ok && f.Keep(&c.Events[i]) {
			out = append(out, l)
		}
	}
	return out
}

// Line returns the JSON line of one event and records the set
// declarations it changes; ok is false for events nft does not print.
func (j *JSONPrinter) Line(e *Event) (string, bool) {
	v, ok := j.value(e)
	if !ok {
		return "", false
	}
	word := cmdWord(e)
	if e.Op == OpNew && e.Kind != KindRule && e.Flags&unix.NLM_F_EXCL != 0 {
		word = "create"
	}
	return string(delinearize.AppendJSON(nil, newObj(word, v))), true
}

// value returns the {KIND: {...}} object of an event.
func (j *JSONPrinter) value(e *Event) (*jobj, bool) {
	p := j.p
	k := tableKey{e.Family, e.Table}
	bare := &ruleset.Table{Family: e.Family, Name: e.Table}
	switch e.Kind {
	case KindTable:
		if e.Op == OpDelete {
			delete(p.tables, k)
		}
		t := *e.TableObj
		t.Family = e.Family
		return format.TableObjJSON(&t), true
	case KindChain:
		return format.ChainJSON(bare, e.ChainObj), true
	case KindRule:
		t := p.table(k)
		r := e.Rule
		r = j.knownLookups(t, r)
		v, err := format.RuleJSON(t, &ruleset.Chain{Name: e.Chain}, r, j.o)
		if err != nil {
			return errJSON(e, err), true
		}
		return v, true
	case KindSet:
		s := e.SetObj
		if e.Op == OpNew && s.Anonymous() {
			return nil, false
		}
		t := p.table(k)
		t.Sets = removeSet(t.Sets, s.Name)
		delete(p.rg, setKey{k, s.Name})
		if e.Op == OpNew {
			t.Sets = append(t.Sets, s)
		}
		v, err := delinearize.SetJSON(bare, s, j.o)
		if err != nil {
			return errJSON(e, err), true
		}
		return v, true
	case KindElement:
		return j.elements(e)
	case KindObject:
		v := format.ObjectJSON(bare, e.Object)
		if e.Op == OpDelete && e.Object.Type == objCtHelper {
			if root, ok := v.Get(delinearize.ObjTypeName(objCtHelper)); ok {
				root.(*jobj).Set("type", "(null)") // nft prints a missing string so
			}
		}
		return v, true
	case KindFlowtable:
		return format.FlowtableJSON(bare, e.Flowtable), true
	}
	return errJSON(e, e.Err), true
}

const objCtHelper = 3 // NFT_OBJECT_CT_HELPER

// errJSON is the line of an event nfsh cannot print as nft does.
func errJSON(e *Event, err error) *jobj {
	return newObj("error", newObj("kind", e.Kind.String(), "family", e.Family.String(), "table", e.Table,
		"message", err.Error()))
}

// elements renders an element event, joining interval halves.
func (j *JSONPrinter) elements(e *Event) (*jobj, bool) {
	if e.Anonymous() {
		return nil, false
	}
	p := j.p
	k := tableKey{e.Family, e.Table}
	t := p.table(k)
	s := t.Set(e.Set)
	if s == nil || s.Anonymous() {
		return nil, false // unknown (anonymous) set
	}
	elems := e.Elements
	for _, el := range elems {
		if el.Flags&ruleset.ElemIntervalEnd != 0 && allZero(el.Key) {
			return nil, false // the kernel's null interval end
		}
	}
	if s.Flags&ruleset.SetInterval != 0 && len(s.Concat) == 0 && len(elems) > 0 {
		sk := setKey{k, s.Name}
		if start := p.rg[sk]; start != nil {
			delete(p.rg, sk)
			elems = append([]*ruleset.Element{start}, elems...)
		} else if last := elems[len(elems)-1]; !openInterval(last) {
			p.rg[sk] = last
			return nil, false
		}
	}
	tmp := *s
	tmp.Elements = elems
	sv, err := delinearize.SetJSON(t, &tmp, j.o)
	if err != nil {
		return errJSON(e, err), true
	}
	var list any = []any{}
	for _, kind := range []string{"set", "map"} {
		if root, ok := sv.Get(kind); ok {
			if l, ok := root.(*jobj).Get("elem"); ok {
				list = l
			}
		}
	}
	return newObj("element", newObj("family", e.Family.String(), "table", e.Table, "name", e.Set,
		"elem", newObj("set", list))), true
}

// knownLookups returns r without the expressions that use a set neither
// t nor r knows (lookups, dynsets, object maps), as nft drops them when
// the set is missing from its cache.
func (j *JSONPrinter) knownLookups(t *ruleset.Table, r *ruleset.Rule) *ruleset.Rule {
	unknown := func(e expr.Expr) bool {
		name := ""
		switch x := e.(type) {
		case *expr.Lookup:
			name = x.SetName
		case *expr.Dynset:
			name = x.SetName
		case *expr.Objref:
			name = x.SetName
		}
		return name != "" && t.Set(name) == nil && !hasSet(r.Sets, name)
	}
	if !slices.ContainsFunc(r.Exprs, unknown) {
		return r
	}
	c := *r
	c.Exprs = slices.DeleteFunc(slices.Clone(r.Exprs), unknown)
	return &c
}
