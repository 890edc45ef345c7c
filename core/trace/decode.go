package trace

import (
	"encoding/binary"
	"fmt"

	"github.com/mdlayher/netlink"
	"golang.org/x/sys/unix"

	"github.com/nfsh/nfsh/core/diag"
)

// MsgType is the netlink message type of trace messages:
// NFNL_SUBSYS_NFTABLES<<8 | NFT_MSG_TRACE.
const MsgType = unix.NFNL_SUBSYS_NFTABLES<<8 | unix.NFT_MSG_TRACE

// nfgenmsgLen is the size of struct nfgenmsg.
const nfgenmsgLen = 4

// Decode decodes the payload of one NFT_MSG_TRACE netlink message (the
// struct nfgenmsg and the attributes after it). It never panics; a
// malformed message is a *diag.Error.
func Decode(b []byte) (Trace, error) {
	if len(b) < nfgenmsgLen {
		return Trace{}, &diag.Error{Op: "trace decode", Msg: fmt.Sprintf("message of %d bytes has no nfgenmsg", len(b))}
	}
	t := Trace{Family: b[0]}
	if err := t.decodeAttrs(b[nfgenmsgLen:]); err != nil {
		return Trace{}, &diag.Error{Op: "trace decode", Err: err}
	}
	return t, nil
}

func (t *Trace) decodeAttrs(b []byte) error {
	ad, err := netlink.NewAttributeDecoder(b)
	if err != nil {
		return err
	}
	ad.ByteOrder = binary.BigEndian
	for ad.Next() {
		typ := ad.Type()
		if typ < 32 {
			t.Attrs |= 1 << typ
		}
		switch typ {
		case unix.NFTA_TRACE_TABLE: // NFTA_TRACE_TABLE
			t.Table = ad.String()
		case unix.NFTA_TRACE_CHAIN: // NFTA_TRACE_CHAIN
			t.Chain = ad.String()
		case unix.NFTA_TRACE_RULE_HANDLE: // NFTA_TRACE_RULE_HANDLE
			t.RuleHandle = ad.Uint64()
		case unix.NFTA_TRACE_TYPE: // NFTA_TRACE_TYPE
			t.Type = Type(ad.Uint32())
		case unix.NFTA_TRACE_VERDICT: // NFTA_TRACE_VERDICT
			ad.Nested(t.Verdict.decode)
		case unix.NFTA_TRACE_ID: // NFTA_TRACE_ID
			t.ID = ad.Uint32()
		case unix.NFTA_TRACE_LL_HEADER: // NFTA_TRACE_LL_HEADER
			t.LL = ad.Bytes()
		case unix.NFTA_TRACE_NETWORK_HEADER: // NFTA_TRACE_NETWORK_HEADER
			t.Network = ad.Bytes()
		case unix.NFTA_TRACE_TRANSPORT_HEADER: // NFTA_TRACE_TRANSPORT_HEADER
			t.Transport = ad.Bytes()
		case unix.NFTA_TRACE_IIF: // NFTA_TRACE_IIF
			t.IIf = ad.Uint32()
		case unix.NFTA_TRACE_IIFTYPE: // NFTA_TRACE_IIFTYPE
			t.IIfType = ad.Uint16()
		case unix.NFTA_TRACE_OIF: // NFTA_TRACE_OIF
			t.OIf = ad.Uint32()
		case unix.NFTA_TRACE_OIFTYPE: // NFTA_TRACE_OIFTYPE
			t.OIfType = ad.Uint16()
		case unix.NFTA_TRACE_MARK: // NFTA_TRACE_MARK
			t.Mark = ad.Uint32()
		case unix.NFTA_TRACE_NFPROTO: // NFTA_TRACE_NFPROTO
			t.NFProto = ad.Uint32()
		case unix.NFTA_TRACE_POLICY: // NFTA_TRACE_POLICY
			t.Policy = ad.Uint32()
		case unix.NFTA_TRACE_PAD: // NFTA_TRACE_PAD
		}
	}
	return ad.Err()
}

func (v *Verdict) decode(ad *netlink.AttributeDecoder) error {
	ad.ByteOrder = binary.BigEndian
	for ad.Next() {
		switch ad.Type() {
		case unix.NFTA_VERDICT_CODE: // NFTA_VERDICT_CODE
			v.Code = ad.Uint32()
		case unix.NFTA_VERDICT_CHAIN: // NFTA_VERDICT_CHAIN
			v.Chain = ad.String()
		}
	}
	return ad.Err()
}

// Message is one netlink message of a datagram.
type Message struct {
	Type uint16 // nlmsg_type
	Data []byte // the payload after the netlink header
}

// SplitDatagram splits a datagram read from a netlink socket into its
// messages. A truncated or malformed tail is an error.
func SplitDatagram(b []byte) ([]Message, error) {
	var out []Message
	for len(b) > 0 {
		if len(b) < unix.NLMSG_HDRLEN {
			return out, &diag.Error{Op: "trace datagram", Msg: fmt.Sprintf("%d trailing bytes", len(b))}
		}
		n := int(binary.NativeEndian.Uint32(b))
		if n < unix.NLMSG_HDRLEN || n > len(b) {
			return out, &diag.Error{Op: "trace datagram", Msg: fmt.Sprintf("message length %d of %d bytes", n, len(b))}
		}
		out = append(out, Message{Type: binary.NativeEndian.Uint16(b[4:]), Data: b[unix.NLMSG_HDRLEN:n]})
		n = (n + unix.NLMSG_ALIGNTO - 1) &^ (unix.NLMSG_ALIGNTO - 1)
		if n > len(b) {
			n = len(b)
		}
		b = b[n:]
	}
	return out, nil
}
