package expr

import "github.com/mdlayher/netlink"

// This file holds the expressions that load packet or metadata into a
// register (and their "set"/"write" counterparts).

func (e *Payload) marshal(ae *netlink.AttributeEncoder) error {
	if e.SReg != 0 {
		ae.Uint32(attrPayloadSReg, e.SReg) // NFTA_PAYLOAD_SREG
	} else {
		ae.Uint32(attrPayloadDReg, e.DReg) // NFTA_PAYLOAD_DREG
	}
	ae.Uint32(attrPayloadBase, e.Base)     // NFTA_PAYLOAD_BASE
	ae.Uint32(attrPayloadOffset, e.Offset) // NFTA_PAYLOAD_OFFSET
	ae.Uint32(attrPayloadLen, e.Len)       // NFTA_PAYLOAD_LEN
	if e.SReg != 0 {
		if e.CsumType != 0 || e.CsumOffset != 0 {
			ae.Uint32(attrPayloadCsumType, e.CsumType)     // NFTA_PAYLOAD_CSUM_TYPE
			ae.Uint32(attrPayloadCsumOffset, e.CsumOffset) // NFTA_PAYLOAD_CSUM_OFFSET
		}
		if e.CsumFlags != 0 {
			ae.Uint32(attrPayloadCsumFlags, e.CsumFlags) // NFTA_PAYLOAD_CSUM_FLAGS
		}
	}
	return nil
}

func (e *Payload) unmarshal(ad *netlink.AttributeDecoder) error {
	for ad.Next() {
		switch ad.Type() {
		case attrPayloadDReg: // NFTA_PAYLOAD_DREG
			e.DReg = ad.Uint32()
		case attrPayloadBase: // NFTA_PAYLOAD_BASE
			e.Base = ad.Uint32()
		case attrPayloadOffset: // NFTA_PAYLOAD_OFFSET
			e.Offset = ad.Uint32()
		case attrPayloadLen: // NFTA_PAYLOAD_LEN
			e.Len = ad.Uint32()
		case attrPayloadSReg: // NFTA_PAYLOAD_SREG
			e.SReg = ad.Uint32()
		case attrPayloadCsumType: // NFTA_PAYLOAD_CSUM_TYPE
			e.CsumType = ad.Uint32()
		case attrPayloadCsumOffset: // NFTA_PAYLOAD_CSUM_OFFSET
			e.CsumOffset = ad.Uint32()
		case attrPayloadCsumFlags: // NFTA_PAYLOAD_CSUM_FLAGS
			e.CsumFlags = ad.Uint32()
		default:
			return errUnknownAttr
		}
	}
	return ad.Err()
}

func (e *Payload) body() string {
	if e.SReg != 0 {
		return sprintf("write reg %d => %db @ %s header + %d csum_type %d csum_off %d csum_flags 0x%x ",
			e.SReg, e.Len, baseStr(e.Base), e.Offset, e.CsumType, e.CsumOffset, e.CsumFlags)
	}
	return sprintf("load %db @ %s header + %d => reg %d ", e.Len, baseStr(e.Base), e.Offset, e.DReg)
}

// String returns the libnftnl text, e.g. "payload load 2b @ transport header + 2 => reg 1".
func (e *Payload) String() string { return render(e.Name(), e.body()) }

func (e *Meta) marshal(ae *netlink.AttributeEncoder) error {
	ae.Uint32(attrMetaKey, e.Key) // NFTA_META_KEY
	if e.SReg != 0 {
		ae.Uint32(attrMetaSReg, e.SReg) // NFTA_META_SREG
	} else {
		ae.Uint32(attrMetaDReg, e.DReg) // NFTA_META_DREG
	}
	return nil
}

func (e *Meta) unmarshal(ad *netlink.AttributeDecoder) error {
	for ad.Next() {
		switch ad.Type() {
		case attrMetaDReg: // NFTA_META_DREG
			e.DReg = ad.Uint32()
		case attrMetaKey: // NFTA_META_KEY
			e.Key = ad.Uint32()
		case attrMetaSReg: // NFTA_META_SREG
			e.SReg = ad.Uint32()
		default:
			return errUnknownAttr
		}
	}
	return ad.Err()
}

func (e *Meta) body() string {
	if e.SReg != 0 {
		return sprintf("set %s with reg %d ", metaKeyStr(e.Key), e.SReg)
	}
	return sprintf("load %s => reg %d ", metaKeyStr(e.Key), e.DReg)
}

// String returns the libnftnl text, e.g. "meta load l4proto => reg 1".
func (e *Meta) String() string { return render(e.Name(), e.body()) }

