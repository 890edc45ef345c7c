package bytecode

import (
	"encoding/binary"
	"fmt"

	"github.com/mdlayher/netlink"
)

// ctTimeoutStates are libnftnl's conntrack timeout state names and default
// timeouts per layer-4 protocol; other protocols print an empty policy.
var ctTimeoutStates = map[uint64]struct {
	names []string
	dflt  []uint32
}{
	6: { // IPPROTO_TCP
		names: []string{"SYN_SENT", "SYN_RECV", "ESTABLISHED", "FIN_WAIT", "CLOSE_WAIT", "LAST_ACK", "TIME_WAIT", "CLOSE", "SYN_SENT2", "RETRANS", "UNACKNOWLEDGED"},
		dflt:  []uint32{120, 60, 432000, 120, 60, 30, 120, 10, 120, 300, 300},
	},
	17: { // IPPROTO_UDP
		names: []string{"UNREPLIED", "REPLIED"},
		dflt:  []uint32{30, 180},
	},
}

// ctTimeoutBody prints a ct timeout object the way libnftnl does.
func ctTimeoutBody(a map[uint16][]byte, u func(uint16) uint64, has func(uint16) bool) string {
	s := ""
	if has(1) { // NFTA_CT_TIMEOUT_L3PROTO
		s += fmt.Sprintf("family %d ", u(1))
	}
	if has(2) { // NFTA_CT_TIMEOUT_L4PROTO
		s += fmt.Sprintf("protocol %d ", u(2))
	}
	if !has(3) { // NFTA_CT_TIMEOUT_DATA
		return s
	}
	st := ctTimeoutStates[u(2)]
	vals := make([]uint32, len(st.names))
	if ad, err := netlink.NewAttributeDecoder(a[3]); err == nil {
		for ad.Next() {
			i := int(ad.Type()) - 1
			if b := ad.Bytes(); i >= 0 && i < len(vals) && len(b) == 4 {
				vals[i] = binary.BigEndian.Uint32(b)
			}
		}
	}
	s += "policy = {"
	for i, n := range st.names {
		if vals[i] != st.dflt[i] {
			s += fmt.Sprintf("%s = %d,", n, vals[i])
		}
	}
	return s + "}"
}
