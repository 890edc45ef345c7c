package expr

import (
	"strings"

	"github.com/mdlayher/netlink"
)

// This file holds the statement-like expressions: actions, stateful
// objects and the compat wrappers.

func (e *Counter) marshal(ae *netlink.AttributeEncoder) error {
	if e.Bytes != 0 {
		ae.Uint64(attrCounterBytes, e.Bytes) // NFTA_COUNTER_BYTES
	}
	if e.Packets != 0 {
		ae.Uint64(attrCounterPackets, e.Packets) // NFTA_COUNTER_PACKETS
	}
	return nil
}

func (e *Counter) unmarshal(ad *netlink.AttributeDecoder) error {
	for ad.Next() {
		switch ad.Type() {
		case attrCounterBytes: // NFTA_COUNTER_BYTES
			e.Bytes = ad.Uint64()
		case attrCounterPackets: // NFTA_COUNTER_PACKETS
			e.Packets = ad.Uint64()
		case 3: // NFTA_COUNTER_PAD
		default:
			return errUnknownAttr
		}
	}
	return ad.Err()
}

func (e *Counter) body() string { return sprintf("pkts %d bytes %d ", e.Packets, e.Bytes) }

// String returns the libnftnl text, e.g. "counter pkts 0 bytes 0".
func (e *Counter) String() string { return render(e.Name(), e.body()) }

func (e *Log) marshal(ae *netlink.AttributeEncoder) error {
	if e.Prefix != nil {
		ae.String(attrLogPrefix, *e.Prefix) // NFTA_LOG_PREFIX
	}
	if e.Group != nil {
		ae.Uint16(attrLogGroup, *e.Group) // NFTA_LOG_GROUP
	}
	if e.Snaplen != nil {
		ae.Uint32(attrLogSnaplen, *e.Snaplen) // NFTA_LOG_SNAPLEN
	}
	if e.QThreshold != nil {
		ae.Uint16(attrLogQThreshold, *e.QThreshold) // NFTA_LOG_QTHRESHOLD
	}
	if e.Level != nil {
		ae.Uint32(attrLogLevel, *e.Level) // NFTA_LOG_LEVEL
	}
	if e.Flags != nil {
		ae.Uint32(attrLogFlags, *e.Flags) // NFTA_LOG_FLAGS
	}
	return nil
}

func (e *Log) unmarshal(ad *netlink.AttributeDecoder) error {
	for ad.Next() {
		switch ad.Type() {
		case attrLogPrefix: // NFTA_LOG_PREFIX
			s := ad.String()
			e.Prefix = &s
		case attrLogGroup: // NFTA_LOG_GROUP
			v := ad.Uint16()
			e.Group = &v
		case attrLogSnaplen: // NFTA_LOG_SNAPLEN
			v := ad.Uint32()
			e.Snaplen = &v
		case attrLogQThreshold: // NFTA_LOG_QTHRESHOLD
			v := ad.Uint16()
			e.QThreshold = &v
		case attrLogLevel: // NFTA_LOG_LEVEL
			v := ad.Uint32()
			e.Level = &v
		case attrLogFlags: // NFTA_LOG_FLAGS
			v := ad.Uint32()
			e.Flags = &v
		default:
			return errUnknownAttr
		}
	}
	return ad.Err()
}

// logFlagNames are the NF_LOG_* bits in libnftnl's print order.
var logFlagNames = []struct {
	bit  uint32
	name string
}{{0x01, "tcpseq"}, {0x02, "tcpopt"}, {0x04, "ipopt"}, {0x08, "uid"}, {0x20, "macdecode"}}

func (e *Log) body() string {
	var sb strings.Builder
	if e.Prefix != nil {
		sb.WriteString("prefix " + *e.Prefix + " ")
	}
	if e.Group != nil {
		var snap uint32
		var qt uint16
		if e.Snaplen != nil {
			snap = *e.Snaplen
		}
		if e.QThreshold != nil {
			qt = *e.QThreshold
		}
		sb.WriteString(sprintf("group %d snaplen %d qthreshold %d ", *e.Group, snap, qt))
		return sb.String()
	}
	if e.Level != nil {
		sb.WriteString(sprintf("level %d ", *e.Level))
	}
	if e.Flags != nil {
		for _, f := range logFlagNames {
			if *e.Flags&f.bit != 0 {
				sb.WriteString(f.name + " ")
			}
		}
	}
	return sb.String()
}

