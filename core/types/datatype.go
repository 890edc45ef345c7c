// Package types holds nfsh's protocol knowledge as data: nft's datatypes
// (ids, sizes, byte orders, symbol tables), packet header templates, meta
// and ct keys, extension headers and TCP options.
//
// The compiler uses it to turn symbols and literals into register bytes and
// to find the implicit protocol dependencies of a match; the printer uses
// the same tables to turn register bytes back into nft text.
package types

import (
	"fmt"
	"math/big"
	"strings"
)

// ByteOrder is the byte order of a value in a register.
type ByteOrder uint8

// Byte orders (enum byteorder of nft).
const (
	OrderInvalid ByteOrder = iota // BYTEORDER_INVALID
	OrderHost                     // BYTEORDER_HOST_ENDIAN
	OrderBig                      // BYTEORDER_BIG_ENDIAN
)

// Datatype ids (enum datatypes of nft); they are what NFTA_SET_KEY_TYPE
// and NFTA_SET_DATA_TYPE carry.
const (
	TypeInvalid = iota
	TypeVerdict
	TypeNFProto
	TypeBitmask
	TypeInteger
	TypeString
	TypeLLAddr
	TypeIPAddr
	TypeIP6Addr
	TypeEtherAddr
	TypeEtherType
	TypeARPOp
	TypeInetProto
	TypeInetService
	TypeICMPType
	TypeTCPFlag
	TypeDCCPPktType
	TypeMHType
	TypeTime
	TypeMark
	TypeIfIndex
	TypeARPHRD
	TypeRealm
	TypeClassID
	TypeUID
	TypeGID
	TypeCtState
	TypeCtDir
	TypeCtStatus
	TypeICMP6Type
	TypeCtLabel
	TypePktType
	TypeICMPCode
	TypeICMPv6Code
	TypeICMPXCode
	TypeDevGroup
	TypeDSCP
	TypeECN
	TypeFibAddr
	TypeBoolean
	TypeCtEventBit
	TypeIfName
	TypeIGMPType
	TypeTimeDate
	TypeTimeHour
	TypeTimeDay
	TypeCgroupV2
	typeMax
)

// TypeBits is the number of bits one datatype id occupies in a
// concatenated key type (TYPE_BITS).
const TypeBits = 6

// VerdictDataType is the NFTA_SET_DATA_TYPE of verdict maps (NFT_DATA_VERDICT).
const VerdictDataType = 0xffffff00

// Datatype is one nft datatype.
type Datatype struct {
	ID    uint32
	Name  string    // name as used in `type NAME` declarations
	Desc  string    // description, as `nft describe` shows
	Size  int       // size in bits; 0 = variable
	Order ByteOrder // byte order in registers
	Base  *Datatype // base type (integer, bitmask, string...)
	// Symbols resolves symbolic constants; nil when the type has none.
	Symbols *SymbolTable
	// BaseFmt is how unnamed values print (nft's basefmt): "" decimal,
	// "0x%x" hexadecimal, "0x%04x" zero-padded hexadecimal.
	BaseFmt string
	// Prefix marks addresses whose masks print as prefixes (DTYPE_F_PREFIX).
	Prefix bool
	// Quote makes the printer put symbol names in double quotes.
	Quote bool
	// Subtypes holds the member types of a concatenation type.
	Subtypes []*Datatype
	// parse handles literals beyond symbols and plain numbers.
	parse func(dt *Datatype, s string) (*big.Int, error)
}

// Is reports whether dt is t or derives from it.
func (dt *Datatype) Is(t *Datatype) bool {
	for d := dt; d != nil; d = d.Base {
		if d == t {
			return true
		}
	}
	return false
}

// Basetype returns the root of dt's base chain (integer, string...).
func (dt *Datatype) Basetype() *Datatype {
	for dt.Base != nil {
		dt = dt.Base
	}
	return dt
}

