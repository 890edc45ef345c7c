package linearize

import (
	"math/big"

	"github.com/nfsh/nfsh/core/ast"
	"github.com/nfsh/nfsh/core/eval"
	"github.com/nfsh/nfsh/core/expr"
	"github.com/nfsh/nfsh/core/types"
)

// payloadWrite emits a payload statement (`ip ttl set 5`): fields that
// are not byte aligned, or odd-sized fields of checksummed headers, are
// rewritten as load, mask/xor and a wider write (nft's
// stmt_evaluate_payload); the checksum of the header is updated.
func (c *Ctx) payloadWrite(ec *eval.Ctx, x *ast.Assign, tgt *eval.Load) error {
	p := tgt.Proto
	pl := tgt.Payload
	needCsum := p != nil && p.HasCsum
	bitOff, bits := tgt.BitOff, tgt.Bits
	w := &expr.Payload{Base: pl.Base, Offset: uint32(bitOff / 8), Len: uint32((bits + 7) / 8)}
	if needCsum {
		w.CsumType = p.CsumType
		w.CsumOffset = uint32(p.Checksum / 8)
	}
	if p != nil && p.Base == types.BaseNetwork {
		for _, f := range p.Pseudo {
			if f == tgt.Field {
				w.CsumFlags = 1 // NFT_PAYLOAD_L4CSUM_PSEUDOHDR
			}
		}
	}
	unit := c.Alloc(bits, false)
	defer c.Release(bits, false)
	reg := Reg(unit)
	adjust := bitOff%8 != 0 || bits%8 != 0
	if !adjust && (!needCsum || (bits/8)%2 == 0) {
		val := *tgt
		val.Mask, val.Shift = nil, 0
		if err := c.value(ec, x.Value, &val, unit); err != nil {
			return err
		}
		w.SReg = reg
		c.Add(w)
		return nil
	}
	v, err := ec.Value(x.Value, tgt)
	if err != nil {
		return err
	}
	if v.Kind != eval.VConst && v.Kind != eval.VMask {
		return eval.Errorf(x.Value, "payload statement value must be a constant for this field")
	}
	byteOff := bitOff / 8
	newOff := bitOff % 8
	shift := ((bits+7)/8)*8 - (newOff + bits)
	extra := 0
	for shift < 0 {
		shift += 8
		extra += 8
	}
	size := (bits + extra + 7) / 8
	if needCsum && size%2 == 1 {
		size++
		if byteOff%2 == 1 {
			byteOff--
		} else {
			shift += 8
		}
	}
	all := new(big.Int).Sub(new(big.Int).Lsh(big.NewInt(1), uint(size*8)), big.NewInt(1))
	field := new(big.Int).Sub(new(big.Int).Lsh(big.NewInt(1), uint(bits)), big.NewInt(1))
	field.Lsh(field, uint(shift))
	mask := new(big.Int).Xor(all, field)
	xor := new(big.Int).Lsh(v.C.V, uint(shift))
	c.Add(&expr.Payload{DReg: reg, Base: pl.Base, Offset: uint32(byteOff), Len: uint32(size)})
	c.Add(&expr.Bitwise{SReg: reg, DReg: reg, Len: uint32(size),
		Mask: types.ToBytes(mask, size, types.OrderBig), Xor: types.ToBytes(xor, size, types.OrderBig)})
	w.Offset, w.Len, w.SReg = uint32(byteOff), uint32(size), reg
	c.Add(w)
	return nil
}
