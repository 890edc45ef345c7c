package delinearize

import (
	"fmt"
	"math/big"
	"net"
	"strconv"
	"strings"
	"time"
)

// ByteOrder is the byte order of a value in a register.
type ByteOrder uint8

// Byte orders (nft's enum byteorder).
const (
	OrderInvalid ByteOrder = iota // BYTEORDER_INVALID
	OrderHost                     // BYTEORDER_HOST_ENDIAN
	OrderBig                      // BYTEORDER_BIG_ENDIAN
)

type sym struct {
	name string
	val  uint64
}

// Datatype is an nft datatype as the printer needs it: id, name, size,
// byte order, base type, symbols and print function.
type Datatype struct {
	ID      uint32
	Name    string
	Size    int // bits
	Order   ByteOrder
	Base    *Datatype
	Syms    []sym
	Quote   bool   // symbols printed in quotes
	BaseFmt string // "", "hex", "0x%02x" style printf format for unnamed values
	Prefix  bool   // DTYPE_F_PREFIX
	print   func(v *Value, o *Options) string
	// Subtypes holds the member types of a concatenation type.
	Subtypes []*Datatype
}

// Datatype ids (nft's enum datatypes).
const (
	TypeInvalid = iota
	TypeVerdict
	TypeNFProto
	TypeBitmask
	TypeInteger
	TypeString
	TypeLLAddr
	TypeIPAddr
	TypeIP6Addr
	TypeEtherAddr
	TypeEtherType
	TypeARPOp
	TypeInetProto
	TypeInetService
	TypeICMPType
	TypeTCPFlag
	TypeDCCPPktType
	TypeMHType
	TypeTime
	TypeMark
	TypeIfIndex
	TypeARPHRD
	TypeRealm
	TypeClassID
	TypeUID
	TypeGID
	TypeCtState
	TypeCtDir
	TypeCtStatus
	TypeICMP6Type
	TypeCtLabel
	TypePktType
	TypeICMPCode
	TypeICMPv6Code
	TypeICMPXCode
	TypeDevGroup
	TypeDSCP
	TypeECN
	TypeFibAddr
	TypeBoolean
	TypeCtEventBit
	TypeIfName
	TypeIGMPType
	TypeTimeDate
	TypeTimeHour
	TypeTimeDay
	TypeCgroupV2
	typeMax
)

const typeBits = 6

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

