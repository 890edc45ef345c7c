package nfnl_test

import (
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/sys/unix"

	"github.com/nfsh/nfsh/core/nfnl"
	"github.com/nfsh/nfsh/tests/go/nstest"
)

// echoed is what a test keeps of an echoed message.
type echoed struct {
	Type string
	Seq  uint32 // relative to the first echoed message's
}

func sendEcho(t *testing.T, c *nfnl.Conn, b *nfnl.Batch) ([]echoed, nfnl.SendResult, error) {
	t.Helper()
	var got []echoed
	var seq0 uint32
	res, err := c.SendBatch(b, nfnl.SendOptions{Echo: func(m nfnl.Msg) error {
		if len(got) == 0 {
			seq0 = m.Seq
		}
		got = append(got, echoed{nfnl.MsgTypeName(m.Type), m.Seq - seq0})
		return nil
	}})
	return got, res, err
}

func TestSendBatchEcho(t *testing.T) {
	nstest.Require(t)
	ns := nstest.New(t)
	c := dial(t, ns)

	cases := []struct {
		name  string
		noAck bool
		build func(b *nfnl.Batch)
		want  []echoed
		acked int
	}{{
		// Every echoed message carries its request's sequence number;
		// NEWGEN carries the first message's.
		name: "table and chain",
		build: func(b *nfnl.Batch) {
			b.Echo = true
			b.Add(unix.NFT_MSG_NEWTABLE, unix.NFPROTO_IPV4, unix.NLM_F_CREATE, tableAttrs(t, "t"))
			b.Add(unix.NFT_MSG_NEWCHAIN, unix.NFPROTO_IPV4, unix.NLM_F_CREATE, chainAttrs(t, "t", "c"))
		},
		want:  []echoed{{"NEWTABLE", 0}, {"NEWCHAIN", 1}, {"NEWGEN", 0}},
		acked: 2,
	}, {
		name:  "no ack",
		noAck: true,
		build: func(b *nfnl.Batch) {
			b.Echo = true
			b.Add(unix.NFT_MSG_NEWCHAIN, unix.NFPROTO_IPV4, unix.NLM_F_CREATE, chainAttrs(t, "t", "d"))
			b.Add(unix.NFT_MSG_NEWRULE, unix.NFPROTO_IPV4, unix.NLM_F_CREATE|unix.NLM_F_APPEND, verdictRule(t, "t", "c", -1, ""))
		},
		want: []echoed{{"NEWCHAIN", 0}, {"NEWRULE", 1}, {"NEWGEN", 0}},
	}, {
		// Only messages built with Echo are echoed; the generation
		// follows the first message's flag.
		name: "echo on the second message only",
		build: func(b *nfnl.Batch) {
			b.Add(unix.NFT_MSG_NEWCHAIN, unix.NFPROTO_IPV4, unix.NLM_F_CREATE, chainAttrs(t, "t", "e"))
			b.Echo = true
			b.Add(unix.NFT_MSG_NEWCHAIN, unix.NFPROTO_IPV4, unix.NLM_F_CREATE, chainAttrs(t, "t", "f"))
		},
		want:  []echoed{{"NEWCHAIN", 0}},
		acked: 2,
	}, {
		name: "no echo",
		build: func(b *nfnl.Batch) {
			b.Add(unix.NFT_MSG_NEWCHAIN, unix.NFPROTO_IPV4, unix.NLM_F_CREATE, chainAttrs(t, "t", "g"))
		},
		acked: 1,
	}}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			b := nfnl.NewBatch(0)
			b.NoAck = tc.noAck
			tc.build(b)
			got, res, err := sendEcho(t, c, b)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("echoed (-want +got):\n%s", diff)
			}
			if res.Acked != tc.acked {
				t.Errorf("acked %d, want %d", res.Acked, tc.acked)
			}
		})
	}

	// A refused batch commits nothing: its errors are reported as
	// without echo, and nothing is echoed.
	t.Run("refused", func(t *testing.T) {
		b := nfnl.NewBatch(0)
		b.Echo = true
		b.Add(unix.NFT_MSG_NEWCHAIN, unix.NFPROTO_IPV4, unix.NLM_F_CREATE, chainAttrs(t, "t", "h"))
		b.Add(unix.NFT_MSG_NEWCHAIN, unix.NFPROTO_IPV4, unix.NLM_F_CREATE, chainAttrs(t, "nosuchtable", "c"))
		got, _, err := sendEcho(t, c, b)
		var be *nfnl.BatchError
		if !errors.As(err, &be) || len(be.Errors) != 1 || be.Errors[0].Index != 1 || be.Errors[0].Errno != unix.ENOENT {
			t.Fatalf("err = %v, want message 1 refused with ENOENT", err)
		}
		if len(got) != 0 {
			t.Errorf("refused batch echoed %v", got)
		}
	})

	// A check commits nothing and echoes nothing.
	t.Run("check", func(t *testing.T) {
		b := nfnl.NewBatch(0)
		b.Echo = true
		b.Add(unix.NFT_MSG_NEWCHAIN, unix.NFPROTO_IPV4, unix.NLM_F_CREATE, chainAttrs(t, "t", "i"))
		var n int
		res, err := c.SendBatch(b, nfnl.SendOptions{Check: true, Echo: func(nfnl.Msg) error { n++; return nil }})
		if err != nil || res.Acked != 1 || n != 0 {
			t.Errorf("check: err %v, acked %d, echoed %d; want nil, 1, 0", err, res.Acked, n)
		}
	})

	// An error of the Echo function is returned after the commit.
	t.Run("echo error", func(t *testing.T) {
		b := nfnl.NewBatch(0)
		b.Echo = true
		b.Add(unix.NFT_MSG_NEWCHAIN, unix.NFPROTO_IPV4, unix.NLM_F_CREATE, chainAttrs(t, "t", "j"))
		stop := errors.New("stop")
		_, err := c.SendBatch(b, nfnl.SendOptions{Echo: func(nfnl.Msg) error { return stop }})
		if !errors.Is(err, stop) {
			t.Errorf("err = %v, want the Echo function's", err)
		}
		// The next batch is not confused by what was left unread.
		b.Reset()
		b.Add(unix.NFT_MSG_NEWCHAIN, unix.NFPROTO_IPV4, unix.NLM_F_CREATE, chainAttrs(t, "t", "k"))
		got, res, err := sendEcho(t, c, b)
		if err != nil || len(got) != 0 || res.Acked != 1 {
			t.Errorf("next batch: err %v, echoed %v, acked %d; want nil, none, 1", err, got, res.Acked)
		}
	})
}
