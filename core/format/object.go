package format

import (
	"encoding/binary"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/mdlayher/netlink"

	"github.com/nfsh/nfsh/core/delinearize"
	"github.com/nfsh/nfsh/core/ruleset"
)

// Object types (NFT_OBJECT_*).
const (
	objCounter  = 1
	objQuota    = 2
	objCtHelper = 3
	objLimit    = 4
	objCtTmo    = 7
	objSecmark  = 8
	objCtExpect = 9
	objSynproxy = 10
)

// objAttrs decodes NFTA_OBJ_DATA into attribute type -> raw value.
func objAttrs(b []byte) map[uint16][]byte {
	out := map[uint16][]byte{}
	ad, err := netlink.NewAttributeDecoder(b)
	if err != nil {
		return out
	}
	for ad.Next() {
		out[ad.Type()] = ad.Bytes()
	}
	return out
}

func be(v []byte) uint64 {
	switch len(v) {
	case 1:
		return uint64(v[0])
	case 2:
		return uint64(binary.BigEndian.Uint16(v))
	case 4:
		return uint64(binary.BigEndian.Uint32(v))
	case 8:
		return binary.BigEndian.Uint64(v)
	}
	return 0
}

func cstr(v []byte) string {
	for i, c := range v {
		if c == 0 {
			return string(v[:i])
		}
	}
	return string(v)
}

// SetString returns the listing block of a named set or map.
func SetString(t *ruleset.Table, s *ruleset.Set, o *Options) string {
	return delinearize.SetDecl(t, s, o)
}

// ObjectString returns the listing block of a stateful object.
func ObjectString(ob *ruleset.Object, o *Options) string {
	var sb strings.Builder
	stateless := o != nil && o.Stateless
	a := objAttrs(ob.Data)
	name := delinearize.ObjTypeName(ob.Type)
	if name == "unknown" {
		fmt.Fprintf(&sb, "\tunknown {\n\t}\n")
		return sb.String()
	}
	fmt.Fprintf(&sb, "\t%s %s {", name, ob.Name)
	if o != nil && o.Handles {
		fmt.Fprintf(&sb, " # handle %d", ob.Handle)
	}
	if c := ruleset.UdataString(ob.Userdata, ruleset.UdataObjComment); c != "" {
		fmt.Fprintf(&sb, "\n\t\tcomment \"%s\"", c)
	}
	switch ob.Type {
	case objCounter:
		if stateless {
			sb.WriteString("\n")
		} else {
			fmt.Fprintf(&sb, "\n\t\tpackets %d bytes %d\n", be(a[2]), be(a[1]))
		}
	case objQuota:
		sb.WriteString("\n\t\t")
		over := ""
		if be(a[2])&1 != 0 {
			over = "over "
		}
		v, u := delinearize.RateUnit(be(a[1]))
		fmt.Fprintf(&sb, "%s%d %s", over, v, u)
		if used := be(a[4]); !stateless && used != 0 {
			v, u = delinearize.RateUnit(used)
			fmt.Fprintf(&sb, " used %d %s", v, u)
		}
		sb.WriteString("\n")
	case objSecmark:
		fmt.Fprintf(&sb, "\n\t\t\"%s\"\n", cstr(a[1]))
	case objCtHelper:
		fmt.Fprintf(&sb, "\n\t\ttype \"%s\" protocol %s\n", cstr(a[1]), l4Name(uint8(be(a[3]))))
		fmt.Fprintf(&sb, "\t\tl3proto %s\n", famName(int(be(a[2]))))
	case objCtTmo:
		l4 := uint8(be(a[2]))
		fmt.Fprintf(&sb, "\n\t\tprotocol %s\n", l4Name(l4))
		fmt.Fprintf(&sb, "\t\tl3proto %s\n", famName(int(be(a[1]))))
		sb.WriteString("\t\tpolicy = { ")
		sb.WriteString(timeoutPolicy(l4, a[3]))
		sb.WriteString(" }\n")
	case objCtExpect:
		fmt.Fprintf(&sb, "\n\t\tprotocol %s\n", l4Name(uint8(be(a[2]))))
		fmt.Fprintf(&sb, "\t\tdport %d\n", be(a[3]))
		// NFTA_CT_EXPECT_TIMEOUT is in host byte order
		fmt.Fprintf(&sb, "\t\ttimeout %s\n", delinearize.TimeString(hostU32(a[4])))
		fmt.Fprintf(&sb, "\t\tsize %d\n", be(a[5]))
		fmt.Fprintf(&sb, "\t\tl3proto %s\n", famName(int(be(a[1]))))
	case objLimit:
		sb.WriteString("\n\t\t")
		rate, unit, burst, typ, flags := be(a[1]), be(a[2]), be(a[3]), be(a[4]), be(a[5])
		over := ""
		if flags&1 != 0 {
			over = "over "
		}
		if typ == 0 {
			fmt.Fprintf(&sb, "rate %s%d/%s", over, rate, delinearize.TimeUnit(unit))
			if burst > 0 && burst != 5 {
				fmt.Fprintf(&sb, " burst %d packets", burst)
			}
		} else {
			r, u := delinearize.RateUnit(rate)
			fmt.Fprintf(&sb, "rate %s%d %s/%s", over, r, u, delinearize.TimeUnit(unit))
			if burst > 0 {
				b, bu := delinearize.RateUnit(burst)
				fmt.Fprintf(&sb, " burst %d %s", b, bu)
			}
		}
		sb.WriteString("\n")
	case objSynproxy:
		flags := be(a[3])
		if flags&0x1 != 0 {
			fmt.Fprintf(&sb, "\n\t\tmss %d", be(a[1]))
		}
		if flags&0x2 != 0 {
			fmt.Fprintf(&sb, "\n\t\twscale %d", be(a[2]))
		}
		if flags&(0x4|0x8) != 0 {
			ts, sack := "", ""
			if flags&0x8 != 0 { // NF_SYNPROXY_OPT_TIMESTAMP
				ts = "timestamp"
			}
			if flags&0x4 != 0 { // NF_SYNPROXY_OPT_SACK_PERM
				sack = "sack-perm"
			}
			fmt.Fprintf(&sb, "\n\t\t%s %s", ts, sack)
		}
		sb.WriteString("\n")
	}
	sb.WriteString("\t}\n")
	return sb.String()
}

