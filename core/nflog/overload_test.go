package nflog_test

import (
	"net"
	"testing"
	"time"

	"github.com/nfsh/nfsh/core/nflog"
)

// flood sends n UDP datagrams from a (10.0.0.1:srcPort) to b's logged port 5556.
func flood(t *testing.T, p *pair, srcPort, n int) {
	t.Helper()
	if err := p.a.Do(func() error {
		c, err := net.DialUDP("udp", &net.UDPAddr{Port: srcPort}, &net.UDPAddr{IP: net.IPv4(10, 0, 0, 2), Port: 5556})
		if err != nil {
			return err
		}
		defer c.Close()
		msg := make([]byte, 64)
		for i := 0; i < n; i++ {
			if _, err := c.Write(msg); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
}

// drainUntil reads events until a packet from srcPort arrives, and returns
// the loss events seen on the way.
func drainUntil(t *testing.T, l *nflog.Listener, srcPort uint16, send func()) (loss nflog.Loss, packets int) {
	t.Helper()
	sent := false
	timeout := time.After(10 * time.Second)
	for {
		select {
		case ev, ok := <-l.Events():
			if !ok {
				t.Fatalf("listener stopped: %v", l.Err())
			}
			switch ev.Kind {
			case nflog.EventLoss:
				loss.Overruns += ev.Loss.Overruns
				loss.Dropped += ev.Loss.Dropped
				loss.SeqLost += ev.Loss.SeqLost
			case nflog.EventPacket:
				packets++
				if ev.Packet.SrcPort == srcPort {
					return loss, packets
				}
			}
		case <-timeout:
			t.Fatalf("no packet from port %d within 10s; stats %+v", srcPort, l.Stats())
		default:
			if !sent {
				send()
				sent = true
				continue
			}
			select {
			case ev, ok := <-l.Events():
				if !ok {
					t.Fatalf("listener stopped: %v", l.Err())
				}
				switch ev.Kind {
				case nflog.EventLoss:
					loss.Overruns += ev.Loss.Overruns
					loss.Dropped += ev.Loss.Dropped
					loss.SeqLost += ev.Loss.SeqLost
				case nflog.EventPacket:
					packets++
					if ev.Packet.SrcPort == srcPort {
						return loss, packets
					}
				}
			case <-timeout:
				t.Fatalf("no packet from port %d within 10s; stats %+v", srcPort, l.Stats())
			}
		}
	}
}

// TestKernelOverloadBlock floods a listener with a tiny receive buffer
// whose consumer is not reading: the socket overflows, ENOBUFS is counted
// and reported as a loss event, and events resume afterwards.
func TestKernelOverloadBlock(t *testing.T) {
	p := newPair(t)
	l, err := nflog.Listen(nflog.Options{Group: 7, QThreshold: 1, Seq: true, RcvBuf: 4096, Events: 1, Block: true, NetNS: p.listenerNS})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	const n = 5000
	flood(t, p, 40100, n)
	loss, packets := drainUntil(t, l, 40101, func() { flood(t, p, 40101, 1) })
	st := l.Stats()
	t.Logf("flood of %d: %d packets seen, loss events %v, stats %+v", n, packets, loss, st)
	if st.Overruns == 0 || loss.Overruns == 0 {
		t.Errorf("no ENOBUFS counted (stats %d, events %d)", st.Overruns, loss.Overruns)
	}
	if st.KernelDrops == 0 {
		t.Errorf("socket drop counter is 0")
	}
	if st.SeqLost == 0 || st.SeqLost+st.Packets != n+1 {
		t.Errorf("sequence numbers: %d lost + %d received != %d sent", st.SeqLost, st.Packets, n+1)
	}
	if loss.SeqLost != st.SeqLost {
		t.Errorf("loss events report %d packets lost by sequence, stats %d", loss.SeqLost, st.SeqLost)
	}
	if st.Dropped != 0 {
		t.Errorf("a blocking listener dropped %d events", st.Dropped)
	}
}

// TestKernelOverloadDrop floods a listener whose consumer is not reading
// and whose channel holds one event: the listener drops and counts, and
// reports the drops in a loss event once there is room again.
func TestKernelOverloadDrop(t *testing.T) {
	p := newPair(t)
	l, err := nflog.Listen(nflog.Options{Group: 7, QThreshold: 1, Seq: true, Events: 1, NetNS: p.listenerNS})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	const n = 2000
	flood(t, p, 40200, n)
	loss, packets := drainUntil(t, l, 40201, func() { flood(t, p, 40201, 1) })
	st := l.Stats()
	t.Logf("flood of %d: %d packets seen, loss events %v, stats %+v", n, packets, loss, st)
	if st.Dropped == 0 || loss.Dropped != st.Dropped {
		t.Errorf("dropped: stats %d, loss events %d; want equal and > 0", st.Dropped, loss.Dropped)
	}
	if st.Packets != st.Delivered+st.Dropped {
		t.Errorf("packets %d != delivered %d + dropped %d", st.Packets, st.Delivered, st.Dropped)
	}
	if st.SeqLost+st.Packets != n+1 {
		t.Errorf("sequence numbers: %d lost + %d received != %d sent", st.SeqLost, st.Packets, n+1)
	}
}