// String returns the libnftnl text, e.g. "log prefix x level 4".
func (e *Log) String() string { return render(e.Name(), e.body()) }

func (e *Limit) marshal(ae *netlink.AttributeEncoder) error {
	ae.Uint64(attrLimitRate, e.Rate) // NFTA_LIMIT_RATE
	ae.Uint64(attrLimitUnit, e.Unit) // NFTA_LIMIT_UNIT
	if e.Burst != 0 {
		ae.Uint32(attrLimitBurst, e.Burst) // NFTA_LIMIT_BURST
	}
	ae.Uint32(attrLimitType, e.Type)   // NFTA_LIMIT_TYPE
	ae.Uint32(attrLimitFlags, e.Flags) // NFTA_LIMIT_FLAGS
	return nil
}

func (e *Limit) unmarshal(ad *netlink.AttributeDecoder) error {
	for ad.Next() {
		switch ad.Type() {
		case attrLimitRate: // NFTA_LIMIT_RATE
			e.Rate = ad.Uint64()
		case attrLimitUnit: // NFTA_LIMIT_UNIT
			e.Unit = ad.Uint64()
		case attrLimitBurst: // NFTA_LIMIT_BURST
			e.Burst = ad.Uint32()
		case attrLimitType: // NFTA_LIMIT_TYPE
			e.Type = ad.Uint32()
		case attrLimitFlags: // NFTA_LIMIT_FLAGS
			e.Flags = ad.Uint32()
		case 6: // NFTA_LIMIT_PAD
		default:
			return errUnknownAttr
		}
	}
	return ad.Err()
}

func (e *Limit) body() string {
	t := "packets"
	if e.Type == 1 {
		t = "bytes"
	}
	return sprintf("rate %d/%s burst %d type %s flags 0x%x ", e.Rate, limitUnitStr(e.Unit), e.Burst, t, e.Flags)
}

// String returns the libnftnl text, e.g. "limit rate 400/minute burst 5 type packets flags 0x0".
func (e *Limit) String() string { return render(e.Name(), e.body()) }

func (e *Quota) marshal(ae *netlink.AttributeEncoder) error {
	ae.Uint64(attrQuotaBytes, e.Bytes)       // NFTA_QUOTA_BYTES
	ae.Uint64(attrQuotaConsumed, e.Consumed) // NFTA_QUOTA_CONSUMED
	ae.Uint32(attrQuotaFlags, e.Flags)       // NFTA_QUOTA_FLAGS
	return nil
}

func (e *Quota) unmarshal(ad *netlink.AttributeDecoder) error {
	for ad.Next() {
		switch ad.Type() {
		case attrQuotaBytes: // NFTA_QUOTA_BYTES
			e.Bytes = ad.Uint64()
		case attrQuotaConsumed: // NFTA_QUOTA_CONSUMED
			e.Consumed = ad.Uint64()
		case attrQuotaFlags: // NFTA_QUOTA_FLAGS
			e.Flags = ad.Uint32()
		case 3: // NFTA_QUOTA_PAD
		default:
			return errUnknownAttr
		}
	}
	return ad.Err()
}

func (e *Quota) body() string {
	return sprintf("bytes %d consumed %d flags %d ", e.Bytes, e.Consumed, e.Flags)
}

// String returns the libnftnl text, e.g. "quota bytes 2048 consumed 0 flags 1".
func (e *Quota) String() string { return render(e.Name(), e.body()) }

func putReg(ae *netlink.AttributeEncoder, typ uint16, r uint32) {
	if r != 0 {
		ae.Uint32(typ, r)
	}
}

func regText(name string, r uint32) string {
	if r == 0 {
		return ""
	}
	return sprintf("%s reg %d ", name, r)
}

func (e *Nat) marshal(ae *netlink.AttributeEncoder) error {
	ae.Uint32(attrNatType, e.Type)                // NFTA_NAT_TYPE
	ae.Uint32(attrNatFamily, e.Family)            // NFTA_NAT_FAMILY
	putReg(ae, attrNatRegAddrMin, e.RegAddrMin)   // NFTA_NAT_REG_ADDR_MIN
	putReg(ae, attrNatRegAddrMax, e.RegAddrMax)   // NFTA_NAT_REG_ADDR_MAX
	putReg(ae, attrNatRegProtoMin, e.RegProtoMin) // NFTA_NAT_REG_PROTO_MIN
	putReg(ae, attrNatRegProtoMax, e.RegProtoMax) // NFTA_NAT_REG_PROTO_MAX
	if e.Flags != 0 {
		ae.Uint32(attrNatFlags, e.Flags) // NFTA_NAT_FLAGS
	}
	return nil
}

