package expr

// Netlink attribute numbers of the expressions. golang.org/x/sys/unix lacks
// many of them, so they are all declared here, named after the kernel's.
const (
	attrListElem = 1 // NFTA_LIST_ELEM
	attrExprName = 1 // NFTA_EXPR_NAME
	attrExprData = 2 // NFTA_EXPR_DATA

	attrDataValue      = 1 // NFTA_DATA_VALUE
	attrDataVerdict    = 2 // NFTA_DATA_VERDICT
	attrVerdictCode    = 1 // NFTA_VERDICT_CODE
	attrVerdictChain   = 2 // NFTA_VERDICT_CHAIN
	attrVerdictChainID = 3 // NFTA_VERDICT_CHAIN_ID

	attrPayloadDReg       = 1 // NFTA_PAYLOAD_DREG
	attrPayloadBase       = 2 // NFTA_PAYLOAD_BASE
	attrPayloadOffset     = 3 // NFTA_PAYLOAD_OFFSET
	attrPayloadLen        = 4 // NFTA_PAYLOAD_LEN
	attrPayloadSReg       = 5 // NFTA_PAYLOAD_SREG
	attrPayloadCsumType   = 6 // NFTA_PAYLOAD_CSUM_TYPE
	attrPayloadCsumOffset = 7 // NFTA_PAYLOAD_CSUM_OFFSET
	attrPayloadCsumFlags  = 8 // NFTA_PAYLOAD_CSUM_FLAGS

	attrCmpSReg = 1 // NFTA_CMP_SREG
	attrCmpOp   = 2 // NFTA_CMP_OP
	attrCmpData = 3 // NFTA_CMP_DATA

	attrMetaDReg = 1 // NFTA_META_DREG
	attrMetaKey  = 2 // NFTA_META_KEY
	attrMetaSReg = 3 // NFTA_META_SREG

	attrImmediateDReg = 1 // NFTA_IMMEDIATE_DREG
	attrImmediateData = 2 // NFTA_IMMEDIATE_DATA

	attrLookupSet   = 1 // NFTA_LOOKUP_SET
	attrLookupSReg  = 2 // NFTA_LOOKUP_SREG
	attrLookupDReg  = 3 // NFTA_LOOKUP_DREG
	attrLookupSetID = 4 // NFTA_LOOKUP_SET_ID
	attrLookupFlags = 5 // NFTA_LOOKUP_FLAGS

	attrBitwiseSReg = 1 // NFTA_BITWISE_SREG
	attrBitwiseDReg = 2 // NFTA_BITWISE_DREG
	attrBitwiseLen  = 3 // NFTA_BITWISE_LEN
	attrBitwiseMask = 4 // NFTA_BITWISE_MASK
	attrBitwiseXor  = 5 // NFTA_BITWISE_XOR
	attrBitwiseOp   = 6 // NFTA_BITWISE_OP
	attrBitwiseData = 7 // NFTA_BITWISE_DATA

	attrByteorderSReg = 1 // NFTA_BYTEORDER_SREG
	attrByteorderDReg = 2 // NFTA_BYTEORDER_DREG
	attrByteorderOp   = 3 // NFTA_BYTEORDER_OP
	attrByteorderLen  = 4 // NFTA_BYTEORDER_LEN
	attrByteorderSize = 5 // NFTA_BYTEORDER_SIZE

	attrRangeSReg     = 1 // NFTA_RANGE_SREG
	attrRangeOp       = 2 // NFTA_RANGE_OP
	attrRangeFromData = 3 // NFTA_RANGE_FROM_DATA
	attrRangeToData   = 4 // NFTA_RANGE_TO_DATA

	attrCtDReg      = 1 // NFTA_CT_DREG
	attrCtKey       = 2 // NFTA_CT_KEY
	attrCtDirection = 3 // NFTA_CT_DIRECTION
	attrCtSReg      = 4 // NFTA_CT_SREG

	attrExthdrDReg   = 1 // NFTA_EXTHDR_DREG
	attrExthdrType   = 2 // NFTA_EXTHDR_TYPE
	attrExthdrOffset = 3 // NFTA_EXTHDR_OFFSET
	attrExthdrLen    = 4 // NFTA_EXTHDR_LEN
	attrExthdrFlags  = 5 // NFTA_EXTHDR_FLAGS
	attrExthdrOp     = 6 // NFTA_EXTHDR_OP
	attrExthdrSReg   = 7 // NFTA_EXTHDR_SREG

	attrCounterBytes   = 1 // NFTA_COUNTER_BYTES
	attrCounterPackets = 2 // NFTA_COUNTER_PACKETS

	attrLogGroup      = 1 // NFTA_LOG_GROUP
	attrLogPrefix     = 2 // NFTA_LOG_PREFIX
	attrLogSnaplen    = 3 // NFTA_LOG_SNAPLEN
	attrLogQThreshold = 4 // NFTA_LOG_QTHRESHOLD
	attrLogLevel      = 5 // NFTA_LOG_LEVEL
	attrLogFlags      = 6 // NFTA_LOG_FLAGS

	attrLimitRate  = 1 // NFTA_LIMIT_RATE
	attrLimitUnit  = 2 // NFTA_LIMIT_UNIT
	attrLimitBurst = 3 // NFTA_LIMIT_BURST
	attrLimitType  = 4 // NFTA_LIMIT_TYPE
	attrLimitFlags = 5 // NFTA_LIMIT_FLAGS

	attrQuotaBytes    = 1 // NFTA_QUOTA_BYTES
	attrQuotaFlags    = 2 // NFTA_QUOTA_FLAGS
	attrQuotaConsumed = 4 // NFTA_QUOTA_CONSUMED

	attrNatType        = 1 // NFTA_NAT_TYPE
	attrNatFamily      = 2 // NFTA_NAT_FAMILY
	attrNatRegAddrMin  = 3 // NFTA_NAT_REG_ADDR_MIN
	attrNatRegAddrMax  = 4 // NFTA_NAT_REG_ADDR_MAX
	attrNatRegProtoMin = 5 // NFTA_NAT_REG_PROTO_MIN
	attrNatRegProtoMax = 6 // NFTA_NAT_REG_PROTO_MAX
	attrNatFlags       = 7 // NFTA_NAT_FLAGS

	attrMasqFlags       = 1 // NFTA_MASQ_FLAGS
	attrMasqRegProtoMin = 2 // NFTA_MASQ_REG_PROTO_MIN
	attrMasqRegProtoMax = 3 // NFTA_MASQ_REG_PROTO_MAX

	attrRedirRegProtoMin = 1 // NFTA_REDIR_REG_PROTO_MIN
	attrRedirRegProtoMax = 2 // NFTA_REDIR_REG_PROTO_MAX
	attrRedirFlags       = 3 // NFTA_REDIR_FLAGS

	attrRejectType     = 1 // NFTA_REJECT_TYPE
	attrRejectICMPCode = 2 // NFTA_REJECT_ICMP_CODE

	attrDynsetSetName     = 1  // NFTA_DYNSET_SET_NAME
	attrDynsetSetID       = 2  // NFTA_DYNSET_SET_ID
	attrDynsetOp          = 3  // NFTA_DYNSET_OP
	attrDynsetSRegKey     = 4  // NFTA_DYNSET_SREG_KEY
	attrDynsetSRegData    = 5  // NFTA_DYNSET_SREG_DATA
	attrDynsetTimeout     = 6  // NFTA_DYNSET_TIMEOUT
	attrDynsetExpr        = 7  // NFTA_DYNSET_EXPR
	attrDynsetFlags       = 9  // NFTA_DYNSET_FLAGS
	attrDynsetExpressions = 10 // NFTA_DYNSET_EXPRESSIONS

	attrObjrefImmType = 1 // NFTA_OBJREF_IMM_TYPE
	attrObjrefImmName = 2 // NFTA_OBJREF_IMM_NAME
	attrObjrefSetSReg = 3 // NFTA_OBJREF_SET_SREG
	attrObjrefSetName = 4 // NFTA_OBJREF_SET_NAME
	attrObjrefSetID   = 5 // NFTA_OBJREF_SET_ID

	attrHashSReg    = 1 // NFTA_HASH_SREG
	attrHashDReg    = 2 // NFTA_HASH_DREG
	attrHashLen     = 3 // NFTA_HASH_LEN
	attrHashModulus = 4 // NFTA_HASH_MODULUS
	attrHashSeed    = 5 // NFTA_HASH_SEED
	attrHashOffset  = 6 // NFTA_HASH_OFFSET
	attrHashType    = 7 // NFTA_HASH_TYPE

	attrNgDReg    = 1 // NFTA_NG_DREG
	attrNgModulus = 2 // NFTA_NG_MODULUS
	attrNgType    = 3 // NFTA_NG_TYPE
	attrNgOffset  = 4 // NFTA_NG_OFFSET

	attrFibDReg   = 1 // NFTA_FIB_DREG
	attrFibResult = 2 // NFTA_FIB_RESULT
	attrFibFlags  = 3 // NFTA_FIB_FLAGS

	attrRtDReg = 1 // NFTA_RT_DREG
	attrRtKey  = 2 // NFTA_RT_KEY

	attrSocketKey   = 1 // NFTA_SOCKET_KEY
	attrSocketDReg  = 2 // NFTA_SOCKET_DREG
	attrSocketLevel = 3 // NFTA_SOCKET_LEVEL

	attrOsfDReg  = 1 // NFTA_OSF_DREG
	attrOsfTTL   = 2 // NFTA_OSF_TTL
	attrOsfFlags = 3 // NFTA_OSF_FLAGS

	attrXfrmDReg  = 1 // NFTA_XFRM_DREG
	attrXfrmKey   = 2 // NFTA_XFRM_KEY
	attrXfrmDir   = 3 // NFTA_XFRM_DIR
	attrXfrmSPNum = 4 // NFTA_XFRM_SPNUM

	attrTproxyFamily  = 1 // NFTA_TPROXY_FAMILY
	attrTproxyRegAddr = 2 // NFTA_TPROXY_REG_ADDR
	attrTproxyRegPort = 3 // NFTA_TPROXY_REG_PORT

	attrQueueNum      = 1 // NFTA_QUEUE_NUM
	attrQueueTotal    = 2 // NFTA_QUEUE_TOTAL
	attrQueueFlags    = 3 // NFTA_QUEUE_FLAGS
	attrQueueSRegQnum = 4 // NFTA_QUEUE_SREG_QNUM

	attrDupSRegAddr = 1 // NFTA_DUP_SREG_ADDR
	attrDupSRegDev  = 2 // NFTA_DUP_SREG_DEV

	attrFwdSRegDev  = 1 // NFTA_FWD_SREG_DEV
	attrFwdSRegAddr = 2 // NFTA_FWD_SREG_ADDR
	attrFwdNFProto  = 3 // NFTA_FWD_NFPROTO

	attrSynproxyMSS    = 1 // NFTA_SYNPROXY_MSS
	attrSynproxyWscale = 2 // NFTA_SYNPROXY_WSCALE
	attrSynproxyFlags  = 3 // NFTA_SYNPROXY_FLAGS

	attrConnlimitCount = 1 // NFTA_CONNLIMIT_COUNT
	attrConnlimitFlags = 2 // NFTA_CONNLIMIT_FLAGS

	attrFlowTableName = 1 // NFTA_FLOW_TABLE_NAME

	attrLastSet   = 1 // NFTA_LAST_SET
	attrLastMsecs = 2 // NFTA_LAST_MSECS

	attrTunnelKey  = 1 // NFTA_TUNNEL_KEY
	attrTunnelDReg = 2 // NFTA_TUNNEL_DREG

	attrMatchName = 1 // NFTA_MATCH_NAME / NFTA_TARGET_NAME
	attrMatchRev  = 2 // NFTA_MATCH_REV / NFTA_TARGET_REV
	attrMatchInfo = 3 // NFTA_MATCH_INFO / NFTA_TARGET_INFO
)
