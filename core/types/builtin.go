package types

import (
	"fmt"
	"math/big"
	"net"
	"os"
	"os/user"
	"strconv"
	"strings"
	"time"
)

// The datatypes of nft, by id (include/datatype.h and the files defining them).
var (
	Invalid = &Datatype{ID: TypeInvalid, Name: "invalid", Desc: "invalid"}
	Verdict = &Datatype{ID: TypeVerdict, Name: "verdict", Desc: "netfilter verdict"}
	Integer = &Datatype{ID: TypeInteger, Name: "integer", Desc: "integer", parse: parseInteger}
	// XInteger is integer printed in hexadecimal, for raw payloads (nft's
	// xinteger_type; not registered by id).
	XInteger    = &Datatype{ID: TypeInteger, Name: "integer", Desc: "integer", Base: Integer, BaseFmt: "0x%x", parse: parseInteger}
	Bitmask     = &Datatype{ID: TypeBitmask, Name: "bitmask", Desc: "bitmask", Base: Integer, BaseFmt: "0x%x"}
	String      = &Datatype{ID: TypeString, Name: "string", Desc: "string", Order: OrderHost, parse: parseString}
	NFProto     = &Datatype{ID: TypeNFProto, Name: "nf_proto", Desc: "netfilter protocol", Size: 8, Base: Integer, Symbols: NFProtoSymbols}
	LLAddr      = &Datatype{ID: TypeLLAddr, Name: "ll_addr", Desc: "link layer address", Order: OrderBig, Base: Integer, parse: parseLLAddr}
	IPAddr      = &Datatype{ID: TypeIPAddr, Name: "ipv4_addr", Desc: "IPv4 address", Size: 32, Order: OrderBig, Base: Integer, parse: parseIPAddr, Prefix: true}
	IP6Addr     = &Datatype{ID: TypeIP6Addr, Name: "ipv6_addr", Desc: "IPv6 address", Size: 128, Order: OrderBig, Base: Integer, parse: parseIP6Addr, Prefix: true}
	EtherAddr   = &Datatype{ID: TypeEtherAddr, Name: "ether_addr", Desc: "Ethernet address", Size: 48, Order: OrderBig, Base: LLAddr}
	EtherType   = &Datatype{ID: TypeEtherType, Name: "ether_type", Desc: "Ethernet protocol", Size: 16, Order: OrderBig, Base: Integer, Symbols: EtherTypeSymbols, BaseFmt: "0x%04x"}
	ARPOp       = &Datatype{ID: TypeARPOp, Name: "arp_op", Desc: "ARP operation", Size: 16, Order: OrderBig, Base: Integer, Symbols: ARPOpSymbols}
	InetProto   = &Datatype{ID: TypeInetProto, Name: "inet_proto", Desc: "Internet protocol", Size: 8, Base: Integer, parse: parseInetProto}
	InetService = &Datatype{ID: TypeInetService, Name: "inet_service", Desc: "internet network service", Size: 16, Order: OrderBig, Base: Integer, parse: parseService}
	ICMPType    = &Datatype{ID: TypeICMPType, Name: "icmp_type", Desc: "ICMP type", Size: 8, Order: OrderBig, Base: Integer, Symbols: ICMPTypeSymbols}
	TCPFlag     = &Datatype{ID: TypeTCPFlag, Name: "tcp_flag", Desc: "TCP flag", Size: 8, Order: OrderBig, Base: Bitmask, Symbols: TCPFlagSymbols}
	DCCPPktType = &Datatype{ID: TypeDCCPPktType, Name: "dccp_pkttype", Desc: "DCCP packet type", Size: 4, Order: OrderInvalid, Base: Integer, Symbols: DCCPPktTypeSymbols}
	MHType      = &Datatype{ID: TypeMHType, Name: "mh_type", Desc: "Mobility Header Type", Size: 8, Order: OrderBig, Base: Integer, Symbols: MHTypeSymbols}
	Time        = &Datatype{ID: TypeTime, Name: "time", Desc: "relative time", Size: 32, Order: OrderHost, Base: Integer, parse: parseTimeMS}
	Mark        = &Datatype{ID: TypeMark, Name: "mark", Desc: "packet mark", Size: 32, Order: OrderHost, Base: Integer, Symbols: MarkSymbols, BaseFmt: "0x%08x", Prefix: true, Quote: true}
	IfIndex     = &Datatype{ID: TypeIfIndex, Name: "iface_index", Desc: "network interface index", Size: 32, Order: OrderHost, Base: Integer, parse: parseIfIndex}
	ARPHRD      = &Datatype{ID: TypeARPHRD, Name: "iface_type", Desc: "network interface type", Size: 16, Order: OrderHost, Base: Integer, Symbols: ARPHRDSymbols}
	Realm       = &Datatype{ID: TypeRealm, Name: "realm", Desc: "routing realm", Size: 32, Order: OrderHost, Base: Integer, Symbols: RealmSymbols, Prefix: true, Quote: true}
	ClassID     = &Datatype{ID: TypeClassID, Name: "classid", Desc: "TC classid", Size: 32, Order: OrderHost, Base: Integer, parse: parseClassID}
	UID         = &Datatype{ID: TypeUID, Name: "uid", Desc: "user ID", Size: 32, Order: OrderHost, Base: Integer, parse: parseUID}
	GID         = &Datatype{ID: TypeGID, Name: "gid", Desc: "group ID", Size: 32, Order: OrderHost, Base: Integer, parse: parseGID}
	CtState     = &Datatype{ID: TypeCtState, Name: "ct_state", Desc: "conntrack state", Size: 32, Order: OrderHost, Base: Bitmask, Symbols: CtStateSymbols}
	CtDir       = &Datatype{ID: TypeCtDir, Name: "ct_dir", Desc: "conntrack direction", Size: 8, Order: OrderInvalid, Base: Integer, Symbols: CtDirSymbols}
	CtStatus    = &Datatype{ID: TypeCtStatus, Name: "ct_status", Desc: "conntrack status", Size: 32, Order: OrderHost, Base: Bitmask, Symbols: CtStatusSymbols}
	ICMP6Type   = &Datatype{ID: TypeICMP6Type, Name: "icmpv6_type", Desc: "ICMPv6 type", Size: 8, Order: OrderBig, Base: Integer, Symbols: ICMP6TypeSymbols}
	CtLabel     = &Datatype{ID: TypeCtLabel, Name: "ct_label", Desc: "conntrack label", Size: 128, Order: OrderHost, Base: Bitmask, parse: parseCtLabel}
	PktType     = &Datatype{ID: TypePktType, Name: "pkt_type", Desc: "packet type", Size: 8, Order: OrderHost, Base: Integer, Symbols: PktTypeSymbols}
	ICMPCode    = &Datatype{ID: TypeICMPCode, Name: "icmp_code", Desc: "icmp code", Size: 8, Order: OrderBig, Base: Integer, Symbols: ICMPCodeSymbols}
	ICMPv6Code  = &Datatype{ID: TypeICMPv6Code, Name: "icmpv6_code", Desc: "icmpv6 code", Size: 8, Order: OrderBig, Base: Integer, Symbols: ICMPv6CodeSymbols}
	ICMPXCode   = &Datatype{ID: TypeICMPXCode, Name: "icmpx_code", Desc: "icmpx code", Size: 8, Order: OrderBig, Base: Integer, Symbols: ICMPXCodeSymbols}
	DevGroup    = &Datatype{ID: TypeDevGroup, Name: "devgroup", Desc: "devgroup name", Size: 32, Order: OrderHost, Base: Integer, Symbols: DevGroupSymbols, Prefix: true, Quote: true}
	DSCP        = &Datatype{ID: TypeDSCP, Name: "dscp", Desc: "Differentiated Services Code Point", Size: 6, Order: OrderBig, Base: Integer, Symbols: DSCPSymbols, BaseFmt: "0x%02x"}
	ECN         = &Datatype{ID: TypeECN, Name: "ecn", Desc: "Explicit Congestion Notification", Size: 2, Order: OrderBig, Base: Integer, Symbols: ECNSymbols, BaseFmt: "0x%01x"}
	FibAddr     = &Datatype{ID: TypeFibAddr, Name: "fib_addrtype", Desc: "fib address type", Size: 32, Order: OrderHost, Base: Integer, Symbols: FibAddrSymbols}
	Boolean     = &Datatype{ID: TypeBoolean, Name: "boolean", Desc: "boolean type", Size: 1, Base: Integer, Symbols: BooleanSymbols}
	CtEvent     = &Datatype{ID: TypeCtEventBit, Name: "ct_event", Desc: "conntrack event bits", Size: 32, Order: OrderHost, Base: Bitmask, Symbols: CtEventSymbols}
	IfName      = &Datatype{ID: TypeIfName, Name: "ifname", Desc: "network interface name", Size: 128, Order: OrderHost, Base: String}
	IGMPType    = &Datatype{ID: TypeIGMPType, Name: "igmp_type", Desc: "IGMP type", Size: 8, Order: OrderBig, Base: Integer, Symbols: IGMPTypeSymbols}
	TimeDate    = &Datatype{ID: TypeTimeDate, Name: "time", Desc: "Relative time of packet reception", Size: 64, Order: OrderHost, Base: Integer, parse: parseDate}
	TimeHour    = &Datatype{ID: TypeTimeHour, Name: "hour", Desc: "Hour of day of packet reception", Size: 32, Order: OrderHost, Base: Integer, parse: parseHour}
	TimeDay     = &Datatype{ID: TypeTimeDay, Name: "day", Desc: "Day of week of packet reception", Size: 8, Order: OrderHost, Base: Integer, Symbols: DaySymbols, Quote: true}
	CgroupV2    = &Datatype{ID: TypeCgroupV2, Name: "cgroupsv2", Desc: "cgroupsv2 path", Size: 64, Order: OrderHost, Base: Integer}
)

