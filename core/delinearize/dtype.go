package delinearize

import (
	"fmt"
	"math/big"
	"net"
	"strconv"
	"strings"
	"time"

	"github.com/nfsh/nfsh/core/types"
)

// Options select nft's output flags.
type Options struct {
	// NumericProto prints layer 4 protocols as numbers (nft -p).
	NumericProto bool
	// Stateless omits counter values, quota usage and element expiry (nft -s).
	Stateless bool
	// Handles appends "# handle N" (nft -a).
	Handles bool
	// numeric prints everything numerically (inside ranges).
	numeric bool
	// IfName resolves interface indexes; nil uses the current namespace.
	IfName func(idx int) (string, bool)
}

func (o *Options) ifname(idx int) (string, bool) {
	if o != nil && o.IfName != nil {
		return o.IfName(idx)
	}
	ifc, err := net.InterfaceByIndex(idx)
	if err != nil {
		return "", false
	}
	return ifc.Name, true
}

// typePrinter returns the print function of datatype d itself (nft's
// dtype->print), or nil when d prints through its symbols or base type.
func typePrinter(d *types.Datatype) func(v *Value, o *Options) string {
	if d.Subtypes != nil {
		return nil
	}
	switch d.ID {
	case types.TypeInvalid:
		return printInvalid
	case types.TypeString:
		return printString
	case types.TypeLLAddr:
		return printLLAddr
	case types.TypeIPAddr:
		return printIPv4
	case types.TypeIP6Addr:
		return printIPv6
	case types.TypeInetProto:
		return printInetProto
	case types.TypeTime:
		return printTime
	case types.TypeIfIndex:
		return printIfIndex
	case types.TypeClassID:
		return printTCHandle
	case types.TypeCtLabel:
		return printCtLabel
	case types.TypeTimeDate:
		return printDate
	case types.TypeTimeHour:
		return printHour
	}
	return nil
}

func printInvalid(v *Value, o *Options) string {
	return "0x" + v.v.Text(16) + " [invalid type]"
}

func printTime(v *Value, o *Options) string {
	if o != nil && o.numeric {
		return fmt.Sprintf("%ds", v.v.Uint64()/1000)
	}
	return timeString(v.v.Uint64())
}

func printIfIndex(v *Value, o *Options) string {
	idx := int(int32(uint32(v.v.Uint64())))
	if n, ok := o.ifname(idx); ok {
		return `"` + n + `"`
	}
	return fmt.Sprint(idx)
}

// printCtLabel prints the lowest set label bit by its connlabel.conf name
// or its number (nft's ct_label_type_print).
func printCtLabel(v *Value, o *Options) string {
	bit := ^uint64(0) // mpz_scan1 of 0
	if v.v.Sign() != 0 {
		bit = uint64(v.v.TrailingZeroBits())
	}
	if types.CtLabelSymbols != nil {
		if s, ok := types.CtLabelSymbols.Name(bit); ok {
			return `"` + s + `"`
		}
	}
	return strconv.FormatUint(bit, 10)
}

// printValue prints v according to its datatype, like nft's datatype_print.
func printValue(v *Value, o *Options) string {
	for d := v.t; d != nil; d = d.Base {
		if p := typePrinter(d); p != nil {
			return p(v, o)
		}
		if d.Symbols != nil {
			return symbolicPrint(d, v, o)
		}
	}
	return integerPrint(v)
}

func symbolicPrint(d *types.Datatype, v *Value, o *Options) string {
	if v.v.IsUint64() && (o == nil || !o.numeric) {
		if s, ok := d.Symbols.Name(v.v.Uint64()); ok {
			if d.Quote {
				return `"` + s + `"`
			}
			return s
		}
	}
	if p := typePrinter(v.t.Basetype()); p != nil {
		return p(v, o)
	}
	return integerPrint(v)
}

func integerPrint(v *Value) string {
	format := ""
	for d := v.t; d != nil; d = d.Base {
		if d.BaseFmt != "" {
			format = d.BaseFmt
			break
		}
	}
	switch format {
	case "":
		return v.v.String()
	case "0x%x":
		return "0x" + v.v.Text(16)
	default:
		var w int
		fmt.Sscanf(format, "0x%%0%dx", &w)
		s := v.v.Text(16)
		for len(s) < w {
			s = "0" + s
		}
		return "0x" + s
	}
}

func printString(v *Value, o *Options) string {
	b := v.bytesOrder(types.OrderHost)
	if i := indexByte(b, 0); i >= 0 {
		b = b[:i]
	}
	return `"` + string(b) + `"`
}

func indexByte(b []byte, c byte) int {
	for i, x := range b {
		if x == c {
			return i
		}
	}
	return -1
}

func printLLAddr(v *Value, o *Options) string {
	b := v.bytesOrder(types.OrderBig)
	parts := make([]string, len(b))
	for i, x := range b {
		parts[i] = fmt.Sprintf("%02x", x)
	}
	return strings.Join(parts, ":")
}

