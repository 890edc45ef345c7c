package linearize

import (
	"github.com/nfsh/nfsh/core/ast"
	"github.com/nfsh/nfsh/core/diag"
)

// stmtPos returns where nft locates the kernel expressions of statement
// s, which is where it points when the kernel refuses one of them
// (netlink_linearize.c: the statement's location, or an object
// reference's name). nft's parser gives log, counter, reject, nat and
// the classic queue statement the location of their keyword only.
func stmtPos(s ast.Stmt) diag.Pos {
	p := s.Pos()
	kw := func(n int) diag.Pos {
		if p.Len > n {
			p.Len = n
		}
		return p
	}
	switch x := s.(type) {
	case *ast.Log:
		return kw(len("log"))
	case *ast.Counter:
		return kw(len("counter"))
	case *ast.Reject:
		return kw(len("reject"))
	case *ast.Nat:
		return kw(len(x.Kind))
	case *ast.Queue:
		// `queue [num N] [flags]` is located at its keyword,
		// `queue to EXPR` and `queue flags F num N` as a whole.
		if x.Num == nil || x.Num.Pos().Off-p.Off == len("queue num ") {
			return kw(len("queue"))
		}
	case *ast.ObjRef:
		if x.Name != nil && x.Name.Pos().IsValid() {
			return x.Name.Pos()
		}
	}
	return p
}