func init() {
	register(Invalid, Verdict, NFProto, Bitmask, Integer, String, LLAddr, IPAddr, IP6Addr,
		EtherAddr, EtherType, ARPOp, InetProto, InetService, ICMPType, TCPFlag, DCCPPktType,
		MHType, Time, Mark, IfIndex, ARPHRD, Realm, ClassID, UID, GID, CtState, CtDir,
		CtStatus, ICMP6Type, CtLabel, PktType, ICMPCode, ICMPv6Code, ICMPXCode, DevGroup,
		DSCP, ECN, FibAddr, Boolean, CtEvent, IfName, IGMPType, TimeDate, TimeHour, TimeDay,
		CgroupV2)
}

// ParseUint parses an unsigned number like strtoumax(s, 0): decimal,
// 0x hexadecimal or leading-0 octal.
func ParseUint(s string) (*big.Int, bool) {
	if s == "" {
		return nil, false
	}
	v := new(big.Int)
	var ok bool
	switch {
	case strings.HasPrefix(s, "0x") || strings.HasPrefix(s, "0X"):
		_, ok = v.SetString(s[2:], 16)
	case len(s) > 1 && s[0] == '0':
		_, ok = v.SetString(s[1:], 8)
	default:
		if s[0] < '0' || s[0] > '9' {
			return nil, false
		}
		_, ok = v.SetString(s, 10)
	}
	if !ok || v.Sign() < 0 {
		return nil, false
	}
	return v, true
}

