package nflog_test

import (
	"strings"
	"testing"
	"time"

	"github.com/nfsh/nfsh/core/nflog"
)

// TestKernelBatches floods a listener made with Options.Batches: every
// packet arrives, in sequence order, in slices of several events (one per
// kernel batch), Events carries nothing, and both channels close on Close.
func TestKernelBatches(t *testing.T) {
	p := newPair(t)
	l, err := nflog.Listen(nflog.Options{Group: 7, Seq: true, Block: true, Batches: true, QThreshold: 50,
		NLBufSize: 64 << 10, FlushTimeout: 10 * time.Millisecond, NetNS: p.listenerNS})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	const n = 1000
	flood(t, p, 40300, n)
	got, batches, biggest := 0, 0, 0
	var loss nflog.Loss
	var nextSeq uint32
	timeout := time.After(10 * time.Second)
	for got+int(loss.SeqLost) < n {
		select {
		case b, ok := <-l.Batches():
			if !ok {
				t.Fatalf("listener stopped: %v", l.Err())
			}
			batches++
			biggest = max(biggest, len(b))
			for _, ev := range b {
				switch ev.Kind {
				case nflog.EventPacket:
					if got > 0 && ev.Packet.Seq != nextSeq {
						t.Errorf("packet %d: seq %d, want %d", got, ev.Packet.Seq, nextSeq)
					}
					nextSeq = ev.Packet.Seq + 1
					if ev.Packet.DstPort != 5556 || ev.Packet.SrcPort != 40300 {
						t.Errorf("packet %d: ports %d -> %d", got, ev.Packet.SrcPort, ev.Packet.DstPort)
					}
					got++
				case nflog.EventLoss:
					loss.SeqLost += ev.Loss.SeqLost
				}
			}
			l.Release(b)
		case ev := <-l.Events():
			t.Fatalf("event on Events in batch mode: %+v", ev)
		case <-timeout:
			t.Fatalf("%d of %d packets within 10s; stats %+v", got, n, l.Stats())
		}
	}
	st := l.Stats()
	t.Logf("%d packets in %d batches (largest %d); loss %v; stats %+v", got, batches, biggest, loss, st)
	if got != n || st.Delivered != n {
		t.Errorf("got %d packets, delivered %d, want %d", got, st.Delivered, n)
	}
	if biggest < 2 {
		t.Errorf("largest batch holds %d events", biggest)
	}
	if biggest > 51 {
		t.Errorf("largest batch holds %d events, more than the queue threshold 50 and a loss event", biggest)
	}
	l.Close()
	for range l.Batches() {
	}
	if _, ok := <-l.Events(); ok {
		t.Errorf("Events open after Close")
	}
}

// TestKernelBatchesOverload floods a batch listener with a tiny receive
// buffer whose consumer is not reading: ENOBUFS is reported in a loss
// event at the head of a batch, and packets resume.
func TestKernelBatchesOverload(t *testing.T) {
	p := newPair(t)
	l, err := nflog.Listen(nflog.Options{Group: 7, QThreshold: 1, Seq: true, RcvBuf: 4096, Events: 1, Block: true, Batches: true, NetNS: p.listenerNS})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	const n = 5000
	flood(t, p, 40400, n)
	var loss nflog.Loss
	probes := 0
	timeout := time.After(10 * time.Second)
	for {
		select {
		case b, ok := <-l.Batches():
			if !ok {
				t.Fatalf("listener stopped: %v", l.Err())
			}
			for i, ev := range b {
				switch ev.Kind {
				case nflog.EventLoss:
					if i != 0 {
						t.Errorf("loss event at %d in a batch", i)
					}
					loss.Overruns += ev.Loss.Overruns
					loss.SeqLost += ev.Loss.SeqLost
				case nflog.EventPacket:
					if ev.Packet.SrcPort == 40401 {
						st := l.Stats()
						t.Logf("flood of %d, %d probes: loss %v, stats %+v", n, probes, loss, st)
						if loss.Overruns == 0 || loss.SeqLost == 0 {
							t.Errorf("loss events report %v", loss)
						}
						if st.Dropped != 0 {
							t.Errorf("a blocking listener dropped %d", st.Dropped)
						}
						return
					}
				}
			}
			l.Release(b)
			flood(t, p, 40401, 1)
			probes++
		case <-timeout:
			t.Fatalf("no probe within 10s; stats %+v", l.Stats())
		}
	}
}

