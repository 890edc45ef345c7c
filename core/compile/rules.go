package compile

import (
	"github.com/nfsh/nfsh/core/ast"
	"github.com/nfsh/nfsh/core/ruleset"
)

// ruleRef is one rule of a chain as nft's rule cache holds it while a
// script is evaluated: a rule the kernel has (by handle) or one an
// earlier command of the script adds (by value, placed with
// NFTA_RULE_POSITION_ID).
type ruleRef struct {
	handle uint64
	rule   *ruleset.Rule
}

// chainRules returns the rules of chain in ts as the script has left
// them so far, loading the kernel's rules (Options.Known) on first use.
// ok is false when the chain's rules cannot be known (no kernel state).
func (c *Compiler) chainRules(ts *tableState, chain string) (rules []ruleRef, ok bool) {
	if l, ok := ts.rules[chain]; ok {
		return l, true
	}
	var known *ruleset.Chain
	if c.opts.Known != nil && !ts.cleared {
		if t := c.opts.Known.Table(ts.fam, ts.name); t != nil {
			known = t.Chain(chain)
		}
	}
	switch {
	case known != nil:
		for _, r := range known.Rules {
			rules = append(rules, ruleRef{handle: r.Handle})
		}
	case c.opts.Known == nil && !c.checkable(ts):
		if _, declared := ts.chains[chain]; !declared {
			return nil, false
		}
	}
	if ts.rules == nil {
		ts.rules = map[string][]ruleRef{}
	}
	ts.rules[chain] = rules
	return rules, true
}

// trackRule updates the chain's rule list for a rule command, the way
// nft's rule_cache_update does: add places the rule after its reference
// (or last), insert before it (or first), replace swaps it in.
//
// Like nft 1.0.6, deleting a rule or flushing its chain or table does not
// change the list: a later `index N` still counts those rules, and the
// kernel places the new rule next to the one the batch removes.
func (c *Compiler) trackRule(cmd *ruleset.Command, rule *ruleset.Rule) {
	ts := c.table(cmd.Family, cmd.Table)
	l, ok := c.chainRules(ts, cmd.Chain)
	if !ok {
		return
	}
	positioned := cmd.PositionRule != nil || cmd.Position != 0 || cmd.Handle != 0
	if !positioned && (cmd.Op == ruleset.OpAdd || cmd.Op == ruleset.OpCreate) {
		// Appending: amortized, so that a script of n rules costs O(n).
		ts.rules[cmd.Chain] = append(l, ruleRef{rule: rule})
		return
	}
	at := -1
	for i, r := range l {
		switch {
		case cmd.PositionRule != nil && r.rule == cmd.PositionRule,
			cmd.PositionRule == nil && r.handle != 0 && (r.handle == cmd.Position || r.handle == cmd.Handle):
			at = i
		}
		if at >= 0 {
			break
		}
	}
	ins := func(i int) []ruleRef {
		return append(l[:i:i], append([]ruleRef{{rule: rule}}, l[i:]...)...)
	}
	switch cmd.Op {
	case ruleset.OpInsert:
		if at < 0 {
			at = 0
		}
		l = ins(at)
	case ruleset.OpAdd, ruleset.OpCreate:
		if at < 0 {
			at = len(l) - 1
		}
		l = ins(at + 1)
	case ruleset.OpReplace:
		if at >= 0 {
			l[at] = ruleRef{rule: rule}
		}
	}
	ts.rules[cmd.Chain] = l
}

// ruleIndex resolves `index N` to the chain's N-th rule (counting from
// 0) as nft does with its rule cache: a kernel rule by its handle, a rule
// added earlier in the script by value.
func (c *Compiler) ruleIndex(fam ruleset.Family, table, chain string, idx *ast.Uint) (ruleRef, error) {
	l, ok := c.chainRules(c.table(fam, table), chain)
	if !ok {
		return ruleRef{}, errAt(idx, "rule index %d needs the chain's current rules (the kernel ruleset)", idx.V)
	}
	if idx.V >= uint64(len(l)) {
		return ruleRef{}, errAt(idx, "rule index %d does not exist in chain %s", idx.V, chain)
	}
	return l[idx.V], nil
}
