package wire

import (
	"fmt"

	"github.com/nfsh/nfsh/core/diag"
	"github.com/nfsh/nfsh/core/expr"
	"github.com/nfsh/nfsh/core/ruleset"
)

// RuleRef places and identifies a rule in a NEWRULE message.
type RuleRef struct {
	Handle     uint64 // NFTA_RULE_HANDLE: replace this rule (with NLM_F_REPLACE)
	Position   uint64 // NFTA_RULE_POSITION: add after / insert before this handle
	ID         uint32 // NFTA_RULE_ID: batch-local id other rules can be placed against
	PositionID uint32 // NFTA_RULE_POSITION_ID: place against the rule with this NFTA_RULE_ID
}

// AddRule appends a NEWRULE message for r in table/chain. nft passes
// NLM_F_CREATE|NLM_F_APPEND for `add`, NLM_F_CREATE for `insert` and
// NLM_F_REPLACE for `replace` (with ref.Handle).
func AddRule(s Sink, family ruleset.Family, table, chain string, r *ruleset.Rule, ref RuleRef, nlflags uint16) (int, error) {
	exprs, err := expr.Marshal(r.Exprs)
	if err != nil {
		return -1, err
	}
	if len(exprs)+4 > 0xffff {
		return -1, &diag.Error{Op: "encode rule", Pos: r.Pos, Msg: fmt.Sprintf("rule expressions take %d bytes, more than a netlink attribute holds", len(exprs))}
	}
	b := s.Begin(0x06, uint8(family), nlflags) // NFT_MSG_NEWRULE
	b = putStrz(b, attrRuleTable, table)       // NFTA_RULE_TABLE
	b = putStrz(b, attrRuleChain, chain)       // NFTA_RULE_CHAIN
	if ref.Handle != 0 {
		b = putU64(b, attrRuleHandle, ref.Handle) // NFTA_RULE_HANDLE
	}
	b = putNested(b, attrRuleExpressions, exprs) // NFTA_RULE_EXPRESSIONS
	if ref.Position != 0 {
		b = putU64(b, attrRulePosition, ref.Position) // NFTA_RULE_POSITION
	}
	if len(r.Userdata) > 0 {
		b = putAttr(b, attrRuleUserdata, r.Userdata) // NFTA_RULE_USERDATA
	}
	compat := r.Compat
	if len(compat) == 0 {
		compat = ruleCompat(family, r.Exprs) // the kernel does not dump it
	}
	if len(compat) > 0 {
		b = putNested(b, attrRuleCompat, compat) // NFTA_RULE_COMPAT
	}
	if ref.ID != 0 {
		b = putU32(b, attrRuleID, ref.ID) // NFTA_RULE_ID
	}
	if ref.PositionID != 0 {
		b = putU32(b, attrRulePositionID, ref.PositionID) // NFTA_RULE_POSITION_ID
	}
	return s.End(b), nil
}

// DelRule appends a DELRULE or DESTROYRULE (typ) message. With handle 0
// it flushes the chain, and with chain "" too the whole table, as
// `flush chain` and `flush table` do.
func DelRule(s Sink, typ uint16, family ruleset.Family, table, chain string, handle uint64) int {
	b := s.Begin(typ, uint8(family), 0)
	b = putStrz(b, attrRuleTable, table) // NFTA_RULE_TABLE
	if chain != "" {
		b = putStrz(b, attrRuleChain, chain) // NFTA_RULE_CHAIN
	}
	if handle != 0 {
		b = putU64(b, attrRuleHandle, handle) // NFTA_RULE_HANDLE
	}
	return s.End(b)
}

// DecodeRule decodes the attributes of a NEWRULE message.
func DecodeRule(attrs []byte) (table, chain string, r *ruleset.Rule, err error) {
	ad, err := newDecoder(attrs)
	if err != nil {
		return "", "", nil, decodeErr("rule", err)
	}
	r = &ruleset.Rule{}
	for ad.Next() {
		switch ad.Type() {
		case attrRuleTable: // NFTA_RULE_TABLE
			table = ad.String()
		case attrRuleChain: // NFTA_RULE_CHAIN
			chain = ad.String()
		case attrRuleHandle: // NFTA_RULE_HANDLE
			r.Handle = ad.Uint64()
		case attrRuleExpressions: // NFTA_RULE_EXPRESSIONS
			ad.Do(func(b []byte) error {
				es, err := expr.Unmarshal(b)
				r.Exprs = es
				return err
			})
		case attrRuleUserdata: // NFTA_RULE_USERDATA
			r.Userdata = ad.Bytes()
		case attrRuleCompat: // NFTA_RULE_COMPAT
			r.Compat = ad.Bytes()
		}
	}
	if err := ad.Err(); err != nil {
		return "", "", nil, decodeErr("rule", err)
	}
	if table == "" || chain == "" {
		return "", "", nil, decodeErr("rule", errMissing("NFTA_RULE_TABLE or NFTA_RULE_CHAIN"))
	}
	return table, chain, r, nil
}
