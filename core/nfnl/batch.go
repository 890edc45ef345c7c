package nfnl

import (
	"golang.org/x/sys/unix"
)

// beginRoom is the space reserved at the start of a Batch buffer for the
// NFNL_MSG_BATCH_BEGIN message: headers plus an NFNL_BATCH_GENID u32.
const beginRoom = nfHeaderLen + 8

// Batch is a list of nf_tables messages committed as one transaction. The
// messages live in one contiguous buffer, framed by NFNL_MSG_BATCH_BEGIN
// and NFNL_MSG_BATCH_END when sent. Sequence numbers are assigned at send
// time; messages are identified by their index (0-based, in Add order).
//
// A message is built either with Add, or without copying: Begin returns
// the buffer with the message headers appended, the caller appends the
// attributes, and End takes the buffer back:
//
//	buf := b.Begin(unix.NFT_MSG_NEWTABLE, family, unix.NLM_F_CREATE)
//	buf = appendTableAttrs(buf, t)
//	idx := b.End(buf)
type Batch struct {
	buf   []byte
	ends  []int // end offset in buf of each message
	start int   // offset of the message being built, or -1

	genID    uint32
	hasGenID bool
	// NoAck clears NLM_F_ACK on the messages (nft 1.0.6 sends none);
	// errors are still reported, successes are not acknowledged.
	NoAck bool
	// Echo sets NLM_F_ECHO on the messages Begin starts while it is true:
	// the kernel then sends the notification of each object they change
	// back to the sending socket when the batch commits (SendOptions.Echo
	// receives them). `nft -e` echoes the messages of add, create, insert
	// and replace commands; an encoder sets Echo around those.
	Echo bool
}

// NewBatch returns an empty batch with room for about size bytes.
func NewBatch(size int) *Batch {
	b := &Batch{start: -1}
	if size < 4096 {
		size = 4096
	}
	b.buf = make([]byte, beginRoom, size)
	return b
}

// Reset empties the batch for reuse, keeping its buffers and NoAck;
// Echo is cleared.
func (b *Batch) Reset() {
	b.Echo = false
	b.buf = b.buf[:beginRoom]
	b.ends = b.ends[:0]
	b.start = -1
	b.hasGenID = false
}

// SetGenID makes the batch carry NFNL_BATCH_GENID: the kernel refuses it
// with ERESTART when the ruleset generation is no longer id.
func (b *Batch) SetGenID(id uint32) { b.genID, b.hasGenID = id, true }

// Len returns the number of messages in the batch (without BEGIN/END).
func (b *Batch) Len() int { return len(b.ends) }

// Size returns the number of bytes of the messages in the batch.
func (b *Batch) Size() int { return len(b.buf) - beginRoom }

// Begin starts a message of type typ (NFT_MSG_*) for family with the
// given NLM_F_* flags (NLM_F_REQUEST, unless NoAck NLM_F_ACK, and while
// Echo NLM_F_ECHO are added) and returns the batch buffer with the headers appended. The
// caller appends attributes and passes the result to End.
func (b *Batch) Begin(typ uint16, family uint8, flags uint16) []byte {
	if b.buf == nil {
		b.buf = make([]byte, beginRoom, 4096)
	}
	if b.start >= 0 {
		panic("nfnl: Batch.Begin while a message is open")
	}
	flags |= unix.NLM_F_REQUEST
	if !b.NoAck {
		flags |= unix.NLM_F_ACK
	}
	if b.Echo {
		flags |= unix.NLM_F_ECHO
	}
	b.start = len(b.buf)
	return appendHeader(b.buf, subsysTables<<subsysShift|typ, flags, 0, family, 0)
}

// Start returns the buffer offset where the open message begins, so that
// an encoder can note attribute offsets relative to the message (the
// offsets extended acks report) as len(buf)-Start().
func (b *Batch) Start() int { return b.start }

// End closes the message Begin opened, given the buffer Begin returned
// with the attributes appended, and returns the message index.
func (b *Batch) End(buf []byte) int {
	if b.start < 0 {
		panic("nfnl: Batch.End without Begin")
	}
	// Pad to alignment; the length field covers the unpadded message.
	l := len(buf) - b.start
	ne.PutUint32(buf[b.start:], uint32(l))
	for len(buf)%4 != 0 {
		buf = append(buf, 0)
	}
	b.buf = buf
	b.ends = append(b.ends, len(buf))
	b.start = -1
	return len(b.ends) - 1
}

// Add appends a message whose attributes are already encoded.
func (b *Batch) Add(typ uint16, family uint8, flags uint16, attrs []byte) int {
	buf := b.Begin(typ, family, flags)
	return b.End(append(buf, attrs...))
}

// Msg returns the bytes of message i (nlmsghdr included, sequence number
// zero until sent). The slice aliases the batch.
func (b *Batch) Msg(i int) []byte {
	s := beginRoom
	if i > 0 {
		s = b.ends[i-1]
	}
	m := b.buf[s:b.ends[i]]
	return m[:ne.Uint32(m[0:4])]
}

// Type returns the NFT_MSG_* type of message i.
func (b *Batch) Type(i int) uint16 { return ne.Uint16(b.Msg(i)[4:6]) & 0xff }

// frame fills in BEGIN, sequence numbers and END, returning the bytes to
// send. The END message is appended past the messages (check mode omits
// it, which makes the kernel validate and then abort the transaction).
func (b *Batch) frame(seq0 uint32, check bool) []byte {
	// BEGIN occupies the tail of the reserved room.
	begin := nfHeaderLen
	if b.hasGenID {
		begin += 8
	}
	off := beginRoom - begin
	h := appendHeader(b.buf[off:off], unix.NFNL_MSG_BATCH_BEGIN, unix.NLM_F_REQUEST, seq0, unix.AF_UNSPEC, subsysTables)
	if b.hasGenID {
		h = append(h, 8, 0, batchGenID, 0)
		h = append(h, byte(b.genID>>24), byte(b.genID>>16), byte(b.genID>>8), byte(b.genID))
	}
	ne.PutUint32(h[0:4], uint32(begin))
	s := beginRoom
	for i, e := range b.ends {
		ne.PutUint32(b.buf[s+8:], seq0+1+uint32(i))
		s = e
	}
	out := b.buf[off:]
	if !check {
		out = appendHeader(out, unix.NFNL_MSG_BATCH_END, unix.NLM_F_REQUEST, seq0+1+uint32(len(b.ends)), unix.AF_UNSPEC, subsysTables)
		ne.PutUint32(out[len(out)-nfHeaderLen:], nfHeaderLen)
	}
	return out
}
