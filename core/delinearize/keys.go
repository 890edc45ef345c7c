package delinearize

import (
	"fmt"
	"os"
	"strings"
	"sync"
)

type keyTmpl struct {
	name  string
	t     *Datatype
	bits  int
	order ByteOrder
}

// metaTemplates mirrors nft's meta_templates, indexed by NFT_META_*.
var metaTemplates = map[uint32]keyTmpl{
	0:  {"length", dtInteger, 32, OrderHost},
	1:  {"protocol", dtEtherType, 16, OrderBig},
	2:  {"priority", dtClassID, 32, OrderHost},
	3:  {"mark", dtMark, 32, OrderHost},
	4:  {"iif", dtIfIndex, 32, OrderHost},
	5:  {"oif", dtIfIndex, 32, OrderHost},
	6:  {"iifname", dtIfName, 128, OrderHost},
	7:  {"oifname", dtIfName, 128, OrderHost},
	8:  {"iiftype", dtARPHRD, 16, OrderHost},
	9:  {"oiftype", dtARPHRD, 16, OrderHost},
	10: {"skuid", dtUID, 32, OrderHost},
	11: {"skgid", dtGID, 32, OrderHost},
	12: {"nftrace", dtInteger, 1, OrderHost},
	13: {"rtclassid", dtRealm, 32, OrderHost},
	14: {"secmark", dtInteger, 32, OrderHost},
	15: {"nfproto", dtNFProto, 8, OrderHost},
	16: {"l4proto", dtInetProto, 8, OrderHost},
	17: {"ibrname", dtIfName, 128, OrderHost},
	18: {"obrname", dtIfName, 128, OrderHost},
	19: {"pkttype", dtPktType, 8, OrderHost},
	20: {"cpu", dtInteger, 32, OrderHost},
	21: {"iifgroup", dtDevGroup, 32, OrderHost},
	22: {"oifgroup", dtDevGroup, 32, OrderHost},
	23: {"cgroup", dtInteger, 32, OrderHost},
	24: {"random", dtInteger, 32, OrderBig},
	25: {"ipsec", dtBoolean, 8, OrderHost},
	26: {"iifkind", dtIfName, 128, OrderHost},
	27: {"oifkind", dtIfName, 128, OrderHost},
	28: {"ibrpvid", dtInteger, 16, OrderHost},
	29: {"ibrvproto", dtEtherType, 16, OrderBig},
	30: {"time", dtDate, 64, OrderHost},
	31: {"day", dtDay, 8, OrderHost},
	32: {"hour", dtHour, 32, OrderHost},
	33: {"sdif", dtIfIndex, 32, OrderHost},
	34: {"sdifname", dtIfName, 128, OrderHost},
}

func metaName(key uint32) string {
	t, ok := metaTemplates[key]
	if !ok {
		return "meta unknown"
	}
	switch key {
	case 4, 5, 6, 7, 21, 22:
		return t.name
	}
	return "meta " + t.name
}

func newMeta(key uint32) *node {
	t, ok := metaTemplates[key]
	if !ok {
		t = keyTmpl{"unknown", dtInvalid, 32, OrderHost}
	}
	n := &node{k: kMeta, key: key, t: t.t, order: t.order, len: t.bits}
	switch key {
	case 8: // iiftype
		n.protocol = true
	case 15:
		n.protocol, n.mbase = true, baseLL
	case 16:
		n.protocol, n.mbase = true, baseNetwork
	case 1:
		n.protocol, n.mbase = true, baseLL
	}
	return n
}

// ctTemplates mirrors nft's ct_templates, indexed by NFT_CT_*.
var ctTemplates = map[uint32]keyTmpl{
	0:  {"state", dtCtState, 32, OrderHost},
	1:  {"direction", dtCtDir, 8, OrderHost},
	2:  {"status", dtCtStatus, 32, OrderHost},
	3:  {"mark", dtMark, 32, OrderHost},
	4:  {"secmark", dtInteger, 32, OrderHost},
	5:  {"expiration", dtTime, 32, OrderHost},
	6:  {"helper", dtString, 128, OrderHost},
	7:  {"l3proto", dtNFProto, 8, OrderHost},
	8:  {"saddr", dtInvalid, 0, OrderBig},
	9:  {"daddr", dtInvalid, 0, OrderBig},
	10: {"protocol", dtInetProto, 8, OrderBig},
	11: {"proto-src", dtInvalid, 16, OrderBig},
	12: {"proto-dst", dtInvalid, 16, OrderBig},
	13: {"label", dtCtLabel, 128, OrderHost},
	14: {"packets", dtInteger, 64, OrderHost},
	15: {"bytes", dtInteger, 64, OrderHost},
	16: {"avgpkt", dtInteger, 64, OrderHost},
	17: {"zone", dtInteger, 16, OrderHost},
	18: {"event", dtCtEvent, 32, OrderHost},
	19: {"ip saddr", dtIPAddr, 32, OrderBig},
	20: {"ip daddr", dtIPAddr, 32, OrderBig},
	21: {"ip6 saddr", dtIP6Addr, 128, OrderBig},
	22: {"ip6 daddr", dtIP6Addr, 128, OrderBig},
	23: {"id", dtInteger, 32, OrderBig},
}

