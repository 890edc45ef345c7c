package expr

// This file declares one exported type per kernel expression. Field names
// follow the kernel attribute names (NFTA_<EXPR>_<ATTR> in CamelCase).
//
// Registers hold kernel register numbers: 0 is the verdict register
// (NFT_REG_VERDICT), 1..4 the 128-bit registers (NFT_REG_1..NFT_REG_4) and
// 8..23 the 32-bit registers (NFT_REG32_00..NFT_REG32_15). A register field
// that is zero means "attribute absent" except where a pointer is used: the
// verdict register 0 is a valid destination only for lookup and immediate.
//
// Where nft sends an attribute whose zero value is meaningful, or omits an
// attribute in some forms, the field is a pointer (nil = attribute absent).
// Every other optional attribute is sent when its field is non-zero, which
// is exactly what nft 1.0.6 does.

// Register numbers (NFT_REG_*), as stored in register fields.
const (
	RegVerdict = 0 // NFT_REG_VERDICT
	Reg1       = 1 // NFT_REG_1
	Reg2       = 2 // NFT_REG_2
	Reg3       = 3 // NFT_REG_3
	Reg4       = 4 // NFT_REG_4
	Reg32_00   = 8 // NFT_REG32_00; NFT_REG32_nn is Reg32_00+nn
)

// Verdict is a verdict in a data register (NFTA_DATA_VERDICT): a code and,
// for jump and goto, the target chain.
type Verdict struct {
	Code    int32  // NFTA_VERDICT_CODE: one of the Verdict* constants
	Chain   string // NFTA_VERDICT_CHAIN, "" when absent
	ChainID uint32 // NFTA_VERDICT_CHAIN_ID, 0 when absent
}

// Verdict codes (NF_* and NFT_* verdicts).
const (
	VerdictDrop     int32 = 0  // NF_DROP
	VerdictAccept   int32 = 1  // NF_ACCEPT
	VerdictStolen   int32 = 2  // NF_STOLEN
	VerdictQueue    int32 = 3  // NF_QUEUE
	VerdictRepeat   int32 = 4  // NF_REPEAT
	VerdictStop     int32 = 5  // NF_STOP
	VerdictContinue int32 = -1 // NFT_CONTINUE
	VerdictBreak    int32 = -2 // NFT_BREAK
	VerdictJump     int32 = -3 // NFT_JUMP
	VerdictGoto     int32 = -4 // NFT_GOTO
	VerdictReturn   int32 = -5 // NFT_RETURN
)

// Payload bases (enum nft_payload_bases).
const (
	PayloadBaseLL        = 0 // NFT_PAYLOAD_LL_HEADER
	PayloadBaseNetwork   = 1 // NFT_PAYLOAD_NETWORK_HEADER
	PayloadBaseTransport = 2 // NFT_PAYLOAD_TRANSPORT_HEADER
	PayloadBaseInner     = 3 // NFT_PAYLOAD_INNER_HEADER
)

// Payload checksum types and flags.
const (
	PayloadCsumNone        = 0 // NFT_PAYLOAD_CSUM_NONE
	PayloadCsumInet        = 1 // NFT_PAYLOAD_CSUM_INET
	PayloadCsumSCTP        = 2 // NFT_PAYLOAD_CSUM_SCTP
	PayloadL4CsumPseudoHdr = 1 // NFT_PAYLOAD_L4CSUM_PSEUDOHDR
)

// Comparison operators of cmp (enum nft_cmp_ops) and range (enum nft_range_ops).
const (
	CmpEq    = 0 // NFT_CMP_EQ
	CmpNeq   = 1 // NFT_CMP_NEQ
	CmpLt    = 2 // NFT_CMP_LT
	CmpLte   = 3 // NFT_CMP_LTE
	CmpGt    = 4 // NFT_CMP_GT
	CmpGte   = 5 // NFT_CMP_GTE
	RangeEq  = 0 // NFT_RANGE_EQ
	RangeNeq = 1 // NFT_RANGE_NEQ
)

// Bitwise operations (enum nft_bitwise_ops).
const (
	BitwiseBool   = 0 // NFT_BITWISE_BOOL: (sreg & mask) ^ xor
	BitwiseLshift = 1 // NFT_BITWISE_LSHIFT
	BitwiseRshift = 2 // NFT_BITWISE_RSHIFT
)

