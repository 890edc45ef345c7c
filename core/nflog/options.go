package nflog

import (
	"time"

	"github.com/nfsh/nfsh/core/nfnl"
)

// CopyMode says how much of each logged packet the kernel copies to the
// listener.
type CopyMode uint8

// Copy modes. The zero value copies the packet, as the kernel does by
// default.
const (
	CopyPacket CopyMode = iota // metadata and up to Snaplen bytes of the packet (NFULNL_COPY_PACKET)
	CopyMeta                   // metadata only (NFULNL_COPY_META)
	CopyNone                   // metadata only; the kernel treats it as CopyMeta (NFULNL_COPY_NONE)
)

// String returns the mode's name as `nfsh log --copy` spells it.
func (m CopyMode) String() string {
	switch m {
	case CopyPacket:
		return "packet"
	case CopyMeta:
		return "meta"
	case CopyNone:
		return "none"
	}
	return "copy(" + itoa(uint64(m)) + ")"
}

// ParseCopyMode parses "none", "meta" or "packet".
func ParseCopyMode(s string) (CopyMode, bool) {
	switch s {
	case "packet":
		return CopyPacket, true
	case "meta":
		return CopyMeta, true
	case "none":
		return CopyNone, true
	}
	return 0, false
}

func (m CopyMode) wire() uint8 {
	switch m {
	case CopyMeta:
		return copyMeta
	case CopyNone:
		return copyNone
	}
	return copyPacket
}

// Options configure Listen. The zero value of every field is a sensible
// default.
type Options struct {
	// Group is the NFLOG group to bind (the N of `log group N`). Only one
	// socket per network namespace may bind a group; Listen fails with
	// EPERM when another socket has it.
	Group uint16

	// Copy is the copy mode; Snaplen caps the bytes copied per packet in
	// CopyPacket mode (0 = as much as the kernel allows, 65535).
	Copy    CopyMode
	Snaplen uint32

	// QThreshold is how many packets the kernel batches into one netlink
	// message before sending it (NFULA_CFG_QTHRESH; 0 = kernel default 100;
	// a rule's `queue-threshold` lowers it). FlushTimeout is how long the
	// kernel holds a partial batch (NFULA_CFG_TIMEOUT, in 10 ms steps;
	// 0 = kernel default 1 s). NLBufSize is the size of the kernel's batch
	// buffer (NFULA_CFG_NLBUFSIZ, 4096..131072; 0 = kernel default 4096).
	QThreshold   uint32
	FlushTimeout time.Duration
	NLBufSize    uint32

	// Adapt lets the listener trade CPU for burst tolerance on its own:
	// each overrun halves the kernel batch (NLBufSize and QThreshold, down
	// to 4096 bytes and 100 packets), because a full socket buffer drops a
	// whole batch at once; after AdaptQuiet (0 = 10 s) without an overrun
	// the batch doubles again, up to NLBufSize and QThreshold.
	// Stats.BatchBytes and Stats.BatchPackets give the batch in effect.
	Adapt      bool
	AdaptQuiet time.Duration

	// Seq asks for per-group sequence numbers (NFULNL_CFG_F_SEQ), which also
	// let the listener count packets lost in the kernel (Stats.SeqLost).
	// SeqGlobal asks for namespace-wide sequence numbers
	// (NFULNL_CFG_F_SEQ_GLOBAL). Conntrack asks for the connection tracking
	// entry (NFULNL_CFG_F_CONNTRACK); Listen fails with EOPNOTSUPP where the
	// kernel lacks ctnetlink.
	Seq, SeqGlobal, Conntrack bool

	// RcvBuf is the socket receive buffer in bytes (SO_RCVBUFFORCE; 0 = 4 MiB).
	RcvBuf int

	// Events is the capacity of the event channel (0 = 4096). When the
	// channel is full, packets are dropped and counted (Stats.Dropped)
	// unless Block is set, in which case the listener stops reading until
	// there is room, and the kernel drops instead (Stats.Overruns).
	Events int
	Block  bool

	// Batches delivers packet and loss events in slices, one per datagram
	// read from the socket (up to QThreshold packets, after a loss event
	// when there was loss), on the Batches channel instead of one by one
	// on Events: one channel operation per kernel batch rather than per
	// packet. The Batches channel holds Events/64 slices (at least 4); when
	// it is full a whole slice is dropped and counted unless Block is set.
	// Events is then never fed, and closes when the listener stops.
	Batches bool

	// Reuse (with Batches) makes the listener reuse a batch's memory once
	// it is released: the events, the Packets they point to and every
	// byte slice in them are valid only until Release, and a flood
	// allocates nothing per packet. Copy what outlives the batch
	// (Packet.Clone).
	Reuse bool

	// NetNS is the network namespace to listen in (the zero value is the
	// caller's). Interface names are resolved in the same namespace.
	NetNS nfnl.NetNS

	// BindFamilies lists protocol families (NFPROTO_IPV4, ...) for which
	// nfnetlink_log should become the namespace's default logger
	// (NFULNL_CFG_CMD_PF_BIND), so that packets logged without an explicit
	// group (e.g. conntrack's invalid-packet logging) reach group 0. To
	// leave other users alone, a family already bound to a logger is never
	// rebound, and the listener never unbinds (NFULNL_CFG_CMD_PF_UNBIND).
	// nft's `log group N` rules need no binding.
	BindFamilies []uint8

	// NoNames turns off interface name resolution.
	NoNames bool
}

const (
	defaultRcvBuf = 4 << 20
	defaultEvents = 4096
)

// defaultAdaptQuiet is how long an adapting listener (Options.Adapt)
// waits without an overrun before it doubles its kernel batch again.
const defaultAdaptQuiet = 10 * time.Second

// The smallest batch an adapting listener shrinks to.
const (
	adaptMinBytes   = nlBufSizMin
	adaptMinPackets = 100 // NFULNL_QTHRESH_DEFAULT, what tcpdump gets
)
