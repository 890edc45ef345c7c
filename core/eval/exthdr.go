package eval

import (
	"github.com/nfsh/nfsh/core/ast"
)

func (c *Ctx) exthdr(n *ast.Exthdr) (*Load, error) {
	return nil, Errorf(n, "extension headers are not supported yet")
}
