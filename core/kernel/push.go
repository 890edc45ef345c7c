package kernel

import (
	"golang.org/x/sys/unix"

	"github.com/nfsh/nfsh/core/diag"
	"github.com/nfsh/nfsh/core/nfnl"
	"github.com/nfsh/nfsh/core/ruleset"
	"github.com/nfsh/nfsh/core/wire"
)

// PushOptions modify Push.
type PushOptions struct {
	// Check sends the batch without committing it.
	Check bool
	// GenID, when not nil, makes the kernel refuse the batch with ERESTART
	// if the ruleset generation changed since it was read.
	GenID *uint32
}

// Push replaces the tables named in rs with their content in rs, in ONE
// atomic batch: each table is destroyed (NFT_MSG_DESTROYTABLE, or on
// kernels before 6.3 added and deleted) and rebuilt. Tables carry the
// owner flag unless Table.Persist, so they disappear when c closes;
// persisting tables get NFT_TABLE_F_PERSIST with the owner flag where the
// kernel supports it, and no owner flag elsewhere.
//
// The value is validated first (ruleset.Validate): an invalid value is
// refused before anything is sent.
func Push(c *nfnl.Conn, rs *ruleset.Ruleset, opts PushOptions) error {
	if err := rs.Validate(); err != nil {
		return err
	}
	feat, err := Probe(c)
	if err != nil {
		return err
	}
	size := 4096
	for _, t := range rs.Tables {
		for _, ch := range t.Chains {
			size += 256 * len(ch.Rules)
		}
	}
	e := newEncoder(size, feat)
	if opts.GenID != nil {
		e.b.SetGenID(*opts.GenID)
	}
	for _, t := range rs.Tables {
		for _, s := range t.Sets {
			if s.ID > e.nextSetID {
				e.nextSetID = s.ID
			}
		}
		for _, ch := range t.Chains {
			for _, r := range ch.Rules {
				for _, s := range r.Sets {
					if s.ID > e.nextSetID {
						e.nextSetID = s.ID
					}
				}
			}
		}
	}
	for _, t := range rs.Tables {
		tg := tag{cmd: -1, op: "replace table", object: "table " + t.Family.String() + " " + t.Name, pos: t.Pos}
		if feat.Destroy {
			wire.DelTable(e.b, wire.MsgDestroyTable, t.Family, t.Name, 0)
		} else {
			wire.AddTable(e.b, &ruleset.Table{Family: t.Family, Name: t.Name}, 0, 0)
			wire.DelTable(e.b, unix.NFT_MSG_DELTABLE, t.Family, t.Name, 0)
		}
		e.note(0, tg)
	}
	for _, t := range rs.Tables {
		e.markFresh(t.Family, t.Name) // destroyed above: rebuilt as a new table
		if err := e.table(t); err != nil {
			return err
		}
	}
	return e.send(c, opts.Check)
}

// table encodes a whole table: the table, flowtables, objects, chains,
// named sets with elements, then the rules with their anonymous sets.
func (e *encoder) table(t *ruleset.Table) error {
	tn := t.Family.String() + " " + t.Name
	wire.AddTable(e.b, t, e.tableFlags(t), 0)
	e.note(0, tag{cmd: -1, op: "add table", object: "table " + tn, pos: t.Pos})
	for _, f := range t.Flowtables {
		wire.AddFlowtable(e.b, t.Family, t.Name, f, fCreate)
		e.note(0, tag{cmd: -1, op: "add flowtable", object: "flowtable " + tn + " " + f.Name, pos: f.Pos})
	}
	for _, o := range t.Objects {
		wire.AddObj(e.b, t.Family, t.Name, o, fCreate)
		e.note(0, tag{cmd: -1, op: "add object", object: "object " + tn + " " + o.Name, pos: o.Pos})
	}
	for _, ch := range t.Chains {
		wire.AddChain(e.b, t.Family, t.Name, ch, fCreate)
		e.note(0, tag{cmd: -1, op: "add chain", object: "chain " + tn + " " + ch.Name, pos: ch.Pos})
	}
	for _, s := range t.Sets {
		if err := e.addSet(t.Family, t.Name, s, 0, tag{cmd: -1, op: "add set", object: "set " + tn + " " + s.Name, pos: s.Pos}); err != nil {
			return err
		}
	}
	for _, ch := range t.Chains {
		for _, r := range ch.Rules {
			tg := tag{cmd: -1, op: "add rule", object: "rule in " + tn + " " + ch.Name, pos: r.Pos, text: r.Text}
			if r.Text != "" {
				tg.object = "rule \"" + r.Text + "\" in " + tn + " " + ch.Name
			}
			if err := e.addRule(t.Family, t.Name, ch.Name, r, wire.RuleRef{}, fCreate|fAppend, tg); err != nil {
				return diag.Wrap("push", r.Pos, err)
			}
		}
	}
	return nil
}
