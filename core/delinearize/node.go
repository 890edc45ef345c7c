package delinearize

import (
	"io"
	"strconv"

	"github.com/nfsh/nfsh/core/expr"
	"math/big"
	"strings"

	"github.com/nfsh/nfsh/core/ruleset"
	"github.com/nfsh/nfsh/core/types"
)

// kind is the kind of an nft-level expression node.
type kind uint8

const (
	kValue kind = iota
	kPayload
	kExthdr
	kMeta
	kCt
	kRt
	kSocket
	kOsf
	kFib
	kHash
	kNumgen
	kXfrm
	kVerdict
	kBinop
	kUnary
	kPrefix
	kRange
	kConcat
	kSet
	kSetRef
	kMap
	kMapping
	kSetElem
	kList
	kRelational
	kFlagcmp
	kCatchall
	kText // preformatted text
)

// op is an nft operator.
type op uint8

const (
	opInvalid op = iota
	opHton
	opNtoh
	opAnd
	opOr
	opXor
	opLshift
	opRshift
	opEq
	opNeq
	opLt
	opGt
	opLte
	opGte
	opNeg
	opImplicit
)

var opSymbols = map[op]string{opHton: "hton", opNtoh: "ntoh", opAnd: "&", opOr: "|", opXor: "^",
	opLshift: "<<", opRshift: ">>", opEq: "==", opNeq: "!=", opLt: "<", opGt: ">", opLte: "<=", opGte: ">=", opNeg: "!"}

var opPrec = map[op]int{opLshift: 1, opRshift: 1, opAnd: 2, opXor: 3, opOr: 4}

// node is an nft-level expression (the printer's view of struct expr).
type node struct {
	// the one-byte and four-byte fields come first, packed together
	k     kind
	order types.ByteOrder
	op    op
	// protocol flag (EXPR_F_PROTOCOL) and interval end marker
	protocol    bool
	intervalEnd bool
	isRaw       bool   // payload
	key         uint32 // meta, ct, rt, socket, fib, numgen, hash, xfrm, osf, exthdr keys
	verdict     int32  // verdict
	dir         int32  // ct direction, -1 none
	nfproto     int32
	mbase       int32 // meta/ct protocol base

	t   *types.Datatype
	len int // bits
	v   *big.Int

	left, right *node
	args        []*node

	// payload
	base   int
	offset int // bits
	desc   *protoDesc
	tmpl   *field
	plen   int // prefix length

	extra   map[string]uint64
	text    string // exthdr description, socket level, a verdict's chain, etc.
	hashArg *node
	ex      *expr.Exthdr // the exthdr load a kExthdr node was made from

	// set references
	set *setInfo

	// set element details (kSetElem), nil when it has none
	elem *elemInfo
}

// elemInfo holds a set element's rarely present details.
type elemInfo struct {
	timeout    uint64
	expiration uint64
	comment    string
	stmts      []*stmt
}

// setInfo is what the printer knows about a set a rule refers to.
type setInfo struct {
	name          string
	flags         uint32
	anonymous     bool
	key           *node // key expression (typeof) or typed placeholder
	typeofKey     *node // key expression from the typeof userdata, or nil
	typeofData    *node // data expression from the typeof userdata, or nil
	data          *node // data type placeholder for maps
	dataIsVerdict bool
	objType       uint32
	size          uint32       // NFTA_SET_DESC_SIZE
	init          *node        // kSet of elements (of a named set: see elements)
	src           *ruleset.Set // named set whose elements are not built yet
	lazy          *ruleset.Set // set whose key/data types are taken from its users
	shift         int          // pending right shift of lazily typed elements
	shiftLen      int
	opts          *Options

	// while a declaration streams its elements (writeElements), each
	// element's nodes and numbers come from these and are reused for the
	// next element once it is printed
	reuse *scratch
}

// scratch is the memory one streamed element is built in.
type scratch struct {
	nodes    [6]node
	n        int
	lov, hiv big.Int
}

// newNode returns a zeroed node: a scratch one while elements stream.
func (si *setInfo) newNode() *node {
	if r := si.reuse; r != nil && r.n < len(r.nodes) {
		n := &r.nodes[r.n]
		r.n++
		*n = node{}
		return n
	}
	return &node{}
}

func newValue(mem []byte, bits int) *node {
	n := &node{k: kValue, t: types.Invalid, order: types.OrderInvalid, len: bits, v: new(big.Int).SetBytes(mem)}
	return n
}

func (n *node) clone() *node {
	if n == nil {
		return nil
	}
	c := *n
	if n.v != nil {
		c.v = new(big.Int).Set(n.v)
	}
	c.left = n.left.clone()
	c.right = n.right.clone()
	if n.args != nil {
		c.args = make([]*node, len(n.args))
		for i, a := range n.args {
			c.args[i] = a.clone()
		}
	}
	c.hashArg = n.hashArg.clone()
	return &c
}

