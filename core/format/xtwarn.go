package format

import (
	"io"

	"github.com/nfsh/nfsh/core/expr"
	"github.com/nfsh/nfsh/core/ruleset"
)

// XtWarning returns the line nft 1.0.6 writes to its error stream before
// listing a table that holds iptables-nft rules (any rule with an xt match
// or target expression), or "" for other tables.
func XtWarning(t *ruleset.Table) string {
	if t == nil || !hasXt(t) {
		return ""
	}
	return "# Warning: table " + t.Family.String() + " " + t.Name + " is managed by iptables-nft, do not touch!\n"
}

func hasXt(t *ruleset.Table) bool {
	for _, c := range t.Chains {
		for _, r := range c.Rules {
			for _, e := range r.Exprs {
				switch e.(type) {
				case *expr.Match, *expr.Target:
					return true
				}
			}
		}
	}
	return false
}

// RulesetWarn writes rs like `nft list ruleset` to w and, like nft, the
// iptables-nft warning of each table to ew just before that table.
func RulesetWarn(w, ew io.Writer, rs *ruleset.Ruleset, o *Options) error {
	if rs == nil {
		return nil
	}
	for _, t := range rs.Tables {
		if s := XtWarning(t); s != "" && ew != nil {
			if f, ok := w.(interface{ Flush() error }); ok {
				if err := f.Flush(); err != nil {
					return err
				}
			}
			if _, err := io.WriteString(ew, s); err != nil {
				return err
			}
		}
		if err := TableOpts(w, t, o); err != nil {
			return err
		}
	}
	return nil
}
