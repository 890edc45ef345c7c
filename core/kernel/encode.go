package kernel

import (
	"github.com/nfsh/nfsh/core/nfnl"
	"github.com/nfsh/nfsh/core/ruleset"
)

// Encode returns the batch Apply would send for cmds, built offline: the
// kernel is taken to support feat, to hold none of the tables the commands
// add, and resets are left out (Apply runs them before the batch). With
// opts.Persist the tables carry no owner flag, so the messages are those
// `nft -f` sends; opts.Check is ignored. It serves tests that compare
// nfsh's batch with nft's.
func Encode(cmds []ruleset.Command, feat Features, opts ApplyOptions) (*nfnl.Batch, error) {
	e := newEncoder(0, feat)
	e.persist = opts.Persist
	if opts.GenID != nil {
		e.b.SetGenID(*opts.GenID)
	}
	e.prescan(cmds)
	for i := range cmds {
		if err := e.command(i, &cmds[i]); err != nil {
			return nil, err
		}
	}
	return e.b, nil
}
