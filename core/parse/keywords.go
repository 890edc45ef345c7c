package parse

// Protocol knowledge the grammar needs: which words follow which keyword.
// (Types, offsets and sizes live in core/types; this is syntax only.)

func set(ws ...string) map[string]bool {
	m := make(map[string]bool, len(ws))
	for _, w := range ws {
		m[w] = true
	}
	return m
}

// payloadFields lists the header fields of each payload protocol keyword.
var payloadFields = map[string]map[string]bool{
	"ether":   set("saddr", "daddr", "type"),
	"vlan":    set("id", "cfi", "dei", "pcp", "type"),
	"arp":     set("htype", "ptype", "hlen", "plen", "operation", "saddr", "daddr"),
	"ip":      set("version", "hdrlength", "dscp", "ecn", "length", "id", "frag-off", "ttl", "protocol", "checksum", "saddr", "daddr"),
	"icmp":    set("type", "code", "checksum", "id", "sequence", "gateway", "mtu"),
	"igmp":    set("type", "checksum", "mrt", "group"),
	"ip6":     set("version", "dscp", "ecn", "flowlabel", "length", "nexthdr", "hoplimit", "saddr", "daddr"),
	"icmpv6":  set("type", "code", "checksum", "param-problem", "mtu", "id", "sequence", "max-delay"),
	"ah":      set("nexthdr", "hdrlength", "reserved", "spi", "sequence"),
	"esp":     set("spi", "sequence"),
	"comp":    set("nexthdr", "flags", "cpi"),
	"udp":     set("sport", "dport", "length", "checksum"),
	"udplite": set("sport", "dport", "csumcov", "checksum"),
	"tcp":     set("sport", "dport", "sequence", "ackseq", "doff", "reserved", "flags", "window", "checksum", "urgptr"),
	"dccp":    set("sport", "dport", "type"),
	"sctp":    set("sport", "dport", "vtag", "checksum"),
	"th":      set("sport", "dport"),
}

// exthdrFields lists the fields of the IPv6 extension headers.
var exthdrFields = map[string]map[string]bool{
	"hbh":  set("nexthdr", "hdrlength"),
	"rt":   set("nexthdr", "hdrlength", "type", "seg-left"),
	"rt0":  set("addr"),
	"rt2":  set("addr"),
	"srh":  set("last-entry", "flags", "tag", "sid"),
	"frag": set("nexthdr", "reserved", "frag-off", "reserved2", "more-fragments", "id"),
	"dst":  set("nexthdr", "hdrlength"),
	"mh":   set("nexthdr", "hdrlength", "type", "reserved", "checksum"),
}

// exthdrExistKeys are the headers `exthdr NAME` accepts.
var exthdrExistKeys = set("hbh", "rt", "frag", "dst", "mh")

// tcpOptions maps TCP option names to their fields (length is common to all).
var tcpOptions = map[string]map[string]bool{
	"echo": set(), "eol": set(), "fastopen": set(), "md5sig": set(), "nop": set(), "noop": set(),
	"sack-perm": set(), "sack-permitted": set(),
	"mptcp":     set("subtype"),
	"mss":       set("size"),
	"maxseg":    set("size"),
	"window":    set("count"),
	"timestamp": set("tsval", "tsecr"),
	"sack":      set("left", "right"), "sack0": set("left", "right"), "sack1": set("left", "right"),
	"sack2": set("left", "right"), "sack3": set("left", "right"),
}

// ipOptions maps IPv4 option names to their fields.
var ipOptions = map[string]map[string]bool{
	"lsrr": set("type", "length", "value", "ptr", "addr"),
	"rr":   set("type", "length", "value", "ptr", "addr"),
	"ssrr": set("type", "length", "value", "ptr", "addr"),
	"ra":   set("type", "length", "value", "ptr", "addr"),
}

var sctpCommon = []string{"type", "flags", "length"}

// sctpChunks maps SCTP chunk types to their specific fields.
var sctpChunks = map[string]map[string]bool{
	"data":              set("tsn", "stream", "ssn", "ppid"),
	"init":              set("init-tag", "a-rwnd", "num-outbound-streams", "num-inbound-streams", "initial-tsn"),
	"init-ack":          set("init-tag", "a-rwnd", "num-outbound-streams", "num-inbound-streams", "initial-tsn"),
	"sack":              set("cum-tsn-ack", "a-rwnd", "num-gap-ack-blocks", "num-dup-tsns"),
	"heartbeat":         set(),
	"heartbeat-ack":     set(),
	"abort":             set(),
	"shutdown":          set("cum-tsn-ack"),
	"shutdown-ack":      set(),
	"error":             set(),
	"cookie-echo":       set(),
	"cookie-ack":        set(),
	"ecne":              set("lowest-tsn"),
	"cwr":               set("lowest-tsn"),
	"shutdown-complete": set(),
	"asconf-ack":        set("seqno"),
	"forward-tsn":       set("new-cum-tsn"),
	"asconf":            set("seqno"),
}

// metaUnqualified are the meta keys usable without `meta`.
var metaUnqualified = set("mark", "iif", "iifname", "iiftype", "oif", "oifname", "oiftype", "skuid", "skgid",
	"nftrace", "rtclassid", "ibriport", "obriport", "ibrname", "obrname", "pkttype", "cpu", "iifgroup",
	"oifgroup", "cgroup", "ipsec", "time", "day", "hour")

// ctKeys are the keys of `ct KEY`; ctDirKeys those allowed after original/reply.
var ctKeys = set("l3proto", "protocol", "mark", "state", "direction", "status", "expiration", "helper",
	"saddr", "daddr", "proto-src", "proto-dst", "label", "event", "secmark", "id", "bytes", "packets",
	"avgpkt", "zone")
var ctDirKeys = set("saddr", "daddr", "l3proto", "protocol", "proto-src", "proto-dst", "bytes", "packets",
	"avgpkt", "zone")

var fibFlags = set("saddr", "daddr", "mark", "iif", "oif")
var fibResults = set("oif", "oifname", "type")
var rtKeys = set("classid", "nexthop", "mtu", "ipsec")
var socketKeys = set("transparent", "mark", "wildcard")

// verdicts are the verdict keywords.
var verdicts = set("accept", "drop", "continue", "return", "jump", "goto")

func keys[V any](m map[string]V) string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sortStrings(ks)
	return oneOf(ks)
}
