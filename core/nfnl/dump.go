package nfnl

import (
	"errors"

	"golang.org/x/sys/unix"

	"github.com/nfsh/nfsh/core/diag"
)

// maxDumpRetries bounds how often Dump repeats an interrupted dump.
const maxDumpRetries = 16

// DumpRequest describes an NLM_F_DUMP request.
type DumpRequest struct {
	Type   uint16 // NFT_MSG_GET*
	Family uint8  // NFPROTO_* to filter on, NFPROTO_UNSPEC for all
	Attrs  []byte // request attributes (e.g. NFTA_RULE_TABLE to filter), may be nil
	// Reset, when not nil, is called before a dump interrupted by a
	// concurrent change (NLM_F_DUMP_INTR) is repeated, so the callback can
	// drop what it collected. With Reset nil, Dump returns
	// ErrDumpInterrupted instead of repeating.
	Reset func()
}

// Dump sends a dump request and calls fn for every message of the reply.
// The Msg passed to fn aliases the receive buffer: fn must copy what it
// keeps. When fn returns an error, the rest of the dump is read and
// dropped and that error is returned.
func (c *Conn) Dump(req DumpRequest, fn func(Msg) error) error {
	for try := 0; ; try++ {
		err := c.dumpOnce(req, fn)
		if !errors.Is(err, ErrDumpInterrupted) || req.Reset == nil || try >= maxDumpRetries {
			return err
		}
		req.Reset()
	}
}

func (c *Conn) dumpOnce(req DumpRequest, fn func(Msg) error) error {
	op := "dump " + MsgTypeName(req.Type)
	seq := c.nextSeq(1)
	b := make([]byte, 0, nfHeaderLen+len(req.Attrs))
	b = appendHeader(b, subsysTables<<subsysShift|req.Type, unix.NLM_F_REQUEST|unix.NLM_F_DUMP, seq, req.Family, 0)
	b = append(b, req.Attrs...)
	ne.PutUint32(b[0:4], uint32(len(b)))
	if err := c.send(b); err != nil {
		return &diag.Error{Op: op, Msg: "sendmsg", Err: err, Errno: diag.ErrnoOf(err)}
	}
	var ferr error
	intr := false
	for {
		dgram, err := c.recv(true)
		if err != nil {
			return &diag.Error{Op: op, Msg: "recvmsg", Err: err, Errno: diag.ErrnoOf(err)}
		}
		done := false
		var kerr error
		perr := splitMsgs(dgram, func(m rawMsg) error {
			if m.seq != seq || done {
				return nil
			}
			if m.flags&unix.NLM_F_DUMP_INTR != 0 {
				intr = true
			}
			switch m.typ {
			case unix.NLMSG_DONE:
				done = true
				if len(m.data) >= 4 {
					if code := int32(ne.Uint32(m.data[0:4])); code < 0 {
						a := ackInfo{errno: unix.Errno(-code)}
						if m.flags&unix.NLM_F_ACK_TLVS != 0 {
							parseExtack(m.data[4:], &a)
						}
						kerr = &diag.Error{Op: op, Errno: a.errno, Extack: a.msg}
					}
				}
				return nil
			case unix.NLMSG_ERROR:
				done = true
				a, err := parseAck(m)
				if err != nil {
					return err
				}
				if a.errno != 0 {
					kerr = &diag.Error{Op: op, Errno: a.errno, Extack: a.msg}
				}
				return nil
			case unix.NLMSG_NOOP, unix.NLMSG_OVERRUN:
				return nil
			}
			if ferr != nil || intr {
				return nil // drain
			}
			msg, err := m.toMsg()
			if err != nil {
				ferr = &diag.Error{Op: op, Err: err}
				return nil
			}
			ferr = fn(msg)
			return nil
		})
		if perr != nil {
			return &diag.Error{Op: op, Err: perr}
		}
		if !done {
			continue
		}
		switch {
		case kerr != nil:
			return kerr
		case intr:
			return &diag.Error{Op: op, Err: ErrDumpInterrupted, Errno: unix.EINTR}
		}
		return ferr
	}
}

// Query sends one non-dump request with NLM_F_ACK and calls fn (which
// may be nil) for each nf_tables message of the reply, until the kernel's
// acknowledgement. A kernel error is returned as a *diag.Error.
func (c *Conn) Query(typ uint16, family uint8, flags uint16, attrs []byte, fn func(Msg) error) error {
	op := "query " + MsgTypeName(typ)
	seq := c.nextSeq(1)
	b := make([]byte, 0, nfHeaderLen+len(attrs))
	b = appendHeader(b, subsysTables<<subsysShift|typ, unix.NLM_F_REQUEST|unix.NLM_F_ACK|flags, seq, family, 0)
	b = append(b, attrs...)
	ne.PutUint32(b[0:4], uint32(len(b)))
	if err := c.send(b); err != nil {
		return &diag.Error{Op: op, Msg: "sendmsg", Err: err, Errno: diag.ErrnoOf(err)}
	}
	var ferr error
	for {
		dgram, err := c.recv(true)
		if err != nil {
			return &diag.Error{Op: op, Msg: "recvmsg", Err: err, Errno: diag.ErrnoOf(err)}
		}
		done := false
		var kerr error
		perr := splitMsgs(dgram, func(m rawMsg) error {
			if m.seq != seq || done {
				return nil
			}
			switch m.typ {
			case unix.NLMSG_ERROR:
				done = true
				a, err := parseAck(m)
				if err != nil {
					return err
				}
				if a.errno != 0 {
					kerr = &diag.Error{Op: op, Errno: a.errno, Extack: a.msg}
				}
				return nil
			case unix.NLMSG_DONE, unix.NLMSG_NOOP, unix.NLMSG_OVERRUN:
				return nil
			}
			if ferr != nil || fn == nil {
				return nil
			}
			msg, err := m.toMsg()
			if err != nil {
				ferr = &diag.Error{Op: op, Err: err}
				return nil
			}
			ferr = fn(msg)
			return nil
		})
		if perr != nil {
			return &diag.Error{Op: op, Err: perr}
		}
		if done {
			if kerr != nil {
				return kerr
			}
			return ferr
		}
	}
}

// GenID returns the current ruleset generation id (NFT_MSG_GETGEN).
func (c *Conn) GenID() (uint32, error) {
	var id uint32
	found := false
	err := c.Query(unix.NFT_MSG_GETGEN, unix.AF_UNSPEC, 0, nil, func(m Msg) error {
		b := m.Attrs
		for len(b) >= 4 {
			l := int(ne.Uint16(b[0:2]))
			if l < 4 || l > len(b) {
				break
			}
			if ne.Uint16(b[2:4])&nlaTypeMask == unix.NFTA_GEN_ID && l >= 8 {
				v := b[4:8]
				id = uint32(v[0])<<24 | uint32(v[1])<<16 | uint32(v[2])<<8 | uint32(v[3])
				found = true
			}
			b = b[min(align4(l), len(b)):]
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	if !found {
		return 0, &diag.Error{Op: "query GETGEN", Msg: "reply without NFTA_GEN_ID"}
	}
	return id, nil
}
