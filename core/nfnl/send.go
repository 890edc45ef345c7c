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
	if err := c.growRcvBuf(int(n)*1024 + minRcvBuf); err != nil {
		return SendResult{}, &diag.Error{Op: op, Msg: "set SO_RCVBUFFORCE", Err: err, Errno: errnoOf(err)}
	}
	if err := c.send(out); err != nil {
		return SendResult{}, &diag.Error{Op: op, Msg: "sendmsg", Err: err, Errno: errnoOf(err)}
	}

	// nfnetlink processes the whole batch inside sendmsg, so every answer
	// is queued by now: read until the queue is empty.
	var res SendResult
	var berr *BatchError
	for {
		dgram, err := c.recv(false)
		if err == unix.ENOBUFS {
			return res, &diag.Error{Op: op, Err: ErrAcksLost, Errno: unix.ENOBUFS}
		}
		if err != nil {
			return res, &diag.Error{Op: op, Msg: "recvmsg", Err: err, Errno: errnoOf(err)}
		}
		if dgram == nil {
			break
		}
		perr := splitMsgs(dgram, func(m rawMsg) error {
			if m.typ != unix.NLMSG_ERROR {
				return nil // echoes or stale dump data
			}
			a, err := parseAck(m)
			if err != nil {
				return err
			}
			if a.seq < seq0 || a.seq > seq0+n+1 {
				if a.seq != 0 || a.errno == 0 {
					return nil // stale answer of an earlier request
				}
				// nfnetlink reports some failures (EPERM, EOPNOTSUPP)
				// against a zero sequence number: charge them to BEGIN.
				a.seq = seq0
			}
			if a.errno == 0 {
				res.Acked++
				return nil
			}
			me := MsgError{Errno: a.errno, Extack: a.msg, Offset: a.offset, HasOffset: a.hasOff}
			switch {
			case a.seq == seq0:
				me.Index = IndexBegin
			case a.seq == seq0+n+1:
				me.Index = IndexEnd
			default:
				me.Index = int(a.seq - seq0 - 1)
				me.Type = b.Type(me.Index)
			}
			if berr == nil {
				berr = &BatchError{Check: opts.Check}
			}
			berr.Errors = append(berr.Errors, me)
			return nil
		})
		if perr != nil {
			return res, &diag.Error{Op: op, Err: perr}
		}
	}
	if berr != nil {
		return res, berr.diag(op)
	}
	return res, nil
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
