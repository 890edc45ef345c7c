package diff

import (
	"fmt"
	"io"
	"strings"

	"github.com/nfsh/nfsh/core/format"
	"github.com/nfsh/nfsh/core/ruleset"
)

// String returns the patch in nft command syntax, one command a line, e.g.
//
//	delete rule inet f input handle 7
//	add rule inet f input position 12 tcp dport 22 accept
func (p *Patch) String() string {
	var b strings.Builder
	_ = p.Format(&b)
	return b.String()
}

// Format writes the patch in nft command syntax, one command a line. Rule
// bodies are printed like `nft list ruleset` prints them. A rule placed
// after another rule of the same patch (NFTA_RULE_POSITION_ID), which nft
// syntax cannot express, carries the comment "# after the previous rule".
func (p *Patch) Format(w io.Writer) error {
	for _, c := range p.Commands {
		if _, err := io.WriteString(w, p.command(c)+"\n"); err != nil {
			return err
		}
	}
	return nil
}

// table returns the table a command acts on: from the desired value for
// commands that create, else from the current one.
func (p *Patch) table(c *ruleset.Command) *ruleset.Table {
	order := []*ruleset.Ruleset{p.to, p.from}
	if c.Op == ruleset.OpDelete || c.Op == ruleset.OpDestroy {
		order[0], order[1] = p.from, p.to
	}
	for _, rs := range order {
		if rs == nil {
			continue
		}
		if t := rs.Table(c.Family, c.Table); t != nil {
			return t
		}
	}
	return &ruleset.Table{Family: c.Family, Name: c.Table}
}

// command renders one command.
func (p *Patch) command(c *ruleset.Command) string {
	t := p.table(c)
	tn := c.Family.String() + " " + c.Table
	op := c.Op.String()
	switch c.Kind {
	case ruleset.KindTable:
		if c.Op == ruleset.OpAdd && c.TableObj != nil {
			var extra []string
			if c.TableObj.Flags&0x1 != 0 { // NFT_TABLE_F_DORMANT
				extra = append(extra, "flags dormant;")
			}
			if cm := c.TableObj.Comment(); cm != "" {
				extra = append(extra, fmt.Sprintf("comment %q;", cm))
			}
			if len(extra) > 0 {
				return fmt.Sprintf("add table %s { %s }", tn, strings.Join(extra, " "))
			}
		}
		return op + " table " + tn
	case ruleset.KindChain:
		if c.ChainObj != nil && c.Op != ruleset.OpDelete && c.Op != ruleset.OpDestroy {
			ch := *c.ChainObj
			ch.Rules = nil
			body := oneLine(format.ChainString(t, &ch, nil))
			// body is "chain NAME { ... }"; name the table.
			return op + " chain " + tn + " " + strings.TrimPrefix(body, "chain ")
		}
		return op + " chain " + tn + " " + c.Chain
	case ruleset.KindRule:
		where := tn + " " + c.Chain
		switch c.Op {
		case ruleset.OpDelete, ruleset.OpDestroy:
			return fmt.Sprintf("%s rule %s handle %d", op, where, c.Handle)
		case ruleset.OpReplace:
			return fmt.Sprintf("replace rule %s handle %d %s", where, c.Handle, ruleText(t, c))
		case ruleset.OpInsert:
			if c.Position != 0 {
				return fmt.Sprintf("insert rule %s position %d %s", where, c.Position, ruleText(t, c))
			}
			return "insert rule " + where + " " + ruleText(t, c)
		}
		switch {
		case c.Position != 0:
			return fmt.Sprintf("%s rule %s position %d %s", op, where, c.Position, ruleText(t, c))
		case c.PositionRule != nil:
			return fmt.Sprintf("%s rule %s %s # after the previous rule", op, where, ruleText(t, c))
		}
		return op + " rule " + where + " " + ruleText(t, c)
	case ruleset.KindSet:
		if c.Set != nil && c.Op != ruleset.OpDelete && c.Op != ruleset.OpDestroy {
			body := oneLine(format.SetString(t, c.Set, nil))
			kw, rest, _ := strings.Cut(body, " ") // "set NAME { ... }" or "map NAME { ... }"
			return op + " " + kw + " " + tn + " " + rest
		}
		return op + " set " + tn + " " + c.Name
	case ruleset.KindElements:
		return fmt.Sprintf("%s element %s %s { %s }", op, tn, c.Name, elementsText(t, c))
	case ruleset.KindObject:
		if c.Object != nil && c.Op != ruleset.OpDelete && c.Op != ruleset.OpDestroy {
			body := oneLine(format.ObjectString(c.Object, nil))
			kw, rest, _ := strings.Cut(body, " "+c.Object.Name+" ")
			return op + " " + kw + " " + tn + " " + c.Object.Name + " " + rest
		}
		return fmt.Sprintf("%s %s %s %s", op, objKeyword(c.ObjType), tn, c.Name)
	case ruleset.KindFlowtable:
		if c.Flowtable != nil && c.Op != ruleset.OpDelete && c.Op != ruleset.OpDestroy {
			return op + " flowtable " + tn + " " + strings.TrimPrefix(oneLine(format.FlowtableString(c.Flowtable, nil)), "flowtable ")
		}
		return op + " flowtable " + tn + " " + c.Name
	}
	return op + " " + c.Describe()
}

// ruleText is a rule's body as nft lists it, or its source text when the
// printer cannot render it.
func ruleText(t *ruleset.Table, c *ruleset.Command) string {
	if c.Rule == nil {
		return c.Text
	}
	s, err := format.Rule(t, c.Rule)
	if err != nil || s == "" {
		if c.Text != "" {
			return c.Text
		}
		return fmt.Sprintf("# %d expressions", len(c.Rule.Exprs))
	}
	return s
}

// elementsText prints the elements of a command as the set's listing
// would, by listing a copy of the set that holds only them.
func elementsText(t *ruleset.Table, c *ruleset.Command) string {
	s := t.Set(c.Name)
	if s == nil {
		return fmt.Sprintf("# %d elements", len(c.Elements))
	}
	cp := *s
	cp.Elements = c.Elements
	body := oneLine(format.SetString(t, &cp, nil))
	_, el, ok := strings.Cut(body, "elements = { ")
	if !ok {
		return fmt.Sprintf("# %d elements", len(c.Elements))
	}
	if i := strings.LastIndex(el, " }"); i >= 0 {
		el = el[:i]
	}
	if i := strings.LastIndex(el, " }"); i >= 0 {
		el = el[:i]
	}
	return el
}

// oneLine collapses a listing block to one line: "chain c { type ...; }".
func oneLine(block string) string {
	var parts []string
	for _, l := range strings.Split(block, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			parts = append(parts, l)
		}
	}
	s := strings.Join(parts, " ")
	return strings.ReplaceAll(s, "{ }", "{}")
}

// objKeyword names an object type in nft commands.
func objKeyword(typ uint32) string {
	switch typ {
	case 1:
		return "counter"
	case 2:
		return "quota"
	case 3:
		return "ct helper"
	case 4:
		return "limit"
	case 7:
		return "ct timeout"
	case 8:
		return "secmark"
	case 9:
		return "ct expectation"
	case 10:
		return "synproxy"
	}
	return "object"
}