func (e *Nat) unmarshal(ad *netlink.AttributeDecoder) error {
	for ad.Next() {
		switch ad.Type() {
		case attrNatType: // NFTA_NAT_TYPE
			e.Type = ad.Uint32()
		case attrNatFamily: // NFTA_NAT_FAMILY
			e.Family = ad.Uint32()
		case attrNatRegAddrMin: // NFTA_NAT_REG_ADDR_MIN
			e.RegAddrMin = ad.Uint32()
		case attrNatRegAddrMax: // NFTA_NAT_REG_ADDR_MAX
			e.RegAddrMax = ad.Uint32()
		case attrNatRegProtoMin: // NFTA_NAT_REG_PROTO_MIN
			e.RegProtoMin = ad.Uint32()
		case attrNatRegProtoMax: // NFTA_NAT_REG_PROTO_MAX
			e.RegProtoMax = ad.Uint32()
		case attrNatFlags: // NFTA_NAT_FLAGS
			e.Flags = ad.Uint32()
		default:
			return errUnknownAttr
		}
	}
	return ad.Err()
}

func (e *Nat) body() string {
	t := "unknown"
	switch e.Type {
	case 0:
		t = "snat"
	case 1:
		t = "dnat"
	}
	s := t + " " + familyStr(e.Family) + " " +
		regText("addr_min", e.RegAddrMin) + regText("addr_max", e.RegAddrMax) +
		regText("proto_min", e.RegProtoMin) + regText("proto_max", e.RegProtoMax)
	if e.Flags != 0 {
		s += sprintf("flags 0x%x ", e.Flags)
	}
	return s
}

// String returns the libnftnl text, e.g. "nat snat ip addr_min reg 1".
func (e *Nat) String() string { return render(e.Name(), e.body()) }

func (e *Masq) marshal(ae *netlink.AttributeEncoder) error {
	if e.Flags != 0 {
		ae.Uint32(attrMasqFlags, e.Flags) // NFTA_MASQ_FLAGS
	}
	putReg(ae, attrMasqRegProtoMin, e.RegProtoMin) // NFTA_MASQ_REG_PROTO_MIN
	putReg(ae, attrMasqRegProtoMax, e.RegProtoMax) // NFTA_MASQ_REG_PROTO_MAX
	return nil
}

func (e *Masq) unmarshal(ad *netlink.AttributeDecoder) error {
	for ad.Next() {
		switch ad.Type() {
		case attrMasqFlags: // NFTA_MASQ_FLAGS
			e.Flags = ad.Uint32()
		case attrMasqRegProtoMin: // NFTA_MASQ_REG_PROTO_MIN
			e.RegProtoMin = ad.Uint32()
		case attrMasqRegProtoMax: // NFTA_MASQ_REG_PROTO_MAX
			e.RegProtoMax = ad.Uint32()
		default:
			return errUnknownAttr
		}
	}
	return ad.Err()
}

func (e *Masq) body() string {
	s := regText("proto_min", e.RegProtoMin) + regText("proto_max", e.RegProtoMax)
	if e.Flags != 0 {
		s += sprintf("flags 0x%x ", e.Flags)
	}
	return s
}

// String returns the libnftnl text, e.g. "masq flags 0x4".
func (e *Masq) String() string { return render(e.Name(), e.body()) }

func (e *Redir) marshal(ae *netlink.AttributeEncoder) error {
	putReg(ae, attrRedirRegProtoMin, e.RegProtoMin) // NFTA_REDIR_REG_PROTO_MIN
	putReg(ae, attrRedirRegProtoMax, e.RegProtoMax) // NFTA_REDIR_REG_PROTO_MAX
	if e.Flags != 0 {
		ae.Uint32(attrRedirFlags, e.Flags) // NFTA_REDIR_FLAGS
	}
	return nil
}

