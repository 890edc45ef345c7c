package nfnl

import (
	"fmt"

	"golang.org/x/sys/unix"
)

// Header sizes.
const (
	nlmsgHdrLen  = 16 // struct nlmsghdr
	nfgenmsgLen  = 4  // struct nfgenmsg
	nfHeaderLen  = nlmsgHdrLen + nfgenmsgLen
	subsysShift  = 8
	subsysTables = unix.NFNL_SUBSYS_NFTABLES
	nlaTypeMask  = 0x3fff // NLA_TYPE_MASK
)

// Message types the kernel headers of x/sys may not have.
const (
	MsgGetRuleReset     = 0x19 // NFT_MSG_GETRULE_RESET
	MsgDestroyTable     = 0x1a // NFT_MSG_DESTROYTABLE
	MsgDestroyChain     = 0x1b // NFT_MSG_DESTROYCHAIN
	MsgDestroyRule      = 0x1c // NFT_MSG_DESTROYRULE
	MsgDestroySet       = 0x1d // NFT_MSG_DESTROYSET
	MsgDestroySetElem   = 0x1e // NFT_MSG_DESTROYSETELEM
	MsgDestroyObj       = 0x1f // NFT_MSG_DESTROYOBJ
	MsgDestroyFlowtable = 0x20 // NFT_MSG_DESTROYFLOWTABLE
	MsgGetSetElemReset  = 0x21 // NFT_MSG_GETSETELEM_RESET
)

// batchGenID is the NFNL_BATCH_GENID attribute of NFNL_MSG_BATCH_BEGIN.
const batchGenID = 1 // NFNL_BATCH_GENID

// Msg is one nf_tables message as received: the netlink header fields,
// the nfgenmsg and the attribute bytes. Attrs aliases the receive buffer
// and is valid only during the callback it is passed to.
type Msg struct {
	Type   uint16 // NFT_MSG_* (subsystem bits removed)
	Flags  uint16 // NLM_F_*
	Seq    uint32
	Family uint8  // nfgenmsg nfgen_family
	ResID  uint16 // nfgenmsg res_id (host order): the low 16 bits of the generation id
	Attrs  []byte
}

// appendHeader appends an nlmsghdr and nfgenmsg with a zero length field.
func appendHeader(b []byte, typ uint16, flags uint16, seq uint32, family uint8, resID uint16) []byte {
	var h [nfHeaderLen]byte
	ne.PutUint16(h[4:], typ)
	ne.PutUint16(h[6:], flags)
	ne.PutUint32(h[8:], seq)
	h[16] = family
	h[17] = unix.NFNETLINK_V0
	h[18], h[19] = byte(resID>>8), byte(resID) // big endian
	return append(b, h[:]...)
}

// align4 rounds n up to the netlink alignment.
func align4(n int) int { return (n + 3) &^ 3 }

// rawMsg is one netlink message split from a datagram.
type rawMsg struct {
	typ, flags uint16
	seq, pid   uint32
	data       []byte // after the nlmsghdr
}

// splitMsgs calls fn for each netlink message of a datagram.
func splitMsgs(b []byte, fn func(m rawMsg) error) error {
	for len(b) >= nlmsgHdrLen {
		l := int(ne.Uint32(b[0:4]))
		if l < nlmsgHdrLen || l > len(b) {
			return fmt.Errorf("malformed netlink message: length %d of %d bytes", l, len(b))
		}
		m := rawMsg{
			typ:   ne.Uint16(b[4:6]),
			flags: ne.Uint16(b[6:8]),
			seq:   ne.Uint32(b[8:12]),
			pid:   ne.Uint32(b[12:16]),
			data:  b[nlmsgHdrLen:l],
		}
		if err := fn(m); err != nil {
			return err
		}
		if a := align4(l); a < len(b) {
			b = b[a:]
		} else {
			b = nil
		}
	}
	return nil
}

// toMsg turns an nf_tables message into a Msg.
func (m rawMsg) toMsg() (Msg, error) {
	if len(m.data) < nfgenmsgLen {
		return Msg{}, fmt.Errorf("nf_tables message type %#x without nfgenmsg", m.typ)
	}
	return Msg{
		Type:   m.typ & 0xff,
		Flags:  m.flags,
		Seq:    m.seq,
		Family: m.data[0],
		ResID:  uint16(m.data[2])<<8 | uint16(m.data[3]),
		Attrs:  m.data[nfgenmsgLen:],
	}, nil
}

// ackInfo is a parsed NLMSG_ERROR (or an NLMSG_DONE carrying an error).
type ackInfo struct {
	errno  unix.Errno // 0 for a plain ack
	seq    uint32     // sequence number of the request it answers
	msg    string     // NLMSGERR_ATTR_MSG
	offset uint32     // NLMSGERR_ATTR_OFFS, offset into the request; 0 if none
	hasOff bool
}

// parseAck parses the payload of an NLMSG_ERROR message.
func parseAck(m rawMsg) (ackInfo, error) {
	d := m.data
	if len(d) < 4+nlmsgHdrLen {
		return ackInfo{}, fmt.Errorf("short NLMSG_ERROR (%d bytes)", len(d))
	}
	code := int32(ne.Uint32(d[0:4]))
	a := ackInfo{seq: ne.Uint32(d[4+8 : 4+12])}
	if code < 0 {
		a.errno = unix.Errno(-code)
	} else {
		a.errno = unix.Errno(code)
	}
	if m.flags&unix.NLM_F_ACK_TLVS == 0 {
		return a, nil
	}
	off := 4 + nlmsgHdrLen
	if m.flags&unix.NLM_F_CAPPED == 0 {
		// The whole request is echoed; skip its payload.
		ol := int(ne.Uint32(d[4:8]))
		if ol < nlmsgHdrLen {
			return a, nil
		}
		off = 4 + align4(ol)
	}
	if off > len(d) {
		return a, nil
	}
	parseExtack(d[off:], &a)
	return a, nil
}

// parseExtack reads the NLMSGERR_ATTR_* TLVs; malformed tails are ignored.
func parseExtack(b []byte, a *ackInfo) {
	for len(b) >= 4 {
		l := int(ne.Uint16(b[0:2]))
		t := ne.Uint16(b[2:4]) & nlaTypeMask
		if l < 4 || l > len(b) {
			return
		}
		v := b[4:l]
		switch t {
		case unix.NLMSGERR_ATTR_MSG:
			for len(v) > 0 && v[len(v)-1] == 0 {
				v = v[:len(v)-1]
			}
			a.msg = string(v)
		case unix.NLMSGERR_ATTR_OFFS:
			if len(v) >= 4 {
				a.offset = ne.Uint32(v)
				a.hasOff = true
			}
		}
		if al := align4(l); al < len(b) {
			b = b[al:]
		} else {
			return
		}
	}
}
