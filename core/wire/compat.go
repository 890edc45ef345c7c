package wire

import (
	"github.com/nfsh/nfsh/core/expr"
	"github.com/nfsh/nfsh/core/ruleset"
)

// NFTA_RULE_COMPAT attributes and flags.
const (
	attrRuleCompatProto = 1      // NFTA_RULE_COMPAT_PROTO
	attrRuleCompatFlags = 2      // NFTA_RULE_COMPAT_FLAGS
	ruleCompatInv       = 1 << 1 // NFT_RULE_COMPAT_F_INV
)

// ruleCompat returns the NFTA_RULE_COMPAT body a rule with xt match or
// target expressions needs, or nil for other rules.
//
// The kernel never dumps NFTA_RULE_COMPAT, yet xt extensions check the
// rule's layer 4 protocol through it (multiport, REJECT --reject-with
// tcp-reset, TCPMSS, icmp6 ... refuse a rule without it). Like
// iptables-nft, the protocol is taken from the rule's own protocol match:
// `meta l4proto` or, for older iptables-nft, the IPv4 protocol / IPv6 next
// header byte, compared for (in)equality.
func ruleCompat(family ruleset.Family, es []expr.Expr) []byte {
	xt := false
	for _, e := range es {
		switch e.(type) {
		case *expr.Match, *expr.Target:
			xt = true
		}
	}
	if !xt {
		return nil
	}
	proto, inv := compatProto(family, es)
	var flags uint32
	if inv {
		flags = ruleCompatInv
	}
	var b []byte
	b = putU32(b, attrRuleCompatProto, proto) // NFTA_RULE_COMPAT_PROTO
	b = putU32(b, attrRuleCompatFlags, flags) // NFTA_RULE_COMPAT_FLAGS
	return b
}

// compatProto finds the first layer 4 protocol match of a rule: the
// protocol number and whether the match is inverted (0, false if none).
func compatProto(family ruleset.Family, es []expr.Expr) (proto uint32, inv bool) {
	protoReg := map[uint32]bool{}
	for _, e := range es {
		switch e := e.(type) {
		case *expr.Meta:
			protoReg[e.DReg] = e.SReg == 0 && e.Key == 16 // NFT_META_L4PROTO
		case *expr.Payload:
			protoReg[e.DReg] = e.SReg == 0 && e.Base == expr.PayloadBaseNetwork && e.Len == 1 &&
				((family == ruleset.FamilyIP && e.Offset == 9) || (family == ruleset.FamilyIP6 && e.Offset == 6))
		case *expr.Cmp:
			if protoReg[e.SReg] && len(e.Data) == 1 && (e.Op == expr.CmpEq || e.Op == expr.CmpNeq) {
				return uint32(e.Data[0]), e.Op == expr.CmpNeq
			}
		}
	}
	return 0, false
}