func (e *Redir) unmarshal(ad *netlink.AttributeDecoder) error {
	for ad.Next() {
		switch ad.Type() {
		case attrRedirRegProtoMin: // NFTA_REDIR_REG_PROTO_MIN
			e.RegProtoMin = ad.Uint32()
		case attrRedirRegProtoMax: // NFTA_REDIR_REG_PROTO_MAX
			e.RegProtoMax = ad.Uint32()
		case attrRedirFlags: // NFTA_REDIR_FLAGS
			e.Flags = ad.Uint32()
		default:
			return errUnknownAttr
		}
	}
	return ad.Err()
}

func (e *Redir) body() string {
	s := regText("proto_min", e.RegProtoMin) + regText("proto_max", e.RegProtoMax)
	if e.Flags != 0 {
		s += sprintf("flags 0x%x ", e.Flags)
	}
	return s
}

// String returns the libnftnl text, e.g. "redir proto_min reg 1".
func (e *Redir) String() string { return render(e.Name(), e.body()) }

func (e *Reject) marshal(ae *netlink.AttributeEncoder) error {
	ae.Uint32(attrRejectType, e.Type) // NFTA_REJECT_TYPE
	if e.ICMPCode != nil {
		ae.Uint8(attrRejectICMPCode, *e.ICMPCode) // NFTA_REJECT_ICMP_CODE
	}
	return nil
}

func (e *Reject) unmarshal(ad *netlink.AttributeDecoder) error {
	for ad.Next() {
		switch ad.Type() {
		case attrRejectType: // NFTA_REJECT_TYPE
			e.Type = ad.Uint32()
		case attrRejectICMPCode: // NFTA_REJECT_ICMP_CODE
			c := ad.Uint8()
			e.ICMPCode = &c
		default:
			return errUnknownAttr
		}
	}
	return ad.Err()
}

func (e *Reject) body() string {
	var c uint8
	if e.ICMPCode != nil {
		c = *e.ICMPCode
	}
	return sprintf("type %d code %d ", e.Type, c)
}

// String returns the libnftnl text, e.g. "reject type 0 code 3".
func (e *Reject) String() string { return render(e.Name(), e.body()) }

func (e *Dynset) marshal(ae *netlink.AttributeEncoder) error {
	ae.Uint32(attrDynsetSRegKey, e.SRegKey)    // NFTA_DYNSET_SREG_KEY
	putReg(ae, attrDynsetSRegData, e.SRegData) // NFTA_DYNSET_SREG_DATA
	ae.Uint32(attrDynsetOp, e.Op)              // NFTA_DYNSET_OP
	if e.Timeout != 0 {
		ae.Uint64(attrDynsetTimeout, e.Timeout) // NFTA_DYNSET_TIMEOUT
	}
	ae.String(attrDynsetSetName, e.SetName) // NFTA_DYNSET_SET_NAME
	ae.Uint32(attrDynsetSetID, e.SetID)     // NFTA_DYNSET_SET_ID
	switch len(e.Exprs) {
	case 0:
	case 1:
		ae.Nested(attrDynsetExpr, func(nae *netlink.AttributeEncoder) error { // NFTA_DYNSET_EXPR
			return encodeExpr(nae, e.Exprs[0])
		})
	default:
		ae.Nested(attrDynsetExpressions, func(nae *netlink.AttributeEncoder) error { // NFTA_DYNSET_EXPRESSIONS
			for _, x := range e.Exprs {
				nae.Nested(attrListElem, func(lae *netlink.AttributeEncoder) error { // NFTA_LIST_ELEM
					return encodeExpr(lae, x)
				})
			}
			return nil
		})
	}
	if e.Flags != 0 {
		ae.Uint32(attrDynsetFlags, e.Flags) // NFTA_DYNSET_FLAGS
	}
	return nil
}

func (e *Dynset) unmarshal(ad *netlink.AttributeDecoder) error {
	for ad.Next() {
		switch ad.Type() {
		case attrDynsetSetName: // NFTA_DYNSET_SET_NAME
			e.SetName = ad.String()
		case attrDynsetSetID: // NFTA_DYNSET_SET_ID
			e.SetID = ad.Uint32()
		case attrDynsetOp: // NFTA_DYNSET_OP
			e.Op = ad.Uint32()
		case attrDynsetSRegKey: // NFTA_DYNSET_SREG_KEY
			e.SRegKey = ad.Uint32()
		case attrDynsetSRegData: // NFTA_DYNSET_SREG_DATA
			e.SRegData = ad.Uint32()
		case attrDynsetTimeout: // NFTA_DYNSET_TIMEOUT
			e.Timeout = ad.Uint64()
		case attrDynsetExpr: // NFTA_DYNSET_EXPR
			x, err := UnmarshalOne(ad.Bytes())
			if err != nil {
				return err
			}
			e.Exprs = append(e.Exprs, x)
		case attrDynsetExpressions: // NFTA_DYNSET_EXPRESSIONS
			xs, err := Unmarshal(ad.Bytes())
			if err != nil {
				return err
			}
			e.Exprs = append(e.Exprs, xs...)
		case attrDynsetFlags: // NFTA_DYNSET_FLAGS
			e.Flags = ad.Uint32()
		case 8: // NFTA_DYNSET_PAD
		default:
			return errUnknownAttr
		}
	}
	return ad.Err()
}

