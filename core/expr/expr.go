// Package expr holds the kernel expressions of nf_tables rules: one Go type
// per kernel expression ("payload", "cmp", "meta", ...), their netlink
// encoding (the NFTA_EXPR_DATA attributes) and their text form exactly as
// `nft --debug=netlink` (libnftnl) prints it.
//
// An expression nfsh does not know is decoded as *Raw and re-encoded byte
// for byte, so nothing pulled from the kernel is ever lost.
package expr

import "github.com/mdlayher/netlink"

// Expr is one kernel expression, an NFTA_LIST_ELEM of NFTA_RULE_EXPRESSIONS.
// The interface is sealed: only this package defines expressions.
type Expr interface {
	// Name is the kernel expression name (NFTA_EXPR_NAME), e.g. "payload".
	Name() string
	// String is the body of the expression as `nft --debug=netlink` prints
	// it between "[ " and " ]", e.g. "payload load 2b @ transport header + 2 => reg 1".
	String() string
	// marshal writes the NFTA_EXPR_DATA attributes.
	marshal(ae *netlink.AttributeEncoder) error
}
