package delinearize

import (
	"encoding/binary"
	"fmt"
	"net/netip"
	"strings"

	"github.com/nfsh/nfsh/core/expr"
)

// xlateBuf accumulates an xtables translation the way libxtables'
// xt_xlate_add does: a space is inserted before a chunk that starts with a
// letter, digit or bracket when the text so far does not end in a space, and
// trailing whitespace is dropped when the result is read.
type xlateBuf struct{ b []byte }

func (x *xlateBuf) add(format string, a ...any) {
	s := fmt.Sprintf(format, a...)
	if s == "" {
		return
	}
	if n := len(x.b); n > 0 && !isSpace(x.b[n-1]) && (isAlnum(s[0]) || isBracket(s[0])) {
		x.b = append(x.b, ' ')
	}
	x.b = append(x.b, s...)
}

func (x *xlateBuf) String() string { return strings.TrimRight(string(x.b), " \t\n\v\f\r") }

func isSpace(c byte) bool { return c == ' ' || (c >= '\t' && c <= '\r') }

func isAlnum(c byte) bool {
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
}

func isBracket(c byte) bool {
	switch c {
	case '(', ')', '{', '}', '[', ']':
		return true
	}
	return false
}

// xtCtx is what a translation may look at besides the info bytes: the table
// family and the transport protocol known before the statement (nft's
// xt_proto, which only names tcp, udp, udplite, sctp, dccp, esp and ah).
type xtCtx struct {
	family uint8
	proto  uint8
}

// xtMatchXlate translates one match's info, as its libxtables module does;
// ok is false when the module has no translation for it.
type xtXlateFunc func(x *xlateBuf, c xtCtx, info []byte) bool

// xtMatches and xtTargets map (family, name) to a translation; family 0
// stands for every family.
var xtMatches = map[string]xtXlateFunc{}
var xtTargets = map[string]xtXlateFunc{}

func xtKey(family uint8, name string) string { return fmt.Sprintf("%d/%s", family, name) }

func xtLookup(m map[string]xtXlateFunc, family uint8, name string) xtXlateFunc {
	if f, ok := m[xtKey(family, name)]; ok {
		return f
	}
	return m[xtKey(0, name)]
}

// xtStmt is the statement for an xt match or target: the module's
// translation where nfsh knows one, else `xt match NAME` / `xt target NAME`
// as nft prints untranslatable ones.
func (c *parseCtx) xtStmt(match bool, name string, info []byte) *stmt {
	kind, tbl := "target", xtTargets
	if match {
		kind, tbl = "match", xtMatches
	}
	if f := xtLookup(tbl, c.family, name); f != nil {
		var x xlateBuf
		ok := func() (ok bool) {
			defer func() {
				if recover() != nil {
					ok = false
				}
			}()
			return f(&x, xtCtx{family: c.family, proto: c.xtProto()}, info)
		}()
		if ok {
			return textStmt(x.String())
		}
	}
	return textStmt("xt " + kind + " " + name)
}

// xtStmtFor returns the statement for an expr.Match or expr.Target.
func (c *parseCtx) xtStmtFor(e expr.Expr) *stmt {
	switch x := e.(type) {
	case *expr.Match:
		return c.xtStmt(true, x.MatchName, x.Info)
	case *expr.Target:
		return c.xtStmt(false, x.TargetName, x.Info)
	}
	return textStmt("unknown")
}

// xtProto is the transport protocol set by the last `meta l4proto`,
// `ip protocol` or `ip6 nexthdr` equality before the current statement,
// reduced to the protocols nft's xt_proto passes on.
func (c *parseCtx) xtProto() uint8 {
	var p uint8
	for _, s := range c.stmts {
		if s.k != sExpr || s.expr == nil || s.expr.k != kRelational || s.expr.op != opEq && s.expr.op != opImplicit {
			continue
		}
		l, r := s.expr.left, s.expr.right
		if l == nil || r == nil || r.k != kValue || r.v == nil {
			continue
		}
		switch {
		case l.k == kMeta && l.key == 16: // NFT_META_L4PROTO
		case l.k == kPayload && l.base == baseNetwork && l.len == 8 &&
			((c.family == 2 && l.offset == 72) || (c.family == 10 && l.offset == 48)):
		default:
			continue
		}
		p = uint8(r.v.Uint64())
	}
	switch p {
	case 6, 17, 136, 132, 33, 50, 51:
		return p
	}
	return 0
}

var le = binary.LittleEndian

func xtU16(b []byte, off int) uint16 { return le.Uint16(b[off:]) }
func xtU32(b []byte, off int) uint32 { return le.Uint32(b[off:]) }

func ip4(b []byte, off int) string { return netip.AddrFrom4([4]byte(b[off : off+4])).String() }
func ip6(b []byte, off int) string { return netip.AddrFrom16([16]byte(b[off : off+16])).String() }

// ipMaskSuffix is libxtables' xtables_ipmask_to_numeric: "" for a full mask,
// "/N" for a prefix, "/a.b.c.d" otherwise.
func ipMaskSuffix(m []byte) string {
	ones, contiguous := maskBits(m)
	if ones == len(m)*8 {
		return ""
	}
	if contiguous {
		return fmt.Sprintf("/%d", ones)
	}
	if len(m) == 4 {
		return "/" + netip.AddrFrom4([4]byte(m)).String()
	}
	return "/" + netip.AddrFrom16([16]byte(m)).String()
}

func maskBits(m []byte) (int, bool) {
	ones, seenZero := 0, false
	for _, b := range m {
		for i := 7; i >= 0; i-- {
			if b&(1<<i) != 0 {
				if seenZero {
					return ones, false
				}
				ones++
			} else {
				seenZero = true
			}
		}
	}
	return ones, true
}

// xtProtoName is iptables' proto_to_name for the protocols xt_proto reports.
func xtProtoName(p uint8) string {
	switch p {
	case 6:
		return "tcp"
	case 17:
		return "udp"
	case 136:
		return "udplite"
	case 132:
		return "sctp"
	case 33:
		return "dccp"
	case 50:
		return "esp"
	case 51:
		return "ah"
	}
	return "(null)"
}

func cstr(b []byte) string {
	if i := strings.IndexByte(string(b), 0); i >= 0 {
		return string(b[:i])
	}
	return string(b)
}