func (e *Dynset) body() string {
	s := sprintf("%s reg_key %d set %s ", dynsetOpStr(e.Op), e.SRegKey, e.SetName)
	if e.SRegData != 0 {
		s += sprintf("sreg_data %d ", e.SRegData)
	}
	if e.Timeout != 0 {
		s += sprintf("timeout %dms ", e.Timeout)
	}
	for _, x := range e.Exprs {
		s += "expr [ " + x.Name() + " " + bodyOf(x) + "] "
	}
	return s
}

// bodyOf is the libnftnl output of x (with its trailing blank).
func bodyOf(x Expr) string {
	if b, ok := x.(interface{ body() string }); ok {
		return b.body()
	}
	return ""
}

// String returns the libnftnl text, e.g. "dynset add reg_key 1 set s timeout 60000ms".
func (e *Dynset) String() string { return render(e.Name(), e.body()) }

func (e *Objref) marshal(ae *netlink.AttributeEncoder) error {
	if e.SetSReg != 0 || e.SetName != "" {
		ae.Uint32(attrObjrefSetSReg, e.SetSReg)        // NFTA_OBJREF_SET_SREG
		ae.Bytes(attrObjrefSetName, []byte(e.SetName)) // NFTA_OBJREF_SET_NAME (no NUL, as libnftnl)
		ae.Uint32(attrObjrefSetID, e.SetID)            // NFTA_OBJREF_SET_ID
		return nil
	}
	ae.Uint32(attrObjrefImmType, e.ImmType)        // NFTA_OBJREF_IMM_TYPE
	ae.Bytes(attrObjrefImmName, []byte(e.ImmName)) // NFTA_OBJREF_IMM_NAME (no NUL, as libnftnl)
	return nil
}

func (e *Objref) unmarshal(ad *netlink.AttributeDecoder) error {
	for ad.Next() {
		switch ad.Type() {
		case attrObjrefImmType: // NFTA_OBJREF_IMM_TYPE
			e.ImmType = ad.Uint32()
		case attrObjrefImmName: // NFTA_OBJREF_IMM_NAME
			e.ImmName = ad.String()
		case attrObjrefSetSReg: // NFTA_OBJREF_SET_SREG
			e.SetSReg = ad.Uint32()
		case attrObjrefSetName: // NFTA_OBJREF_SET_NAME
			e.SetName = ad.String()
		case attrObjrefSetID: // NFTA_OBJREF_SET_ID
			e.SetID = ad.Uint32()
		default:
			return errUnknownAttr
		}
	}
	return ad.Err()
}

func (e *Objref) body() string {
	if e.SetSReg != 0 || e.SetName != "" {
		return sprintf("sreg %d set %s ", e.SetSReg, e.SetName)
	}
	return sprintf("type %d name %s ", e.ImmType, e.ImmName)
}

// String returns the libnftnl text, e.g. "objref type 1 name cnt1".
func (e *Objref) String() string { return render(e.Name(), e.body()) }

func (e *Tproxy) marshal(ae *netlink.AttributeEncoder) error {
	ae.Uint32(attrTproxyFamily, e.Family)    // NFTA_TPROXY_FAMILY
	putReg(ae, attrTproxyRegAddr, e.RegAddr) // NFTA_TPROXY_REG_ADDR
	putReg(ae, attrTproxyRegPort, e.RegPort) // NFTA_TPROXY_REG_PORT
	return nil
}

