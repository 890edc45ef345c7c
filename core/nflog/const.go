package nflog

// Kernel constants of nfnetlink_log (include/uapi/linux/netfilter/nfnetlink_log.h)
// that golang.org/x/sys/unix does not carry.

// Message types of the NFNL_SUBSYS_ULOG subsystem.
const (
	msgPacket = 0 // NFULNL_MSG_PACKET
	msgConfig = 1 // NFULNL_MSG_CONFIG
)

// Packet message attributes.
const (
	attrPacketHdr    = 1  // NFULA_PACKET_HDR
	attrMark         = 2  // NFULA_MARK
	attrTimestamp    = 3  // NFULA_TIMESTAMP
	attrInDev        = 4  // NFULA_IFINDEX_INDEV
	attrOutDev       = 5  // NFULA_IFINDEX_OUTDEV
	attrPhysInDev    = 6  // NFULA_IFINDEX_PHYSINDEV
	attrPhysOutDev   = 7  // NFULA_IFINDEX_PHYSOUTDEV
	attrHWAddr       = 8  // NFULA_HWADDR
	attrPayload      = 9  // NFULA_PAYLOAD
	attrPrefix       = 10 // NFULA_PREFIX
	attrUID          = 11 // NFULA_UID
	attrSeq          = 12 // NFULA_SEQ
	attrSeqGlobal    = 13 // NFULA_SEQ_GLOBAL
	attrGID          = 14 // NFULA_GID
	attrHWType       = 15 // NFULA_HWTYPE
	attrHWHeader     = 16 // NFULA_HWHEADER
	attrHWLen        = 17 // NFULA_HWLEN
	attrCT           = 18 // NFULA_CT
	attrCTInfo       = 19 // NFULA_CT_INFO
	attrVLAN         = 20 // NFULA_VLAN
	attrL2Hdr        = 21 // NFULA_L2HDR
	attrVLANProto    = 1  // NFULA_VLAN_PROTO
	attrVLANTCI      = 2  // NFULA_VLAN_TCI
	attrMax          = attrL2Hdr
	nfulnlHdrLen     = 4  // sizeof(struct nfulnl_msg_packet_hdr)
	nfulnlHWLen      = 12 // sizeof(struct nfulnl_msg_packet_hw)
	nfulnlTSLen      = 16 // sizeof(struct nfulnl_msg_packet_timestamp)
	nfgenmsgLen      = 4  // sizeof(struct nfgenmsg)
	nlmsgHdrLen      = 16 // sizeof(struct nlmsghdr)
	nfnetlinkVersion = 0  // NFNETLINK_V0
)

// Config message attributes and commands.
const (
	cfgCmd      = 1 // NFULA_CFG_CMD
	cfgMode     = 2 // NFULA_CFG_MODE
	cfgNLBufSiz = 3 // NFULA_CFG_NLBUFSIZ
	cfgTimeout  = 4 // NFULA_CFG_TIMEOUT
	cfgQThresh  = 5 // NFULA_CFG_QTHRESH
	cfgFlags    = 6 // NFULA_CFG_FLAGS

	cmdBind     = 1 // NFULNL_CFG_CMD_BIND
	cmdUnbind   = 2 // NFULNL_CFG_CMD_UNBIND
	cmdPFBind   = 3 // NFULNL_CFG_CMD_PF_BIND
	cmdPFUnbind = 4 // NFULNL_CFG_CMD_PF_UNBIND

	copyNone   = 0 // NFULNL_COPY_NONE
	copyMeta   = 1 // NFULNL_COPY_META
	copyPacket = 2 // NFULNL_COPY_PACKET

	flagSeq       = 0x1 // NFULNL_CFG_F_SEQ
	flagSeqGlobal = 0x2 // NFULNL_CFG_F_SEQ_GLOBAL
	flagConntrack = 0x4 // NFULNL_CFG_F_CONNTRACK

	copyRangeMax   = 0xffff // NFULNL_COPY_RANGE_MAX
	nlBufSizMin    = 4096   // NFULNL_NLBUFSIZ_DEFAULT, the smallest size the kernel takes
	nlBufSizMax    = 131072 // the largest size nfulnl_set_nlbufsiz takes
	nlmsgDone      = 3      // NLMSG_DONE
	nlmsgError     = 2      // NLMSG_ERROR
	nlmsgOverrun   = 4      // NLMSG_OVERRUN
	nlmNFRequest   = 0x1    // NLM_F_REQUEST
	nlmNFAck       = 0x4    // NLM_F_ACK
	subsysULOG     = 4      // NFNL_SUBSYS_ULOG
	nlaTypeMask    = 0x3fff // ~(NLA_F_NESTED | NLA_F_NET_BYTEORDER)
	ctInfoIsReply  = 3      // IP_CT_IS_REPLY
	ctInfoUntrackd = 7      // IP_CT_UNTRACKED
)

// ctnetlink attributes found inside NFULA_CT (nfnetlink_conntrack.h).
const (
	ctaTupleOrig = 1  // CTA_TUPLE_ORIG
	ctaStatus    = 3  // CTA_STATUS
	ctaTimeout   = 7  // CTA_TIMEOUT
	ctaMark      = 8  // CTA_MARK
	ctaUse       = 11 // CTA_USE
	ctaID        = 12 // CTA_ID
	ctaZone      = 18 // CTA_ZONE
)
