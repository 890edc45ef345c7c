package delinearize

import (
	"fmt"
	"strings"

	"github.com/nfsh/nfsh/core/types"
)

type keyTmpl struct {
	name  string
	t     *types.Datatype
	bits  int
	order types.ByteOrder
}

// metaTemplates mirrors nft's meta_templates, indexed by NFT_META_*.
var metaTemplates = map[uint32]keyTmpl{
	0:  {"length", types.Integer, 32, types.OrderHost},
	1:  {"protocol", types.EtherType, 16, types.OrderBig},
	2:  {"priority", types.ClassID, 32, types.OrderHost},
	3:  {"mark", types.Mark, 32, types.OrderHost},
	4:  {"iif", types.IfIndex, 32, types.OrderHost},
	5:  {"oif", types.IfIndex, 32, types.OrderHost},
	6:  {"iifname", types.IfName, 128, types.OrderHost},
	7:  {"oifname", types.IfName, 128, types.OrderHost},
	8:  {"iiftype", types.ARPHRD, 16, types.OrderHost},
	9:  {"oiftype", types.ARPHRD, 16, types.OrderHost},
	10: {"skuid", types.UID, 32, types.OrderHost},
	11: {"skgid", types.GID, 32, types.OrderHost},
	12: {"nftrace", types.Integer, 1, types.OrderHost},
	13: {"rtclassid", types.Realm, 32, types.OrderHost},
	14: {"secmark", types.Integer, 32, types.OrderHost},
	15: {"nfproto", types.NFProto, 8, types.OrderHost},
	16: {"l4proto", types.InetProto, 8, types.OrderHost},
	17: {"ibrname", types.IfName, 128, types.OrderHost},
	18: {"obrname", types.IfName, 128, types.OrderHost},
	19: {"pkttype", types.PktType, 8, types.OrderHost},
	20: {"cpu", types.Integer, 32, types.OrderHost},
	21: {"iifgroup", types.DevGroup, 32, types.OrderHost},
	22: {"oifgroup", types.DevGroup, 32, types.OrderHost},
	23: {"cgroup", types.Integer, 32, types.OrderHost},
	24: {"random", types.Integer, 32, types.OrderBig},
	25: {"ipsec", types.Boolean, 8, types.OrderHost},
	26: {"iifkind", types.IfName, 128, types.OrderHost},
	27: {"oifkind", types.IfName, 128, types.OrderHost},
	28: {"ibrpvid", types.Integer, 16, types.OrderHost},
	29: {"ibrvproto", types.EtherType, 16, types.OrderBig},
	30: {"time", types.TimeDate, 64, types.OrderHost},
	31: {"day", types.TimeDay, 8, types.OrderHost},
	32: {"hour", types.TimeHour, 32, types.OrderHost},
	33: {"sdif", types.IfIndex, 32, types.OrderHost},
	34: {"sdifname", types.IfName, 128, types.OrderHost},
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
		t = keyTmpl{"unknown", types.Invalid, 32, types.OrderHost}
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
	0:  {"state", types.CtState, 32, types.OrderHost},
	1:  {"direction", types.CtDir, 8, types.OrderHost},
	2:  {"status", types.CtStatus, 32, types.OrderHost},
	3:  {"mark", types.Mark, 32, types.OrderHost},
	4:  {"secmark", types.Integer, 32, types.OrderHost},
	5:  {"expiration", types.Time, 32, types.OrderHost},
	6:  {"helper", types.String, 128, types.OrderHost},
	7:  {"l3proto", types.NFProto, 8, types.OrderHost},
	8:  {"saddr", types.Invalid, 0, types.OrderBig},
	9:  {"daddr", types.Invalid, 0, types.OrderBig},
	10: {"protocol", types.InetProto, 8, types.OrderBig},
	11: {"proto-src", types.Invalid, 16, types.OrderBig},
	12: {"proto-dst", types.Invalid, 16, types.OrderBig},
	13: {"label", types.CtLabel, 128, types.OrderHost},
	14: {"packets", types.Integer, 64, types.OrderHost},
	15: {"bytes", types.Integer, 64, types.OrderHost},
	16: {"avgpkt", types.Integer, 64, types.OrderHost},
	17: {"zone", types.Integer, 16, types.OrderHost},
	18: {"event", types.CtEvent, 32, types.OrderHost},
	19: {"ip saddr", types.IPAddr, 32, types.OrderBig},
	20: {"ip daddr", types.IPAddr, 32, types.OrderBig},
	21: {"ip6 saddr", types.IP6Addr, 128, types.OrderBig},
	22: {"ip6 daddr", types.IP6Addr, 128, types.OrderBig},
	23: {"id", types.Integer, 32, types.OrderBig},
}

func newCt(key uint32, dir int) *node {
	t, ok := ctTemplates[key]
	if !ok {
		t = keyTmpl{"unknown", types.Invalid, 32, types.OrderHost}
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
			n.t, n.nfproto = types.IPAddr, 2
		} else if desc == protoIP6 {
			n.t, n.nfproto = types.IP6Addr, 10
		}
		n.len = n.t.Size
	case 11, 12:
		if desc != nil {
			n.t = types.InetService
		}
	case 19, 20:
		n.t, n.len = types.IPAddr, 32
	case 21, 22:
		n.t, n.len = types.IP6Addr, 128
	}
}

var rtKeys = map[uint32]keyTmpl{
	0: {"classid", types.Realm, 32, types.OrderHost},
	1: {"ip nexthop", types.IPAddr, 32, types.OrderBig},
	2: {"ip6 nexthop", types.IP6Addr, 128, types.OrderBig},
	3: {"mtu", types.Integer, 16, types.OrderHost},
	4: {"ipsec", types.Boolean, 1, types.OrderHost},
}

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
