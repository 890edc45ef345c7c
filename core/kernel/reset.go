package kernel

import (
	"errors"

	"golang.org/x/sys/unix"

	"github.com/nfsh/nfsh/core/diag"
	"github.com/nfsh/nfsh/core/nfnl"
	"github.com/nfsh/nfsh/core/ruleset"
	"github.com/nfsh/nfsh/core/wire"
)

// resetObjects runs the reset commands of cmds (`reset counter`, `reset
// quotas`, ...) in order. The kernel resets objects while answering a
// NFT_MSG_GETOBJ_RESET request, not inside a batch; nft 1.0.6 sends those
// requests while it builds the batch, so they take effect before the
// batch commits, and a failed reset stops the script before the batch is
// sent. Apply does the same.
func resetObjects(c *nfnl.Conn, cmds []ruleset.Command) error {
	for i := range cmds {
		cmd := &cmds[i]
		if cmd.Op != ruleset.OpReset {
			continue
		}
		fail := func(err error) error {
			e := &diag.Error{Op: "reset object", Pos: cmd.Pos, Object: cmd.Describe(), Err: err}
			var de *diag.Error
			if errors.As(err, &de) {
				e.Errno, e.Extack = de.Errno, de.Extack
			}
			return e
		}
		if cmd.Kind != ruleset.KindObject {
			return fail(errors.New("only counters and quotas can be reset"))
		}
		attrs := wire.ObjFilter(cmd.Table, cmd.Name, cmd.ObjType)
		var err error
		if cmd.Table != "" && cmd.Name != "" {
			err = c.Query(unix.NFT_MSG_GETOBJ_RESET, uint8(cmd.Family), 0, attrs, nil)
		} else {
			err = c.Dump(nfnl.DumpRequest{Type: unix.NFT_MSG_GETOBJ_RESET, Family: uint8(cmd.Family), Attrs: attrs},
				func(nfnl.Msg) error { return nil })
		}
		if err != nil {
			return fail(err)
		}
	}
	return nil
}
