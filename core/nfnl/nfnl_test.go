package nfnl

import (
	"bytes"
	"testing"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/sys/unix"
)

func TestFrame(t *testing.T) {
	b := NewBatch(0)
	b.Add(unix.NFT_MSG_NEWTABLE, unix.NFPROTO_IPV4, unix.NLM_F_CREATE, []byte{5, 0, 1, 0, 't', 0, 0, 0})
	b.Add(unix.NFT_MSG_DELTABLE, unix.NFPROTO_INET, 0, nil)
	b.SetGenID(0x01020304)
	out := b.frame(100, false)
	var got []string
	var seqs []uint32
	if err := splitMsgs(out, func(m rawMsg) error {
		got = append(got, MsgTypeName(m.typ&0xff))
		seqs = append(seqs, m.seq)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]uint32{100, 101, 102, 103}, seqs); diff != "" {
		t.Errorf("seqs (-want +got):\n%s", diff)
	}
	// BEGIN: type 0x10, flags REQUEST, nfgenmsg res_id 10 big endian, GENID attr.
	wantBegin := []byte{28, 0, 0, 0, 0x10, 0, 1, 0, 100, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 10, 8, 0, 1, 0, 1, 2, 3, 4}
	if !bytes.Equal(out[:28], wantBegin) {
		t.Errorf("BEGIN = % x, want % x", out[:28], wantBegin)
	}
	m0 := b.Msg(0)
	if l := ne.Uint32(m0); l != 28 || ne.Uint16(m0[4:]) != 0xa00 || ne.Uint16(m0[6:]) != unix.NLM_F_REQUEST|unix.NLM_F_ACK|unix.NLM_F_CREATE {
		t.Errorf("message 0 header % x", m0[:20])
	}
	end := out[len(out)-20:]
	if ne.Uint16(end[4:]) != unix.NFNL_MSG_BATCH_END || ne.Uint32(end[8:]) != 103 {
		t.Errorf("END = % x", end)
	}
	if chk := b.frame(200, true); len(chk) != len(out)-20 {
		t.Errorf("check frame has %d bytes, want %d (no END)", len(chk), len(out)-20)
	}
	b.Reset()
	b.Add(unix.NFT_MSG_NEWTABLE, 0, 0, nil)
	if out := b.frame(1, false); len(out) != 60 {
		t.Errorf("frame without genid: %d bytes, want 60", len(out))
	}
}

func TestParseAck(t *testing.T) {
	// NLMSG_ERROR, capped, with TLVs: error -2, orig header seq 7, MSG "bad", OFFS 20.
	d := []byte{0xfe, 0xff, 0xff, 0xff, 40, 0, 0, 0, 6, 0xa, 0, 0, 7, 0, 0, 0, 0, 0, 0, 0,
		8, 0, 1, 0, 'b', 'a', 'd', 0,
		8, 0, 2, 0, 20, 0, 0, 0}
	a, err := parseAck(rawMsg{typ: unix.NLMSG_ERROR, flags: unix.NLM_F_CAPPED | unix.NLM_F_ACK_TLVS, data: d})
	if err != nil {
		t.Fatal(err)
	}
	want := ackInfo{errno: unix.ENOENT, seq: 7, msg: "bad", offset: 20, hasOff: true}
	if a != want {
		t.Errorf("got %+v, want %+v", a, want)
	}
	if _, err := parseAck(rawMsg{data: d[:10]}); err == nil {
		t.Error("short ack accepted")
	}
}

func FuzzSplitAndParse(f *testing.F) {
	f.Add([]byte{20, 0, 0, 0, 2, 0, 0, 3, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0})
	f.Fuzz(func(t *testing.T, b []byte) {
		_ = splitMsgs(b, func(m rawMsg) error {
			if m.typ == unix.NLMSG_ERROR {
				_, _ = parseAck(m)
			}
			_, _ = m.toMsg()
			return nil
		})
	})
}
