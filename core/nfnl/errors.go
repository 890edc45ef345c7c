package nfnl

import (
	"errors"
	"fmt"
	"strings"
	"syscall"
)

// ErrDumpInterrupted reports a dump the kernel flagged NLM_F_DUMP_INTR:
// the ruleset changed while it was being dumped, so the result may be
// inconsistent and the dump must be repeated.
var ErrDumpInterrupted = errors.New("dump interrupted by a concurrent ruleset change (NLM_F_DUMP_INTR)")

// ErrAcksLost reports that the socket receive buffer overflowed
// (ENOBUFS) while the kernel answered a batch: whether it committed is
// unknown.
var ErrAcksLost = errors.New("kernel acknowledgements lost (ENOBUFS): batch outcome unknown")

// Batch positions that are not messages of the batch.
const (
	IndexBegin = -1 // the NFNL_MSG_BATCH_BEGIN message (e.g. ERESTART on a stale generation id)
	IndexEnd   = -2 // the NFNL_MSG_BATCH_END message
)

// MsgError is the kernel's refusal of one message of a batch.
type MsgError struct {
	Index  int           // message index in the batch, or IndexBegin/IndexEnd
	Type   uint16        // NFT_MSG_* of the message (0 for BEGIN/END)
	Errno  syscall.Errno // the error
	Extack string        // NLMSGERR_ATTR_MSG, if the kernel gave one
	// Offset is NLMSGERR_ATTR_OFFS: the byte offset, from the start of the
	// message's nlmsghdr, of the attribute the kernel rejected; valid when
	// HasOffset.
	Offset    uint32
	HasOffset bool
}

// Error renders the message error.
func (e MsgError) Error() string {
	var b strings.Builder
	switch e.Index {
	case IndexBegin:
		b.WriteString("batch begin")
	case IndexEnd:
		b.WriteString("batch end")
	default:
		fmt.Fprintf(&b, "message %d (%s)", e.Index, MsgTypeName(e.Type))
	}
	fmt.Fprintf(&b, ": %v", e.Errno)
	if e.Extack != "" {
		fmt.Fprintf(&b, " (%s)", e.Extack)
	}
	if e.HasOffset {
		fmt.Fprintf(&b, " at offset %d", e.Offset)
	}
	return b.String()
}

// BatchError lists every message of a batch the kernel refused. The
// whole batch was aborted: nothing of it was committed.
type BatchError struct {
	Errors []MsgError // in the order the kernel reported them
	Check  bool       // the batch was sent in check mode
}

// Error renders the first error and the count of others.
func (e *BatchError) Error() string {
	if len(e.Errors) == 0 {
		return "batch refused"
	}
	s := e.Errors[0].Error()
	if n := len(e.Errors) - 1; n > 0 {
		s += fmt.Sprintf(" (and %d more)", n)
	}
	return s
}

// Unwrap returns the first errno, so errors.Is(err, unix.ENOENT) works.
func (e *BatchError) Unwrap() error {
	if len(e.Errors) == 0 {
		return nil
	}
	return e.Errors[0].Errno
}

var msgTypeNames = map[uint16]string{
	0x00: "NEWTABLE", 0x01: "GETTABLE", 0x02: "DELTABLE",
	0x03: "NEWCHAIN", 0x04: "GETCHAIN", 0x05: "DELCHAIN",
	0x06: "NEWRULE", 0x07: "GETRULE", 0x08: "DELRULE",
	0x09: "NEWSET", 0x0a: "GETSET", 0x0b: "DELSET",
	0x0c: "NEWSETELEM", 0x0d: "GETSETELEM", 0x0e: "DELSETELEM",
	0x0f: "NEWGEN", 0x10: "GETGEN", 0x11: "TRACE",
	0x12: "NEWOBJ", 0x13: "GETOBJ", 0x14: "DELOBJ", 0x15: "GETOBJ_RESET",
	0x16: "NEWFLOWTABLE", 0x17: "GETFLOWTABLE", 0x18: "DELFLOWTABLE",
	0x19: "GETRULE_RESET", 0x1a: "DESTROYTABLE", 0x1b: "DESTROYCHAIN",
	0x1c: "DESTROYRULE", 0x1d: "DESTROYSET", 0x1e: "DESTROYSETELEM",
	0x1f: "DESTROYOBJ", 0x20: "DESTROYFLOWTABLE", 0x21: "GETSETELEM_RESET",
}

// MsgTypeName returns the NFT_MSG_* name of an nf_tables message type
// without the prefix, e.g. "NEWRULE".
func MsgTypeName(t uint16) string {
	if s, ok := msgTypeNames[t]; ok {
		return s
	}
	return fmt.Sprintf("type %#x", t)
}
