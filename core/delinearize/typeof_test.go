package delinearize

import (
	"encoding/binary"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/nfsh/nfsh/core/ruleset"
)

func tlv(t uint8, parts ...[]byte) []byte {
	var v []byte
	for _, p := range parts {
		v = append(v, p...)
	}
	return append([]byte{t, uint8(len(v))}, v...)
}

func u32(t uint8, v uint32) []byte {
	return tlv(t, binary.NativeEndian.AppendUint32(nil, v))
}

// payloadTypeof is the typeof userdata of a payload template.
func payloadTypeof(desc, field uint32) []byte {
	return tlv(udTypeofData, u32(udPayloadDesc, desc), u32(udPayloadType, field))
}

func TestTypeofSetDecl(t *testing.T) {
	ipSaddr := tlv(0, u32(udConcatSubType, etypePayload), tlv(udConcatSubData, u32(udPayloadDesc, 12), u32(udPayloadType, 11)))
	tcpDport := tlv(1, u32(udConcatSubType, etypePayload), tlv(udConcatSubData, u32(udPayloadDesc, 8), u32(udPayloadType, 2)))
	raw := tlv(udTypeofData, u32(udPayloadDesc, 0), u32(udPayloadType, 0), u32(udPayloadBase, 4), u32(udPayloadOffset, 32), u32(udPayloadLen, 32))
	for _, tc := range []struct {
		name string
		set  *ruleset.Set
		want string
	}{{
		name: "concat payload",
		set: &ruleset.Set{Name: "s", KeyType: 7<<6 | 13, KeyLen: 8,
			Userdata: append(u32(ruleset.UdataSetKeyByteorder, 2),
				tlv(ruleset.UdataSetKeyTypeof, u32(udTypeofExpr, etypeConcat), tlv(udTypeofData, ipSaddr, tcpDport))...),
			Elements: []*ruleset.Element{{Key: []byte{1, 2, 3, 4, 0, 22, 0, 0}}}},
		want: "\tset s {\n\t\ttypeof ip saddr . tcp dport\n\t\telements = { 1.2.3.4 . 22 }\n\t}\n",
	}, {
		name: "raw payload prints hex",
		set: &ruleset.Set{Name: "s", KeyType: 4, KeyLen: 4,
			Userdata: tlv(ruleset.UdataSetKeyTypeof, u32(udTypeofExpr, etypePayload), raw),
			Elements: []*ruleset.Element{{Key: []byte{0, 0, 0, 20}}}},
		want: "\tset s {\n\t\ttypeof @ih,32,32\n\t\telements = { 0x14 }\n\t}\n",
	}, {
		name: "length mismatch falls back to type",
		set: &ruleset.Set{Name: "s", KeyType: 7, KeyLen: 16,
			Userdata: tlv(ruleset.UdataSetKeyTypeof, u32(udTypeofExpr, etypePayload), payloadTypeof(12, 11))},
		want: "\tset s {\n\t\ttype ipv4_addr\n\t}\n",
	}, {
		name: "meta map",
		set: &ruleset.Set{Name: "m", Flags: ruleset.SetMap, KeyType: 19, KeyLen: 4, DataType: 19, DataLen: 4,
			Userdata: append(tlv(ruleset.UdataSetKeyTypeof, u32(udTypeofExpr, etypeMeta), tlv(udTypeofData, u32(udMetaKey, 3))),
				tlv(ruleset.UdataSetDataTypeof, u32(udTypeofExpr, etypeCt), tlv(udTypeofData, u32(udCtKey, 3), u32(udCtDir, 0xffffffff)))...)},
		want: "\tmap m {\n\t\ttypeof meta mark : ct mark\n\t}\n",
	}} {
		t.Run(tc.name, func(t *testing.T) {
			got := SetDecl(&ruleset.Table{Family: ruleset.FamilyInet, Name: "t"}, tc.set, nil)
			if d := cmp.Diff(tc.want, got); d != "" {
				t.Errorf("SetDecl (-want +got):\n%s", d)
			}
		})
	}
}