// setType is expr_set_type.
func (n *node) setType(t *types.Datatype, o types.ByteOrder) {
	if n == nil {
		return
	}
	switch n.k {
	case kPrefix:
		n.left.setType(t, o)
	case kRange:
		n.left.setType(t, o)
		n.right.setType(t, o)
	case kSet:
		for _, a := range n.args {
			a.setType(t, o)
		}
		n.t = t
	case kMapping:
		n.left.setType(t, o)
	case kSetElem:
		n.left.setType(t, o)
		n.t = t
	case kConcat:
		n.t = t
		n.order = o
	case kSetRef:
		n.t = t
		n.order = o
		if n.set != nil && n.set.lazy != nil && t != nil && t != types.Invalid {
			n.set.materializeKey(t, o)
		}
	case kMap:
		n.t = t
		n.order = o
		if n.right != nil && n.right.k == kSetRef && n.right.set.lazy != nil && n.right.set.data != nil && n.right.set.data.t == types.Invalid {
			n.right.set.materializeData(t, o)
		}
	default:
		n.t = t
		n.order = o
	}
}

// switchOrder reinterprets the value's bytes in the opposite order.
func switchOrder(v *big.Int, nbytes int) *big.Int {
	b := fixedBytes(v, nbytes)
	for i, j := 0, len(b)-1; i < j; i, j = i+1, j-1 {
		b[i], b[j] = b[j], b[i]
	}
	return new(big.Int).SetBytes(b)
}

// bytesOrder exports the value as bytes in order o.
func (n *node) bytesOrder(o types.ByteOrder) []byte {
	nb := (n.len + 7) / 8
	b := fixedBytes(n.v, nb)
	if o == types.OrderHost {
		for i, j := 0, len(b)-1; i < j; i, j = i+1, j-1 {
			b[i], b[j] = b[j], b[i]
		}
	}
	return b
}

// Value is what datatype print functions receive.
type Value = node

func bitmask(bits int) *big.Int {
	m := new(big.Int).Lsh(big.NewInt(1), uint(bits))
	return m.Sub(m, big.NewInt(1))
}

// scan1 returns the index of the lowest set bit, or -1.
func scan1(v *big.Int, from int) int {
	for i := from; i < v.BitLen(); i++ {
		if v.Bit(i) == 1 {
			return i
		}
	}
	return -1
}

// scan0 returns the index of the lowest clear bit at or above from.
func scan0(v *big.Int, from int) int {
	i := from
	for v.Bit(i) == 1 {
		i++
	}
	return i
}

func (n *node) String() string { return n.print(nil) }

func (n *node) print(o *Options) string {
	var sb strings.Builder
	n.write(&sb, o)
	return sb.String()
}

func (n *node) write(sb io.StringWriter, o *Options) {
	if n == nil {
		sb.WriteString("unknown")
		return
	}
	switch n.k {
	case kValue:
		sb.WriteString(printValue(n, o))
	case kText:
		sb.WriteString(n.text)
	case kPayload:
		if n.desc != nil && n.tmpl != nil && n.desc != protoUnknown {
			sb.WriteString(n.desc.name + " " + n.tmpl.name)
		} else {
			b := "invalid"
			if n.base >= 0 && n.base < len(baseTokens) {
				b = baseTokens[n.base]
			}
			sb.WriteString("@" + b + "," + itoa(n.offset) + "," + itoa(n.len))
		}
	case kMeta:
		sb.WriteString(metaName(n.key))
	case kCt:
		sb.WriteString(ctName(n))
	case kExthdr, kRt, kSocket, kOsf, kFib, kNumgen, kXfrm:
		sb.WriteString(n.text)
	case kHash:
		sb.WriteString(hashString(n, o))
	case kVerdict:
		sb.WriteString(verdictString(n.verdict, n.text))
	case kBinop:
		n.writeArg(sb, n.left, o)
		s := opSymbols[n.op]
		if n.op != opEq || mustPrintEq(n) {
			sb.WriteString(" " + s + " ")
		} else {
			sb.WriteString(" ")
		}
		n.writeArg(sb, n.right, o)
	case kRelational:
		n.left.writeArgOf(n, sb, o)
		if s, ok := opSymbols[n.op]; ok && (n.op != opEq || mustPrintEq(n)) {
			sb.WriteString(" " + s + " ")
		} else {
			sb.WriteString(" ")
		}
		n.right.writeArgOf(n, sb, o)
	case kUnary:
		n.left.write(sb, o)
	case kPrefix:
		n.left.write(sb, o)
		sb.WriteString("/")
		sb.WriteString(itoa(n.plen))
	case kRange:
		no := statelessOpts(o)
		if o != nil {
			*no = *o
		}
		no.numeric = true
		n.left.write(sb, no)
		sb.WriteString("-")
		n.right.write(sb, no)
	case kConcat:
		for i, a := range n.args {
			if i > 0 {
				sb.WriteString(" . ")
			}
			a.write(sb, o)
		}
	case kList:
		for i, a := range n.args {
			if i > 0 {
				sb.WriteString(",")
			}
			a.write(sb, o)
		}
	case kSet:
		sb.WriteString("{ ")
		count := 0
		d := ""
		for _, a := range n.args {
			sb.WriteString(d)
			a.write(sb, o)
			count++
			d = n.setDelim(&count)
		}
		sb.WriteString(" }")
	case kSetRef:
		if n.set.anonymous && n.set.init != nil {
			n.set.init.write(sb, o)
		} else {
			sb.WriteString("@" + n.set.name)
		}
	case kMap:
		n.left.write(sb, o)
		if n.isVmap() {
			sb.WriteString(" vmap ")
		} else {
			sb.WriteString(" map ")
		}
		n.right.write(sb, o)
	case kMapping:
		n.left.write(sb, o)
		sb.WriteString(" : ")
		n.right.write(sb, o)
	case kSetElem:
		n.left.write(sb, o)
		if ei := n.elem; ei != nil {
			for _, s := range ei.stmts {
				sb.WriteString(" ")
				sb.WriteString(s.print(o))
			}
			if ei.timeout != 0 {
				sb.WriteString(" timeout " + timeString(ei.timeout))
			}
			if (o == nil || !o.Stateless) && ei.expiration != 0 {
				sb.WriteString(" expires " + timeString(ei.expiration))
			}
			if ei.comment != "" {
				sb.WriteString(` comment "` + ei.comment + `"`)
			}
		}
	case kCatchall:
		sb.WriteString("*")
	case kFlagcmp:
		n.left.write(sb, o)
		if n.op == opNeq {
			sb.WriteString(" != ")
		} else {
			sb.WriteString(" ")
		}
		n.args[1].write(sb, o)
		sb.WriteString(" / ")
		n.args[0].write(sb, o)
	default:
		sb.WriteString("unknown")
	}
}

