package trace

import (
	"testing"

	"github.com/mdlayher/netlink"
	"golang.org/x/sys/unix"

	"github.com/nfsh/nfsh/core/format"
)

// FuzzDecode feeds arbitrary messages to Decode and prints what decodes:
// neither may panic.
func FuzzDecode(f *testing.F) {
	f.Add(msg(f, unix.NFPROTO_IPV4, func(ae *netlink.AttributeEncoder) {
		ae.String(unix.NFTA_TRACE_TABLE, "t")
		ae.Uint32(unix.NFTA_TRACE_TYPE, unix.NFT_TRACETYPE_RULE)
		ae.Uint64(unix.NFTA_TRACE_RULE_HANDLE, 3)
		ae.Bytes(unix.NFTA_TRACE_NETWORK_HEADER, ipv4(0, 32, 1, 64, 1, lo4, lo4))
		ae.Bytes(unix.NFTA_TRACE_TRANSPORT_HEADER, icmpEcho)
	}))
	f.Add(msg(f, unix.NFPROTO_INET, func(ae *netlink.AttributeEncoder) {
		ae.Uint32(unix.NFTA_TRACE_NFPROTO, unix.NFPROTO_IPV6)
		ae.Uint16(unix.NFTA_TRACE_IIFTYPE, 1)
		ae.Bytes(unix.NFTA_TRACE_LL_HEADER, append(make([]byte, 12), 0x81, 0x00, 0, 1, 0x86, 0xdd))
		ae.Bytes(unix.NFTA_TRACE_NETWORK_HEADER, ipv6(0, 1, 10, 17, 64, lo6, lo6))
		ae.Bytes(unix.NFTA_TRACE_TRANSPORT_HEADER, udp6)
	}))
	f.Add(msg(f, unix.NFPROTO_BRIDGE, func(ae *netlink.AttributeEncoder) {
		ae.Bytes(unix.NFTA_TRACE_LL_HEADER, append(make([]byte, 12), 0x08, 0x06))
		ae.Bytes(unix.NFTA_TRACE_NETWORK_HEADER, []byte{0, 1, 8, 0, 6, 4, 0, 1})
	}))
	p := NewPrinter(nil, &format.Options{IfName: func(int) (string, bool) { return "", false }})
	f.Fuzz(func(t *testing.T, b []byte) {
		tr, err := Decode(b)
		if err != nil {
			return
		}
		p.Lines(&tr)
	})
}