// Byteorder operations (enum nft_byteorder_ops).
const (
	ByteorderNtoh = 0 // NFT_BYTEORDER_NTOH
	ByteorderHton = 1 // NFT_BYTEORDER_HTON
)

// Lookup flags.
const (
	LookupInvert = 1 // NFT_LOOKUP_F_INV
)

// Exthdr operations (enum nft_exthdr_op) and flags.
const (
	ExthdrOpIPv6   = 0 // NFT_EXTHDR_OP_IPV6
	ExthdrOpTCPOpt = 1 // NFT_EXTHDR_OP_TCPOPT
	ExthdrOpIPv4   = 2 // NFT_EXTHDR_OP_IPV4
	ExthdrOpSCTP   = 3 // NFT_EXTHDR_OP_SCTP
	ExthdrOpDCCP   = 4 // NFT_EXTHDR_OP_DCCP
	ExthdrFPresent = 1 // NFT_EXTHDR_F_PRESENT
)

// Dynset operations (enum nft_dynset_ops) and flags.
const (
	DynsetOpAdd    = 0 // NFT_DYNSET_OP_ADD
	DynsetOpUpdate = 1 // NFT_DYNSET_OP_UPDATE
	DynsetOpDelete = 2 // NFT_DYNSET_OP_DELETE
	DynsetFInv     = 1 // NFT_DYNSET_F_INV
	DynsetFExpr    = 2 // NFT_DYNSET_F_EXPR
)

// Payload is the "payload" expression: a load of Len bytes at Offset from
// Base into DReg, or (SReg != 0) a write of SReg into the packet with
// optional checksum update.
type Payload struct {
	DReg       uint32 // NFTA_PAYLOAD_DREG (load)
	Base       uint32 // NFTA_PAYLOAD_BASE: PayloadBase*
	Offset     uint32 // NFTA_PAYLOAD_OFFSET
	Len        uint32 // NFTA_PAYLOAD_LEN
	SReg       uint32 // NFTA_PAYLOAD_SREG (write when non-zero)
	CsumType   uint32 // NFTA_PAYLOAD_CSUM_TYPE (write; sent with CsumOffset when either is non-zero)
	CsumOffset uint32 // NFTA_PAYLOAD_CSUM_OFFSET
	CsumFlags  uint32 // NFTA_PAYLOAD_CSUM_FLAGS (sent when non-zero)
}

// Cmp is the "cmp" expression: compares SReg with Data.
type Cmp struct {
	SReg uint32 // NFTA_CMP_SREG
	Op   uint32 // NFTA_CMP_OP: Cmp*
	Data []byte // NFTA_CMP_DATA (NFTA_DATA_VALUE)
}

// Meta is the "meta" expression: a load of Key into DReg, or (SReg != 0)
// a set of Key from SReg.
type Meta struct {
	Key  uint32 // NFTA_META_KEY: NFT_META_*
	DReg uint32 // NFTA_META_DREG
	SReg uint32 // NFTA_META_SREG (set when non-zero)
}

// Immediate is the "immediate" expression: loads Data, or a Verdict when
// Verdict is non-nil, into DReg.
type Immediate struct {
	DReg    uint32   // NFTA_IMMEDIATE_DREG
	Data    []byte   // NFTA_IMMEDIATE_DATA / NFTA_DATA_VALUE
	Verdict *Verdict // NFTA_IMMEDIATE_DATA / NFTA_DATA_VERDICT
}

// Lookup is the "lookup" expression: a set (or map, with DReg) lookup.
type Lookup struct {
	SReg    uint32  // NFTA_LOOKUP_SREG
	DReg    *uint32 // NFTA_LOOKUP_DREG: nil for sets; 0 = verdict map
	SetName string  // NFTA_LOOKUP_SET
	SetID   uint32  // NFTA_LOOKUP_SET_ID (always sent, as nft does)
	Flags   uint32  // NFTA_LOOKUP_FLAGS: LookupInvert; sent when non-zero
}

