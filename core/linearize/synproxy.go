package linearize

import (
	"github.com/nfsh/nfsh/core/ast"
	"github.com/nfsh/nfsh/core/expr"
)

// NF_SYNPROXY_OPT_* flags.
const (
	synproxyMSS       = 0x1
	synproxyWscale    = 0x2
	synproxySackPerm  = 0x4
	synproxyTimestamp = 0x8
)

// synproxy emits the synproxy statement with the options written.
func (c *Ctx) synproxy(x *ast.Synproxy) error {
	e := &expr.Synproxy{}
	if x.Mss != nil {
		e.MSS = uint16(x.Mss.V)
		e.Flags |= synproxyMSS
	}
	if x.Wscale != nil {
		e.Wscale = uint8(x.Wscale.V)
		e.Flags |= synproxyWscale
	}
	if x.Timestamp {
		e.Flags |= synproxyTimestamp
	}
	if x.SackPerm {
		e.Flags |= synproxySackPerm
	}
	c.Add(e)
	return nil
}