func parseInteger(dt *Datatype, s string) (*big.Int, error) {
	v, ok := ParseUint(s)
	if !ok {
		return nil, errNoMatch
	}
	if dt.Size > 0 && v.BitLen() > dt.Size {
		return nil, fmt.Errorf("Value %s exceeds valid range 0-%s", s, new(big.Int).Sub(new(big.Int).Lsh(big.NewInt(1), uint(dt.Size)), big.NewInt(1)))
	}
	return v, nil
}

func parseString(dt *Datatype, s string) (*big.Int, error) {
	return new(big.Int).SetBytes([]byte(s)), nil
}

func parseLLAddr(dt *Datatype, s string) (*big.Int, error) {
	parts := strings.Split(s, ":")
	var b []byte
	for _, p := range parts {
		x, err := strconv.ParseUint(p, 16, 8)
		if err != nil || len(p) == 0 || len(p) > 2 {
			return nil, fmt.Errorf("Could not parse %s", dt.Desc)
		}
		b = append(b, byte(x))
	}
	if dt.Size > 0 && len(b)*8 != dt.Size {
		return nil, fmt.Errorf("Could not parse %s", dt.Desc)
	}
	return new(big.Int).SetBytes(b), nil
}

// hostAddrs resolves the few host names nft resolves without DNS here.
var hostAddrs = map[string][2]string{
	"localhost":     {"127.0.0.1", "::1"},
	"ip6-localhost": {"", "::1"},
	"ip6-loopback":  {"", "::1"},
}

// errAddrFamily is getaddrinfo's EAI_ADDRFAMILY as nft reports it.
var errAddrFamily = fmt.Errorf("Could not resolve hostname: Address family for hostname not supported")

