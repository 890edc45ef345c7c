package nfnl

import (
	"fmt"

	"golang.org/x/sys/unix"

	"github.com/nfsh/nfsh/core/diag"
)

// SendOptions modify SendBatch.
type SendOptions struct {
	// Check sends the batch without NFNL_MSG_BATCH_END, as `nft -c` does:
	// the kernel processes and validates every message, reports errors,
	// and then aborts the transaction, so nothing is committed.
	Check bool
	// Echo, when not nil, receives the nf_tables messages the kernel
	// sends back for the batch, in the order it sends them: the
	// notifications of the messages built while Batch.Echo was set
	// (NFT_MSG_NEW*, and NFT_MSG_DEL* for the rule a replace removes),
	// then NFT_MSG_NEWGEN when the batch's first message had NLM_F_ECHO.
	// They carry the sequence numbers of the batch, except set elements,
	// which the kernel echoes with sequence number 0 (and the socket's
	// port id); other nf_tables messages (stale dump data) are not
	// passed. Msg.Attrs is valid only
	// during the call. An error returned by Echo ends the read and is
	// returned; the batch has committed by then. A check commits nothing,
	// so nothing is echoed.
	Echo func(Msg) error
}

// SendResult tells what the kernel answered to a batch.
type SendResult struct {
	Acked int // messages acknowledged without error
}

// SendBatch sends b as one transaction with a single sendmsg and reads
// every acknowledgement. When the kernel refuses any message it returns a
// *diag.Error whose Err is a *BatchError listing each refused message by
// index (Errno and Extack of the diag.Error are those of the first one);
// the transaction is then aborted as a whole.
func (c *Conn) SendBatch(b *Batch, opts SendOptions) (SendResult, error) {
	op := "commit batch"
	if opts.Check {
		op = "check batch"
	}
	if b.start >= 0 {
		return SendResult{}, &diag.Error{Op: op, Msg: "a message is still open (Begin without End)"}
	}
	n := uint32(len(b.ends))
	seq0 := c.nextSeq(n + 2)
	out := b.frame(seq0, opts.Check)

	// Every message may be answered by an ack; the kernel charges each
	// queued ack skb about 1 KiB against the receive buffer.
	need := int(n)*1024 + minRcvBuf
	if opts.Echo != nil {
		// Notifications, one or more per message (one per element), are
		// queued beside the acks.
		need += int(n)*4096 + 2*b.Size()
	}
	if err := c.growRcvBuf(need); err != nil {
		return SendResult{}, &diag.Error{Op: op, Msg: "set SO_RCVBUFFORCE", Err: err, Errno: diag.ErrnoOf(err)}
	}
	if err := c.send(out); err != nil {
		return SendResult{}, &diag.Error{Op: op, Msg: "sendmsg", Err: err, Errno: diag.ErrnoOf(err)}
	}

	// nfnetlink processes the whole batch inside sendmsg, so every answer
	// is queued by now: read until the queue is empty.
	ans := answers{b: b, seq0: seq0, n: n, check: opts.Check, echo: opts.Echo, portID: c.pid}
	for {
		dgram, err := c.recv(false)
		if err == unix.ENOBUFS {
			return ans.res, &diag.Error{Op: op, Err: ErrAcksLost, Errno: unix.ENOBUFS}
		}
		if err != nil {
			return ans.res, &diag.Error{Op: op, Msg: "recvmsg", Err: err, Errno: diag.ErrnoOf(err)}
		}
		if dgram == nil {
			break
		}
		if perr := splitMsgs(dgram, ans.msg); perr != nil {
			return ans.res, &diag.Error{Op: op, Err: perr}
		}
	}
	if ans.berr != nil {
		return ans.res, ans.berr.diag(op)
	}
	return ans.res, nil
}

// answers sorts the kernel's answers to one sent batch: acks, errors
// and echoed notifications.
type answers struct {
	b      *Batch
	seq0   uint32 // sequence number of BEGIN
	n      uint32 // messages between BEGIN and END
	check  bool
	echo   func(Msg) error
	portID uint32 // the socket's: echoes are addressed to it

	res  SendResult
	berr *BatchError
}

// msg takes one message of an answer datagram.
func (a *answers) msg(m rawMsg) error {
	if m.typ != unix.NLMSG_ERROR {
		if a.echo == nil || m.typ>>subsysShift != subsysTables {
			return nil // echoes nobody asked for
		}
		// The kernel echoes set elements with sequence number 0; they
		// are told from notifications of other commits by the port id.
		if m.seq == 0 && m.pid != a.portID || m.seq != 0 && (m.seq < a.seq0 || m.seq > a.seq0+a.n+1) {
			return nil // stale dump data, or not an echo
		}
		em, err := m.toMsg()
		if err != nil {
			return nil // no nfgenmsg: nothing to echo
		}
		return a.echo(em)
	}
	ack, err := parseAck(m)
	if err != nil {
		return err
	}
	if ack.seq < a.seq0 || ack.seq > a.seq0+a.n+1 {
		if ack.seq != 0 || ack.errno == 0 {
			return nil // stale answer of an earlier request
		}
		// nfnetlink reports some failures (EPERM, EOPNOTSUPP)
		// against a zero sequence number: charge them to BEGIN.
		ack.seq = a.seq0
	}
	if ack.errno == 0 {
		a.res.Acked++
		return nil
	}
	me := MsgError{Errno: ack.errno, Extack: ack.msg, Offset: ack.offset, HasOffset: ack.hasOff}
	switch {
	case ack.seq == a.seq0:
		me.Index = IndexBegin
	case ack.seq == a.seq0+a.n+1:
		me.Index = IndexEnd
	default:
		me.Index = int(ack.seq - a.seq0 - 1)
		me.Type = a.b.Type(me.Index)
	}
	if a.berr == nil {
		a.berr = &BatchError{Check: a.check}
	}
	a.berr.Errors = append(a.berr.Errors, me)
	return nil
}

// diag wraps e into the *diag.Error SendBatch returns.
func (e *BatchError) diag(op string) *diag.Error {
	first := e.Errors[0]
	var msg string
	switch first.Index {
	case IndexBegin:
		msg = "batch refused"
	case IndexEnd:
		msg = "batch end refused"
	default:
		msg = fmt.Sprintf("message %d (%s) refused", first.Index, MsgTypeName(first.Type))
	}
	if n := len(e.Errors) - 1; n > 0 {
		msg += fmt.Sprintf(" (and %d more)", n)
	}
	return &diag.Error{Op: op, Msg: msg, Errno: first.Errno, Extack: first.Extack, Err: e}
}
