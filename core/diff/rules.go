package diff

import (
	"github.com/nfsh/nfsh/core/expr"
	"github.com/nfsh/nfsh/core/ruleset"
)

// maxLCSCells bounds the quadratic part of the rule matcher; beyond it the
// unmatched middle of a chain is rebuilt instead of matched.
const maxLCSCells = 16 << 20

// diffRules turns the rules of fc into those of tc with deletes, in-place
// replaces (changed tagged rules) and positioned adds. Rules that use a
// recreated set are recreated too.
func (p *phases) diffRules(t *ruleset.Table, fc, tc *ruleset.Chain, dep *deps) {
	from, to := fc.Rules, tc.Rules
	fid := make([]string, len(from))
	for i, r := range from {
		fid[i] = ruleID(r, p.fromKeys)
		if dep.rule(r) {
			fid[i] = "\x00recreate" // matches nothing
		}
	}
	tid := make([]string, len(to))
	for i, r := range to {
		tid[i] = ruleID(r, p.toKeys)
	}
	match := lcs(fid, tid) // match[j] = index in from of to[j], or -1

	matchedFrom := make([]bool, len(from))
	for _, i := range match {
		if i >= 0 {
			matchedFrom[i] = true
		}
	}
	for i, r := range from {
		if !matchedFrom[i] {
			p.add(phDelRule, &ruleset.Command{Op: ruleset.OpDelete, Kind: ruleset.KindRule, Family: t.Family,
				Table: t.Name, Chain: fc.Name, Handle: r.Handle})
		}
	}

	var prevHandle uint64     // kernel handle of the previous kept rule
	var prevNew *ruleset.Rule // previous rule added by this patch
	for j, r := range to {
		i := match[j]
		if i >= 0 {
			old := from[i]
			if r.Tag() != "" && p.fromKeys.key(old) != p.toKeys.key(r) {
				p.add(phAddRule, &ruleset.Command{Op: ruleset.OpReplace, Kind: ruleset.KindRule, Family: t.Family,
					Table: t.Name, Chain: tc.Name, Rule: r, Handle: old.Handle, Pos: r.Pos, Text: r.Text})
			}
			prevHandle, prevNew = old.Handle, nil
			continue
		}
		c := &ruleset.Command{Kind: ruleset.KindRule, Family: t.Family, Table: t.Name, Chain: tc.Name,
			Rule: r, Pos: r.Pos, Text: r.Text}
		switch {
		case prevNew != nil:
			c.Op, c.PositionRule = ruleset.OpAdd, prevNew
		case prevHandle != 0:
			c.Op, c.Position = ruleset.OpAdd, prevHandle
		default:
			c.Op = ruleset.OpInsert // at the head of the chain
		}
		p.add(phAddRule, c)
		prevNew = r
	}
}

// ruleID is what rules are matched on: the tag when there is one, else the
// content (memoized in keys when not nil).
func ruleID(r *ruleset.Rule, keys *KeyCache) string {
	if keys != nil {
		return keys.id(r)
	}
	if tag := r.Tag(); tag != "" {
		return "tag:" + tag
	}
	return "key:" + ruleKey(r)
}

// rule reports whether r refers to a recreated set, chain or object,
// directly or through the elements of its anonymous sets.
func (d *deps) rule(r *ruleset.Rule) bool {
	if d.empty() {
		return false
	}
	for _, e := range r.Exprs {
		switch x := e.(type) {
		case *expr.Lookup:
			if d.sets[x.SetName] {
				return true
			}
		case *expr.Dynset:
			if d.sets[x.SetName] {
				return true
			}
		case *expr.Objref:
			if d.sets[x.SetName] || d.objects[x.ImmName] {
				return true
			}
		case *expr.Immediate:
			if x.Verdict != nil && d.chains[x.Verdict.Chain] {
				return true
			}
		}
	}
	for _, s := range r.Sets {
		for _, e := range s.Elements {
			if d.elem(e) {
				return true
			}
		}
	}
	return false
}

// lcs matches b against a: it returns for every element of b the index of
// the element of a it is matched with in a longest common subsequence, or
// -1. Common prefixes and suffixes are matched in linear time; the middle
// is matched exactly when small enough, else left unmatched.
func lcs(a, b []string) []int {
	m := make([]int, len(b))
	for j := range m {
		m[j] = -1
	}
	pre := 0
	for pre < len(a) && pre < len(b) && a[pre] == b[pre] {
		m[pre] = pre
		pre++
	}
	suf := 0
	for suf < len(a)-pre && suf < len(b)-pre && a[len(a)-1-suf] == b[len(b)-1-suf] {
		m[len(b)-1-suf] = len(a) - 1 - suf
		suf++
	}
	ma, mb := a[pre:len(a)-suf], b[pre:len(b)-suf]
	if len(ma) == 0 || len(mb) == 0 || len(ma)*len(mb) > maxLCSCells {
		return m
	}
	// Classic dynamic programme over the middle, on interned ids.
	ids := map[string]int{}
	intern := func(s string) int {
		if v, ok := ids[s]; ok {
			return v
		}
		ids[s] = len(ids)
		return len(ids) - 1
	}
	x := make([]int, len(ma))
	for i, s := range ma {
		x[i] = intern(s)
	}
	y := make([]int, len(mb))
	for j, s := range mb {
		y[j] = intern(s)
	}
	n1, n2 := len(x), len(y)
	dp := make([]int32, (n1+1)*(n2+1))
	at := func(i, j int) int { return i*(n2+1) + j }
	for i := n1 - 1; i >= 0; i-- {
		for j := n2 - 1; j >= 0; j-- {
			if x[i] == y[j] {
				dp[at(i, j)] = dp[at(i+1, j+1)] + 1
			} else {
				dp[at(i, j)] = max(dp[at(i+1, j)], dp[at(i, j+1)])
			}
		}
	}
	for i, j := 0, 0; i < n1 && j < n2; {
		switch {
		case x[i] == y[j]:
			m[pre+j] = pre + i
			i++
			j++
		case dp[at(i+1, j)] >= dp[at(i, j+1)]:
			i++
		default:
			j++
		}
	}
	return m
}