// TestKernelBatchesReuse floods a listener made with Options.Reuse: every
// packet decodes right although released batches are refilled (the same
// Packet memory comes back), clones taken before Release keep their
// values, and Reuse without Batches is refused.
func TestKernelBatchesReuse(t *testing.T) {
	if _, err := nflog.Listen(nflog.Options{Group: 7, Reuse: true}); err == nil || !strings.Contains(err.Error(), "Reuse needs Batches") {
		t.Fatalf("Reuse without Batches: %v", err)
	}
	p := newPair(t)
	l, err := nflog.Listen(nflog.Options{Group: 7, Seq: true, Block: true, Batches: true, Reuse: true, QThreshold: 20, Events: 256,
		NLBufSize: 64 << 10, FlushTimeout: 10 * time.Millisecond, NetNS: p.listenerNS})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	l.Release(make([]nflog.Event, 3)) // not the listener's: ignored
	const n = 1000
	flood(t, p, 40500, n)
	got := 0
	var nextSeq uint32
	var kept []*nflog.Packet
	seenAt := map[*nflog.Packet]bool{}
	reused := 0
	timeout := time.After(10 * time.Second)
	for got < n {
		select {
		case b, ok := <-l.Batches():
			if !ok {
				t.Fatalf("listener stopped: %v", l.Err())
			}
			for _, ev := range b {
				if ev.Kind != nflog.EventPacket {
					t.Fatalf("loss with a blocking listener: %v", ev.Loss)
				}
				pk := ev.Packet
				if got > 0 && pk.Seq != nextSeq {
					t.Errorf("packet %d: seq %d, want %d", got, pk.Seq, nextSeq)
				}
				nextSeq = pk.Seq + 1
				if pk.DstPort != 5556 || pk.SrcPort != 40500 || pk.Src.String() != "10.0.0.1" || len(pk.Payload) == 0 {
					t.Errorf("packet %d: %v:%d -> :%d, %d payload bytes", got, pk.Src, pk.SrcPort, pk.DstPort, len(pk.Payload))
				}
				if seenAt[pk] {
					reused++
				}
				seenAt[pk] = true
				if got%100 == 0 {
					kept = append(kept, pk.Clone())
				}
				got++
			}
			l.Release(b)
		case <-timeout:
			t.Fatalf("%d of %d packets within 10s; stats %+v", got, n, l.Stats())
		}
	}
	// The Batches channel holds 4 batches of 20: most of the 50 batches
	// must be refills of released ones.
	if reused < n/2 {
		t.Errorf("%d of %d packets in reused memory", reused, n)
	}
	for i, c := range kept {
		if c.Seq != kept[0].Seq+uint32(100*i) || c.SrcPort != 40500 || c.Payload[9] != 17 {
			t.Errorf("clone %d changed: seq %d, sport %d, protocol byte %d", i, c.Seq, c.SrcPort, c.Payload[9])
		}
	}
	t.Logf("%d packets, %d from reused memory, %d clones intact", got, reused, len(kept))
}

// TestKernelBatchesAdapt floods an adapting listener (Options.Adapt,
// 64 KiB / 256-packet kernel batches) whose consumer is not reading, so
// that its socket buffer overflows: the overrun halves the kernel batch,
// a listener without Adapt keeps its batch, and once no overrun was seen
// for AdaptQuiet the batch grows back to the configured one.
func TestKernelBatchesAdapt(t *testing.T) {
	p := newPair(t)
	open := func(group uint16, adapt bool) *nflog.Listener {
		l, err := nflog.Listen(nflog.Options{Group: group, Seq: true, Block: true, Batches: true, Adapt: adapt,
			AdaptQuiet: 300 * time.Millisecond, NLBufSize: 64 << 10, QThreshold: 256, FlushTimeout: 10 * time.Millisecond,
			RcvBuf: 64 << 10, Events: 256, NetNS: p.listenerNS})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { l.Close() })
		return l
	}
	p.b.Nft(t, "add", "rule", "inet", "t", "in", "udp", "dport", "5556", "log", "group", "8")
	ad, fixed := open(7, true), open(8, false)
	if st := ad.Stats(); st.BatchBytes != 64<<10 || st.BatchPackets != 256 {
		t.Fatalf("batch at start: %d bytes, %d packets", st.BatchBytes, st.BatchPackets)
	}
	flood(t, p, 40700, 20000)
	// Drain both until a probe arrives on each: the overrun is read on the way.
	probe := func(l *nflog.Listener, port int) {
		t.Helper()
		deadline := time.After(10 * time.Second)
		flood(t, p, port, 1)
		for {
			select {
			case b, ok := <-l.Batches():
				if !ok {
					t.Fatalf("listener stopped: %v", l.Err())
				}
				seen := false
				for _, ev := range b {
					seen = seen || (ev.Kind == nflog.EventPacket && int(ev.Packet.SrcPort) == port)
				}
				l.Release(b)
				if seen {
					return
				}
				if len(l.Batches()) == 0 {
					flood(t, p, port, 1)
				}
			case <-deadline:
				t.Fatalf("no probe from port %d within 10s; stats %+v", port, l.Stats())
			}
		}
	}
	probe(ad, 40701)
	probe(fixed, 40702)
	st, fst := ad.Stats(), fixed.Stats()
	t.Logf("adapting: %+v", st)
	t.Logf("fixed: %+v", fst)
	if st.Overruns == 0 || fst.Overruns == 0 {
		t.Fatalf("no overrun: adapting %d, fixed %d", st.Overruns, fst.Overruns)
	}
	if st.Adaptations == 0 || st.BatchBytes >= 64<<10 || st.BatchPackets >= 256 {
		t.Errorf("adapting listener after an overrun: batch %d bytes, %d packets, %d adaptations", st.BatchBytes, st.BatchPackets, st.Adaptations)
	}
	if fst.Adaptations != 0 || fst.BatchBytes != 64<<10 || fst.BatchPackets != 256 {
		t.Errorf("fixed listener: batch %d bytes, %d packets, %d adaptations", fst.BatchBytes, fst.BatchPackets, fst.Adaptations)
	}
	// Growing back: every packet after AdaptQuiet without an overrun may
	// double the batch; probe until it is whole again.
	deadline := time.Now().Add(15 * time.Second)
	for port := 40710; ad.Stats().BatchBytes < 64<<10 || ad.Stats().BatchPackets < 256; port++ {
		if time.Now().After(deadline) {
			t.Fatalf("batch did not grow back: %+v", ad.Stats())
		}
		probe(ad, port)
	}
}
