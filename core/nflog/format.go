package nflog

import (
	"encoding/hex"
	"encoding/json"
	"net/netip"
	"strconv"
	"strings"
	"time"
)

// Time returns the kernel timestamp when the message carried one, else
// the time the listener received it.
func (p *Packet) Time() time.Time {
	if p.Present.Has(HasTimestamp) {
		return p.Timestamp
	}
	return p.Received
}

// FamilyName returns the nft name of the packet's family ("ip", "ip6",
// "bridge", "netdev", "arp") or its number.
func (p *Packet) FamilyName() string {
	switch p.Family {
	case familyIPv4:
		return "ip"
	case familyIPv6:
		return "ip6"
	case familyBridge:
		return "bridge"
	case familyNetdev:
		return "netdev"
	case familyARP:
		return "arp"
	}
	return itoa(uint64(p.Family))
}

// HookName returns the nft name of the hook that logged the packet
// ("prerouting", "input", "forward", "output", "postrouting", "ingress",
// "egress") or its number.
func (p *Packet) HookName() string {
	var names []string
	switch p.Family {
	case familyNetdev:
		names = []string{"ingress", "egress"}
	case familyARP:
		names = []string{"input", "output", "forward"}
	default:
		names = []string{"prerouting", "input", "forward", "output", "postrouting"}
	}
	if int(p.Hook) < len(names) {
		return names[p.Hook]
	}
	return itoa(uint64(p.Hook))
}

// String renders p on one line: time, prefix, devices, protocol,
// addresses and ports, TCP flags or ICMP type, and the remaining metadata.
//
//	12:00:00.000001 "x" in=veth0 out= tcp 10.0.0.1:40000 > 10.0.0.2:5555 [syn] len=60 mark=0x1
func (p *Packet) String() string {
	var b strings.Builder
	b.WriteString(p.Time().Format("15:04:05.000000"))
	b.WriteString(" ")
	b.WriteString(strconv.Quote(p.Prefix))
	b.WriteString(" in=")
	b.WriteString(devName(p.In, p.InIndex))
	b.WriteString(" out=")
	b.WriteString(devName(p.Out, p.OutIndex))
	if p.PhysInIndex != 0 {
		b.WriteString(" physin=" + devName(p.PhysIn, p.PhysInIndex))
	}
	if p.PhysOutIndex != 0 {
		b.WriteString(" physout=" + devName(p.PhysOut, p.PhysOutIndex))
	}
	if p.IPVersion == 0 {
		b.WriteString(" " + p.FamilyName())
		if p.HWProtocol != 0 && p.Family != familyIPv4 && p.Family != familyIPv6 {
			b.WriteString(" ethertype=0x" + strconv.FormatUint(uint64(p.HWProtocol), 16))
		}
	} else {
		b.WriteString(" " + p.ProtocolName() + " ")
		hasPorts := p.SrcPort|p.DstPort != 0 || p.Transport && p.Protocol != protoICMP && p.Protocol != protoICMPv6 && p.Protocol != 0
		b.WriteString(hostPort(p.Src, p.SrcPort, hasPorts))
		b.WriteString(" > ")
		b.WriteString(hostPort(p.Dst, p.DstPort, hasPorts))
		switch p.Protocol {
		case protoTCP:
			if p.Transport {
				b.WriteString(" [" + p.TCPFlags.String() + "]")
			}
		case protoICMP, protoICMPv6:
			if p.Transport {
				b.WriteString(" type=" + itoa(uint64(p.ICMPType)) + " code=" + itoa(uint64(p.ICMPCode)))
				if isEcho(p.Protocol, p.ICMPType) {
					b.WriteString(" id=" + itoa(uint64(p.ICMPID)) + " seq=" + itoa(uint64(p.ICMPSeq)))
				}
			}
		}
		b.WriteString(" len=" + itoa(uint64(p.Length)) + " ttl=" + itoa(uint64(p.TTL)))
		if p.Fragment {
			b.WriteString(" frag=" + itoa(uint64(p.FragOffset)))
		}
		if p.Truncated {
			b.WriteString(" truncated")
		}
	}
	if p.Present.Has(HasMark) {
		b.WriteString(" mark=0x" + strconv.FormatUint(uint64(p.Mark), 16))
	}
	if p.Present.Has(HasUID) {
		b.WriteString(" uid=" + itoa(uint64(p.UID)))
	}
	if p.Present.Has(HasGID) {
		b.WriteString(" gid=" + itoa(uint64(p.GID)))
	}
	if p.Conn.State != "" {
		b.WriteString(" ct=" + p.Conn.State)
		if p.Conn.Reply {
			b.WriteString(",reply")
		}
	}
	if p.Present.Has(HasVLAN) {
		b.WriteString(" vlan=" + itoa(uint64(p.VLANID())))
	}
	if p.Present.Has(HasSeq) {
		b.WriteString(" seq=" + itoa(uint64(p.Seq)))
	}
	return b.String()
}

