package expr

import "github.com/mdlayher/netlink"

// This file holds the register-to-register and comparison expressions.

func (e *Cmp) marshal(ae *netlink.AttributeEncoder) error {
	ae.Uint32(attrCmpSReg, e.SReg)   // NFTA_CMP_SREG
	ae.Uint32(attrCmpOp, e.Op)       // NFTA_CMP_OP
	putData(ae, attrCmpData, e.Data) // NFTA_CMP_DATA
	return nil
}

func (e *Cmp) unmarshal(ad *netlink.AttributeDecoder) error {
	for ad.Next() {
		switch ad.Type() {
		case attrCmpSReg: // NFTA_CMP_SREG
			e.SReg = ad.Uint32()
		case attrCmpOp: // NFTA_CMP_OP
			e.Op = ad.Uint32()
		case attrCmpData: // NFTA_CMP_DATA
			e.Data = getData(ad)
		default:
			return errUnknownAttr
		}
	}
	return ad.Err()
}

func (e *Cmp) body() string {
	return sprintf("%s reg %d ", cmpOpStr(e.Op), e.SReg) + formatDataPfx(e.Data, "0x")
}

// String returns the libnftnl text, e.g. "cmp eq reg 1 0x00001600".
func (e *Cmp) String() string { return render(e.Name(), e.body()) }

func (e *Range) marshal(ae *netlink.AttributeEncoder) error {
	ae.Uint32(attrRangeSReg, e.SReg)           // NFTA_RANGE_SREG
	ae.Uint32(attrRangeOp, e.Op)               // NFTA_RANGE_OP
	putData(ae, attrRangeFromData, e.FromData) // NFTA_RANGE_FROM_DATA
	putData(ae, attrRangeToData, e.ToData)     // NFTA_RANGE_TO_DATA
	return nil
}

func (e *Range) unmarshal(ad *netlink.AttributeDecoder) error {
	for ad.Next() {
		switch ad.Type() {
		case attrRangeSReg: // NFTA_RANGE_SREG
			e.SReg = ad.Uint32()
		case attrRangeOp: // NFTA_RANGE_OP
			e.Op = ad.Uint32()
		case attrRangeFromData: // NFTA_RANGE_FROM_DATA
			e.FromData = getData(ad)
		case attrRangeToData: // NFTA_RANGE_TO_DATA
			e.ToData = getData(ad)
		default:
			return errUnknownAttr
		}
	}
	return ad.Err()
}

func (e *Range) body() string {
	return sprintf("%s reg %d ", rangeOpStr(e.Op), e.SReg) + formatDataPfx(e.FromData, "0x") + formatDataPfx(e.ToData, "0x")
}

// String returns the libnftnl text, e.g. "range neq reg 1 0x00002100 0x00002d00".
func (e *Range) String() string { return render(e.Name(), e.body()) }

func (e *Lookup) marshal(ae *netlink.AttributeEncoder) error {
	ae.Uint32(attrLookupSReg, e.SReg) // NFTA_LOOKUP_SREG
	if e.DReg != nil {
		ae.Uint32(attrLookupDReg, *e.DReg) // NFTA_LOOKUP_DREG
	}
	ae.String(attrLookupSet, e.SetName) // NFTA_LOOKUP_SET
	ae.Uint32(attrLookupSetID, e.SetID) // NFTA_LOOKUP_SET_ID
	if e.Flags != 0 {
		ae.Uint32(attrLookupFlags, e.Flags) // NFTA_LOOKUP_FLAGS
	}
	return nil
}

func (e *Lookup) unmarshal(ad *netlink.AttributeDecoder) error {
	for ad.Next() {
		switch ad.Type() {
		case attrLookupSet: // NFTA_LOOKUP_SET
			e.SetName = ad.String()
		case attrLookupSReg: // NFTA_LOOKUP_SREG
			e.SReg = ad.Uint32()
		case attrLookupDReg: // NFTA_LOOKUP_DREG
			d := ad.Uint32()
			e.DReg = &d
		case attrLookupSetID: // NFTA_LOOKUP_SET_ID
			e.SetID = ad.Uint32()
		case attrLookupFlags: // NFTA_LOOKUP_FLAGS
			e.Flags = ad.Uint32()
		default:
			return errUnknownAttr
		}
	}
	return ad.Err()
}

func (e *Lookup) body() string {
	s := sprintf("reg %d set %s ", e.SReg, e.SetName)
	if e.DReg != nil {
		s += sprintf("dreg %d ", *e.DReg)
	}
	if e.Flags != 0 {
		s += sprintf("0x%x ", e.Flags)
	}
	return s
}

// String returns the libnftnl text, e.g. "lookup reg 1 set __set%d 0x1".
func (e *Lookup) String() string { return render(e.Name(), e.body()) }

func (e *Bitwise) marshal(ae *netlink.AttributeEncoder) error {
	ae.Uint32(attrBitwiseSReg, e.SReg) // NFTA_BITWISE_SREG
	ae.Uint32(attrBitwiseDReg, e.DReg) // NFTA_BITWISE_DREG
	if !e.OmitOp {
		ae.Uint32(attrBitwiseOp, e.Op) // NFTA_BITWISE_OP
	}
	ae.Uint32(attrBitwiseLen, e.Len) // NFTA_BITWISE_LEN
	if e.Mask != nil {
		putData(ae, attrBitwiseMask, e.Mask) // NFTA_BITWISE_MASK
	}
	if e.Xor != nil {
		putData(ae, attrBitwiseXor, e.Xor) // NFTA_BITWISE_XOR
	}
	if e.Data != nil {
		putData(ae, attrBitwiseData, e.Data) // NFTA_BITWISE_DATA
	}
	return nil
}