func (e *Ct) marshal(ae *netlink.AttributeEncoder) error {
	ae.Uint32(attrCtKey, e.Key) // NFTA_CT_KEY
	if e.SReg == 0 {
		ae.Uint32(attrCtDReg, e.DReg) // NFTA_CT_DREG
	}
	if e.Direction != nil {
		ae.Uint8(attrCtDirection, *e.Direction) // NFTA_CT_DIRECTION
	}
	if e.SReg != 0 {
		ae.Uint32(attrCtSReg, e.SReg) // NFTA_CT_SREG
	}
	return nil
}

func (e *Ct) unmarshal(ad *netlink.AttributeDecoder) error {
	for ad.Next() {
		switch ad.Type() {
		case attrCtDReg: // NFTA_CT_DREG
			e.DReg = ad.Uint32()
		case attrCtKey: // NFTA_CT_KEY
			e.Key = ad.Uint32()
		case attrCtDirection: // NFTA_CT_DIRECTION
			d := ad.Uint8()
			e.Direction = &d
		case attrCtSReg: // NFTA_CT_SREG
			e.SReg = ad.Uint32()
		default:
			return errUnknownAttr
		}
	}
	return ad.Err()
}

func (e *Ct) body() string {
	var s string
	if e.SReg != 0 {
		s = sprintf("set %s with reg %d ", ctKeyStr(e.Key), e.SReg)
	} else {
		s = sprintf("load %s => reg %d ", ctKeyStr(e.Key), e.DReg)
	}
	if e.Direction != nil {
		s += sprintf(", dir %s ", ctDirStr(*e.Direction))
	}
	return s
}

// String returns the libnftnl text, e.g. "ct load state => reg 1".
func (e *Ct) String() string { return render(e.Name(), e.body()) }

func (e *Exthdr) marshal(ae *netlink.AttributeEncoder) error {
	switch {
	case e.DReg != 0:
		ae.Uint32(attrExthdrDReg, e.DReg)     // NFTA_EXTHDR_DREG
		ae.Uint8(attrExthdrType, e.Type)      // NFTA_EXTHDR_TYPE
		ae.Uint32(attrExthdrOffset, e.Offset) // NFTA_EXTHDR_OFFSET
		ae.Uint32(attrExthdrLen, e.Len)       // NFTA_EXTHDR_LEN
		ae.Uint32(attrExthdrOp, e.Op)         // NFTA_EXTHDR_OP
		ae.Uint32(attrExthdrFlags, e.Flags)   // NFTA_EXTHDR_FLAGS
	case e.SReg != 0:
		ae.Uint32(attrExthdrSReg, e.SReg)     // NFTA_EXTHDR_SREG
		ae.Uint8(attrExthdrType, e.Type)      // NFTA_EXTHDR_TYPE
		ae.Uint32(attrExthdrOffset, e.Offset) // NFTA_EXTHDR_OFFSET
		ae.Uint32(attrExthdrLen, e.Len)       // NFTA_EXTHDR_LEN
		ae.Uint32(attrExthdrOp, e.Op)         // NFTA_EXTHDR_OP
		if e.Flags != 0 {
			ae.Uint32(attrExthdrFlags, e.Flags) // NFTA_EXTHDR_FLAGS
		}
	default: // reset
		ae.Uint8(attrExthdrType, e.Type) // NFTA_EXTHDR_TYPE
		if e.Offset != 0 {
			ae.Uint32(attrExthdrOffset, e.Offset) // NFTA_EXTHDR_OFFSET
		}
		if e.Len != 0 {
			ae.Uint32(attrExthdrLen, e.Len) // NFTA_EXTHDR_LEN
		}
		ae.Uint32(attrExthdrOp, e.Op) // NFTA_EXTHDR_OP
		if e.Flags != 0 {
			ae.Uint32(attrExthdrFlags, e.Flags) // NFTA_EXTHDR_FLAGS
		}
	}
	return nil
}

func (e *Exthdr) unmarshal(ad *netlink.AttributeDecoder) error {
	for ad.Next() {
		switch ad.Type() {
		case attrExthdrDReg: // NFTA_EXTHDR_DREG
			e.DReg = ad.Uint32()
		case attrExthdrType: // NFTA_EXTHDR_TYPE
			e.Type = ad.Uint8()
		case attrExthdrOffset: // NFTA_EXTHDR_OFFSET
			e.Offset = ad.Uint32()
		case attrExthdrLen: // NFTA_EXTHDR_LEN
			e.Len = ad.Uint32()
		case attrExthdrFlags: // NFTA_EXTHDR_FLAGS
			e.Flags = ad.Uint32()
		case attrExthdrOp: // NFTA_EXTHDR_OP
			e.Op = ad.Uint32()
		case attrExthdrSReg: // NFTA_EXTHDR_SREG
			e.SReg = ad.Uint32()
		default:
			return errUnknownAttr
		}
	}
	return ad.Err()
}