func newCt(key uint32, dir int) *node {
	t, ok := ctTemplates[key]
	if !ok {
		t = keyTmpl{"unknown", dtInvalid, 32, OrderHost}
	}
	n := &node{k: kCt, key: key, dir: int32(dir), t: t.t, order: t.order, len: t.bits}
	switch key {
	case 8, 9:
		n.mbase = baseNetwork
	case 11, 12:
		n.mbase = baseTransport
	case 10:
		n.protocol, n.mbase = true, baseNetwork
	case 7:
		n.protocol, n.mbase = true, baseLL
	}
	return n
}

func ctName(n *node) string {
	var sb strings.Builder
	sb.WriteString("ct ")
	if n.dir >= 0 {
		switch n.dir {
		case 0:
			sb.WriteString("original ")
		case 1:
			sb.WriteString("reply ")
		}
		if n.key == 8 || n.key == 9 {
			switch n.nfproto {
			case 2:
				sb.WriteString("ip ")
			case 10:
				sb.WriteString("ip6 ")
			}
		}
	}
	if t, ok := ctTemplates[n.key]; ok {
		sb.WriteString(t.name)
	} else {
		sb.WriteString("unknown")
	}
	return sb.String()
}

// ctUpdateType is ct_expr_update_type.
func ctUpdateType(pc *protoCtx, n *node) {
	desc := pc.desc(int(n.mbase))
	switch n.key {
	case 8, 9:
		if desc == protoIP {
			n.t, n.nfproto = dtIPAddr, 2
		} else if desc == protoIP6 {
			n.t, n.nfproto = dtIP6Addr, 10
		}
		n.len = n.t.Size
	case 11, 12:
		if desc != nil {
			n.t = dtInetSvc
		}
	case 19, 20:
		n.t, n.len = dtIPAddr, 32
	case 21, 22:
		n.t, n.len = dtIP6Addr, 128
	}
}

var rtKeys = map[uint32]keyTmpl{
	0: {"classid", dtRealm, 32, OrderHost},
	1: {"ip nexthop", dtIPAddr, 32, OrderBig},
	2: {"ip6 nexthop", dtIP6Addr, 128, OrderBig},
	3: {"mtu", dtInteger, 16, OrderHost},
	4: {"ipsec", dtBoolean, 1, OrderHost},
}

// protocol names from /etc/protocols, as getprotobynumber returns them.
var (
	protoOnce  sync.Once
	protoNames map[int]string
)

func protoName(n int) (string, bool) {
	protoOnce.Do(func() {
		protoNames = map[int]string{}
		data, err := os.ReadFile("/etc/protocols")
		if err != nil {
			for k, v := range map[int]string{0: "ip", 1: "icmp", 2: "igmp", 6: "tcp", 17: "udp", 33: "dccp", 41: "ipv6",
				47: "gre", 50: "esp", 51: "ah", 58: "ipv6-icmp", 108: "ipcomp", 132: "sctp", 136: "udplite"} {
				protoNames[k] = v
			}
			return
		}
		for _, line := range strings.Split(string(data), "\n") {
			if i := strings.IndexByte(line, '#'); i >= 0 {
				line = line[:i]
			}
			f := strings.Fields(line)
			if len(f) < 2 {
				continue
			}
			var num int
			if _, err := fmt.Sscan(f[1], &num); err != nil {
				continue
			}
			if _, ok := protoNames[num]; !ok {
				protoNames[num] = f[0]
			}
		}
	})
	s, ok := protoNames[n]
	return s, ok
}

func readFile(p string) ([]byte, error) { return os.ReadFile(p) }

func hashString(n *node, o *Options) string {
	var sb strings.Builder
	if n.key == 1 {
		sb.WriteString("symhash")
	} else {
		sb.WriteString("jhash ")
		n.hashArg.write(&sb, o)
	}
	fmt.Fprintf(&sb, " mod %d", n.extra["mod"])
	if n.extra["seedset"] != 0 {
		fmt.Fprintf(&sb, " seed 0x%x", n.extra["seed"])
	}
	if n.extra["offset"] != 0 {
		fmt.Fprintf(&sb, " offset %d", n.extra["offset"])
	}
	return sb.String()
}