func parseIPAddr(dt *Datatype, s string) (*big.Int, error) {
	ip := net.ParseIP(s)
	if ip == nil || ip.To4() == nil || strings.Contains(s, ":") {
		if h, ok := hostAddrs[s]; ok && h[0] != "" {
			ip = net.ParseIP(h[0])
		} else if ip != nil {
			// getaddrinfo(AF_INET) of an IPv6 address: EAI_ADDRFAMILY
			return nil, errAddrFamily
		} else {
			return nil, fmt.Errorf("Could not resolve hostname: Name or service not known")
		}
	}
	return new(big.Int).SetBytes(ip.To4()), nil
}

func parseIP6Addr(dt *Datatype, s string) (*big.Int, error) {
	t := strings.TrimSuffix(strings.TrimPrefix(s, "["), "]")
	ip := net.ParseIP(t)
	if ip == nil || !strings.Contains(t, ":") {
		if h, ok := hostAddrs[s]; ok && h[1] != "" {
			ip = net.ParseIP(h[1])
		} else if ip != nil {
			// getaddrinfo(AF_INET6) of an IPv4 address: EAI_ADDRFAMILY
			return nil, errAddrFamily
		} else {
			return nil, fmt.Errorf("Could not resolve hostname: Name or service not known")
		}
	}
	return new(big.Int).SetBytes(ip.To16()), nil
}

func parseInetProto(dt *Datatype, s string) (*big.Int, error) {
	if v, ok := ParseUint(s); ok {
		if v.BitLen() > 8 {
			return nil, fmt.Errorf("Protocol out of range")
		}
		return v, nil
	}
	if p, ok := ProtocolNumber(s); ok {
		return big.NewInt(int64(p)), nil
	}
	return nil, fmt.Errorf("Could not resolve protocol name")
}

func parseService(dt *Datatype, s string) (*big.Int, error) {
	if v, ok := ParseUint(s); ok {
		if v.BitLen() > 16 {
			return nil, fmt.Errorf("Service out of range")
		}
		return v, nil
	}
	if p, ok := ServicePort(s); ok {
		return big.NewInt(int64(p)), nil
	}
	return nil, fmt.Errorf("Could not resolve service: Servname not supported for ai_socktype")
}

// ServicePort returns the port of a service name, like getaddrinfo(3).
func ServicePort(name string) (uint16, bool) {
	p, ok := services[name]
	return p, ok
}

func parseIfIndex(dt *Datatype, s string) (*big.Int, error) {
	if v, ok := ParseUint(s); ok {
		return v, nil
	}
	ifi, err := net.InterfaceByName(s)
	if err != nil {
		return nil, fmt.Errorf("Interface does not exist")
	}
	return big.NewInt(int64(ifi.Index)), nil
}

func parseClassID(dt *Datatype, s string) (*big.Int, error) {
	switch s {
	case "root":
		return big.NewInt(0xffffffff), nil
	case "none":
		return big.NewInt(0), nil
	}
	maj, min, ok := strings.Cut(s, ":")
	if !ok {
		return nil, errNoMatch
	}
	a, err1 := strconv.ParseUint(maj, 16, 16)
	if maj == "" {
		a, err1 = 0, nil
	}
	b, err2 := strconv.ParseUint(min, 16, 16)
	if err1 != nil || err2 != nil {
		return nil, fmt.Errorf("Could not parse %s", dt.Desc)
	}
	return big.NewInt(int64(a<<16 | b)), nil
}

func parseUID(dt *Datatype, s string) (*big.Int, error) {
	if _, ok := ParseUint(s); ok {
		return nil, errNoMatch
	}
	u, err := user.Lookup(s)
	if err != nil {
		return nil, fmt.Errorf("User does not exist")
	}
	v, _ := strconv.ParseUint(u.Uid, 10, 32)
	return big.NewInt(int64(v)), nil
}

func parseGID(dt *Datatype, s string) (*big.Int, error) {
	if _, ok := ParseUint(s); ok {
		return nil, errNoMatch
	}
	g, err := user.LookupGroup(s)
	if err != nil {
		return nil, fmt.Errorf("Group does not exist")
	}
	v, _ := strconv.ParseUint(g.Gid, 10, 32)
	return big.NewInt(int64(v)), nil
}

func parseCtLabel(dt *Datatype, s string) (*big.Int, error) {
	if v, ok := ParseUint(s); ok {
		if v.Int64() >= 128 {
			return nil, fmt.Errorf("%s: out of range (max 127)", s)
		}
		return new(big.Int).Lsh(big.NewInt(1), uint(v.Int64())), nil
	}
	if CtLabelSymbols != nil {
		if bit, ok := CtLabelSymbols.Lookup(s); ok && bit < 128 {
			return new(big.Int).Lsh(big.NewInt(1), uint(bit)), nil
		}
	}
	return nil, fmt.Errorf("%s: could not parse %s", s, dt.Desc)
}

