package delinearize

import (
	"fmt"
	"strings"

	"github.com/nfsh/nfsh/core/types"
)

// stmtKind is the kind of an nft statement.
type stmtKind uint8

const (
	sExpr stmtKind = iota
	sVerdict
	sPayload
	sExthdr
	sMeta
	sCt
	sNat
	sTproxy
	sReject
	sSet
	sMap
	sMeter
	sDup
	sFwd
	sObjref
	sQueue
	sText // fixed text (counter, log, limit, ...)
)

// stmt is one nft statement of a rule.
type stmt struct {
	k        stmtKind
	prefix   bool
	verbose  bool
	stateful bool   // counter/quota whose values depend on stateless output
	natType  uint32 // the small fields first, packed
	expr     *node  // sExpr, sVerdict
	// generic operands
	key, val *node
	a, b     *node
	text     string
	num      uint32
	flags    uint32
	family   int
	tfamily  int // table family
	code     int
	setRef   *node
	sub      []*stmt
	printFn  func(o *Options) string
}

func (s *stmt) print(o *Options) string {
	if s.printFn != nil {
		return s.printFn(o)
	}
	switch s.k {
	case sExpr, sVerdict:
		return s.expr.print(o)
	case sPayload:
		return s.key.print(o) + " set " + s.val.print(o)
	case sExthdr:
		return s.key.print(o) + " set " + s.val.print(o)
	case sMeta:
		return metaName(s.num) + " set " + s.val.print(o)
	case sCt:
		n := &node{k: kCt, key: s.num, dir: int32(s.family)}
		return ctName(n) + " set " + s.val.print(o)
	case sNat:
		return s.natString(o)
	case sTproxy:
		var sb strings.Builder
		sb.WriteString("tproxy")
		if s.tfamily == 1 && s.family != 0 {
			sb.WriteString(" " + familyName(s.family))
		}
		sb.WriteString(" to")
		if s.a != nil {
			sb.WriteString(" ")
			if s.a.k == kValue && s.a.t.ID == types.TypeIP6Addr {
				sb.WriteString("[" + s.a.print(o) + "]")
			} else {
				sb.WriteString(s.a.print(o))
			}
		}
		if s.b != nil && s.b.k == kValue {
			if s.a == nil {
				sb.WriteString(" ")
			}
			sb.WriteString(":" + s.b.print(o))
		}
		return sb.String()
	case sReject:
		return s.rejectString(o)
	case sSet, sMap:
		var sb strings.Builder
		sb.WriteString(dynsetOps[s.num] + " ")
		sb.WriteString(s.setRef.print(o))
		sb.WriteString(" { ")
		sb.WriteString(s.key.print(o))
		so := statelessOpts(o)
		for _, x := range s.sub {
			sb.WriteString(" " + x.print(so))
		}
		if s.k == sMap {
			sb.WriteString(" : " + s.val.print(o))
		}
		sb.WriteString(" }")
		return sb.String()
	case sMeter:
		var sb strings.Builder
		sb.WriteString("meter ")
		if s.setRef != nil {
			sb.WriteString(s.setRef.set.name + " ")
		}
		fmt.Fprintf(&sb, "size %d { ", s.num)
		sb.WriteString(s.key.print(o) + " ")
		if len(s.sub) > 0 {
			sb.WriteString(s.sub[0].print(statelessOpts(o)))
		}
		sb.WriteString(" }")
		return sb.String()
	case sDup:
		out := "dup"
		if s.a != nil {
			out += " to " + s.a.print(o)
			if s.b != nil {
				out += " device " + s.b.print(o)
			}
		}
		return out
	case sFwd:
		if s.b != nil {
			return "fwd " + familyName(s.family) + " to " + s.b.print(o) + " device " + s.a.print(o)
		}
		return "fwd to " + s.a.print(o)
	case sObjref:
		var pre string
		switch s.num {
		case 3:
			pre = "ct helper set "
		case 7:
			pre = "ct timeout set "
		case 9:
			pre = "ct expectation set "
		case 8:
			pre = "meta secmark set "
		default:
			pre = objTypeName(s.num) + " name "
		}
		return pre + s.expr.print(o)
	case sQueue:
		var sb strings.Builder
		sb.WriteString("queue")
		d := " flags "
		if s.flags&1 != 0 {
			sb.WriteString(d + "bypass")
			d = ","
		}
		if s.flags&2 != 0 {
			sb.WriteString(d + "fanout")
		}
		if s.expr != nil {
			sb.WriteString(" to " + s.expr.print(o))
		} else {
			sb.WriteString(" to 0")
		}
		return sb.String()
	case sText:
		return s.text
	}
	return "unknown"
}

