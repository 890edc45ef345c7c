package expr

import (
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/mdlayher/netlink"
	"github.com/nfsh/nfsh/core/diag"
)

// errUnknownAttr is returned by an expression decoder that met an attribute
// it does not model; the caller then keeps the whole expression as *Raw so
// that it is re-encoded byte for byte.
var errUnknownAttr = errors.New("unknown attribute")

// decoder is implemented by every expression type except Raw.
type decoder interface {
	Expr
	unmarshal(ad *netlink.AttributeDecoder) error
}

// newByName maps a kernel expression name to a constructor of its type.
var newByName = map[string]func() decoder{
	"payload":      func() decoder { return new(Payload) },
	"cmp":          func() decoder { return new(Cmp) },
	"meta":         func() decoder { return new(Meta) },
	"immediate":    func() decoder { return new(Immediate) },
	"lookup":       func() decoder { return new(Lookup) },
	"bitwise":      func() decoder { return new(Bitwise) },
	"byteorder":    func() decoder { return new(Byteorder) },
	"range":        func() decoder { return new(Range) },
	"ct":           func() decoder { return new(Ct) },
	"exthdr":       func() decoder { return new(Exthdr) },
	"counter":      func() decoder { return new(Counter) },
	"log":          func() decoder { return new(Log) },
	"limit":        func() decoder { return new(Limit) },
	"quota":        func() decoder { return new(Quota) },
	"nat":          func() decoder { return new(Nat) },
	"masq":         func() decoder { return new(Masq) },
	"redir":        func() decoder { return new(Redir) },
	"reject":       func() decoder { return new(Reject) },
	"dynset":       func() decoder { return new(Dynset) },
	"objref":       func() decoder { return new(Objref) },
	"hash":         func() decoder { return new(Hash) },
	"numgen":       func() decoder { return new(Numgen) },
	"fib":          func() decoder { return new(Fib) },
	"rt":           func() decoder { return new(Rt) },
	"socket":       func() decoder { return new(Socket) },
	"osf":          func() decoder { return new(Osf) },
	"xfrm":         func() decoder { return new(Xfrm) },
	"tproxy":       func() decoder { return new(Tproxy) },
	"queue":        func() decoder { return new(Queue) },
	"dup":          func() decoder { return new(Dup) },
	"fwd":          func() decoder { return new(Fwd) },
	"synproxy":     func() decoder { return new(Synproxy) },
	"connlimit":    func() decoder { return new(Connlimit) },
	"notrack":      func() decoder { return new(Notrack) },
	"flow_offload": func() decoder { return new(FlowOffload) },
	"last":         func() decoder { return new(Last) },
	"tunnel":       func() decoder { return new(Tunnel) },
	"match":        func() decoder { return new(Match) },
	"target":       func() decoder { return new(Target) },
}

// Marshal encodes es as the payload of NFTA_RULE_EXPRESSIONS: one nested
// NFTA_LIST_ELEM per expression, each holding NFTA_EXPR_NAME and
// NFTA_EXPR_DATA, with attribute order and widths as libnftnl builds them.
func Marshal(es []Expr) ([]byte, error) {
	ae := netlink.NewAttributeEncoder()
	ae.ByteOrder = binary.BigEndian
	for i, e := range es {
		if e == nil {
			return nil, &diag.Error{Op: "encode expressions", Msg: fmt.Sprintf("expression %d is nil", i)}
		}
		ae.Nested(attrListElem, func(nae *netlink.AttributeEncoder) error { // NFTA_LIST_ELEM
			return encodeExpr(nae, e)
		})
	}
	b, err := ae.Encode()
	if err != nil {
		return nil, &diag.Error{Op: "encode expressions", Err: err}
	}
	return b, nil
}

// MarshalOne encodes a single expression as the attributes NFTA_EXPR_NAME
// and NFTA_EXPR_DATA, i.e. the content of a nested expression attribute
// such as NFTA_SET_EXPR, NFTA_SET_ELEM_EXPR or NFTA_DYNSET_EXPR.
func MarshalOne(e Expr) ([]byte, error) {
	if e == nil {
		return nil, &diag.Error{Op: "encode expression", Msg: "nil expression"}
	}
	ae := netlink.NewAttributeEncoder()
	ae.ByteOrder = binary.BigEndian
	if err := encodeExpr(ae, e); err != nil {
		return nil, &diag.Error{Op: "encode expression", Object: e.Name(), Err: err}
	}
	b, err := ae.Encode()
	if err != nil {
		return nil, &diag.Error{Op: "encode expression", Object: e.Name(), Err: err}
	}
	return b, nil
}

