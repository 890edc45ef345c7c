package types

// protocols is nft's view of /etc/protocols (getprotobyname(3)), built
// in because not every machine has the file. Names nft's grammar
// accepts as keywords (icmpv6, comp) are included.
var protocols = []struct {
	name string
	num  uint8
}{
	{"ip", 0}, {"hopopt", 0}, {"icmp", 1}, {"igmp", 2}, {"ggp", 3}, {"ipencap", 4}, {"st", 5},
	{"tcp", 6}, {"egp", 8}, {"igp", 9}, {"pup", 12}, {"udp", 17}, {"hmp", 20}, {"xns-idp", 22},
	{"rdp", 27}, {"iso-tp4", 29}, {"dccp", 33}, {"xtp", 36}, {"ddp", 37}, {"idpr-cmtp", 38},
	{"ipv6", 41}, {"ipv6-route", 43}, {"ipv6-frag", 44}, {"idrp", 45}, {"rsvp", 46}, {"gre", 47},
	{"esp", 50}, {"ah", 51}, {"skip", 57}, {"ipv6-icmp", 58}, {"icmpv6", 58}, {"ipv6-nonxt", 59},
	{"ipv6-opts", 60}, {"rspf", 73}, {"vmtp", 81}, {"eigrp", 88}, {"ospf", 89}, {"ax.25", 93},
	{"ipip", 94}, {"etherip", 97}, {"encap", 98}, {"pim", 103}, {"ipcomp", 108}, {"comp", 108},
	{"vrrp", 112}, {"l2tp", 115}, {"isis", 124}, {"sctp", 132}, {"fc", 133},
	{"mobility-header", 135}, {"udplite", 136}, {"mpls-in-ip", 137}, {"manet", 138}, {"hip", 139},
	{"shim6", 140}, {"wesp", 141}, {"rohc", 142}, {"ethernet", 143},
}

// ProtocolNumber returns the IP protocol number of a name.
func ProtocolNumber(name string) (uint8, bool) {
	for _, p := range protocols {
		if p.name == name {
			return p.num, true
		}
	}
	return 0, false
}

// ProtocolName returns the name nft prints for an IP protocol number
// (getprotobynumber(3): the first name of the number).
func ProtocolName(n uint8) (string, bool) {
	for _, p := range protocols {
		if p.num == n {
			return p.name, true
		}
	}
	return "", false
}