func (e *Exthdr) body() string {
	switch {
	case e.DReg != 0:
		p := ""
		if e.Flags&ExthdrFPresent != 0 {
			p = " present"
		}
		return sprintf("load%s %db @ %d + %d%s => reg %d ", exthdrOpStr(e.Op), e.Len, e.Type, e.Offset, p, e.DReg)
	case e.SReg != 0:
		return sprintf("write%s reg %d => %db @ %d + %d ", exthdrOpStr(e.Op), e.SReg, e.Len, e.Type, e.Offset)
	case e.Op == ExthdrOpTCPOpt && e.Len == 0:
		return sprintf("reset tcpopt %d ", e.Type)
	}
	return sprintf("op %d len %d type %d offset %d ", e.Op, e.Len, e.Type, e.Offset)
}

// String returns the libnftnl text, e.g. "exthdr load ipv6 1b @ 43 + 4 => reg 1".
func (e *Exthdr) String() string { return render(e.Name(), e.body()) }

func (e *Rt) marshal(ae *netlink.AttributeEncoder) error {
	ae.Uint32(attrRtKey, e.Key)   // NFTA_RT_KEY
	ae.Uint32(attrRtDReg, e.DReg) // NFTA_RT_DREG
	return nil
}

func (e *Rt) unmarshal(ad *netlink.AttributeDecoder) error {
	for ad.Next() {
		switch ad.Type() {
		case attrRtDReg: // NFTA_RT_DREG
			e.DReg = ad.Uint32()
		case attrRtKey: // NFTA_RT_KEY
			e.Key = ad.Uint32()
		default:
			return errUnknownAttr
		}
	}
	return ad.Err()
}

func (e *Rt) body() string { return sprintf("load %s => reg %d ", rtKeyStr(e.Key), e.DReg) }

// String returns the libnftnl text, e.g. "rt load classid => reg 1".
func (e *Rt) String() string { return render(e.Name(), e.body()) }

func (e *Socket) marshal(ae *netlink.AttributeEncoder) error {
	ae.Uint32(attrSocketKey, e.Key)     // NFTA_SOCKET_KEY
	ae.Uint32(attrSocketDReg, e.DReg)   // NFTA_SOCKET_DREG
	ae.Uint32(attrSocketLevel, e.Level) // NFTA_SOCKET_LEVEL
	return nil
}

func (e *Socket) unmarshal(ad *netlink.AttributeDecoder) error {
	for ad.Next() {
		switch ad.Type() {
		case attrSocketKey: // NFTA_SOCKET_KEY
			e.Key = ad.Uint32()
		case attrSocketDReg: // NFTA_SOCKET_DREG
			e.DReg = ad.Uint32()
		case attrSocketLevel: // NFTA_SOCKET_LEVEL
			e.Level = ad.Uint32()
		default:
			return errUnknownAttr
		}
	}
	return ad.Err()
}

func (e *Socket) body() string {
	return sprintf("load %s => reg %d ", socketKeyStr(e.Key), e.DReg)
}

// String returns the libnftnl text, e.g. "socket load transparent => reg 1".
func (e *Socket) String() string { return render(e.Name(), e.body()) }

func (e *Osf) marshal(ae *netlink.AttributeEncoder) error {
	ae.Uint32(attrOsfDReg, e.DReg) // NFTA_OSF_DREG
	ae.Uint8(attrOsfTTL, e.TTL)    // NFTA_OSF_TTL
	if e.Flags != 0 {
		ae.Uint32(attrOsfFlags, e.Flags) // NFTA_OSF_FLAGS
	}
	return nil
}

func (e *Osf) unmarshal(ad *netlink.AttributeDecoder) error {
	for ad.Next() {
		switch ad.Type() {
		case attrOsfDReg: // NFTA_OSF_DREG
			e.DReg = ad.Uint32()
		case attrOsfTTL: // NFTA_OSF_TTL
			e.TTL = ad.Uint8()
		case attrOsfFlags: // NFTA_OSF_FLAGS
			e.Flags = ad.Uint32()
		default:
			return errUnknownAttr
		}
	}
	return ad.Err()
}

