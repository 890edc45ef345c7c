package types

// Key is a meta, ct, rt, socket... key template: the kernel key number,
// the datatype and the register size in bits.
type Key struct {
	Name  string
	Num   uint32
	Type  *Datatype
	Len   int
	Order ByteOrder
}

func k(name string, num uint32, dt *Datatype, bits int, o ByteOrder) Key {
	return Key{Name: name, Num: num, Type: dt, Len: bits, Order: o}
}

// MetaKeys are the meta keys (meta.c meta_templates), by NFT_META_* number.
var MetaKeys = []Key{
	k("length", 0, Integer, 32, OrderHost),
	k("protocol", 1, EtherType, 16, OrderBig),
	k("priority", 2, ClassID, 32, OrderHost),
	k("mark", 3, Mark, 32, OrderHost),
	k("iif", 4, IfIndex, 32, OrderHost),
	k("oif", 5, IfIndex, 32, OrderHost),
	k("iifname", 6, IfName, 128, OrderHost),
	k("oifname", 7, IfName, 128, OrderHost),
	k("iiftype", 8, ARPHRD, 16, OrderHost),
	k("oiftype", 9, ARPHRD, 16, OrderHost),
	k("skuid", 10, UID, 32, OrderHost),
	k("skgid", 11, GID, 32, OrderHost),
	k("nftrace", 12, Integer, 1, OrderHost),
	k("rtclassid", 13, Realm, 32, OrderHost),
	k("nfproto", 15, NFProto, 8, OrderHost),
	k("l4proto", 16, InetProto, 8, OrderHost),
	k("ibrname", 17, IfName, 128, OrderHost),
	k("obrname", 18, IfName, 128, OrderHost),
	k("pkttype", 19, PktType, 8, OrderHost),
	k("cpu", 20, Integer, 32, OrderHost),
	k("iifgroup", 21, DevGroup, 32, OrderHost),
	k("oifgroup", 22, DevGroup, 32, OrderHost),
	k("cgroup", 23, Integer, 32, OrderHost),
	k("random", 24, Integer, 32, OrderBig),
	k("ipsec", 25, Boolean, 8, OrderHost),
	k("iifkind", 26, IfName, 128, OrderHost),
	k("oifkind", 27, IfName, 128, OrderHost),
	k("ibrpvid", 28, Integer, 16, OrderHost),
	k("ibrvproto", 29, EtherType, 16, OrderBig),
	k("time", 30, TimeDate, 64, OrderHost),
	k("day", 31, TimeDay, 8, OrderHost),
	k("hour", 32, TimeHour, 32, OrderHost),
	k("secmark", 14, Integer, 32, OrderHost),
	k("sdif", 33, IfIndex, 32, OrderHost),
	k("sdifname", 34, IfName, 128, OrderHost),
}

// MetaKey returns the meta key named name ("secpath" is ipsec's old name).
func MetaKey(name string) (Key, bool) {
	if name == "secpath" {
		name = "ipsec"
	}
	if name == "ibriport" {
		name = "ibrname"
	}
	if name == "obriport" {
		name = "obrname"
	}
	return lookupKey(MetaKeys, name)
}

// CtKeys are the conntrack keys (ct.c ct_templates), by NFT_CT_* number.
// saddr/daddr/proto-src/proto-dst take their type from the context.
var CtKeys = []Key{
	k("state", 0, CtState, 32, OrderHost),
	k("direction", 1, CtDir, 8, OrderHost),
	k("status", 2, CtStatus, 32, OrderHost),
	k("mark", 3, Mark, 32, OrderHost),
	k("secmark", 4, Integer, 32, OrderHost),
	k("expiration", 5, Time, 32, OrderHost),
	k("helper", 6, String, 128, OrderHost),
	k("l3proto", 7, NFProto, 8, OrderHost),
	k("saddr", 8, Invalid, 0, OrderBig),
	k("daddr", 9, Invalid, 0, OrderBig),
	k("protocol", 10, InetProto, 8, OrderBig),
	k("proto-src", 11, Invalid, 16, OrderBig),
	k("proto-dst", 12, Invalid, 16, OrderBig),
	k("label", 13, CtLabel, 128, OrderHost),
	k("packets", 14, Integer, 64, OrderHost),
	k("bytes", 15, Integer, 64, OrderHost),
	k("avgpkt", 16, Integer, 64, OrderHost),
	k("zone", 17, Integer, 16, OrderHost),
	k("event", 18, CtEvent, 32, OrderHost),
	k("ip saddr", 19, IPAddr, 32, OrderBig),
	k("ip daddr", 20, IPAddr, 32, OrderBig),
	k("ip6 saddr", 21, IP6Addr, 128, OrderBig),
	k("ip6 daddr", 22, IP6Addr, 128, OrderBig),
	k("id", 23, Integer, 32, OrderBig),
}

// CtKey returns the ct key named name.
func CtKey(name string) (Key, bool) { return lookupKey(CtKeys, name) }

// RtKeys are the routing keys (rt.c), by NFT_RT_* number.
var RtKeys = []Key{
	k("classid", 0, Realm, 32, OrderHost),
	k("nexthop", 1, IPAddr, 32, OrderBig),
	k("nexthop6", 2, IP6Addr, 128, OrderBig),
	k("mtu", 3, Integer, 16, OrderHost),
	k("ipsec", 4, Boolean, 8, OrderHost),
}

// SocketKeys are the socket keys (socket.c), by NFT_SOCKET_* number.
// nft's templates give transparent and wildcard 8 bits but evaluation
// caps their values at 1, so they are 1-bit keys here.
var SocketKeys = []Key{
	k("transparent", 0, Integer, 1, OrderHost),
	k("mark", 1, Mark, 32, OrderHost),
	k("wildcard", 2, Integer, 1, OrderHost),
	k("cgroupv2", 3, CgroupV2, 64, OrderHost),
}

// XfrmKeys are the ipsec keys (xfrm.c), by NFT_XFRM_KEY_* number.
var XfrmKeys = []Key{
	k("daddr ip", 1, IPAddr, 32, OrderBig),
	k("daddr ip6", 2, IP6Addr, 128, OrderBig),
	k("saddr ip", 3, IPAddr, 32, OrderBig),
	k("saddr ip6", 4, IP6Addr, 128, OrderBig),
	k("reqid", 5, Integer, 32, OrderHost),
	k("spi", 6, Integer, 32, OrderBig),
}

func lookupKey(keys []Key, name string) (Key, bool) {
	for _, x := range keys {
		if x.Name == name {
			return x, true
		}
	}
	return Key{}, false
}

// KeyByNum returns the key with kernel number num in one of the tables above.
func KeyByNum(keys []Key, num uint32) (Key, bool) {
	for _, x := range keys {
		if x.Num == num {
			return x, true
		}
	}
	return Key{}, false
}

// LookupKey finds name in one of the key tables above.
func LookupKey(keys []Key, name string) (Key, bool) { return lookupKey(keys, name) }