func devName(name string, index uint32) string {
	if name != "" || index == 0 {
		return name
	}
	return "#" + itoa(uint64(index))
}

func hostPort(a netip.Addr, port uint16, withPort bool) string {
	if !withPort {
		return a.String()
	}
	return netip.AddrPortFrom(a, port).String()
}

// Map returns the packet as a flat map with snake_case keys: what JSON
// lines and the Lua event table show. Addresses are strings, numbers are
// numbers, and keys whose attribute or header is absent are left out.
func (p *Packet) Map() map[string]any {
	m := map[string]any{
		"group":  p.Group,
		"family": p.FamilyName(),
		"time":   p.Time().UTC().Format(time.RFC3339Nano),
	}
	if p.Present.Has(HasPacketHdr) {
		m["hook"] = p.HookName()
		m["hw_protocol"] = p.HWProtocol
	}
	if p.Present.Has(HasPrefix) {
		m["prefix"] = p.Prefix
	}
	if p.Present.Has(HasMark) {
		m["mark"] = p.Mark
	}
	dev := func(key, name string, index uint32) {
		if index != 0 {
			m[key] = index
			m[key+"name"] = name
		}
	}
	dev("iif", p.In, p.InIndex)
	dev("oif", p.Out, p.OutIndex)
	dev("physiif", p.PhysIn, p.PhysInIndex)
	dev("physoif", p.PhysOut, p.PhysOutIndex)
	if p.Present.Has(HasHWAddr) {
		m["hwaddr"] = p.HWAddr.String()
	}
	if p.Present.Has(HasHWType) {
		m["hwtype"] = p.HWType
	}
	if p.Present.Has(HasHWHeader) {
		m["hwheader"] = hex.EncodeToString(p.HWHeader)
	}
	if p.Present.Has(HasUID) {
		m["uid"] = p.UID
	}
	if p.Present.Has(HasGID) {
		m["gid"] = p.GID
	}
	if p.Present.Has(HasSeq) {
		m["seq"] = p.Seq
	}
	if p.Present.Has(HasSeqGlobal) {
		m["seq_global"] = p.SeqGlobal
	}
	if p.Present.Has(HasVLAN) {
		m["vlan_id"] = p.VLANID()
		m["vlan_proto"] = p.VLANProto
	}
	if p.Present.Has(HasL2Hdr) {
		m["l2hdr"] = hex.EncodeToString(p.L2Header)
	}
	if p.Conn.State != "" {
		m["ct_state"] = p.Conn.State
		m["ct_direction"] = map[bool]string{false: "original", true: "reply"}[p.Conn.Reply]
	}
	if p.Present.Has(HasCT) {
		m["ct_status"] = p.Conn.Status
		m["ct_id"] = p.Conn.ID
		m["ct_mark"] = p.Conn.Mark
	}
	if p.Present.Has(HasPayload) {
		m["payload_len"] = len(p.Payload)
	}
	if p.IPVersion != 0 {
		m["ip_version"] = p.IPVersion
		m["saddr"] = p.Src.String()
		m["daddr"] = p.Dst.String()
		m["protocol"] = p.ProtocolName()
		m["ttl"] = p.TTL
		m["length"] = p.Length
		if p.Fragment {
			m["frag_offset"] = p.FragOffset
		}
		if p.Truncated {
			m["truncated"] = true
		}
	}
	if p.SrcPort|p.DstPort != 0 {
		m["sport"] = p.SrcPort
		m["dport"] = p.DstPort
	}
	if p.Transport {
		switch p.Protocol {
		case protoTCP:
			m["tcp_flags"] = p.TCPFlags.String()
		case protoICMP, protoICMPv6:
			m["icmp_type"] = p.ICMPType
			m["icmp_code"] = p.ICMPCode
			if isEcho(p.Protocol, p.ICMPType) {
				m["icmp_id"] = p.ICMPID
				m["icmp_seq"] = p.ICMPSeq
			}
		}
	}
	return m
}

// MarshalJSON encodes Map as one JSON object with sorted keys.
func (p *Packet) MarshalJSON() ([]byte, error) { return json.Marshal(p.Map()) }