func printIPv4(v *Value, o *Options) string {
	var fb [4]byte
	b := fb[:]
	if v.v.Sign() >= 0 && v.v.BitLen() <= 32 {
		v.v.FillBytes(b)
	} else {
		b = fixedBytes(v.v, 4)
	}
	var out [15]byte
	s := strconv.AppendUint(out[:0], uint64(b[0]), 10)
	for _, x := range b[1:] {
		s = strconv.AppendUint(append(s, '.'), uint64(x), 10)
	}
	return string(s)
}

func printIPv6(v *Value, o *Options) string {
	return ip6String(fixedBytes(v.v, 16))
}

// ip6String formats like glibc's inet_ntop.
func ip6String(b []byte) string {
	// IPv4-mapped / compatible forms as glibc prints them
	zero10 := true
	for i := 0; i < 10; i++ {
		if b[i] != 0 {
			zero10 = false
		}
	}
	if zero10 && b[10] == 0xff && b[11] == 0xff {
		return fmt.Sprintf("::ffff:%d.%d.%d.%d", b[12], b[13], b[14], b[15])
	}
	if zero10 && b[10] == 0 && b[11] == 0 && (b[12] != 0 || b[13] != 0) {
		return fmt.Sprintf("::%d.%d.%d.%d", b[12], b[13], b[14], b[15])
	}
	var w [8]int
	for i := 0; i < 8; i++ {
		w[i] = int(b[2*i])<<8 | int(b[2*i+1])
	}
	bs, bl := -1, 0
	for i := 0; i < 8; {
		if w[i] != 0 {
			i++
			continue
		}
		j := i
		for j < 8 && w[j] == 0 {
			j++
		}
		if j-i > bl {
			bs, bl = i, j-i
		}
		i = j
	}
	if bl < 2 {
		bs = -1
	}
	var sb strings.Builder
	for i := 0; i < 8; i++ {
		if i == bs {
			sb.WriteString("::")
			i += bl - 1
			continue
		}
		if i > 0 && i != bs+bl {
			sb.WriteByte(':')
		}
		fmt.Fprintf(&sb, "%x", w[i])
	}
	return sb.String()
}

func printInetProto(v *Value, o *Options) string {
	if o == nil || (!o.NumericProto && !o.numeric) {
		if v.v.IsUint64() && v.v.Uint64() < 256 {
			if n, ok := types.ProtocolName(uint8(v.v.Uint64())); ok {
				return n
			}
		}
	}
	return integerPrint(v)
}

func printTCHandle(v *Value, o *Options) string {
	h := uint32(v.v.Uint64())
	switch h {
	case 0xffffffff:
		return "root"
	case 0:
		return "none"
	}
	return fmt.Sprintf("%x:%x", h>>16, h&0xffff)
}

func printDate(v *Value, o *Options) string {
	ts := int64(v.v.Uint64() / 1000000000)
	t := time.Unix(ts, 0).In(localZone())
	_, off := t.Zone()
	t = time.Unix(ts+int64(off), 0).UTC()
	return `"` + t.Format("2006-01-02 15:04:05") + `"`
}

func printHour(v *Value, o *Options) string {
	secs := int64(v.v.Uint64())
	_, off := time.Now().In(localZone()).Zone()
	secs = (secs + int64(off)) % 86400
	if secs < 0 {
		secs += 86400
	}
	m := secs / 60
	s := secs % 60
	h := m / 60
	m %= 60
	out := fmt.Sprintf("\"%02d:%02d", h, m)
	if s != 0 {
		out += fmt.Sprintf(":%02d", s)
	}
	return out + `"`
}

// timeString prints a duration in milliseconds like nft's time_print.
func timeString(ms uint64) string {
	var sb strings.Builder
	d := ms / 86400000
	ms %= 86400000
	h := ms / 3600000
	ms %= 3600000
	m := ms / 60000
	ms %= 60000
	s := ms / 1000
	ms %= 1000
	if d > 0 {
		fmt.Fprintf(&sb, "%dd", d)
	}
	if h > 0 {
		fmt.Fprintf(&sb, "%dh", h)
	}
	if m > 0 {
		fmt.Fprintf(&sb, "%dm", m)
	}
	if s > 0 {
		fmt.Fprintf(&sb, "%ds", s)
	}
	if ms > 0 {
		fmt.Fprintf(&sb, "%dms", ms)
	}
	return sb.String()
}

// TimeString prints a duration in milliseconds the way nft does ("1h30m").
func TimeString(ms uint64) string { return timeString(ms) }

func fixedBytes(v *big.Int, n int) []byte {
	b := make([]byte, n)
	if v.Sign() >= 0 && v.BitLen() <= n*8 {
		return v.FillBytes(b)
	}
	vb := v.Bytes()
	if len(vb) > n {
		vb = vb[len(vb)-n:]
	}
	copy(b[n-len(vb):], vb)
	return b
}