func (e *Osf) body() string { return sprintf("dreg %d ", e.DReg) }

// String returns the libnftnl text, e.g. "osf dreg 1".
func (e *Osf) String() string { return render(e.Name(), e.body()) }

func (e *Xfrm) marshal(ae *netlink.AttributeEncoder) error {
	ae.Uint32(attrXfrmKey, e.Key)     // NFTA_XFRM_KEY
	ae.Uint8(attrXfrmDir, e.Dir)      // NFTA_XFRM_DIR
	ae.Uint32(attrXfrmSPNum, e.SPNum) // NFTA_XFRM_SPNUM
	ae.Uint32(attrXfrmDReg, e.DReg)   // NFTA_XFRM_DREG
	return nil
}

func (e *Xfrm) unmarshal(ad *netlink.AttributeDecoder) error {
	for ad.Next() {
		switch ad.Type() {
		case attrXfrmDReg: // NFTA_XFRM_DREG
			e.DReg = ad.Uint32()
		case attrXfrmKey: // NFTA_XFRM_KEY
			e.Key = ad.Uint32()
		case attrXfrmDir: // NFTA_XFRM_DIR
			e.Dir = ad.Uint8()
		case attrXfrmSPNum: // NFTA_XFRM_SPNUM
			e.SPNum = ad.Uint32()
		default:
			return errUnknownAttr
		}
	}
	return ad.Err()
}

func (e *Xfrm) body() string {
	return sprintf("load %s %d %s => reg %d ", xfrmDirStr(e.Dir), e.SPNum, xfrmKeyStr(e.Key), e.DReg)
}

// String returns the libnftnl text, e.g. "xfrm load in 0 saddr4 => reg 1".
func (e *Xfrm) String() string { return render(e.Name(), e.body()) }

func (e *Fib) marshal(ae *netlink.AttributeEncoder) error {
	ae.Uint32(attrFibFlags, e.Flags)   // NFTA_FIB_FLAGS
	ae.Uint32(attrFibResult, e.Result) // NFTA_FIB_RESULT
	ae.Uint32(attrFibDReg, e.DReg)     // NFTA_FIB_DREG
	return nil
}

func (e *Fib) unmarshal(ad *netlink.AttributeDecoder) error {
	for ad.Next() {
		switch ad.Type() {
		case attrFibDReg: // NFTA_FIB_DREG
			e.DReg = ad.Uint32()
		case attrFibResult: // NFTA_FIB_RESULT
			e.Result = ad.Uint32()
		case attrFibFlags: // NFTA_FIB_FLAGS
			e.Flags = ad.Uint32()
		default:
			return errUnknownAttr
		}
	}
	return ad.Err()
}

// fibFlagNames are the NFTA_FIB_F_* bits in libnftnl's print order.
var fibFlagNames = []struct {
	bit  uint32
	name string
}{{1, "saddr"}, {2, "daddr"}, {4, "mark"}, {8, "iif"}, {16, "oif"}}

const fibFPresent = 32 // NFTA_FIB_F_PRESENT

func (e *Fib) body() string {
	flags := e.Flags &^ fibFPresent
	s := ""
	for _, f := range fibFlagNames {
		if flags&f.bit != 0 {
			s += f.name + " "
			flags &^= f.bit
			if flags != 0 {
				s += ". "
			}
		}
	}
	if flags != 0 {
		s += sprintf("unknown 0x%x", flags)
	}
	p := ""
	if e.Flags&fibFPresent != 0 {
		p = " present"
	}
	return s + sprintf("%s%s => reg %d ", fibResultStr(e.Result), p, e.DReg)
}

// String returns the libnftnl text, e.g. "fib saddr . iif oif => reg 1".
func (e *Fib) String() string { return render(e.Name(), e.body()) }

func (e *Hash) marshal(ae *netlink.AttributeEncoder) error {
	if e.SReg != 0 {
		ae.Uint32(attrHashSReg, e.SReg) // NFTA_HASH_SREG
	}
	ae.Uint32(attrHashDReg, e.DReg) // NFTA_HASH_DREG
	if e.Len != 0 {
		ae.Uint32(attrHashLen, e.Len) // NFTA_HASH_LEN
	}
	ae.Uint32(attrHashModulus, e.Modulus) // NFTA_HASH_MODULUS
	if e.Seed != nil {
		ae.Uint32(attrHashSeed, *e.Seed) // NFTA_HASH_SEED
	}
	ae.Uint32(attrHashOffset, e.Offset) // NFTA_HASH_OFFSET
	ae.Uint32(attrHashType, e.Type)     // NFTA_HASH_TYPE
	return nil
}