// Bitwise is the "bitwise" expression: DReg = (SReg & Mask) ^ Xor for
// Op BitwiseBool, or DReg = SReg <</>> Data for the shifts.
type Bitwise struct {
	SReg uint32 // NFTA_BITWISE_SREG
	DReg uint32 // NFTA_BITWISE_DREG
	Op   uint32 // NFTA_BITWISE_OP: Bitwise*
	// OmitOp leaves NFTA_BITWISE_OP out (Op must be BitwiseBool): nft does
	// so for prefix matches and flag comparisons.
	OmitOp bool
	Len    uint32 // NFTA_BITWISE_LEN
	Mask   []byte // NFTA_BITWISE_MASK (bool)
	Xor    []byte // NFTA_BITWISE_XOR (bool)
	Data   []byte // NFTA_BITWISE_DATA (shift amount, 4 bytes)
}

// Byteorder is the "byteorder" expression.
type Byteorder struct {
	SReg uint32 // NFTA_BYTEORDER_SREG
	DReg uint32 // NFTA_BYTEORDER_DREG
	Op   uint32 // NFTA_BYTEORDER_OP: ByteorderNtoh/Hton
	Len  uint32 // NFTA_BYTEORDER_LEN
	Size uint32 // NFTA_BYTEORDER_SIZE
}

// Range is the "range" expression.
type Range struct {
	SReg     uint32 // NFTA_RANGE_SREG
	Op       uint32 // NFTA_RANGE_OP: RangeEq/RangeNeq
	FromData []byte // NFTA_RANGE_FROM_DATA
	ToData   []byte // NFTA_RANGE_TO_DATA
}

// Ct is the "ct" expression: a load of conntrack Key into DReg, or (SReg
// != 0) a set from SReg.
type Ct struct {
	Key       uint32 // NFTA_CT_KEY: NFT_CT_*
	DReg      uint32 // NFTA_CT_DREG
	Direction *uint8 // NFTA_CT_DIRECTION: nil when absent; 0 original, 1 reply
	SReg      uint32 // NFTA_CT_SREG (set when non-zero)
}

// Exthdr is the "exthdr" expression: a load (DReg != 0), write (SReg != 0)
// or, with neither, a reset of an extension header / option.
type Exthdr struct {
	DReg   uint32 // NFTA_EXTHDR_DREG
	SReg   uint32 // NFTA_EXTHDR_SREG
	Type   uint8  // NFTA_EXTHDR_TYPE
	Offset uint32 // NFTA_EXTHDR_OFFSET
	Len    uint32 // NFTA_EXTHDR_LEN
	Op     uint32 // NFTA_EXTHDR_OP: ExthdrOp*
	Flags  uint32 // NFTA_EXTHDR_FLAGS: ExthdrFPresent (sent with loads)
}

// Counter is the "counter" expression.
type Counter struct {
	Bytes   uint64 // NFTA_COUNTER_BYTES (sent when non-zero)
	Packets uint64 // NFTA_COUNTER_PACKETS (sent when non-zero)
}

// Log is the "log" expression. Each attribute is present when non-nil.
type Log struct {
	Prefix     *string // NFTA_LOG_PREFIX
	Group      *uint16 // NFTA_LOG_GROUP
	Snaplen    *uint32 // NFTA_LOG_SNAPLEN
	QThreshold *uint16 // NFTA_LOG_QTHRESHOLD
	Level      *uint32 // NFTA_LOG_LEVEL
	Flags      *uint32 // NFTA_LOG_FLAGS: NF_LOG_* bits
}

// Limit is the "limit" expression.
type Limit struct {
	Rate  uint64 // NFTA_LIMIT_RATE
	Unit  uint64 // NFTA_LIMIT_UNIT: seconds (1, 60, 3600, 86400, 604800)
	Burst uint32 // NFTA_LIMIT_BURST (sent when non-zero)
	Type  uint32 // NFTA_LIMIT_TYPE: 0 packets, 1 bytes
	Flags uint32 // NFTA_LIMIT_FLAGS: 1 = inverted ("over")
}

// Quota is the "quota" expression.
type Quota struct {
	Bytes    uint64 // NFTA_QUOTA_BYTES
	Consumed uint64 // NFTA_QUOTA_CONSUMED
	Flags    uint32 // NFTA_QUOTA_FLAGS: 1 = inverted ("over")
}