func (e *Tproxy) unmarshal(ad *netlink.AttributeDecoder) error {
	for ad.Next() {
		switch ad.Type() {
		case attrTproxyFamily: // NFTA_TPROXY_FAMILY
			e.Family = ad.Uint32()
		case attrTproxyRegAddr: // NFTA_TPROXY_REG_ADDR
			e.RegAddr = ad.Uint32()
		case attrTproxyRegPort: // NFTA_TPROXY_REG_PORT
			e.RegPort = ad.Uint32()
		default:
			return errUnknownAttr
		}
	}
	return ad.Err()
}

func (e *Tproxy) body() string {
	s := ""
	if e.Family != 0 {
		s = familyStr(e.Family) + " "
	}
	return s + regText("addr", e.RegAddr) + regText("port", e.RegPort)
}

// String returns the libnftnl text, e.g. "tproxy ip addr reg 1 port reg 2".
func (e *Tproxy) String() string { return render(e.Name(), e.body()) }

func (e *Queue) marshal(ae *netlink.AttributeEncoder) error {
	if e.SRegQnum == 0 {
		ae.Uint16(attrQueueNum, e.Num)     // NFTA_QUEUE_NUM
		ae.Uint16(attrQueueTotal, e.Total) // NFTA_QUEUE_TOTAL
	}
	if e.Flags != 0 {
		ae.Uint16(attrQueueFlags, e.Flags) // NFTA_QUEUE_FLAGS
	}
	putReg(ae, attrQueueSRegQnum, e.SRegQnum) // NFTA_QUEUE_SREG_QNUM
	return nil
}

func (e *Queue) unmarshal(ad *netlink.AttributeDecoder) error {
	for ad.Next() {
		switch ad.Type() {
		case attrQueueNum: // NFTA_QUEUE_NUM
			e.Num = ad.Uint16()
		case attrQueueTotal: // NFTA_QUEUE_TOTAL
			e.Total = ad.Uint16()
		case attrQueueFlags: // NFTA_QUEUE_FLAGS
			e.Flags = ad.Uint16()
		case attrQueueSRegQnum: // NFTA_QUEUE_SREG_QNUM
			e.SRegQnum = ad.Uint32()
		default:
			return errUnknownAttr
		}
	}
	return ad.Err()
}

func (e *Queue) body() string {
	s := ""
	if e.SRegQnum == 0 {
		s = sprintf("num %d", e.Num)
		last := uint16(e.Num + e.Total - 1)
		if e.Total != 0 && last != e.Num {
			s += sprintf("-%d", last)
		}
		s += " "
	} else {
		s = sprintf("sreg_qnum %d ", e.SRegQnum)
	}
	if e.Flags&1 != 0 { // NFT_QUEUE_FLAG_BYPASS
		s += "bypass "
	}
	if e.Flags&2 != 0 { // NFT_QUEUE_FLAG_CPU_FANOUT
		s += "fanout "
	}
	return s
}

// String returns the libnftnl text, e.g. "queue num 0-3 bypass".
func (e *Queue) String() string { return render(e.Name(), e.body()) }

func (e *Dup) marshal(ae *netlink.AttributeEncoder) error {
	putReg(ae, attrDupSRegAddr, e.SRegAddr) // NFTA_DUP_SREG_ADDR
	putReg(ae, attrDupSRegDev, e.SRegDev)   // NFTA_DUP_SREG_DEV
	return nil
}

func (e *Dup) unmarshal(ad *netlink.AttributeDecoder) error {
	for ad.Next() {
		switch ad.Type() {
		case attrDupSRegAddr: // NFTA_DUP_SREG_ADDR
			e.SRegAddr = ad.Uint32()
		case attrDupSRegDev: // NFTA_DUP_SREG_DEV
			e.SRegDev = ad.Uint32()
		default:
			return errUnknownAttr
		}
	}
	return ad.Err()
}

func (e *Dup) body() string {
	s := ""
	if e.SRegAddr != 0 {
		s += sprintf("sreg_addr %d ", e.SRegAddr)
	}
	if e.SRegDev != 0 {
		s += sprintf("sreg_dev %d ", e.SRegDev)
	}
	return s
}

// String returns the libnftnl text, e.g. "dup sreg_addr 1 sreg_dev 2".
func (e *Dup) String() string { return render(e.Name(), e.body()) }

func (e *Fwd) marshal(ae *netlink.AttributeEncoder) error {
	putReg(ae, attrFwdSRegDev, e.SRegDev)   // NFTA_FWD_SREG_DEV
	putReg(ae, attrFwdSRegAddr, e.SRegAddr) // NFTA_FWD_SREG_ADDR
	if e.SRegAddr != 0 || e.NFProto != 0 {
		ae.Uint32(attrFwdNFProto, e.NFProto) // NFTA_FWD_NFPROTO
	}
	return nil
}