func (e *Hash) unmarshal(ad *netlink.AttributeDecoder) error {
	for ad.Next() {
		switch ad.Type() {
		case attrHashSReg: // NFTA_HASH_SREG
			e.SReg = ad.Uint32()
		case attrHashDReg: // NFTA_HASH_DREG
			e.DReg = ad.Uint32()
		case attrHashLen: // NFTA_HASH_LEN
			e.Len = ad.Uint32()
		case attrHashModulus: // NFTA_HASH_MODULUS
			e.Modulus = ad.Uint32()
		case attrHashSeed: // NFTA_HASH_SEED
			s := ad.Uint32()
			e.Seed = &s
		case attrHashOffset: // NFTA_HASH_OFFSET
			e.Offset = ad.Uint32()
		case attrHashType: // NFTA_HASH_TYPE
			e.Type = ad.Uint32()
		default:
			return errUnknownAttr
		}
	}
	return ad.Err()
}

func (e *Hash) body() string {
	var s string
	if e.Type == 1 { // NFT_HASH_SYM
		s = sprintf("reg %d = symhash() %% mod %d ", e.DReg, e.Modulus)
	} else {
		var seed uint32
		if e.Seed != nil {
			seed = *e.Seed
		}
		s = sprintf("reg %d = jhash(reg %d, %d, 0x%x) %% mod %d ", e.DReg, e.SReg, e.Len, seed, e.Modulus)
	}
	if e.Offset != 0 {
		s += sprintf("offset %d ", e.Offset)
	}
	return s
}

// String returns the libnftnl text, e.g. "hash reg 1 = jhash(reg 1, 4, 0x0) % mod 2".
func (e *Hash) String() string { return render(e.Name(), e.body()) }

func (e *Numgen) marshal(ae *netlink.AttributeEncoder) error {
	ae.Uint32(attrNgDReg, e.DReg)       // NFTA_NG_DREG
	ae.Uint32(attrNgModulus, e.Modulus) // NFTA_NG_MODULUS
	ae.Uint32(attrNgType, e.Type)       // NFTA_NG_TYPE
	ae.Uint32(attrNgOffset, e.Offset)   // NFTA_NG_OFFSET
	return nil
}

func (e *Numgen) unmarshal(ad *netlink.AttributeDecoder) error {
	for ad.Next() {
		switch ad.Type() {
		case attrNgDReg: // NFTA_NG_DREG
			e.DReg = ad.Uint32()
		case attrNgModulus: // NFTA_NG_MODULUS
			e.Modulus = ad.Uint32()
		case attrNgType: // NFTA_NG_TYPE
			e.Type = ad.Uint32()
		case attrNgOffset: // NFTA_NG_OFFSET
			e.Offset = ad.Uint32()
		default:
			return errUnknownAttr
		}
	}
	return ad.Err()
}

func (e *Numgen) body() string {
	var s string
	switch e.Type {
	case 0:
		s = sprintf("reg %d = inc mod %d ", e.DReg, e.Modulus)
	case 1:
		s = sprintf("reg %d = random mod %d ", e.DReg, e.Modulus)
	default:
		return ""
	}
	if e.Offset != 0 {
		s += sprintf("offset %d ", e.Offset)
	}
	return s
}

// String returns the libnftnl text, e.g. "numgen reg 1 = inc mod 2".
func (e *Numgen) String() string { return render(e.Name(), e.body()) }

func (e *Tunnel) marshal(ae *netlink.AttributeEncoder) error {
	ae.Uint32(attrTunnelKey, e.Key)   // NFTA_TUNNEL_KEY
	ae.Uint32(attrTunnelDReg, e.DReg) // NFTA_TUNNEL_DREG
	return nil
}

func (e *Tunnel) unmarshal(ad *netlink.AttributeDecoder) error {
	for ad.Next() {
		switch ad.Type() {
		case attrTunnelKey: // NFTA_TUNNEL_KEY
			e.Key = ad.Uint32()
		case attrTunnelDReg: // NFTA_TUNNEL_DREG
			e.DReg = ad.Uint32()
		default:
			return errUnknownAttr
		}
	}
	return ad.Err()
}

func (e *Tunnel) body() string {
	k := "unknown"
	switch e.Key {
	case 0:
		k = "path"
	case 1:
		k = "id"
	}
	return sprintf("load %s => reg %d ", k, e.DReg)
}

// String returns the libnftnl text, e.g. "tunnel load id => reg 1".
func (e *Tunnel) String() string { return render(e.Name(), e.body()) }