// ParseDuration parses nft's time notation ("1d2h3m4s5ms", or a plain
// number of seconds) and returns milliseconds.
func ParseDuration(s string) (uint64, error) {
	if v, ok := ParseUint(s); ok {
		return v.Uint64() * 1000, nil
	}
	var total uint64
	rest := s
	if rest == "" {
		return 0, fmt.Errorf("wrong time format")
	}
	for rest != "" {
		i := 0
		for i < len(rest) && rest[i] >= '0' && rest[i] <= '9' {
			i++
		}
		if i == 0 {
			return 0, fmt.Errorf("wrong time format")
		}
		n, _ := strconv.ParseUint(rest[:i], 10, 64)
		rest = rest[i:]
		j := 0
		for j < len(rest) && (rest[j] < '0' || rest[j] > '9') {
			j++
		}
		unit := rest[:j]
		rest = rest[j:]
		var mul uint64
		switch unit {
		case "d":
			mul = 86400000
		case "h":
			mul = 3600000
		case "m":
			mul = 60000
		case "s":
			mul = 1000
		case "ms":
			mul = 1
		default:
			return 0, fmt.Errorf("wrong time format")
		}
		total += n * mul
	}
	return total, nil
}

func parseTimeMS(dt *Datatype, s string) (*big.Int, error) {
	ms, err := ParseDuration(s)
	if err != nil {
		return nil, err
	}
	return new(big.Int).SetUint64(ms), nil
}

// Location is the time zone meta hour/time values are read in (nft uses
// the local zone; the corpus runs with TZ=UTC-2). When it is time.Local,
// a POSIX TZ value without a zone file ("UTC-2") is honoured too.
var Location = time.Local

// zone returns the location to read times in.
func zone() *time.Location {
	if Location != time.Local {
		return Location
	}
	tz := os.Getenv("TZ")
	if tz == "" || strings.HasPrefix(tz, ":") {
		return time.Local
	}
	if _, err := time.LoadLocation(tz); err == nil {
		return time.Local
	}
	// POSIX "STDoffset": letters, then [+-]hh[:mm[:ss]] west of UTC.
	i := 0
	for i < len(tz) && (tz[i] >= 'A' && tz[i] <= 'Z' || tz[i] >= 'a' && tz[i] <= 'z') {
		i++
	}
	rest := tz[i:]
	if i < 3 || rest == "" {
		return time.Local
	}
	sign := 1
	switch rest[0] {
	case '-':
		sign = -1
		rest = rest[1:]
	case '+':
		rest = rest[1:]
	}
	var h, m, sec int
	parts := strings.Split(rest, ":")
	for j, p := range parts {
		n, err := strconv.Atoi(p)
		if err != nil {
			return time.Local
		}
		switch j {
		case 0:
			h = n
		case 1:
			m = n
		case 2:
			sec = n
		}
	}
	return time.FixedZone(tz[:i], -sign*(h*3600+m*60+sec))
}

func parseHour(dt *Datatype, s string) (*big.Int, error) {
	var h, m, sec int
	n, _ := fmt.Sscanf(s, "%d:%d:%d", &h, &m, &sec)
	if n < 2 {
		return nil, fmt.Errorf("Can't parse hour %q", s)
	}
	if h > 23 || m > 59 || sec > 59 {
		return nil, fmt.Errorf("Hour must be between 00:00:00 and 23:59:59")
	}
	_, off := time.Now().In(zone()).Zone()
	v := (h*3600 + m*60 + sec - off) % 86400
	if v < 0 {
		v += 86400
	}
	return big.NewInt(int64(v)), nil
}

func parseDate(dt *Datatype, s string) (*big.Int, error) {
	for _, layout := range []string{"2006-01-02 15:04:05", "2006-01-02 15:04", "2006-01-02"} {
		if t, err := time.ParseInLocation(layout, s, zone()); err == nil {
			return big.NewInt(t.UnixNano()), nil
		}
	}
	if v, ok := ParseUint(s); ok {
		return new(big.Int).Mul(v, big.NewInt(1e9)), nil
	}
	return nil, fmt.Errorf("%s is not a valid date", s)
}
