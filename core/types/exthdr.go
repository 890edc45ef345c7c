package types

// ExthdrDesc describes an IPv6 extension header (exthdr.c): its
// protocol number and field templates (offsets and lengths in bits).
type ExthdrDesc struct {
	Name   string
	Type   uint8 // IPPROTO_* of the header
	Fields []Field
	// Array names a repeated address field (rt0 addr[N], srh sid[N]):
	// element N (from 1) is at ArrayOff + (N-1)*128 bits.
	Array    string
	ArrayOff int
}

// Exthdrs are the IPv6 extension headers nft knows.
var Exthdrs = []*ExthdrDesc{
	{Name: "hbh", Type: 0, Fields: []Field{f("nexthdr", InetProto, 0, 8), f("hdrlength", Integer, 8, 8)}},
	{Name: "rt", Type: 43, Fields: []Field{f("nexthdr", InetProto, 0, 8), f("hdrlength", Integer, 8, 8),
		f("type", Integer, 16, 8), f("seg-left", Integer, 24, 8)}},
	{Name: "rt0", Type: 43, Fields: []Field{f("reserved", Integer, 32, 32)}, Array: "addr", ArrayOff: 64},
	{Name: "rt2", Type: 43},
	{Name: "srh", Type: 43, Fields: []Field{f("last-entry", Integer, 32, 8), f("flags", Integer, 40, 8),
		f("tag", Integer, 48, 16)}, Array: "sid", ArrayOff: 64},
	{Name: "frag", Type: 44, Fields: []Field{f("nexthdr", InetProto, 0, 8), f("reserved", Integer, 8, 8),
		f("frag-off", Integer, 16, 13), f("reserved2", Integer, 29, 2), f("more-fragments", Integer, 31, 1),
		f("id", Integer, 32, 32)}},
	{Name: "dst", Type: 60, Fields: []Field{f("nexthdr", InetProto, 0, 8), f("hdrlength", Integer, 8, 8)}},
	{Name: "mh", Type: 135, Fields: []Field{f("nexthdr", InetProto, 0, 8), f("hdrlength", Integer, 8, 8),
		f("type", MHType, 16, 8), f("reserved", Integer, 24, 8), f("checksum", Integer, 32, 16)}},
}

// ExthdrByName returns the extension header named name, or nil.
func ExthdrByName(name string) *ExthdrDesc {
	for _, d := range Exthdrs {
		if d.Name == name {
			return d
		}
	}
	return nil
}

// Field returns the template of a field; idx is the [N] of array fields.
func (d *ExthdrDesc) Field(name string, idx int) (Field, bool) {
	if d.Array != "" && name == d.Array && idx >= 1 {
		return f(name, IP6Addr, d.ArrayOff+(idx-1)*128, 128), true
	}
	for _, x := range d.Fields {
		if x.Name == name {
			return x, true
		}
	}
	return Field{}, false
}

// Templates returns d's fields in nft's template order (template index
// i+1 is element i): the fixed fields, then the array's first two
// elements ("addr[1]", "addr[2]").
func (d *ExthdrDesc) Templates() []Field {
	out := append([]Field(nil), d.Fields...)
	if d.Array != "" {
		for i := 1; i <= 2; i++ {
			f, _ := d.Field(d.Array, i)
			f.Name = d.Array + "[" + string(rune('0'+i)) + "]"
			out = append(out, f)
		}
	}
	return out
}

// TCPOpt describes a TCP option (tcpopt.c): its kind and fields (bits).
type TCPOpt struct {
	Name   string
	Kind   uint8
	Fields []Field
}

func tcpf(name string, off, length int) Field { return f(name, Integer, off, length) }

// TCPOpts are the TCP options nft names.
var TCPOpts = []*TCPOpt{
	{Name: "eol", Kind: 0, Fields: []Field{tcpf("kind", 0, 8)}},
	{Name: "nop", Kind: 1, Fields: []Field{tcpf("kind", 0, 8)}},
	{Name: "maxseg", Kind: 2, Fields: []Field{tcpf("kind", 0, 8), tcpf("length", 8, 8), tcpf("size", 16, 16)}},
	{Name: "window", Kind: 3, Fields: []Field{tcpf("kind", 0, 8), tcpf("length", 8, 8), tcpf("count", 16, 8)}},
	{Name: "sack-perm", Kind: 4, Fields: []Field{tcpf("kind", 0, 8), tcpf("length", 8, 8)}},
	{Name: "sack", Kind: 5, Fields: []Field{tcpf("kind", 0, 8), tcpf("length", 8, 8), tcpf("left", 16, 32), tcpf("right", 48, 32)}},
	{Name: "timestamp", Kind: 8, Fields: []Field{tcpf("kind", 0, 8), tcpf("length", 8, 8), tcpf("tsval", 16, 32), tcpf("tsecr", 48, 32)}},
	{Name: "md5sig", Kind: 19, Fields: []Field{tcpf("kind", 0, 8), tcpf("length", 8, 8)}},
	{Name: "mptcp", Kind: 30, Fields: []Field{tcpf("kind", 0, 8), tcpf("length", 8, 8), tcpf("subtype", 16, 4)}},
	{Name: "fastopen", Kind: 34, Fields: []Field{tcpf("kind", 0, 8), tcpf("length", 8, 8)}},
}