// Nat is the "nat" expression (snat/dnat). Registers are sent when non-zero.
type Nat struct {
	Type        uint32 // NFTA_NAT_TYPE: 0 snat, 1 dnat
	Family      uint32 // NFTA_NAT_FAMILY: NFPROTO_IPV4/IPV6/INET
	RegAddrMin  uint32 // NFTA_NAT_REG_ADDR_MIN
	RegAddrMax  uint32 // NFTA_NAT_REG_ADDR_MAX
	RegProtoMin uint32 // NFTA_NAT_REG_PROTO_MIN
	RegProtoMax uint32 // NFTA_NAT_REG_PROTO_MAX
	Flags       uint32 // NFTA_NAT_FLAGS: NF_NAT_RANGE_* (sent when non-zero)
}

// Masq is the "masq" expression.
type Masq struct {
	Flags       uint32 // NFTA_MASQ_FLAGS (sent when non-zero)
	RegProtoMin uint32 // NFTA_MASQ_REG_PROTO_MIN
	RegProtoMax uint32 // NFTA_MASQ_REG_PROTO_MAX
}

// Redir is the "redir" expression.
type Redir struct {
	RegProtoMin uint32 // NFTA_REDIR_REG_PROTO_MIN
	RegProtoMax uint32 // NFTA_REDIR_REG_PROTO_MAX
	Flags       uint32 // NFTA_REDIR_FLAGS (sent when non-zero)
}

// Reject is the "reject" expression.
type Reject struct {
	Type     uint32 // NFTA_REJECT_TYPE: NFT_REJECT_*
	ICMPCode *uint8 // NFTA_REJECT_ICMP_CODE, nil when absent
}

// Dynset is the "dynset" expression: add/update/delete the key in SRegKey
// (and data in SRegData) to a set from the packet path.
type Dynset struct {
	SRegKey  uint32 // NFTA_DYNSET_SREG_KEY
	SRegData uint32 // NFTA_DYNSET_SREG_DATA (sent when non-zero)
	Op       uint32 // NFTA_DYNSET_OP: DynsetOp*
	Timeout  uint64 // NFTA_DYNSET_TIMEOUT in ms (sent when non-zero)
	SetName  string // NFTA_DYNSET_SET_NAME
	SetID    uint32 // NFTA_DYNSET_SET_ID (always sent)
	// Exprs are the per-element stateful expressions: one is sent as
	// NFTA_DYNSET_EXPR, several as NFTA_DYNSET_EXPRESSIONS.
	Exprs []Expr
	Flags uint32 // NFTA_DYNSET_FLAGS (sent when non-zero)
}

// Objref is the "objref" expression: a reference to a stateful object by
// type and name, or (SetSReg != 0) through a map lookup.
type Objref struct {
	ImmType uint32 // NFTA_OBJREF_IMM_TYPE: NFT_OBJECT_*
	ImmName string // NFTA_OBJREF_IMM_NAME
	SetSReg uint32 // NFTA_OBJREF_SET_SREG
	SetName string // NFTA_OBJREF_SET_NAME
	SetID   uint32 // NFTA_OBJREF_SET_ID
}

// Hash is the "hash" expression (jhash of SReg, or symhash).
type Hash struct {
	SReg    uint32  // NFTA_HASH_SREG (jhash; sent when non-zero)
	DReg    uint32  // NFTA_HASH_DREG
	Len     uint32  // NFTA_HASH_LEN (jhash; sent when non-zero)
	Modulus uint32  // NFTA_HASH_MODULUS
	Seed    *uint32 // NFTA_HASH_SEED, nil when absent
	Offset  uint32  // NFTA_HASH_OFFSET (always sent)
	Type    uint32  // NFTA_HASH_TYPE: 0 jhash, 1 symhash
}

// Numgen is the "numgen" expression.
type Numgen struct {
	DReg    uint32 // NFTA_NG_DREG
	Modulus uint32 // NFTA_NG_MODULUS
	Type    uint32 // NFTA_NG_TYPE: 0 inc, 1 random
	Offset  uint32 // NFTA_NG_OFFSET
}

// Fib is the "fib" expression.
type Fib struct {
	Flags  uint32 // NFTA_FIB_FLAGS: NFTA_FIB_F_*
	Result uint32 // NFTA_FIB_RESULT: NFT_FIB_RESULT_*
	DReg   uint32 // NFTA_FIB_DREG
}

// Rt is the "rt" expression.
type Rt struct {
	Key  uint32 // NFTA_RT_KEY: NFT_RT_*
	DReg uint32 // NFTA_RT_DREG
}