var tcpStates = []string{"syn_sent", "syn_recv", "established", "fin_wait", "close_wait", "last_ack", "time_wait", "close", "syn_sent2", "retrans", "unack"}
var tcpDefaults = []uint64{120, 60, 432000, 120, 60, 30, 120, 10, 120, 300, 300}
var udpStates = []string{"unreplied", "replied"}
var udpDefaults = []uint64{30, 120}

func timeoutPolicy(l4 uint8, data []byte) string {
	var names []string
	var dflt []uint64
	switch l4 {
	case 6:
		names, dflt = tcpStates, tcpDefaults
	case 17:
		names, dflt = udpStates, udpDefaults
	default:
		return ""
	}
	vals := append([]uint64(nil), dflt...)
	for t, v := range objAttrs(data) {
		if int(t) >= 1 && int(t) <= len(vals) {
			vals[t-1] = be(v)
		}
	}
	var parts []string
	for i := range names {
		if vals[i] != dflt[i] {
			parts = append(parts, fmt.Sprintf("%s : %d", names[i], vals[i]))
		}
	}
	return strings.Join(parts, ", ")
}

func famName(f int) string {
	switch f {
	case 2:
		return "ip"
	case 10:
		return "ip6"
	case 1:
		return "inet"
	case 5:
		return "netdev"
	case 3:
		return "arp"
	case 7:
		return "bridge"
	}
	return "unknown"
}

func l4Name(p uint8) string {
	if n, ok := protoNames()[int(p)]; ok {
		return n
	}
	return strconv.Itoa(int(p))
}

var protoCache map[int]string

func protoNames() map[int]string {
	if protoCache != nil {
		return protoCache
	}
	protoCache = map[int]string{}
	data, err := os.ReadFile("/etc/protocols")
	if err != nil {
		return protoCache
	}
	for _, line := range strings.Split(string(data), "\n") {
		if i := strings.IndexByte(line, '#'); i >= 0 {
			line = line[:i]
		}
		f := strings.Fields(line)
		if len(f) < 2 {
			continue
		}
		n, err := strconv.Atoi(f[1])
		if err != nil {
			continue
		}
		if _, ok := protoCache[n]; !ok {
			protoCache[n] = f[0]
		}
	}
	return protoCache
}

// progName finds the program owning netlink port id portid, like nft's
// get_progname; "(null)" when it cannot be found.
func progName(portid uint32) string {
	data, err := os.ReadFile("/proc/net/netlink")
	if err != nil {
		return "(null)"
	}
	var inode string
	for _, line := range strings.Split(string(data), "\n")[1:] {
		f := strings.Fields(line)
		if len(f) < 10 {
			continue
		}
		if f[1] == "12" && f[2] == strconv.FormatUint(uint64(portid), 10) {
			inode = f[9]
			break
		}
	}
	if inode == "" {
		return "(null)"
	}
	target := "socket:[" + inode + "]"
	try := func(pid string) string {
		fds, _ := filepath.Glob("/proc/" + pid + "/fd/*")
		for _, fd := range fds {
			if l, err := os.Readlink(fd); err == nil && l == target {
				st, err := os.ReadFile("/proc/" + pid + "/stat")
				if err != nil {
					return ""
				}
				s := string(st)
				i, j := strings.IndexByte(s, '('), strings.IndexByte(s, ')')
				if i >= 0 && j > i {
					return s[i+1 : j]
				}
			}
		}
		return ""
	}
	if n := try(strconv.FormatUint(uint64(portid), 10)); n != "" {
		return n
	}
	dirs, _ := os.ReadDir("/proc")
	for _, d := range dirs {
		if _, err := strconv.Atoi(d.Name()); err != nil || d.Name() == "1" {
			continue
		}
		if n := try(d.Name()); n != "" {
			return n
		}
	}
	return "(null)"
}

// hostU32 reads a host-byte-order u32 attribute (0 if malformed).
func hostU32(v []byte) uint64 {
	if len(v) != 4 {
		return 0
	}
	return uint64(binary.NativeEndian.Uint32(v))
}