func (e *Fwd) unmarshal(ad *netlink.AttributeDecoder) error {
	for ad.Next() {
		switch ad.Type() {
		case attrFwdSRegDev: // NFTA_FWD_SREG_DEV
			e.SRegDev = ad.Uint32()
		case attrFwdSRegAddr: // NFTA_FWD_SREG_ADDR
			e.SRegAddr = ad.Uint32()
		case attrFwdNFProto: // NFTA_FWD_NFPROTO
			e.NFProto = ad.Uint32()
		default:
			return errUnknownAttr
		}
	}
	return ad.Err()
}

func (e *Fwd) body() string {
	s := ""
	if e.SRegDev != 0 {
		s += sprintf("sreg_dev %d ", e.SRegDev)
	}
	if e.SRegAddr != 0 {
		s += sprintf("sreg_addr %d ", e.SRegAddr)
	}
	if e.SRegAddr != 0 || e.NFProto != 0 {
		s += sprintf("nfproto %d ", e.NFProto)
	}
	return s
}

// String returns the libnftnl text, e.g. "fwd sreg_dev 1".
func (e *Fwd) String() string { return render(e.Name(), e.body()) }

func (e *Synproxy) marshal(ae *netlink.AttributeEncoder) error {
	ae.Uint16(attrSynproxyMSS, e.MSS)      // NFTA_SYNPROXY_MSS
	ae.Uint8(attrSynproxyWscale, e.Wscale) // NFTA_SYNPROXY_WSCALE
	ae.Uint32(attrSynproxyFlags, e.Flags)  // NFTA_SYNPROXY_FLAGS
	return nil
}

func (e *Synproxy) unmarshal(ad *netlink.AttributeDecoder) error {
	for ad.Next() {
		switch ad.Type() {
		case attrSynproxyMSS: // NFTA_SYNPROXY_MSS
			e.MSS = ad.Uint16()
		case attrSynproxyWscale: // NFTA_SYNPROXY_WSCALE
			e.Wscale = ad.Uint8()
		case attrSynproxyFlags: // NFTA_SYNPROXY_FLAGS
			e.Flags = ad.Uint32()
		default:
			return errUnknownAttr
		}
	}
	return ad.Err()
}

func (e *Synproxy) body() string { return sprintf("mss %d wscale %d ", e.MSS, e.Wscale) }

// String returns the libnftnl text, e.g. "synproxy mss 1460 wscale 7".
func (e *Synproxy) String() string { return render(e.Name(), e.body()) }

func (e *Connlimit) marshal(ae *netlink.AttributeEncoder) error {
	ae.Uint32(attrConnlimitCount, e.Count) // NFTA_CONNLIMIT_COUNT
	ae.Uint32(attrConnlimitFlags, e.Flags) // NFTA_CONNLIMIT_FLAGS
	return nil
}

func (e *Connlimit) unmarshal(ad *netlink.AttributeDecoder) error {
	for ad.Next() {
		switch ad.Type() {
		case attrConnlimitCount: // NFTA_CONNLIMIT_COUNT
			e.Count = ad.Uint32()
		case attrConnlimitFlags: // NFTA_CONNLIMIT_FLAGS
			e.Flags = ad.Uint32()
		default:
			return errUnknownAttr
		}
	}
	return ad.Err()
}

func (e *Connlimit) body() string { return sprintf("count %d flags %x ", e.Count, e.Flags) }

// String returns the libnftnl text, e.g. "connlimit count 3 flags 0".
func (e *Connlimit) String() string { return render(e.Name(), e.body()) }

// marshal is never called for notrack, which carries no NFTA_EXPR_DATA.
func (e *Notrack) marshal(ae *netlink.AttributeEncoder) error { return nil }

func (e *Notrack) unmarshal(ad *netlink.AttributeDecoder) error { return errUnknownAttr }

func (e *Notrack) body() string { return "" }

// String returns "notrack".
func (e *Notrack) String() string { return e.Name() }

func (e *FlowOffload) marshal(ae *netlink.AttributeEncoder) error {
	ae.String(attrFlowTableName, e.TableName) // NFTA_FLOW_TABLE_NAME
	return nil
}