var (
	dtInvalid = &Datatype{ID: TypeInvalid, Name: "invalid", print: func(v *Value, o *Options) string {
		return "0x" + v.v.Text(16) + " [invalid type]"
	}}
	dtVerdict   = &Datatype{ID: TypeVerdict, Name: "verdict"}
	dtInteger   = &Datatype{ID: TypeInteger, Name: "integer"}
	dtXInteger  = &Datatype{ID: TypeInteger, Name: "integer", Base: dtInteger, BaseFmt: "0x%x"}
	dtBitmask   = &Datatype{ID: TypeBitmask, Name: "bitmask", Base: dtInteger, BaseFmt: "0x%x"}
	dtNFProto   = &Datatype{ID: TypeNFProto, Name: "nf_proto", Size: 8, Base: dtInteger, Syms: symNfproto}
	dtString    = &Datatype{ID: TypeString, Name: "string", Order: OrderHost, print: printString}
	dtLLAddr    = &Datatype{ID: TypeLLAddr, Name: "ll_addr", Order: OrderBig, Base: dtInteger, print: printLLAddr}
	dtIPAddr    = &Datatype{ID: TypeIPAddr, Name: "ipv4_addr", Size: 32, Order: OrderBig, Base: dtInteger, Prefix: true, print: printIPv4}
	dtIP6Addr   = &Datatype{ID: TypeIP6Addr, Name: "ipv6_addr", Size: 128, Order: OrderBig, Base: dtInteger, Prefix: true, print: printIPv6}
	dtEtherAddr = &Datatype{ID: TypeEtherAddr, Name: "ether_addr", Size: 48, Order: OrderBig, Base: dtLLAddr}
	dtEtherType = &Datatype{ID: TypeEtherType, Name: "ether_type", Size: 16, Order: OrderBig, Base: dtInteger, BaseFmt: "0x%04x", Syms: symEthertype}
	dtARPOp     = &Datatype{ID: TypeARPOp, Name: "arp_op", Size: 16, Order: OrderBig, Base: dtInteger, Syms: symArpop}
	dtInetProto = &Datatype{ID: TypeInetProto, Name: "inet_proto", Size: 8, Base: dtInteger, print: printInetProto}
	dtInetSvc   = &Datatype{ID: TypeInetService, Name: "inet_service", Size: 16, Order: OrderBig, Base: dtInteger}
	dtICMPType  = &Datatype{ID: TypeICMPType, Name: "icmp_type", Size: 8, Order: OrderBig, Base: dtInteger, Syms: symIcmpType}
	dtTCPFlag   = &Datatype{ID: TypeTCPFlag, Name: "tcp_flag", Size: 8, Order: OrderBig, Base: dtBitmask, Syms: symTcpFlag}
	dtDCCPPkt   = &Datatype{ID: TypeDCCPPktType, Name: "dccp_pkttype", Size: 4, Order: OrderBig, Base: dtInteger, Syms: symDccpPkttype}
	dtMHType    = &Datatype{ID: TypeMHType, Name: "mh_type", Size: 8, Order: OrderBig, Base: dtInteger, Syms: symMhType}
	dtTime      = &Datatype{ID: TypeTime, Name: "time", Size: 32, Order: OrderHost, Base: dtInteger, print: func(v *Value, o *Options) string {
		if o != nil && o.numeric {
			return fmt.Sprintf("%ds", v.v.Uint64()/1000)
		}
		return timeString(v.v.Uint64())
	}}
	dtMark    = &Datatype{ID: TypeMark, Name: "mark", Size: 32, Order: OrderHost, Base: dtInteger, BaseFmt: "0x%08x", Prefix: true, Quote: true}
	dtIfIndex = &Datatype{ID: TypeIfIndex, Name: "iface_index", Size: 32, Order: OrderHost, Base: dtInteger, print: func(v *Value, o *Options) string {
		idx := int(int32(uint32(v.v.Uint64())))
		if n, ok := o.ifname(idx); ok {
			return `"` + n + `"`
		}
		return fmt.Sprint(idx)
	}}
	dtARPHRD    = &Datatype{ID: TypeARPHRD, Name: "iface_type", Size: 16, Order: OrderHost, Base: dtInteger, Syms: symArphrd}
	dtRealm     = &Datatype{ID: TypeRealm, Name: "realm", Size: 32, Order: OrderHost, Base: dtInteger, Prefix: true, Quote: true}
	dtClassID   = &Datatype{ID: TypeClassID, Name: "classid", Size: 32, Order: OrderHost, Base: dtInteger, print: printTCHandle}
	dtUID       = &Datatype{ID: TypeUID, Name: "uid", Size: 32, Order: OrderHost, Base: dtInteger}
	dtGID       = &Datatype{ID: TypeGID, Name: "gid", Size: 32, Order: OrderHost, Base: dtInteger}
	dtCtState   = &Datatype{ID: TypeCtState, Name: "ct_state", Size: 32, Order: OrderHost, Base: dtBitmask, Syms: symCtState}
	dtCtDir     = &Datatype{ID: TypeCtDir, Name: "ct_dir", Size: 8, Base: dtInteger, Syms: symCtDir}
	dtCtStatus  = &Datatype{ID: TypeCtStatus, Name: "ct_status", Size: 32, Order: OrderHost, Base: dtBitmask, Syms: symCtStatus}
	dtICMP6     = &Datatype{ID: TypeICMP6Type, Name: "icmpv6_type", Size: 8, Order: OrderBig, Base: dtInteger, Syms: symIcmp6Type}
	dtCtLabel   = &Datatype{ID: TypeCtLabel, Name: "ct_label", Size: 128, Order: OrderHost, Base: dtBitmask}
	dtPktType   = &Datatype{ID: TypePktType, Name: "pkt_type", Size: 8, Order: OrderHost, Base: dtInteger, Syms: symPkttypeType}
	dtICMPCode  = &Datatype{ID: TypeICMPCode, Name: "icmp_code", Size: 8, Order: OrderBig, Base: dtInteger, Syms: symIcmpCode}
	dtICMP6Code = &Datatype{ID: TypeICMPv6Code, Name: "icmpv6_code", Size: 8, Order: OrderBig, Base: dtInteger, Syms: symIcmpv6Code}
	dtICMPXCode = &Datatype{ID: TypeICMPXCode, Name: "icmpx_code", Size: 8, Order: OrderBig, Base: dtInteger, Syms: symIcmpxCode}
	dtDevGroup  = &Datatype{ID: TypeDevGroup, Name: "devgroup", Size: 32, Order: OrderHost, Base: dtInteger, Prefix: true, Quote: true}
	dtDSCP      = &Datatype{ID: TypeDSCP, Name: "dscp", Size: 6, Order: OrderBig, Base: dtInteger, BaseFmt: "0x%02x", Syms: symDscpType}
	dtECN       = &Datatype{ID: TypeECN, Name: "ecn", Size: 2, Order: OrderBig, Base: dtInteger, BaseFmt: "0x%01x", Syms: symEcnType}
	dtFibAddr   = &Datatype{ID: TypeFibAddr, Name: "fib_addrtype", Size: 32, Order: OrderHost, Base: dtInteger, Syms: symAddrtype}
	dtBoolean   = &Datatype{ID: TypeBoolean, Name: "boolean", Size: 1, Base: dtInteger, Syms: symBoolean}
	dtCtEvent   = &Datatype{ID: TypeCtEventBit, Name: "ct_event", Size: 32, Order: OrderHost, Base: dtBitmask, Syms: symCtEvents}
	dtIfName    = &Datatype{ID: TypeIfName, Name: "ifname", Size: 128, Order: OrderHost, Base: dtString}
	dtIGMPType  = &Datatype{ID: TypeIGMPType, Name: "igmp_type", Size: 8, Order: OrderBig, Base: dtInteger, Syms: symIgmpType}
	dtDate      = &Datatype{ID: TypeTimeDate, Name: "time", Size: 64, Order: OrderHost, Base: dtInteger, print: printDate}
	dtHour      = &Datatype{ID: TypeTimeHour, Name: "hour", Size: 32, Order: OrderHost, Base: dtInteger, print: printHour}
	dtDay       = &Datatype{ID: TypeTimeDay, Name: "day", Size: 8, Order: OrderHost, Base: dtInteger, Syms: symDayType, Quote: true}
	dtCgroupV2  = &Datatype{ID: TypeCgroupV2, Name: "cgroupsv2", Size: 64, Order: OrderHost, Base: dtInteger}
)