// IsBitmask reports whether values of dt combine as flags (`a,b`).
func (dt *Datatype) IsBitmask() bool { return dt.Is(Bitmask) }

// IsString reports whether dt is string-based.
func (dt *Datatype) IsString() bool { return dt.Is(String) }

// Bytes is the register size of a value of dt, rounded up to bytes.
func (dt *Datatype) Bytes() int { return (dt.Size + 7) / 8 }

// String returns the datatype's name.
func (dt *Datatype) String() string { return dt.Name }

// Parse turns the text of a symbol or literal into a value of dt (a
// non-negative integer whose bit length fits dt.Size). Strings are the
// big-endian number of their bytes.
func (dt *Datatype) Parse(s string) (*big.Int, error) {
	for d := dt; d != nil; d = d.Base {
		if d.Symbols != nil {
			if v, ok := d.Symbols.Lookup(s); ok {
				return new(big.Int).SetUint64(v), nil
			}
		}
		if d.parse != nil {
			v, err := d.parse(dt, s)
			if err == nil {
				return v, nil
			}
			if err != errNoMatch {
				return nil, err
			}
		}
	}
	return nil, fmt.Errorf("Could not parse %s", dt.Desc)
}

var byID = map[uint32]*Datatype{}
var byName = map[string]*Datatype{}

func register(dts ...*Datatype) {
	for _, d := range dts {
		if _, ok := byID[d.ID]; !ok {
			byID[d.ID] = d
		}
		if d.Name != "" {
			if _, ok := byName[d.Name]; !ok {
				byName[d.Name] = d
			}
		}
	}
}

// ByID returns the datatype with id, or nil.
func ByID(id uint32) *Datatype { return byID[id] }

// Lookup returns the datatype with id like nft's set type lookup: a
// concatenation type for packed ids (TypeBits per member), the verdict
// type for VerdictDataType and Invalid for unknown ids.
func Lookup(id uint32) *Datatype {
	if d, ok := byID[id]; ok {
		return d
	}
	if id == VerdictDataType {
		return Verdict
	}
	if id <= typeMax {
		return Invalid
	}
	var subs []*Datatype
	for v := id; v != 0; v >>= TypeBits {
		d := byID[v&(1<<TypeBits-1)]
		if d == nil {
			d = Invalid
		}
		subs = append([]*Datatype{d}, subs...)
	}
	return Concat(subs)
}

// Concat returns the concatenation type of subs: ids packed TypeBits per
// member, names joined by " . ", each member padded to 32 bits.
func Concat(subs []*Datatype) *Datatype {
	var id uint32
	names := make([]string, len(subs))
	size := 0
	for i, s := range subs {
		id = id<<TypeBits | s.ID
		names[i] = s.Name
		size += (s.Size + 31) / 32 * 32
	}
	return &Datatype{ID: id, Name: strings.Join(names, " . "), Size: size, Subtypes: subs}
}

// ByName returns the datatype named name (as in `type NAME`), or nil.
func ByName(name string) *Datatype { return byName[name] }

// ToBytes returns v as register bytes of n bytes in byte order o.
func ToBytes(v *big.Int, n int, o ByteOrder) []byte {
	b := make([]byte, n)
	if v.BitLen() <= 8*n {
		v.FillBytes(b) // no intermediate slice: keys are built by the hundred thousand
	} else {
		vb := v.Bytes()
		copy(b, vb[len(vb)-n:])
	}
	if o == OrderHost {
		for i, j := 0, n-1; i < j; i, j = i+1, j-1 {
			b[i], b[j] = b[j], b[i]
		}
	}
	return b
}

// FromBytes is the inverse of ToBytes.
func FromBytes(b []byte, o ByteOrder) *big.Int {
	c := append([]byte(nil), b...)
	if o == OrderHost {
		for i, j := 0, len(c)-1; i < j; i, j = i+1, j-1 {
			c[i], c[j] = c[j], c[i]
		}
	}
	return new(big.Int).SetBytes(c)
}
