package nfnl

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/sys/unix"
)

// ackBytes is an NLMSG_ERROR answering the request with sequence number
// seq (errno 0: an ack), capped, without TLVs.
func ackBytes(seq uint32, errno unix.Errno) []byte {
	b := make([]byte, nlmsgHdrLen+4+nlmsgHdrLen)
	ne.PutUint32(b[0:], uint32(len(b)))
	ne.PutUint16(b[4:], unix.NLMSG_ERROR)
	ne.PutUint16(b[6:], unix.NLM_F_CAPPED)
	ne.PutUint32(b[8:], seq)
	ne.PutUint32(b[16:], uint32(-int32(errno)))
	ne.PutUint32(b[20:], nlmsgHdrLen)
	ne.PutUint32(b[28:], seq)
	return b
}

// notifyBytes is an nf_tables message of type typ with sequence number
// seq and one attribute byte pattern.
func notifyBytes(typ uint16, seq uint32) []byte {
	b := appendHeader(nil, subsysTables<<subsysShift|typ, 0, seq, unix.NFPROTO_IPV4, 7)
	b = append(b, 5, 0, 1, 0, 't', 0, 0, 0)
	ne.PutUint32(b[0:], uint32(len(b)))
	return b
}

// withPID sets the port id of a message.
func withPID(b []byte, pid uint32) []byte {
	ne.PutUint32(b[12:], pid)
	return b
}

func TestAnswers(t *testing.T) {
	b := NewBatch(0)
	b.Add(unix.NFT_MSG_NEWTABLE, unix.NFPROTO_IPV4, 0, nil)
	b.Add(unix.NFT_MSG_NEWCHAIN, unix.NFPROTO_IPV4, 0, nil)
	const seq0 = 100 // BEGIN 100, messages 101 and 102, END 103

	type echo struct {
		Type uint16
		Seq  uint32
		Fam  uint8
		Res  uint16
	}
	cases := []struct {
		name   string
		dgrams [][]byte
		echo   bool
		acked  int
		errs   []int // indexes of refused messages
		echoed []echo
	}{{
		name:   "acks and echoes",
		echo:   true,
		dgrams: [][]byte{append(notifyBytes(unix.NFT_MSG_NEWTABLE, 101), notifyBytes(unix.NFT_MSG_NEWGEN, 101)...), ackBytes(101, 0), ackBytes(102, 0)},
		acked:  2,
		echoed: []echo{{unix.NFT_MSG_NEWTABLE, 101, unix.NFPROTO_IPV4, 7}, {unix.NFT_MSG_NEWGEN, 101, unix.NFPROTO_IPV4, 7}},
	}, {
		// Set elements are echoed with sequence number 0, addressed to
		// the socket; other commits' notifications are not echoes.
		name:   "elements",
		echo:   true,
		dgrams: [][]byte{append(withPID(notifyBytes(unix.NFT_MSG_NEWSETELEM, 0), 42), withPID(notifyBytes(unix.NFT_MSG_NEWSETELEM, 0), 7)...)},
		echoed: []echo{{unix.NFT_MSG_NEWSETELEM, 0, unix.NFPROTO_IPV4, 7}},
	}, {
		name:   "echoes ignored without Echo",
		dgrams: [][]byte{notifyBytes(unix.NFT_MSG_NEWTABLE, 101), ackBytes(101, 0)},
		acked:  1,
	}, {
		name:   "stale messages are not echoes",
		echo:   true,
		dgrams: [][]byte{notifyBytes(unix.NFT_MSG_NEWTABLE, 99), notifyBytes(unix.NFT_MSG_NEWTABLE, 104), ackBytes(98, 0), ackBytes(98, unix.EINVAL)},
	}, {
		name:   "errors beside echoes",
		echo:   true,
		dgrams: [][]byte{ackBytes(102, unix.ENOENT), ackBytes(0, unix.EPERM), ackBytes(103, unix.EINVAL)},
		errs:   []int{1, IndexBegin, IndexEnd},
	}, {
		name: "short nf_tables message",
		echo: true,
		dgrams: [][]byte{func() []byte {
			h := appendHeader(nil, subsysTables<<subsysShift|unix.NFT_MSG_NEWTABLE, 0, 101, 0, 0)[:nlmsgHdrLen]
			ne.PutUint32(h, nlmsgHdrLen)
			return h
		}()},
	}, {
		name:   "other subsystems",
		echo:   true,
		dgrams: [][]byte{notifyBytes(0, 101)[:0], func() []byte { m := notifyBytes(unix.NFT_MSG_NEWTABLE, 101); m[5] = 1; return m }()},
	}}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var got []echo
			a := answers{b: b, seq0: seq0, n: 2, portID: 42}
			if tc.echo {
				a.echo = func(m Msg) error {
					got = append(got, echo{m.Type, m.Seq, m.Family, m.ResID})
					return nil
				}
			}
			for _, d := range tc.dgrams {
				if err := splitMsgs(d, a.msg); err != nil {
					t.Fatal(err)
				}
			}
			if a.res.Acked != tc.acked {
				t.Errorf("acked %d, want %d", a.res.Acked, tc.acked)
			}
			var errs []int
			if a.berr != nil {
				for _, e := range a.berr.Errors {
					errs = append(errs, e.Index)
				}
			}
			if diff := cmp.Diff(tc.errs, errs); diff != "" {
				t.Errorf("refused (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tc.echoed, got); diff != "" {
				t.Errorf("echoed (-want +got):\n%s", diff)
			}
		})
	}
}
