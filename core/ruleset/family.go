package ruleset

import "golang.org/x/sys/unix"

// Family is an nf_tables address family (the nfgenmsg nfgen_family).
type Family uint8

// The address families of nf_tables.
const (
	FamilyUnspec Family = unix.NFPROTO_UNSPEC // NFPROTO_UNSPEC
	FamilyInet   Family = unix.NFPROTO_INET   // NFPROTO_INET
	FamilyIP     Family = unix.NFPROTO_IPV4   // NFPROTO_IPV4
	FamilyARP    Family = unix.NFPROTO_ARP    // NFPROTO_ARP
	FamilyNetdev Family = unix.NFPROTO_NETDEV // NFPROTO_NETDEV
	FamilyBridge Family = unix.NFPROTO_BRIDGE // NFPROTO_BRIDGE
	FamilyIP6    Family = unix.NFPROTO_IPV6   // NFPROTO_IPV6
)

var familyNames = map[Family]string{
	FamilyUnspec: "unspec",
	FamilyInet:   "inet",
	FamilyIP:     "ip",
	FamilyARP:    "arp",
	FamilyNetdev: "netdev",
	FamilyBridge: "bridge",
	FamilyIP6:    "ip6",
}

// String returns the family's nft keyword ("ip", "ip6", "inet", ...).
func (f Family) String() string {
	if s, ok := familyNames[f]; ok {
		return s
	}
	return "unknown"
}

// ParseFamily returns the family named by an nft keyword.
func ParseFamily(s string) (Family, bool) {
	for f, n := range familyNames {
		if n == s && f != FamilyUnspec {
			return f, true
		}
	}
	return 0, false
}
