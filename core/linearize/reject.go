package linearize

import (
	"github.com/nfsh/nfsh/core/ast"
	"github.com/nfsh/nfsh/core/eval"
	"github.com/nfsh/nfsh/core/expr"
	"github.com/nfsh/nfsh/core/ruleset"
	"github.com/nfsh/nfsh/core/types"
)

// NFT_REJECT_* types.
const (
	rejectICMP  = 0
	rejectTCP   = 1
	rejectICMPX = 2
)

// rejectNet returns the network family the rule is known to carry
// (ProtoIP, ProtoIP6, another protocol, or nil).
func rejectNet(ec *eval.Ctx) *types.Proto { return ec.Proto(types.BaseNetwork) }

// reject evaluates a reject statement like stmt_evaluate_reject: the
// default type per family, family conflicts, and the dependency nft
// inserts at the start of the rule.
func (c *Ctx) reject(ec *eval.Ctx, x *ast.Reject) error {
	e := &expr.Reject{}
	var rfam *types.Proto // family of an icmp/icmpv6 reject
	setCode := func(v uint8) { e.ICMPCode = &v }
	// nft's default code: port unreachable, in the reject type's codes
	portUnreach := func(dt *types.Datatype) {
		v, _ := dt.Symbols.Lookup("port-unreachable")
		setCode(uint8(v))
	}
	code := func(dt *types.Datatype) error {
		if x.Code == nil {
			return nil
		}
		k, err := ec.Const(x.Code, dt, types.OrderBig, 8)
		if err != nil {
			return err
		}
		setCode(uint8(k.V.Uint64()))
		return nil
	}
	net := rejectNet(ec)
	switch x.With {
	case "tcp reset":
		e.Type = rejectTCP
		if tp := ec.Proto(types.BaseTransport); tp != nil && tp != types.ProtoTCP && tp != types.ProtoInetService {
			return eval.Errorf(x, "you cannot use tcp reset with this protocol")
		}
	case "icmpx":
		e.Type = rejectICMPX
		if err := code(types.ICMPXCode); err != nil {
			return err
		}
	case "icmp":
		e.Type, rfam = rejectICMP, types.ProtoIP
		if err := code(types.ICMPCode); err != nil {
			return err
		}
	case "icmpv6":
		e.Type, rfam = rejectICMP, types.ProtoIP6
		if err := code(types.ICMPv6Code); err != nil {
			return err
		}
	default:
		switch ec.Family {
		case ruleset.FamilyIP:
			e.Type, rfam = rejectICMP, types.ProtoIP
			portUnreach(types.ICMPCode)
		case ruleset.FamilyIP6:
			e.Type, rfam = rejectICMP, types.ProtoIP6
			portUnreach(types.ICMPv6Code)
		case ruleset.FamilyInet, ruleset.FamilyBridge, ruleset.FamilyNetdev:
			switch net {
			case nil:
				e.Type = rejectICMPX
				portUnreach(types.ICMPXCode)
			case types.ProtoIP:
				e.Type, rfam = rejectICMP, types.ProtoIP
				portUnreach(types.ICMPCode)
			case types.ProtoIP6:
				e.Type, rfam = rejectICMP, types.ProtoIP6
				portUnreach(types.ICMPv6Code)
			default:
				e.Type = rejectICMP
			}
		}
	}
	conflict := func() error { return eval.Errorf(x, "conflicting protocols specified: ip vs ip6") }
	var dep *types.Proto
	switch ec.Family {
	case ruleset.FamilyARP:
		return eval.Errorf(x, "cannot use reject with arp")
	case ruleset.FamilyIP, ruleset.FamilyIP6:
		switch e.Type {
		case rejectTCP:
			dep = types.ProtoTCP
		case rejectICMPX:
			return eval.Errorf(x, "abstracted ICMP unreachable not supported")
		case rejectICMP:
			own := types.ProtoIP
			if ec.Family == ruleset.FamilyIP6 {
				own = types.ProtoIP6
			}
			if rfam != own {
				return conflict()
			}
		}
	case ruleset.FamilyBridge, ruleset.FamilyNetdev, ruleset.FamilyInet:
		if net != nil {
			switch e.Type {
			case rejectICMPX, rejectTCP:
				if ec.Family != ruleset.FamilyInet && net != types.ProtoIP && net != types.ProtoIP6 {
					return eval.Errorf(x, "cannot reject this network family")
				}
			case rejectICMP:
				if net != types.ProtoIP && net != types.ProtoIP6 {
					if ec.Family == ruleset.FamilyInet {
						return eval.Errorf(x, "cannot infer ICMP reject variant to use: explicit value required.")
					}
					return eval.Errorf(x, "cannot reject this network family")
				}
				if net != rfam {
					return conflict()
				}
			}
		}
		switch e.Type {
		case rejectTCP:
			dep = types.ProtoTCP
		case rejectICMP:
			if net == nil {
				dep = rfam
			}
		}
	}
	if dep == types.ProtoTCP && ec.Proto(types.BaseTransport) != nil {
		dep = nil
	}
	if dep != nil {
		if err := ec.Dep(x, dep); err != nil {
			return err
		}
		if err := c.prependDeps(ec); err != nil {
			return err
		}
	}
	c.Add(e)
	return nil
}

// prependDeps emits the pending dependencies at the start of the rule.
func (c *Ctx) prependDeps(ec *eval.Ctx) error {
	c.closeRec(recExpr)
	exprs, recs, mark := c.Exprs, c.recs, c.mark
	c.Exprs, c.recs, c.mark = nil, nil, 0
	if err := c.flushDeps(ec); err != nil {
		return err
	}
	c.closeRec(recExpr)
	n := len(c.Exprs)
	for _, r := range recs {
		r.start += n
		r.end += n
	}
	c.Exprs = append(c.Exprs, exprs...)
	c.recs = append(c.recs, recs...)
	c.mark = mark + n
	return nil
}
