package kernel

import (
	"strings"
	"sync"

	"github.com/nfsh/nfsh/core/expr"
	"github.com/nfsh/nfsh/core/nfnl"
	"github.com/nfsh/nfsh/core/ruleset"
)

// bindAnonSets prepares a rule's anonymous sets for a batch: each gets a
// fresh batch-local NFTA_SET_ID and a name template ("__set%d", "__map%d")
// the kernel expands, and the rule's lookup, dynset and objref expressions
// that name the set are rewritten to carry that id. This works alike for
// rules compiled from text and for rules pulled from the kernel, whose
// anonymous sets already have expanded names such as "__set0". The rule and
// its sets are not modified; copies are returned (r itself when nothing
// changes).
//
// name gives the name to send for a set the kernel names (templates and
// kernel-generated names alike): a template, or, where the caller knows
// the kernel's numbering (a table created in this batch), the name the
// kernel would choose, which spares the kernel a scan of all the table's
// sets per anonymous set. A meter's own name ("acct_out") stays.
//
// named gives the NFTA_SET_ID of a named set added earlier in the batch
// (0 for a set already in the kernel): a reference to it carries that id,
// as nft 1.0.6 sends it, though the kernel would find the set by name.
func bindAnonSets(r *ruleset.Rule, nextID func() uint32, name func(*ruleset.Set) string, named func(string) uint32) (*ruleset.Rule, []*ruleset.Set) {
	sets := make([]*ruleset.Set, len(r.Sets))
	queue := make(map[string][]int, len(r.Sets)) // original name -> indices not yet referenced
	for i, s := range r.Sets {
		c := *s
		c.ID = nextID()
		c.Handle = 0
		if strings.HasPrefix(c.Name, "__") {
			c.Name = name(s)
		}
		sets[i] = &c
		queue[s.Name] = append(queue[s.Name], i)
	}
	// A reference names its set; when several sets share a name (compiled
	// rules: every one is "__set%d"), the id the compiler gave both sides
	// decides, else the order of appearance, which is the order the
	// compiler created them in.
	last := map[string]int{}
	bind := func(name string, id uint32) (string, uint32, bool) {
		if id != 0 {
			for i, s := range r.Sets {
				if s.Name == name && s.ID == id {
					return sets[i].Name, sets[i].ID, true
				}
			}
		}
		q := queue[name]
		if len(q) == 0 {
			i, ok := last[name]
			if !ok {
				if nid := named(name); nid != 0 && nid != id {
					return name, nid, true
				}
				return "", 0, false
			}
			return sets[i].Name, sets[i].ID, true
		}
		i := q[0]
		queue[name], last[name] = q[1:], i
		return sets[i].Name, sets[i].ID, true
	}
	var out []expr.Expr // copied on the first change
	for i, x := range r.Exprs {
		y, changed := rebindExpr(x, bind)
		if changed && out == nil {
			out = make([]expr.Expr, len(r.Exprs))
			copy(out, r.Exprs[:i])
		}
		if out != nil {
			out[i] = y
		}
	}
	if out == nil {
		return r, sets
	}
	rc := *r
	rc.Exprs = out
	return &rc, sets
}

// anonTemplate returns the kernel name template for an anonymous set.
func anonTemplate(s *ruleset.Set) string {
	switch {
	case s.Flags&ruleset.SetObject != 0:
		return "__objmap%d"
	case s.Flags&ruleset.SetMap != 0:
		return "__map%d"
	}
	return "__set%d"
}

// rebindExpr returns x with a reference to a bound set replaced, and
// whether it replaced one.
func rebindExpr(x expr.Expr, bind func(string, uint32) (string, uint32, bool)) (expr.Expr, bool) {
	switch e := x.(type) {
	case *expr.Lookup:
		if n, id, ok := bind(e.SetName, e.SetID); ok {
			c := *e
			c.SetName, c.SetID = n, id
			return &c, true
		}
	case *expr.Dynset:
		if n, id, ok := bind(e.SetName, e.SetID); ok {
			c := *e
			c.SetName, c.SetID = n, id
			return &c, true
		}
	case *expr.Objref:
		if e.SetName != "" {
			if n, id, ok := bind(e.SetName, e.SetID); ok {
				c := *e
				c.SetName, c.SetID = n, id
				return &c, true
			}
		}
	}
	return x, false
}

// anonElems caches the elements of anonymous sets pulled before. Such a set
// is constant and lives as long as its rule, and set handles are never
// reused within a table, so (connection, table handle, set handle) names
// one content for good: a reconcile loop need not dump the elements of
// thousands of unchanged anonymous sets again. Pulled values share the
// cached element slices; they are not to be modified in place.
var anonElems = struct {
	sync.Mutex
	m map[anonKey][]*ruleset.Element
	n int // elements held
}{m: map[anonKey][]*ruleset.Element{}}

// maxAnonElems bounds the cache; it is emptied when full.
const maxAnonElems = 1 << 20

type anonKey struct {
	conn        *nfnl.Conn
	fam         ruleset.Family
	table       string
	tableHandle uint64
	set         string
	setHandle   uint64
}

func anonKeyOf(c *nfnl.Conn, t *ruleset.Table, s *ruleset.Set) anonKey {
	return anonKey{c, t.Family, t.Name, t.Handle, s.Name, s.Handle}
}

// cachedAnonElems fills s.Elements from the cache; it reports whether it
// could.
func cachedAnonElems(c *nfnl.Conn, t *ruleset.Table, s *ruleset.Set) bool {
	if !s.Anonymous() || s.Handle == 0 || t.Handle == 0 {
		return false
	}
	anonElems.Lock()
	defer anonElems.Unlock()
	e, ok := anonElems.m[anonKeyOf(c, t, s)]
	if ok {
		s.Elements = e
	}
	return ok
}

// cacheAnonElems remembers the elements of an anonymous set just pulled.
func cacheAnonElems(c *nfnl.Conn, t *ruleset.Table, s *ruleset.Set) {
	if !s.Anonymous() || s.Handle == 0 || t.Handle == 0 {
		return
	}
	anonElems.Lock()
	defer anonElems.Unlock()
	if anonElems.n+len(s.Elements) > maxAnonElems {
		clear(anonElems.m)
		anonElems.n = 0
	}
	anonElems.m[anonKeyOf(c, t, s)] = s.Elements
	anonElems.n += len(s.Elements)
}