var dtByID = map[uint32]*Datatype{}

func init() {
	for _, d := range []*Datatype{dtInvalid, dtVerdict, dtNFProto, dtBitmask, dtInteger, dtString, dtLLAddr, dtIPAddr,
		dtIP6Addr, dtEtherAddr, dtEtherType, dtARPOp, dtInetProto, dtInetSvc, dtICMPType, dtTCPFlag, dtDCCPPkt,
		dtMHType, dtTime, dtMark, dtIfIndex, dtARPHRD, dtRealm, dtClassID, dtUID, dtGID, dtCtState, dtCtDir,
		dtCtStatus, dtICMP6, dtCtLabel, dtPktType, dtICMPCode, dtICMP6Code, dtICMPXCode, dtDevGroup, dtDSCP,
		dtECN, dtFibAddr, dtBoolean, dtCtEvent, dtIfName, dtIGMPType, dtDate, dtHour, dtDay, dtCgroupV2} {
		dtByID[d.ID] = d
	}
	dtRealm.Syms = loadRtTable("/etc/iproute2/rt_realms")
	dtDevGroup.Syms = loadRtTable("/etc/iproute2/group")
	dtMark.Syms = loadRtTable("/etc/iproute2/rt_marks")
	dtCtLabel.print = printCtLabel
}

