package delinearize

import "github.com/nfsh/nfsh/core/types"

// Protocol bases as nft numbers them (kernel base + 1).
const (
	baseInvalid   = 0
	baseLL        = 1
	baseNetwork   = 2
	baseTransport = 3
	baseInner     = 4
)

var baseTokens = []string{"invalid", "ll", "nh", "th", "ih"}

// icmp dependency kinds of header fields.
const (
	icmpAny     = int(types.ICMPDepAny)
	icmpEcho    = int(types.ICMPDepEcho)
	icmp6Echo   = int(types.ICMP6DepEcho)
	icmpMTU     = int(types.ICMPDepMTU)
	icmpAddress = int(types.ICMPDepAddress)
	icmp6MTU    = int(types.ICMP6DepMTU)
	icmp6MGMQ   = int(types.ICMP6DepMGMQ)
	icmp6PPTR   = int(types.ICMP6DepPPTR)
)

// field is a header field template (proto_hdr_template).
type field struct {
	name    string
	t       *types.Datatype
	order   types.ByteOrder
	offset  int // bits
	len     int // bits
	icmpDep int
	metaKey bool
}

// protoDesc is a protocol description (proto_desc).
type protoDesc struct {
	name        string
	base        int
	protocolKey int // index of the field selecting the upper protocol; 0 = none
	length      int // bits, for stacked link layers
	fields      []*field
	links       map[uint64]*protoDesc
}

var (
	protoUnknown = &protoDesc{name: "unknown", base: baseInvalid}
	protoAH      = &protoDesc{}
	protoESP     = &protoDesc{}
	protoComp    = &protoDesc{}
	protoICMP    = &protoDesc{}
	protoIGMP    = &protoDesc{}
	protoUDP     = &protoDesc{}
	protoUDPLite = &protoDesc{}
	protoTCP     = &protoDesc{}
	protoDCCP    = &protoDesc{}
	protoSCTP    = &protoDesc{}
	protoTH      = &protoDesc{}
	protoIP      = &protoDesc{}
	protoICMP6   = &protoDesc{}
	protoIP6     = &protoDesc{}
	protoInet    = &protoDesc{}
	protoInetSvc = &protoDesc{}
	protoARP     = &protoDesc{}
	protoVLAN    = &protoDesc{}
	protoEth     = &protoDesc{}
	protoNetdev  = &protoDesc{}
)

// The printer's protocol descriptions are built from core/types: fields
// at their template index (1-based; index 0 holds the meta protocol key of
// inet and netdev), links by key value, the upper-protocol field.
func init() {
	descs := map[*types.Proto]*protoDesc{
		types.ProtoAH: protoAH, types.ProtoESP: protoESP, types.ProtoComp: protoComp, types.ProtoICMP: protoICMP,
		types.ProtoIGMP: protoIGMP, types.ProtoUDP: protoUDP, types.ProtoUDPLite: protoUDPLite, types.ProtoTCP: protoTCP,
		types.ProtoDCCP: protoDCCP, types.ProtoSCTP: protoSCTP, types.ProtoTH: protoTH, types.ProtoIP: protoIP,
		types.ProtoICMP6: protoICMP6, types.ProtoIP6: protoIP6, types.ProtoInet: protoInet,
		types.ProtoInetService: protoInetSvc, types.ProtoARP: protoARP, types.ProtoVLAN: protoVLAN,
		types.ProtoEth: protoEth, types.ProtoNetdev: protoNetdev,
	}
	for tp, d := range descs {
		d.name, d.base, d.length = tp.Name, int(tp.Base), tp.Length
		if len(tp.Fields) == 0 && tp.Key.Meta != 0 {
			d.fields = []*field{{name: tp.Key.Name, t: tp.Key.Type, order: types.OrderBig, len: tp.Key.Len, metaKey: true}}
		} else {
			d.fields = []*field{nil}
			for i, x := range tp.Fields {
				d.fields = append(d.fields, &field{name: x.Name, t: x.Type, order: x.Order, offset: x.Offset, len: x.Len, icmpDep: int(x.ICMPDep)})
				if tp.Key.Meta == 0 && tp.Key.Name == x.Name {
					d.protocolKey = i + 1
				}
			}
		}
		if len(tp.Links) > 0 {
			d.links = map[uint64]*protoDesc{}
			for _, l := range tp.Links {
				d.links[l.Value] = descs[l.Proto]
			}
		}
	}
}

// findUpper returns the protocol above desc selected by num.
func (d *protoDesc) findUpper(num uint64) *protoDesc {
	if d == nil || d.links == nil {
		return nil
	}
	return d.links[num]
}

// isProtocolField reports whether field index i selects the upper protocol.
func (d *protoDesc) isProtocolField(i int) bool {
	if d.protocolKey != 0 && i == d.protocolKey {
		return true
	}
	if d == protoIP && i == 9 {
		return true
	}
	if d == protoIP6 && i == 6 {
		return true
	}
	return false
}

func (d *protoDesc) fieldIndex(f *field) int {
	for i, x := range d.fields {
		if x == f {
			return i
		}
	}
	return -1
}

// hookDesc returns the base and protocol a family's hooks start at.
func hookDesc(family uint8) (int, *protoDesc) {
	switch family {
	case 7: // bridge
		return baseLL, protoEth
	case 5: // netdev
		return baseLL, protoNetdev
	case 1: // inet
		return baseLL, protoInet
	case 2:
		return baseNetwork, protoIP
	case 10:
		return baseNetwork, protoIP6
	case 3:
		return baseNetwork, protoARP
	}
	return baseInvalid, nil
}