// writeArg prints a binop operand with parentheses where precedence needs them.
func (n *node) writeArg(sb io.StringWriter, arg *node, o *Options) {
	prec := false
	if arg.k == kBinop && opPrec[n.op] != 0 && opPrec[n.op] < opPrec[arg.op] {
		prec = true
	}
	if prec {
		sb.WriteString("(")
	}
	arg.write(sb, o)
	if prec {
		sb.WriteString(")")
	}
}

func (n *node) writeArgOf(parent *node, sb io.StringWriter, o *Options) {
	parent.writeArg(sb, n, o)
}

func mustPrintEq(n *node) bool {
	r := n.right
	if r.t != nil && r.t.Base != nil && r.t.Base.Is(types.Bitmask) && r.k == kValue {
		return true
	}
	return n.left.k == kBinop
}

func (n *node) isVmap() bool {
	m := n.right
	if m.k == kSetRef {
		return m.set.dataIsVerdict
	}
	if m.k == kSet && len(m.args) > 0 {
		f := m.args[0]
		return f.k == kMapping && f.right.k == kVerdict
	}
	return false
}

// setDelim is nft's calculate_delim for element lists.
func (n *node) setDelim(count *int) string {
	const newline = ",\n\t\t\t     "
	if n.set != nil && n.set.anonymous || n.anonymous() {
		return ", "
	}
	t := n.t
	if t == nil {
		return newline
	}
	switch t.ID {
	case types.TypeNFProto, types.TypeInteger, types.TypeARPOp, types.TypeInetProto, types.TypeInetService, types.TypeTCPFlag, types.TypeDCCPPktType,
		types.TypeMark, types.TypeIfIndex, types.TypeClassID, types.TypeUID, types.TypeGID, types.TypeCtDir:
		if *count < 5 {
			return ", "
		}
		*count = 0
	case types.TypeIPAddr, types.TypeCtState, types.TypeCtStatus, types.TypePktType:
		if *count < 2 {
			return ", "
		}
		*count = 0
	}
	return newline
}

func (n *node) anonymous() bool { return n.extra != nil && n.extra["anon"] == 1 }

func itoa(i int) string {
	return strconv.Itoa(i)
}

func verdictString(code int32, chain string) string {
	switch code {
	case -1:
		return "continue"
	case -2:
		return "break"
	case -3:
		return "jump " + chain
	case -4:
		return "goto " + chain
	case -5:
		return "return"
	}
	switch uint32(code) & 0xff {
	case 1:
		return "accept"
	case 0:
		return "drop"
	case 3:
		return "queue"
	case 2:
		return "stolen"
	}
	return "unknown verdict value " + big.NewInt(int64(uint32(code))).String()
}

type bigInt = big.Int

func newBig(v uint64) *big.Int { return new(big.Int).SetUint64(v) }

func newBigBytes(b []byte) *big.Int { return new(big.Int).SetBytes(b) }