// Socket is the "socket" expression.
type Socket struct {
	Key   uint32 // NFTA_SOCKET_KEY: NFT_SOCKET_*
	DReg  uint32 // NFTA_SOCKET_DREG
	Level uint32 // NFTA_SOCKET_LEVEL (always sent)
}

// Osf is the "osf" expression.
type Osf struct {
	DReg  uint32 // NFTA_OSF_DREG
	TTL   uint8  // NFTA_OSF_TTL
	Flags uint32 // NFTA_OSF_FLAGS (sent when non-zero)
}

// Xfrm is the "xfrm" expression.
type Xfrm struct {
	Key   uint32 // NFTA_XFRM_KEY: NFT_XFRM_KEY_*
	Dir   uint8  // NFTA_XFRM_DIR: 0 in, 1 out
	SPNum uint32 // NFTA_XFRM_SPNUM
	DReg  uint32 // NFTA_XFRM_DREG
}

// Tproxy is the "tproxy" expression.
type Tproxy struct {
	Family  uint32 // NFTA_TPROXY_FAMILY (always sent)
	RegAddr uint32 // NFTA_TPROXY_REG_ADDR
	RegPort uint32 // NFTA_TPROXY_REG_PORT
}

// Queue is the "queue" expression: a fixed queue range (Num, Total) or a
// queue number from SRegQnum.
type Queue struct {
	Num      uint16 // NFTA_QUEUE_NUM (sent unless SRegQnum is set)
	Total    uint16 // NFTA_QUEUE_TOTAL
	Flags    uint16 // NFTA_QUEUE_FLAGS: NFT_QUEUE_FLAG_* (sent when non-zero)
	SRegQnum uint32 // NFTA_QUEUE_SREG_QNUM
}

// Dup is the "dup" expression.
type Dup struct {
	SRegAddr uint32 // NFTA_DUP_SREG_ADDR
	SRegDev  uint32 // NFTA_DUP_SREG_DEV
}

// Fwd is the "fwd" expression.
type Fwd struct {
	SRegDev  uint32 // NFTA_FWD_SREG_DEV
	SRegAddr uint32 // NFTA_FWD_SREG_ADDR
	NFProto  uint32 // NFTA_FWD_NFPROTO (sent when SRegAddr is set)
}

// Synproxy is the "synproxy" expression.
type Synproxy struct {
	MSS    uint16 // NFTA_SYNPROXY_MSS
	Wscale uint8  // NFTA_SYNPROXY_WSCALE
	Flags  uint32 // NFTA_SYNPROXY_FLAGS: NF_SYNPROXY_OPT_*
}

// Connlimit is the "connlimit" expression.
type Connlimit struct {
	Count uint32 // NFTA_CONNLIMIT_COUNT
	Flags uint32 // NFTA_CONNLIMIT_FLAGS: 1 = inverted ("over")
}

// Notrack is the "notrack" expression (no attributes).
type Notrack struct{}

// FlowOffload is the "flow_offload" expression ("flow add @ft").
type FlowOffload struct {
	TableName string // NFTA_FLOW_TABLE_NAME
}

// Last is the "last" expression.
type Last struct {
	Msecs uint64 // NFTA_LAST_MSECS
	Set   uint32 // NFTA_LAST_SET: 0 = never seen
}

// Tunnel is the "tunnel" expression.
type Tunnel struct {
	Key  uint32 // NFTA_TUNNEL_KEY
	DReg uint32 // NFTA_TUNNEL_DREG
}

// Match is the xtables-compat "match" expression; Info is kept raw.
type Match struct {
	MatchName string // NFTA_MATCH_NAME
	Rev       uint32 // NFTA_MATCH_REV
	Info      []byte // NFTA_MATCH_INFO
}

// Target is the xtables-compat "target" expression; Info is kept raw.
type Target struct {
	TargetName string // NFTA_TARGET_NAME
	Rev        uint32 // NFTA_TARGET_REV
	Info       []byte // NFTA_TARGET_INFO
}

// Raw is an expression nfsh does not model (or one carrying attributes it
// does not know): its NFTA_EXPR_DATA payload is kept byte for byte.
// Data is nil when the kernel sent no NFTA_EXPR_DATA at all.
type Raw struct {
	ExprName string // NFTA_EXPR_NAME
	Data     []byte // NFTA_EXPR_DATA payload, unparsed
}
