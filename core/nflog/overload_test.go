package nflog_test

import (
	"net"
	"testing"
	"time"

	"github.com/nfsh/nfsh/core/nflog"
)

// flood sends n UDP datagrams from a (10.0.0.1:srcPort) to b's logged
// port 5556, through an unconnected socket (so ICMP errors do not fail it).
func flood(t *testing.T, p *pair, srcPort, n int) {
	t.Helper()
	if err := p.a.Do(func() error {
		c, err := net.ListenUDP("udp", &net.UDPAddr{Port: srcPort})
		if err != nil {
			return err
		}
		defer c.Close()
		dst := &net.UDPAddr{IP: net.IPv4(10, 0, 0, 2), Port: 5556}
		msg := make([]byte, 64)
		for i := 0; i < n; i++ {
			if _, err := c.WriteToUDP(msg, dst); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
}

// drainUntil reads events until a packet from srcPort arrives and returns
// the loss the events reported and how many probes it sent. A probe (one
// packet from srcPort) goes out for every event read until one arrives: a
// probe dropped by a still-full socket buffer is followed by the events
// that were queued, and so by another probe.
func drainUntil(t *testing.T, p *pair, l *nflog.Listener, srcPort uint16) (loss nflog.Loss, probes int) {
	t.Helper()
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
				if ev.Packet.SrcPort == srcPort {
					return loss, probes
				}
			}
			flood(t, p, int(srcPort), 1)
			probes++
		case <-timeout:
			t.Fatalf("no packet from port %d within 10s; stats %+v", srcPort, l.Stats())
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
	loss, probes := drainUntil(t, p, l, 40101)
	st := l.Stats()
	t.Logf("flood of %d, %d probes: loss events %v, stats %+v", n, probes, loss, st)
	if st.Overruns == 0 || loss.Overruns == 0 {
		t.Errorf("no ENOBUFS counted (stats %d, events %d)", st.Overruns, loss.Overruns)
	}
	if st.KernelDrops == 0 {
		t.Errorf("socket drop counter is 0")
	}
	// Probes sent after the one that arrived may still be in flight.
	if got := st.SeqLost + st.Packets; st.SeqLost == 0 || got < n || got > uint64(n+probes) {
		t.Errorf("sequence numbers: %d lost + %d received, want %d..%d sent", st.SeqLost, st.Packets, n, n+probes)
	}
	if loss.SeqLost == 0 || loss.SeqLost > st.SeqLost {
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
	loss, probes := drainUntil(t, p, l, 40201)
	st := l.Stats()
	t.Logf("flood of %d, %d probes: loss events %v, stats %+v", n, probes, loss, st)
	// Drops after the last loss event are in the stats only.
	if loss.Dropped == 0 || loss.Dropped > st.Dropped {
		t.Errorf("dropped: stats %d, loss events %d; want 0 < events <= stats", st.Dropped, loss.Dropped)
	}
	if st.Packets > st.Delivered+st.Dropped+1 {
		t.Errorf("packets %d != delivered %d + dropped %d", st.Packets, st.Delivered, st.Dropped)
	}
	if got := st.SeqLost + st.Packets; got < n || got > uint64(n+probes) {
		t.Errorf("sequence numbers: %d lost + %d received, want %d..%d sent", st.SeqLost, st.Packets, n, n+probes)
	}
}