// ctLabels holds the names of /etc/connlabel.conf (bit number, name).
var ctLabels = loadRtTable("/etc/connlabel.conf")

// printCtLabel prints the lowest set label bit by its connlabel.conf name
// or its number (nft's ct_label_type_print).
func printCtLabel(v *Value, o *Options) string {
	bit := ^uint64(0) // mpz_scan1 of 0
	if v.v.Sign() != 0 {
		bit = uint64(v.v.TrailingZeroBits())
	}
	for _, s := range ctLabels {
		if s.val == bit {
			return `"` + s.name + `"`
		}
	}
	return strconv.FormatUint(bit, 10)
}

// lookupType returns the datatype with id, building concatenation types
// from packed ids (6 bits per member).
func lookupType(id uint32) *Datatype {
	if d, ok := dtByID[id]; ok {
		return d
	}
	if id == 0xffffff00 {
		return dtVerdict
	}
	if id <= typeMax {
		return dtInvalid
	}
	var subs []*Datatype
	for v := id; v != 0; v >>= typeBits {
		subs = append([]*Datatype{lookupTypeSimple(v & (1<<typeBits - 1))}, subs...)
	}
	names := make([]string, len(subs))
	size := 0
	for i, s := range subs {
		names[i] = s.Name
		size += (s.Size + 31) / 32 * 32
	}
	return &Datatype{ID: id, Name: strings.Join(names, " . "), Size: size, Subtypes: subs}
}

func lookupTypeSimple(id uint32) *Datatype {
	if d, ok := dtByID[id]; ok {
		return d
	}
	return dtInvalid
}

func (d *Datatype) basetype() *Datatype {
	for d.Base != nil {
		d = d.Base
	}
	return d
}

func (d *Datatype) is(t *Datatype) bool {
	for x := d; x != nil; x = x.Base {
		if x == t {
			return true
		}
	}
	return false
}

func (d *Datatype) isBitmask() bool { return d.Base != nil && d.Base.is(dtBitmask) || d == dtBitmask }

// concatType builds the concatenation type of the given members.
func concatType(subs []*Datatype) *Datatype {
	var id uint32
	names := make([]string, len(subs))
	size := 0
	for i, s := range subs {
		id = id<<typeBits | s.ID
		names[i] = s.Name
		size += (s.Size + 31) / 32 * 32
	}
	return &Datatype{ID: id, Name: strings.Join(names, " . "), Size: size, Subtypes: subs}
}

func loadRtTable(path string) []sym {
	data, err := readFile(path)
	if err != nil {
		return nil
	}
	var out []sym
	for _, line := range strings.Split(string(data), "\n") {
		line = strings.TrimSpace(line)
		if line == "" || line[0] == '#' {
			continue
		}
		f := strings.Fields(line)
		if len(f) < 2 {
			continue
		}
		var v uint64
		if _, err := fmt.Sscan(f[0], &v); err != nil {
			if _, err := fmt.Sscanf(f[0], "0x%x", &v); err != nil {
				continue
			}
		}
		out = append(out, sym{f[1], v})
	}
	return out
}

// printValue prints v according to its datatype, like nft's datatype_print.
func printValue(v *Value, o *Options) string {
	for d := v.t; d != nil; d = d.Base {
		if d.print != nil {
			return d.print(v, o)
		}
		if d.Syms != nil {
			return symbolicPrint(d, v, o)
		}
	}
	return integerPrint(v)
}

func symbolicPrint(d *Datatype, v *Value, o *Options) string {
	if v.v.IsUint64() && (o == nil || !o.numeric) {
		x := v.v.Uint64()
		for _, s := range d.Syms {
			if s.val == x {
				if d.Quote {
					return `"` + s.name + `"`
				}
				return s.name
			}
		}
	}
	b := v.t.basetype()
	if b.print != nil {
		return b.print(v, o)
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
	b := v.bytesOrder(OrderHost)
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
	b := v.bytesOrder(OrderBig)
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
			if n, ok := protoName(int(v.v.Uint64())); ok {
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