// Templates returns o's fields in nft's template order: for sack the
// left and right fields of blocks 1 to 3 follow those of block 0.
func (o *TCPOpt) Templates() []Field {
	out := append([]Field(nil), o.Fields...)
	if o.Name == "sack" {
		for b := 1; b <= 3; b++ {
			for _, f := range o.Fields[2:] {
				f.Offset += 64 * b
				out = append(out, f)
			}
		}
	}
	return out
}

// TCPOptByName returns a TCP option by name; sack0..sack3 select the
// n-th SACK block (their left/right fields move by 64 bits each).
func TCPOptByName(name string) (*TCPOpt, int) {
	block := 0
	switch name {
	case "sack0":
		name = "sack"
	case "sack1", "sack2", "sack3":
		block = int(name[4] - '0')
		name = "sack"
	case "mss":
		name = "maxseg"
	}
	for _, o := range TCPOpts {
		if o.Name == name {
			return o, block
		}
	}
	return nil, 0
}

// TCPOptByKind returns the named option of a kind, or nil.
func TCPOptByKind(kind uint8) *TCPOpt {
	for _, o := range TCPOpts {
		if o.Kind == kind {
			return o
		}
	}
	return nil
}

// SCTPChunk describes an SCTP chunk (sctp_chunk.c).
type SCTPChunk struct {
	Name   string
	Type   uint8
	Fields []Field
}

func sctpCommon(extra ...Field) []Field {
	return append([]Field{tcpf("type", 0, 8), tcpf("flags", 8, 8), tcpf("length", 16, 16)}, extra...)
}

// SCTPChunks are the SCTP chunks nft names.
var SCTPChunks = []*SCTPChunk{
	{"data", 0, sctpCommon(tcpf("tsn", 32, 32), tcpf("stream", 64, 16), tcpf("ssn", 80, 16), tcpf("ppid", 96, 32))},
	{"init", 1, sctpCommon(tcpf("init-tag", 32, 32), tcpf("a-rwnd", 64, 32), tcpf("num-outbound-streams", 96, 16),
		tcpf("num-inbound-streams", 112, 16), tcpf("initial-tsn", 128, 32))},
	{"init-ack", 2, sctpCommon(tcpf("init-tag", 32, 32), tcpf("a-rwnd", 64, 32), tcpf("num-outbound-streams", 96, 16),
		tcpf("num-inbound-streams", 112, 16), tcpf("initial-tsn", 128, 32))},
	{"sack", 3, sctpCommon(tcpf("cum-tsn-ack", 32, 32), tcpf("a-rwnd", 64, 32), tcpf("num-gap-ack-blocks", 96, 16),
		tcpf("num-dup-tsns", 112, 16))},
	{"heartbeat", 4, sctpCommon()},
	{"heartbeat-ack", 5, sctpCommon()},
	{"abort", 6, sctpCommon()},
	{"shutdown", 7, sctpCommon(tcpf("cum-tsn-ack", 32, 32))},
	{"shutdown-ack", 8, sctpCommon()},
	{"error", 9, sctpCommon()},
	{"cookie-echo", 10, sctpCommon()},
	{"cookie-ack", 11, sctpCommon()},
	{"ecne", 12, sctpCommon(tcpf("lowest-tsn", 32, 32))},
	{"cwr", 13, sctpCommon(tcpf("lowest-tsn", 32, 32))},
	{"shutdown-complete", 14, sctpCommon()},
	{"asconf-ack", 128, sctpCommon(tcpf("seqno", 32, 32))},
	{"forward-tsn", 192, sctpCommon(tcpf("new-cum-tsn", 32, 32))},
	{"asconf", 193, sctpCommon(tcpf("seqno", 32, 32))},
}

// SCTPChunkByName returns the chunk named name, or nil.
func SCTPChunkByName(name string) *SCTPChunk {
	for _, ch := range SCTPChunks {
		if ch.Name == name {
			return ch
		}
	}
	return nil
}

// IPOpt describes an IPv4 option (ipopt.c).
type IPOpt struct {
	Name   string
	Type   uint8
	Fields []Field
}

// IPOpts are the IPv4 options nft names.
var IPOpts = []*IPOpt{
	{"lsrr", 131, []Field{tcpf("type", 0, 8), tcpf("length", 8, 8), tcpf("ptr", 16, 8), tcpf("addr", 24, 32)}},
	{"rr", 7, []Field{tcpf("type", 0, 8), tcpf("length", 8, 8), tcpf("ptr", 16, 8), tcpf("addr", 24, 32)}},
	{"ssrr", 137, []Field{tcpf("type", 0, 8), tcpf("length", 8, 8), tcpf("ptr", 16, 8), tcpf("addr", 24, 32)}},
	{"ra", 148, []Field{tcpf("type", 0, 8), tcpf("length", 8, 8), tcpf("value", 16, 16)}},
}
