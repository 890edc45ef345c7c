package kernel

import (
	"strings"

	"github.com/nfsh/nfsh/core/expr"
	"github.com/nfsh/nfsh/core/ruleset"
)

// bindAnonSets prepares a rule's anonymous sets for a batch: each gets a
// fresh batch-local NFTA_SET_ID and a name template ("__set%d", "__map%d")
// the kernel expands, and the rule's lookup, dynset and objref expressions
// that name the set are rewritten to carry that id. This works alike for
// rules compiled from text and for rules pulled from the kernel, whose
// anonymous sets already have expanded names such as "__set0". The rule and
// its sets are not modified; copies are returned.
func bindAnonSets(r *ruleset.Rule, nextID func() uint32) (*ruleset.Rule, []*ruleset.Set) {
	type bound struct {
		name string
		id   uint32
	}
	byName := make(map[string]bound, len(r.Sets))
	sets := make([]*ruleset.Set, len(r.Sets))
	for i, s := range r.Sets {
		c := *s
		c.ID = nextID()
		c.Handle = 0
		if !strings.Contains(c.Name, "%d") {
			c.Name = anonTemplate(s)
		}
		byName[s.Name] = bound{c.Name, c.ID}
		sets[i] = &c
	}
	rc := *r
	rc.Exprs = make([]expr.Expr, len(r.Exprs))
	for i, x := range r.Exprs {
		rc.Exprs[i] = rebindExpr(x, func(name string) (string, uint32, bool) {
			b, ok := byName[name]
			return b.name, b.id, ok
		})
	}
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

// rebindExpr returns x with a reference to a bound set replaced.
func rebindExpr(x expr.Expr, bind func(string) (string, uint32, bool)) expr.Expr {
	switch e := x.(type) {
	case *expr.Lookup:
		if n, id, ok := bind(e.SetName); ok {
			c := *e
			c.SetName, c.SetID = n, id
			return &c
		}
	case *expr.Dynset:
		if n, id, ok := bind(e.SetName); ok {
			c := *e
			c.SetName, c.SetID = n, id
			return &c
		}
	case *expr.Objref:
		if e.SetName != "" {
			if n, id, ok := bind(e.SetName); ok {
				c := *e
				c.SetName, c.SetID = n, id
				return &c
			}
		}
	}
	return x
}