var dynsetOps = map[uint32]string{0: "add", 1: "update", 2: "delete"}

func statelessOpts(o *Options) *Options {
	var c Options
	if o != nil {
		c = *o
	}
	c.Stateless = true
	return &c
}

func familyName(f int) string {
	switch f {
	case 2:
		return "ip"
	case 10:
		return "ip6"
	case 1:
		return "inet"
	case 3:
		return "arp"
	case 5:
		return "netdev"
	case 7:
		return "bridge"
	}
	return "unknown"
}

func objTypeName(t uint32) string {
	switch t {
	case 1:
		return "counter"
	case 2:
		return "quota"
	case 3:
		return "ct helper"
	case 4:
		return "limit"
	case 7:
		return "ct timeout"
	case 8:
		return "secmark"
	case 10:
		return "synproxy"
	case 9:
		return "ct expectation"
	}
	return "unknown"
}

func (s *stmt) natString(o *Options) string {
	var sb strings.Builder
	sb.WriteString([]string{"snat", "dnat", "masquerade", "redirect"}[s.natType])
	if s.a != nil || s.b != nil {
		switch s.family {
		case 2:
			sb.WriteString(" ip")
		case 10:
			sb.WriteString(" ip6")
		}
		if s.prefix {
			sb.WriteString(" prefix")
		}
		sb.WriteString(" to")
	}
	if s.a != nil {
		sb.WriteString(" ")
		if s.b != nil {
			if s.a.k == kValue && s.a.t.ID == types.TypeIP6Addr {
				sb.WriteString("[" + s.a.print(o) + "]")
			} else if s.a.k == kRange && s.a.left.t.ID == types.TypeIP6Addr {
				sb.WriteString("[" + s.a.left.print(o) + "]-[" + s.a.right.print(o) + "]")
			} else {
				sb.WriteString(s.a.print(o))
			}
		} else {
			sb.WriteString(s.a.print(o))
		}
	}
	if s.b != nil {
		if s.a == nil {
			sb.WriteString(" ")
		}
		sb.WriteString(":" + s.b.print(o))
	}
	if s.flags != 0 {
		d := " "
		if s.flags&0x4 != 0 {
			sb.WriteString(d + "random")
			d = ","
		}
		if s.flags&0x10 != 0 {
			sb.WriteString(d + "fully-random")
			d = ","
		}
		if s.flags&0x8 != 0 {
			sb.WriteString(d + "persistent")
		}
	}
	return sb.String()
}

func (s *stmt) rejectString(o *Options) string {
	out := "reject"
	codeNode := &node{k: kValue, t: s.a.t, order: types.OrderBig, len: 8, v: s.a.v}
	switch s.num {
	case 1: // tcp rst
		out += " with tcp reset"
	case 2: // icmpx
		if s.code == 1 {
			break
		}
		out += " with icmpx " + codeNode.print(o)
	case 0:
		switch s.family {
		case 2:
			if !s.verbose && s.code == 3 {
				break
			}
			out += " with icmp " + codeNode.print(o)
		case 10:
			if !s.verbose && s.code == 4 {
				break
			}
			out += " with icmpv6 " + codeNode.print(o)
		}
	}
	return out
}

func rateUnit(bytes uint64) (uint64, string) {
	units := []string{"bytes", "kbytes", "mbytes"}
	if bytes == 0 {
		return 0, "bytes"
	}
	i := 0
	for ; i < 2; i++ {
		if bytes%1024 != 0 {
			break
		}
		bytes /= 1024
	}
	return bytes, units[i]
}

func timeUnit(u uint64) string {
	switch u {
	case 1:
		return "second"
	case 60:
		return "minute"
	case 3600:
		return "hour"
	case 86400:
		return "day"
	case 604800:
		return "week"
	}
	return "error"
}

var logLevels = []string{"emerg", "alert", "crit", "err", "warn", "notice", "info", "debug", "audit"}