func (e *Bitwise) unmarshal(ad *netlink.AttributeDecoder) error {
	e.OmitOp = true
	for ad.Next() {
		switch ad.Type() {
		case attrBitwiseSReg: // NFTA_BITWISE_SREG
			e.SReg = ad.Uint32()
		case attrBitwiseDReg: // NFTA_BITWISE_DREG
			e.DReg = ad.Uint32()
		case attrBitwiseLen: // NFTA_BITWISE_LEN
			e.Len = ad.Uint32()
		case attrBitwiseMask: // NFTA_BITWISE_MASK
			e.Mask = getData(ad)
		case attrBitwiseXor: // NFTA_BITWISE_XOR
			e.Xor = getData(ad)
		case attrBitwiseOp: // NFTA_BITWISE_OP
			e.Op, e.OmitOp = ad.Uint32(), false
		case attrBitwiseData: // NFTA_BITWISE_DATA
			e.Data = getData(ad)
		default:
			return errUnknownAttr
		}
	}
	return ad.Err()
}

func (e *Bitwise) body() string {
	switch e.Op {
	case BitwiseBool:
		return sprintf("reg %d = ( reg %d & ", e.DReg, e.SReg) + formatDataPfx(e.Mask, "0x") +
			") ^ " + formatDataPfx(e.Xor, "0x")
	case BitwiseLshift, BitwiseRshift:
		op := "<<"
		if e.Op == BitwiseRshift {
			op = ">>"
		}
		return sprintf("reg %d = ( reg %d %s ", e.DReg, e.SReg, op) + formatDataPfx(e.Data, "0x") + ") "
	}
	return ""
}

// String returns the libnftnl text, e.g.
// "bitwise reg 1 = ( reg 1 & 0x0000ffff ) ^ 0x00000000".
func (e *Bitwise) String() string { return render(e.Name(), e.body()) }

func (e *Byteorder) marshal(ae *netlink.AttributeEncoder) error {
	ae.Uint32(attrByteorderSReg, e.SReg) // NFTA_BYTEORDER_SREG
	ae.Uint32(attrByteorderDReg, e.DReg) // NFTA_BYTEORDER_DREG
	ae.Uint32(attrByteorderOp, e.Op)     // NFTA_BYTEORDER_OP
	ae.Uint32(attrByteorderLen, e.Len)   // NFTA_BYTEORDER_LEN
	ae.Uint32(attrByteorderSize, e.Size) // NFTA_BYTEORDER_SIZE
	return nil
}

func (e *Byteorder) unmarshal(ad *netlink.AttributeDecoder) error {
	for ad.Next() {
		switch ad.Type() {
		case attrByteorderSReg: // NFTA_BYTEORDER_SREG
			e.SReg = ad.Uint32()
		case attrByteorderDReg: // NFTA_BYTEORDER_DREG
			e.DReg = ad.Uint32()
		case attrByteorderOp: // NFTA_BYTEORDER_OP
			e.Op = ad.Uint32()
		case attrByteorderLen: // NFTA_BYTEORDER_LEN
			e.Len = ad.Uint32()
		case attrByteorderSize: // NFTA_BYTEORDER_SIZE
			e.Size = ad.Uint32()
		default:
			return errUnknownAttr
		}
	}
	return ad.Err()
}

func (e *Byteorder) body() string {
	op := "unknown"
	switch e.Op {
	case ByteorderNtoh:
		op = "ntoh"
	case ByteorderHton:
		op = "hton"
	}
	return sprintf("reg %d = %s(reg %d, %d, %d) ", e.DReg, op, e.SReg, e.Size, e.Len)
}

// String returns the libnftnl text, e.g. "byteorder reg 1 = hton(reg 1, 4, 4)".
func (e *Byteorder) String() string { return render(e.Name(), e.body()) }

func (e *Immediate) marshal(ae *netlink.AttributeEncoder) error {
	ae.Uint32(attrImmediateDReg, e.DReg) // NFTA_IMMEDIATE_DREG
	switch {
	case e.Verdict != nil:
		putVerdict(ae, attrImmediateData, e.Verdict) // NFTA_IMMEDIATE_DATA
	default:
		putData(ae, attrImmediateData, e.Data) // NFTA_IMMEDIATE_DATA
	}
	return nil
}

func (e *Immediate) unmarshal(ad *netlink.AttributeDecoder) error {
	for ad.Next() {
		switch ad.Type() {
		case attrImmediateDReg: // NFTA_IMMEDIATE_DREG
			e.DReg = ad.Uint32()
		case attrImmediateData: // NFTA_IMMEDIATE_DATA
			e.Data, e.Verdict = getDataOrVerdict(ad)
		default:
			return errUnknownAttr
		}
	}
	return ad.Err()
}

func (e *Immediate) body() string {
	s := sprintf("reg %d ", e.DReg)
	if e.Verdict != nil {
		return s + verdictBody(e.Verdict)
	}
	return s + formatDataPfx(e.Data, "0x")
}

// String returns the libnftnl text, e.g. "immediate reg 0 jump -> chain1".
func (e *Immediate) String() string { return render(e.Name(), e.body()) }
