package compile

import (
	"github.com/nfsh/nfsh/core/ast"
	"github.com/nfsh/nfsh/core/diag"
)

// nameMax is the longest table, chain, set, object or flowtable name the
// kernel accepts (NFT_NAME_MAXLEN - 1 bytes; longer names get ERANGE).
const nameMax = 255

// checkName rejects a name the kernel would refuse as too long.
func checkName(at *ast.Ident, pos diag.Pos, what, name string) error {
	if len(name) <= nameMax {
		return nil
	}
	if at != nil {
		pos = at.Pos()
	}
	e := diag.Errorf(pos, "%s name too long: %d bytes, the kernel allows at most %d", what, len(name), nameMax)
	e.Op = "eval"
	return e
}

// nftNameMax is the name length past which nft itself refuses a table
// name (NFT_NAME_MAXLEN, checked by its parser).
const nftNameMax = 256

// checkTableName rejects a table name that is too long, in nft's words
// when nft refuses it too.
func checkTableName(at *ast.Ident, pos diag.Pos, name string) error {
	if len(name) > nftNameMax {
		if at != nil {
			pos = at.Pos()
		}
		e := diag.Errorf(pos, "name too long, %d characters maximum allowed", nftNameMax)
		e.Op = "eval"
		return e
	}
	return checkName(at, pos, "table", name)
}
