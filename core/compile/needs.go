package compile

import (
	"github.com/nfsh/nfsh/core/ast"
	"github.com/nfsh/nfsh/core/ruleset"
)

// Ref names a set or chain of the kernel: family, table and name.
type Ref struct {
	Family      ruleset.Family
	Table, Name string
}

// Needs is what compiling a script reads from Options.Known beyond the
// declarations (tables, chains, named sets, objects, flowtables): the
// elements of the sets its element commands and set declarations touch
// (of interval sets: overlap, merge and delete of ranges), and the rules of the chains it
// adds or inserts into by `index N`. All is set when some command needs
// the whole ruleset. A caller that pulls the kernel for Known can pull
// only this (core/kernel PullOptions.Scope): a one-rule change to a big
// ruleset then reads little, as nft's cache does.
type Needs struct {
	Sets, Chains []Ref
	All          bool
}

// ScriptNeeds returns what compiling f against the kernel needs.
func ScriptNeeds(f *ast.File) Needs {
	var n Needs
	for _, cmd := range f.Commands {
		fam := ruleset.FamilyIP // nft's default
		if cmd.Spec.Family != "" {
			var ok bool
			if fam, ok = ruleset.ParseFamily(cmd.Spec.Family); !ok {
				continue // an evaluation error follows
			}
		}
		table := ""
		if cmd.Spec.Table != nil {
			table = cmd.Spec.Table.Name
		}
		switch cmd.Op {
		case ast.OpAdd, ast.OpCreate, ast.OpInsert, ast.OpReplace, ast.OpDelete, ast.OpDestroy, ast.OpFlush, ast.OpRename:
		default:
			n.All = true // reset, get, list, ...: read everything
			continue
		}
		switch cmd.Obj {
		case ast.ObjElement, ast.ObjSet, ast.ObjMap:
			if cmd.Spec.Name != nil {
				n.Sets = append(n.Sets, Ref{fam, table, cmd.Spec.Name.Name})
			}
		case ast.ObjRule:
			if cmd.Spec.Index != nil && cmd.Spec.Chain != nil {
				n.Chains = append(n.Chains, Ref{fam, table, cmd.Spec.Chain.Name})
			}
		case ast.ObjTable:
			if cmd.Table != nil {
				for _, s := range cmd.Table.Sets {
					if s.Name != nil {
						n.Sets = append(n.Sets, Ref{fam, table, s.Name.Name})
					}
				}
			}
		}
	}
	return n
}