func (e *FlowOffload) unmarshal(ad *netlink.AttributeDecoder) error {
	for ad.Next() {
		switch ad.Type() {
		case attrFlowTableName: // NFTA_FLOW_TABLE_NAME
			e.TableName = ad.String()
		default:
			return errUnknownAttr
		}
	}
	return ad.Err()
}

func (e *FlowOffload) body() string { return sprintf("flowtable %s ", e.TableName) }

// String returns the libnftnl text, e.g. "flow_offload flowtable ft".
func (e *FlowOffload) String() string { return render(e.Name(), e.body()) }

func (e *Last) marshal(ae *netlink.AttributeEncoder) error {
	if e.Msecs != 0 {
		ae.Uint64(attrLastMsecs, e.Msecs) // NFTA_LAST_MSECS
	}
	if e.Set != 0 {
		ae.Uint32(attrLastSet, e.Set) // NFTA_LAST_SET
	}
	return nil
}

func (e *Last) unmarshal(ad *netlink.AttributeDecoder) error {
	for ad.Next() {
		switch ad.Type() {
		case attrLastSet: // NFTA_LAST_SET
			e.Set = ad.Uint32()
		case attrLastMsecs: // NFTA_LAST_MSECS
			e.Msecs = ad.Uint64()
		case 3: // NFTA_LAST_PAD
		default:
			return errUnknownAttr
		}
	}
	return ad.Err()
}

func (e *Last) body() string {
	if e.Set == 0 {
		return "never "
	}
	return sprintf("%d ", e.Msecs)
}

// String returns the libnftnl text, e.g. "last never".
func (e *Last) String() string { return render(e.Name(), e.body()) }

func (e *Match) marshal(ae *netlink.AttributeEncoder) error {
	ae.String(attrMatchName, e.MatchName) // NFTA_MATCH_NAME
	ae.Uint32(attrMatchRev, e.Rev)        // NFTA_MATCH_REV
	ae.Bytes(attrMatchInfo, e.Info)       // NFTA_MATCH_INFO
	return nil
}

func (e *Match) unmarshal(ad *netlink.AttributeDecoder) error {
	for ad.Next() {
		switch ad.Type() {
		case attrMatchName: // NFTA_MATCH_NAME
			e.MatchName = ad.String()
		case attrMatchRev: // NFTA_MATCH_REV
			e.Rev = ad.Uint32()
		case attrMatchInfo: // NFTA_MATCH_INFO
			e.Info = ad.Bytes()
		default:
			return errUnknownAttr
		}
	}
	return ad.Err()
}

func (e *Match) body() string { return sprintf("name %s rev %d ", e.MatchName, e.Rev) }

// String returns the libnftnl text, e.g. "match name conntrack rev 3".
func (e *Match) String() string { return render(e.Name(), e.body()) }

func (e *Target) marshal(ae *netlink.AttributeEncoder) error {
	ae.String(attrMatchName, e.TargetName) // NFTA_TARGET_NAME
	ae.Uint32(attrMatchRev, e.Rev)         // NFTA_TARGET_REV
	ae.Bytes(attrMatchInfo, e.Info)        // NFTA_TARGET_INFO
	return nil
}

func (e *Target) unmarshal(ad *netlink.AttributeDecoder) error {
	for ad.Next() {
		switch ad.Type() {
		case attrMatchName: // NFTA_TARGET_NAME
			e.TargetName = ad.String()
		case attrMatchRev: // NFTA_TARGET_REV
			e.Rev = ad.Uint32()
		case attrMatchInfo: // NFTA_TARGET_INFO
			e.Info = ad.Bytes()
		default:
			return errUnknownAttr
		}
	}
	return ad.Err()
}

func (e *Target) body() string { return sprintf("name %s rev %d ", e.TargetName, e.Rev) }

// String returns the libnftnl text, e.g. "target name MASQUERADE rev 0".
func (e *Target) String() string { return render(e.Name(), e.body()) }

// marshal is never called for Raw; encodeExpr copies Data verbatim.
func (e *Raw) marshal(ae *netlink.AttributeEncoder) error { return nil }

// String returns the name followed by the raw attribute bytes in hex, as
// "NAME raw 0x...": libnftnl itself prints nothing for expressions it does
// not know.
func (e *Raw) String() string {
	if len(e.Data) == 0 {
		return e.ExprName
	}
	return sprintf("%s raw 0x%x", e.ExprName, e.Data)
}
