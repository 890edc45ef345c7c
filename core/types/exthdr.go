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
