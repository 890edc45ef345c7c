package nflog

import "fmt"

// attrDecoder walks netlink attributes in place, in the shape of
// mdlayher/netlink's AttributeDecoder (for ad.next() { switch ad.typ() {} };
// ad.err) but without allocating: the listener decodes every logged packet
// with it. Integers are big-endian, as all NFULA values are. The first
// malformed attribute stops the walk and sticks as the error.
type attrDecoder struct {
	b    []byte
	t    uint16
	data []byte
	e    error
}

func newAttrDecoder(b []byte) attrDecoder { return attrDecoder{b: b} }

// next advances to the next attribute.
func (ad *attrDecoder) next() bool {
	if ad.e != nil || len(ad.b) == 0 {
		return false
	}
	if len(ad.b) < 4 {
		ad.e = fmt.Errorf("nflog: %d trailing bytes are not an attribute", len(ad.b))
		return false
	}
	n := int(ne.Uint16(ad.b))
	if n < 4 || n > len(ad.b) {
		ad.e = fmt.Errorf("nflog: attribute length %d outside 4..%d", n, len(ad.b))
		return false
	}
	ad.t = ne.Uint16(ad.b[2:]) & nlaTypeMask
	ad.data = ad.b[4:n:n]
	n = (n + 3) &^ 3
	if n > len(ad.b) {
		n = len(ad.b)
	}
	ad.b = ad.b[n:]
	return true
}

// typ returns the current attribute's type without the flag bits.
func (ad *attrDecoder) typ() uint16 { return ad.t }

// bytes returns the current attribute's data (aliasing the input).
func (ad *attrDecoder) bytes() []byte { return ad.data }

// err returns the first error.
func (ad *attrDecoder) err() error { return ad.e }

func (ad *attrDecoder) fail(what string, _ int) {
	if ad.e == nil {
		ad.e = fmt.Errorf("nflog: %s: attribute %d has %d bytes", what, ad.t, len(ad.data))
	}
}

// u16 returns the current attribute as a big-endian 16-bit value.
func (ad *attrDecoder) u16() uint16 {
	if len(ad.data) != 2 {
		ad.fail("not a u16", 2)
		return 0
	}
	return be.Uint16(ad.data)
}

// u32 returns the current attribute as a big-endian 32-bit value.
func (ad *attrDecoder) u32() uint32 {
	if len(ad.data) != 4 {
		ad.fail("not a u32", 4)
		return 0
	}
	return be.Uint32(ad.data)
}
