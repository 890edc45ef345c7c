package nflog

import "testing"

// FuzzDecodeMessage feeds arbitrary datagrams to the message decoder and
// the datagram walker the listener uses; neither may panic.
func FuzzDecodeMessage(f *testing.F) {
	for _, m := range sampleMessages() {
		f.Add(m)
		f.Add(append(append([]byte(nil), m...), m...))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		walkMsgs(b, func(typ uint16, m []byte) {
			var p Packet
			if DecodeMessage(m, &p) == nil {
				_ = p.String()
				_ = p.Map()
			}
		})
		var p Packet
		_ = DecodeMessage(b, &p)
		_ = decodeConntrack(b, 0, true)
	})
}

// FuzzDecodePacket feeds arbitrary payloads to the header decoder.
func FuzzDecodePacket(f *testing.F) {
	f.Add(ipv4(6, "10.0.0.1", "10.0.0.2", 64, 0x4000, tcp(40000, 22, 0x12)))
	f.Add(ipv4(1, "10.0.0.1", "10.0.0.2", 64, 0, icmpEcho(8, 1, 2)))
	f.Add(ipv4(132, "10.0.0.1", "10.0.0.2", 64, 0, make([]byte, 12)))
	f.Add(ipv6(0, "fd00::1", "fd00::2", 255, append([]byte{44, 0, 1, 4, 0, 0, 0, 0}, append([]byte{17, 0, 0, 0, 0, 0, 0, 1}, udp(1, 2, 0)...)...)))
	f.Add(ipv6(51, "fd00::1", "fd00::2", 1, append([]byte{58, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}, icmpEcho(128, 3, 4)...)))
	f.Add(ipv6(43, "fd00::1", "fd00::2", 1, []byte{60, 0, 0, 0, 0, 0, 0, 0, 6, 0, 0, 0, 0, 0, 0, 0}))
	f.Fuzz(func(t *testing.T, b []byte) {
		var h Headers
		err := DecodePacket(b, &h)
		if err == nil && h.Truncated {
			t.Errorf("Truncated without ErrTruncated")
		}
		if h.IPVersion != 0 && !h.Src.IsValid() {
			t.Errorf("IP version %d without a source address", h.IPVersion)
		}
		_ = h.ProtocolName()
	})
}

// FuzzHandle feeds arbitrary datagrams through the listener's own path,
// without a socket: decoding with the prefix memo, sequence accounting,
// and Options.Reuse batches that are released and refilled. Every packet
// must still decode to the same value after its batch memory was reused
// by the next datagram and given back again.
func FuzzHandle(f *testing.F) {
	for _, m := range sampleMessages() {
		f.Add(m)
		f.Add(append(append([]byte(nil), m...), m...))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		l := &Listener{opts: Options{Batches: true, Reuse: true}, bch: make(chan []Event, 4), done: make(chan struct{})}
		l.ch = make(chan Event)
		var first []string
		for round := 0; round < 3; round++ {
			l.rbuf = append(l.rbuf[:0], b...)
			if !l.handle(l.rbuf) {
				t.Fatal("handle reports closing")
			}
			for len(l.bch) > 0 {
				batch := <-l.bch
				var got []string
				for _, ev := range batch {
					if ev.Kind == EventPacket {
						got = append(got, ev.Packet.String())
					}
				}
				if round == 0 {
					first = got
				} else if len(got) != len(first) {
					t.Fatalf("round %d: %d packets, first round %d", round, len(got), len(first))
				} else {
					for i := range got {
						if got[i] != first[i] {
							t.Fatalf("round %d packet %d: %s, first round %s", round, i, got[i], first[i])
						}
					}
				}
				l.Release(batch)
			}
		}
	})
}
