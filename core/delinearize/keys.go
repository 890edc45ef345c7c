package delinearize

import (
	"fmt"
	"strings"

	"github.com/nfsh/nfsh/core/types"
)

// keyTmpl returns the template of kernel key num in keys (a core/types
// key table), or an unknown 32-bit one.
func keyTmpl(keys []types.Key, num uint32) types.Key {
	if k, ok := types.KeyByNum(keys, num); ok {
		return k
	}
	return types.Key{Name: "unknown", Type: types.Invalid, Len: 32, Order: types.OrderHost}
}

func metaName(key uint32) string {
	t := keyTmpl(types.MetaKeys, key)
	switch key {
	case 4, 5, 6, 7, 21, 22:
		return t.Name
	}
	return "meta " + t.Name
}

func newMeta(key uint32) *node {
	t := keyTmpl(types.MetaKeys, key)
	n := &node{k: kMeta, key: key, t: t.Type, order: t.Order, len: t.Len}
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

func newCt(key uint32, dir int) *node {
	t := keyTmpl(types.CtKeys, key)
	n := &node{k: kCt, key: key, dir: int32(dir), t: t.Type, order: t.Order, len: t.Len}
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
	sb.WriteString(keyTmpl(types.CtKeys, n.key).Name)
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
