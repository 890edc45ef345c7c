package nflog

import (
	"time"

	"github.com/mdlayher/netlink"
	"golang.org/x/sys/unix"

	"github.com/nfsh/nfsh/core/diag"
)

// nameTTL is how long a resolved interface name is trusted; interfaces
// are renamed and indexes reused rarely, so a short TTL bounds staleness
// at the cost of one RTM_GETLINK per interface per TTL.
const nameTTL = 2 * time.Second

// ifNames resolves interface indexes to names with RTM_GETLINK on a
// rtnetlink socket in the listener's namespace. Only the reader goroutine
// uses it.
type ifNames struct {
	c     *netlink.Conn
	cache map[uint32]ifName
	// The last index resolved, in front of the map: a flood mostly comes
	// in on, and goes out of, the same interfaces.
	lastIndex uint32
	last      ifName
}

type ifName struct {
	name    string
	expires time.Time
}

// newIfNames opens a rtnetlink socket in the namespace nsfd (-1: current).
func newIfNames(nsfd int) (*ifNames, error) {
	cfg := &netlink.Config{}
	if nsfd >= 0 {
		cfg.NetNS = nsfd
	}
	c, err := netlink.Dial(unix.NETLINK_ROUTE, cfg)
	if err != nil {
		return nil, &diag.Error{Op: "nflog dial rtnetlink", Err: err, Errno: diag.ErrnoOf(err)}
	}
	return &ifNames{c: c, cache: make(map[uint32]ifName)}, nil
}

func (n *ifNames) close() { n.c.Close() }

// name returns the name of interface index, or "" for 0 or an index
// that does not exist.
func (n *ifNames) name(index uint32, now time.Time) string {
	if index == 0 {
		return ""
	}
	if index == n.lastIndex && now.Before(n.last.expires) {
		return n.last.name
	}
	if e, ok := n.cache[index]; ok && now.Before(e.expires) {
		n.lastIndex, n.last = index, e
		return e.name
	}
	name := n.lookup(index)
	if len(n.cache) >= 4096 {
		clear(n.cache)
	}
	e := ifName{name: name, expires: now.Add(nameTTL)}
	n.cache[index] = e
	n.lastIndex, n.last = index, e
	return name
}

// lookup asks the kernel for the IFLA_IFNAME of index.
func (n *ifNames) lookup(index uint32) string {
	// struct ifinfomsg: family, pad, type, index, flags, change.
	req := make([]byte, 16)
	ne.PutUint32(req[4:], index)
	msgs, err := n.c.Execute(netlink.Message{
		Header: netlink.Header{Type: unix.RTM_GETLINK, Flags: netlink.Request},
		Data:   req,
	})
	if err != nil {
		return ""
	}
	for _, m := range msgs {
		if m.Header.Type != unix.RTM_NEWLINK || len(m.Data) < 16 {
			continue
		}
		ad, err := netlink.NewAttributeDecoder(m.Data[16:])
		if err != nil {
			continue
		}
		for ad.Next() {
			switch ad.Type() {
			case unix.IFLA_IFNAME:
				return ad.String()
			}
		}
	}
	return ""
}
