package kernel

import (
	"github.com/nfsh/nfsh/core/nfnl"
	"github.com/nfsh/nfsh/core/ruleset"
)

// Echo (ApplyOptions.Echo) follows `nft -e` (nft 1.0.6): the messages of
// add, create, insert and replace commands carry NLM_F_ECHO, those of
// delete, destroy, flush and rename do not. When the batch commits, the
// kernel unicasts the notification of every object an echoing message
// changed back to the socket, with that message's sequence number (a
// replaced rule: the removed rule's DELRULE, then the new rule's
// NEWRULE; an element message: one notification per element), and it
// echoes the commit's NFT_MSG_NEWGEN only when the batch's first message
// carried the flag. Adding what exists already changes nothing and
// echoes nothing.

// echoes reports whether nft -e echoes the messages of a command op.
func echoes(op ruleset.Op) bool {
	switch op {
	case ruleset.OpAdd, ruleset.OpCreate, ruleset.OpInsert, ruleset.OpReplace:
		return true
	}
	return false
}

// echoFunc returns the nfnl.SendOptions.Echo of the batch: the messages
// go to e.echo with their attributes copied (nfnl reuses its buffer).
func (e *encoder) echoFunc() func(nfnl.Msg) error {
	if e.echo == nil {
		return nil
	}
	return func(m nfnl.Msg) error {
		m.Attrs = append([]byte(nil), m.Attrs...)
		e.echo(m)
		return nil
	}
}