// encodeExpr writes NFTA_EXPR_NAME and NFTA_EXPR_DATA of e into ae.
func encodeExpr(ae *netlink.AttributeEncoder, e Expr) error {
	ae.String(attrExprName, e.Name()) // NFTA_EXPR_NAME
	switch e := e.(type) {
	case *Notrack:
		// libnftnl has no build callback for notrack: no NFTA_EXPR_DATA.
		return nil
	case *Raw:
		if e.Data != nil {
			ae.Bytes(netlink.Nested|attrExprData, e.Data) // NFTA_EXPR_DATA
		}
		return nil
	}
	ae.Nested(attrExprData, e.marshal) // NFTA_EXPR_DATA
	return nil
}

// Unmarshal decodes the payload of NFTA_RULE_EXPRESSIONS. Expressions with
// an unknown name or unknown attributes are returned as *Raw.
func Unmarshal(b []byte) ([]Expr, error) {
	ad, err := netlink.NewAttributeDecoder(b)
	if err != nil {
		return nil, &diag.Error{Op: "decode expressions", Err: err}
	}
	var es []Expr
	for ad.Next() {
		switch ad.Type() {
		case attrListElem: // NFTA_LIST_ELEM
			e, err := UnmarshalOne(ad.Bytes())
			if err != nil {
				return nil, err
			}
			es = append(es, e)
		default:
			return nil, &diag.Error{Op: "decode expressions", Msg: fmt.Sprintf("unexpected attribute %d in expression list", ad.Type())}
		}
	}
	if err := ad.Err(); err != nil {
		return nil, &diag.Error{Op: "decode expressions", Err: err}
	}
	return es, nil
}

// UnmarshalOne decodes one expression from its NFTA_EXPR_NAME and
// NFTA_EXPR_DATA attributes (the inverse of MarshalOne).
func UnmarshalOne(b []byte) (Expr, error) {
	ad, err := netlink.NewAttributeDecoder(b)
	if err != nil {
		return nil, &diag.Error{Op: "decode expression", Err: err}
	}
	var (
		name    string
		hasName bool
		data    []byte
	)
	for ad.Next() {
		switch ad.Type() {
		case attrExprName: // NFTA_EXPR_NAME
			name, hasName = ad.String(), true
		case attrExprData: // NFTA_EXPR_DATA
			data = ad.Bytes()
		default:
			return nil, &diag.Error{Op: "decode expression", Msg: fmt.Sprintf("unexpected attribute %d", ad.Type())}
		}
	}
	if err := ad.Err(); err != nil {
		return nil, &diag.Error{Op: "decode expression", Err: err}
	}
	if !hasName {
		return nil, &diag.Error{Op: "decode expression", Msg: "missing NFTA_EXPR_NAME"}
	}
	mk, ok := newByName[name]
	if !ok {
		return &Raw{ExprName: name, Data: data}, nil
	}
	e := mk()
	if data == nil {
		if _, ok := e.(*Notrack); ok {
			return e, nil
		}
		return &Raw{ExprName: name}, nil
	}
	if _, ok := e.(*Notrack); ok {
		return &Raw{ExprName: name, Data: data}, nil
	}
	dad, err := netlink.NewAttributeDecoder(data)
	if err != nil {
		return nil, &diag.Error{Op: "decode expression", Object: name, Err: err}
	}
	dad.ByteOrder = binary.BigEndian
	err = e.unmarshal(dad)
	if err == nil {
		err = dad.Err()
	}
	switch {
	case errors.Is(err, errUnknownAttr):
		return &Raw{ExprName: name, Data: data}, nil
	case err != nil:
		return nil, &diag.Error{Op: "decode expression", Object: name, Err: err}
	}
	return e, nil
}

// putData writes a nested data attribute holding NFTA_DATA_VALUE.
func putData(ae *netlink.AttributeEncoder, typ uint16, b []byte) {
	ae.Nested(typ, func(nae *netlink.AttributeEncoder) error {
		nae.Bytes(attrDataValue, b) // NFTA_DATA_VALUE
		return nil
	})
}

// getData reads a nested data attribute holding NFTA_DATA_VALUE.
func getData(ad *netlink.AttributeDecoder) []byte {
	var out []byte
	ad.Nested(func(nad *netlink.AttributeDecoder) error {
		for nad.Next() {
			switch nad.Type() {
			case attrDataValue: // NFTA_DATA_VALUE
				out = nad.Bytes()
			default:
				return errUnknownAttr
			}
		}
		return nil
	})
	if out == nil {
		out = []byte{}
	}
	return out
}

// putVerdict writes NFTA_DATA_VERDICT inside a data attribute.
func putVerdict(ae *netlink.AttributeEncoder, typ uint16, v *Verdict) {
	ae.Nested(typ, func(nae *netlink.AttributeEncoder) error {
		nae.Nested(attrDataVerdict, func(vae *netlink.AttributeEncoder) error { // NFTA_DATA_VERDICT
			vae.Uint32(attrVerdictCode, uint32(v.Code)) // NFTA_VERDICT_CODE
			if v.Chain != "" {
				vae.String(attrVerdictChain, v.Chain) // NFTA_VERDICT_CHAIN
			}
			if v.ChainID != 0 {
				vae.Uint32(attrVerdictChainID, v.ChainID) // NFTA_VERDICT_CHAIN_ID
			}
			return nil
		})
		return nil
	})
}

// getDataOrVerdict reads a data attribute holding either a value or a verdict.
func getDataOrVerdict(ad *netlink.AttributeDecoder) ([]byte, *Verdict) {
	var (
		val []byte
		v   *Verdict
	)
	ad.Nested(func(nad *netlink.AttributeDecoder) error {
		for nad.Next() {
			switch nad.Type() {
			case attrDataValue: // NFTA_DATA_VALUE
				val = nad.Bytes()
			case attrDataVerdict: // NFTA_DATA_VERDICT
				v = new(Verdict)
				nad.Nested(func(vad *netlink.AttributeDecoder) error {
					for vad.Next() {
						switch vad.Type() {
						case attrVerdictCode: // NFTA_VERDICT_CODE
							v.Code = int32(vad.Uint32())
						case attrVerdictChain: // NFTA_VERDICT_CHAIN
							v.Chain = vad.String()
						case attrVerdictChainID: // NFTA_VERDICT_CHAIN_ID
							v.ChainID = vad.Uint32()
						default:
							return errUnknownAttr
						}
					}
					return nil
				})
			default:
				return errUnknownAttr
			}
		}
		return nil
	})
	if val == nil && v == nil {
		val = []byte{}
	}
	return val, v
}

// MarshalData encodes a data attribute payload (the content of e.g.
// NFTA_SET_ELEM_KEY): NFTA_DATA_VALUE holding b.
func MarshalData(b []byte) ([]byte, error) {
	ae := netlink.NewAttributeEncoder()
	ae.Bytes(attrDataValue, b) // NFTA_DATA_VALUE
	return ae.Encode()
}

// MarshalVerdict encodes a data attribute payload (the content of e.g.
// NFTA_SET_ELEM_DATA) holding the verdict v, as libnftnl builds it.
func MarshalVerdict(v Verdict) ([]byte, error) {
	ae := netlink.NewAttributeEncoder()
	ae.ByteOrder = binary.BigEndian
	ae.Nested(attrDataVerdict, func(vae *netlink.AttributeEncoder) error { // NFTA_DATA_VERDICT
		vae.Uint32(attrVerdictCode, uint32(v.Code)) // NFTA_VERDICT_CODE
		if v.Chain != "" {
			vae.String(attrVerdictChain, v.Chain) // NFTA_VERDICT_CHAIN
		}
		if v.ChainID != 0 {
			vae.Uint32(attrVerdictChainID, v.ChainID) // NFTA_VERDICT_CHAIN_ID
		}
		return nil
	})
	return ae.Encode()
}

// UnmarshalData decodes a data attribute payload (NFTA_DATA_VALUE or
// NFTA_DATA_VERDICT); exactly one of the results is non-nil on success.
func UnmarshalData(b []byte) ([]byte, *Verdict, error) {
	// Wrap b in a synthetic attribute so the shared decoder can be used.
	ae := netlink.NewAttributeEncoder()
	ae.Bytes(netlink.Nested|1, b)
	wrapped, err := ae.Encode()
	if err != nil {
		return nil, nil, &diag.Error{Op: "decode data", Err: err}
	}
	ad, err := netlink.NewAttributeDecoder(wrapped)
	if err != nil {
		return nil, nil, &diag.Error{Op: "decode data", Err: err}
	}
	ad.ByteOrder = binary.BigEndian
	var (
		val []byte
		v   *Verdict
	)
	for ad.Next() {
		val, v = getDataOrVerdict(ad)
	}
	if err := ad.Err(); err != nil {
		return nil, nil, &diag.Error{Op: "decode data", Err: err}
	}
	return val, v, nil
}
