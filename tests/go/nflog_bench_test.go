package gotests

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"golang.org/x/net/ipv4"

	"github.com/nfsh/nfsh/bindings"
	"github.com/nfsh/nfsh/core/nflog"
	"github.com/nfsh/nfsh/core/nfnl"
	"github.com/nfsh/nfsh/lua"
	"github.com/nfsh/nfsh/tests/go/nstest"
	glua "github.com/yuin/gopher-lua"
)

// nflogBenchPackets is the size of the flood.
const nflogBenchPackets = 200000

// nflogGroupBound waits until NFLOG group g has a listener in ns, reading
// the kernel's instance table.
func nflogGroupBound(b *testing.B, ns *nstest.NS, g int) {
	b.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		out, _ := ns.Run(b, "cat", "/proc/net/netfilter/nfnetlink_log")
		for _, line := range strings.Split(out, "\n") {
			if f := strings.Fields(line); len(f) > 0 && f[0] == strconv.Itoa(g) {
				return
			}
		}
		time.Sleep(20 * time.Millisecond) // polling a kernel table
	}
	b.Fatalf("NFLOG group %d never bound", g)
}

var tcpdumpCaptured = regexp.MustCompile(`(\d+) packets? captured`)

// BenchmarkNFLOG floods a logging rule inside a fresh namespace and counts
// the logged packets side by side: `tcpdump -i nflog:5`, nfsh's Go channel
// listener on group 6 and a Lua callback that counts (nft.log_listen in an
// in-process Lua host) on group 7, fed by the same rule (`log group 5 log
// group 6 log group 7`), in the same run. It reports packets/s and loss
// for each.
func BenchmarkNFLOG(b *testing.B) {
	nstest.Require(b)
	if _, err := exec.LookPath("tcpdump"); err != nil {
		if nstest.InCI() {
			b.Fatalf("tcpdump not installed: %v", err)
		}
		b.Skipf("tcpdump not installed: %v", err)
	}
	// Both receivers get the same socket buffer: 4 MiB (ample), then
	// 256 KiB (tight), where the slower one loses first.
	for _, kib := range []int{4096, 256} {
		b.Run(fmt.Sprintf("rcvbuf=%dKiB", kib), func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				runNFLOGBench(b, nflogBenchPackets, kib)
			}
		})
	}
}

func runNFLOGBench(b *testing.B, n, bufKiB int) {
	ns := nstest.New(b)
	ns.NftScript(b, `table inet t {
	chain out {
		type filter hook output priority filter;
		udp dport 9 log group 5 log group 6 log group 7
	}
}`)
	// The same flood with no listener bound: what the machine sends when
	// the log statements find no group.
	_, baseline, err := floodProcess(ns, n)
	if err != nil {
		b.Fatal(err)
	}

	// tcpdump with the buffer size (at most net.core.rmem_max), writing the
	// capture nowhere so that output costs it nothing.
	td := ns.Command("tcpdump", "-i", "nflog:5", "-n", "-B", strconv.Itoa(bufKiB), "-w", "/dev/null")
	var tdErr bytes.Buffer
	td.Stderr = &tdErr
	if err := td.Start(); err != nil {
		b.Fatal(err)
	}
	defer td.Process.Kill()
	nflogGroupBound(b, ns, 5)

	// nfsh with nft.log_listen's batch defaults (64 KiB, 256 packets; tcpdump
	// keeps the kernel's 4 KiB) and a 10 ms flush timeout; RcvBuf is the
	// size in effect, which is twice what tcpdump asks setsockopt for.
	l, err := nflog.Listen(nflog.Options{Group: 6, Seq: true, Block: true, Batches: true, FlushTimeout: 10 * time.Millisecond,
		NLBufSize: bindings.DefaultLogNLBufSize, QThreshold: bindings.DefaultLogQThreshold,
		RcvBuf: 2 * bufKiB << 10, NetNS: nfnl.NetNSPath(ns.Path())})
	if err != nil {
		b.Fatal(err)
	}
	defer l.Close()

	luaRes := startLuaCounter(b, ns, 7, n, 2*bufKiB<<10)

	// The Go consumer counts the packet events of each batch (one slice
	// per kernel batch, Options.Batches) until it has seen the last
	// sequence number of the flood. The listener blocks rather than drops
	// when the consumer falls behind (the kernel drops instead, and the
	// sequence numbers count it); a watchdog closes the listener when
	// nothing arrived for 2 s, which ends the loop when the last packet
	// was lost.
	type result struct {
		got      int
		lastSeen time.Time
	}
	resc := make(chan result, 1)
	last := uint32(n - 1)
	var goGot atomic.Int64
	go func() {
		var r result
	batches:
		for b := range l.Batches() {
			for _, ev := range b {
				if ev.Kind != nflog.EventPacket {
					continue
				}
				r.got++
				if ev.Packet.Seq == last {
					r.lastSeen = time.Now()
					break batches
				}
				r.lastSeen = ev.Packet.Received
			}
			goGot.Store(int64(r.got))
			l.Release(b)
		}
		resc <- r
	}()
	stopWatch := make(chan struct{})
	defer close(stopWatch)
	go func() {
		tick := time.NewTicker(250 * time.Millisecond)
		defer tick.Stop()
		prev, still := int64(-1), 0
		for {
			select {
			case <-stopWatch:
				return
			case <-tick.C:
			}
			if g := goGot.Load(); g > 0 && g == prev {
				if still++; still >= 8 {
					l.Close()
					return
				}
			} else {
				prev, still = g, 0
			}
		}
	}()

	b.ResetTimer()
	start, sent, err := floodProcess(ns, n)
	if err != nil {
		b.Fatal(err)
	}
	r := <-resc
	lr := <-luaRes
	b.StopTimer()
	st := l.Stats()

	// tcpdump's instance keeps the kernel defaults (flush after 1 s):
	// give the last partial batch time to arrive, then stop it.
	time.Sleep(1500 * time.Millisecond) // the kernel's flush timer, not synchronization
	td.Process.Signal(syscall.SIGINT)
	td.Wait()
	m := tcpdumpCaptured.FindStringSubmatch(tdErr.String())
	if m == nil {
		b.Fatalf("no capture count from tcpdump: %s", tdErr.String())
	}
	tdGot, _ := strconv.Atoi(m[1])

	goDur := r.lastSeen.Sub(start)
	if goDur < sent {
		goDur = sent
	}
	rate := func(got int, d time.Duration) float64 { return float64(got) / d.Seconds() }
	loss := func(got int) float64 { return 100 * float64(n-got) / float64(n) }
	b.ReportMetric(rate(n, baseline), "unlogged-pkts/s")
	b.ReportMetric(rate(n, sent), "sent-pkts/s")
	b.ReportMetric(rate(r.got, goDur), "go-pkts/s")
	b.ReportMetric(loss(r.got), "go-loss-%")
	luaDur := lr.last.Sub(start)
	if luaDur < sent {
		luaDur = sent
	}
	b.ReportMetric(rate(lr.got, luaDur), "lua-pkts/s")
	b.ReportMetric(loss(lr.got), "lua-loss-%")
	b.ReportMetric(rate(tdGot, sent), "tcpdump-pkts/s")
	b.ReportMetric(loss(tdGot), "tcpdump-loss-%")
	fmt.Printf("nflog flood (socket buffers %d KiB): %d UDP packets over loopback in %v (%.0f pkts/s offered), each logged to group 5 and group 6\n",
		bufKiB, n, sent.Round(time.Millisecond), rate(n, sent))
	fmt.Printf("  same flood, no group bound: %v (%.0f pkts/s)\n", baseline.Round(time.Millisecond), rate(n, baseline))
	fmt.Printf("  tcpdump -i nflog:5:      %7d captured, %.0f pkts/s, loss %.2f%% (%s)\n", tdGot, rate(tdGot, sent), loss(tdGot),
		strings.Join(strings.Fields(strings.ReplaceAll(strings.TrimSpace(tdErr.String()), "\n", "; ")), " "))
	fmt.Printf("  nfsh Go listener group 6: %7d received, %.0f pkts/s, loss %.2f%% (seq lost %d, overruns %d, dropped %d)\n",
		r.got, rate(r.got, goDur), loss(r.got), st.SeqLost, st.Overruns, st.Dropped)
	fmt.Printf("  nfsh Lua callback group 7: %6d counted, %.0f pkts/s, loss %.2f%% (%s)\n",
		lr.got, rate(lr.got, luaDur), loss(lr.got), lr.stats)
	if lr.err != nil {
		b.Errorf("Lua counter: %v", lr.err)
	}
	if tdGot > 0 {
		fmt.Printf("  Lua kept %.2fx what tcpdump kept, Go %.2fx\n", float64(lr.got)/float64(tdGot), float64(r.got)/float64(tdGot))
	}
}

// floodEnv names the environment variable that turns the test binary
// into the flood sender of BenchmarkNFLOG (its value is the packet count).
const floodEnv = "NFSH_NFLOG_FLOOD"

// init runs the flood when the test binary was started as the sender: it
// sends, prints the start time (Unix ns) and the duration (ns), and exits
// before TestMain. The sender is a process of its own, like tcpdump, so
// that the listeners measured here do not share a Go runtime with it.
func init() {
	v := os.Getenv(floodEnv)
	if v == "" {
		return
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	start := time.Now()
	if err := floodUDP(n); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fmt.Println(start.UnixNano(), time.Since(start).Nanoseconds())
	os.Exit(0)
}

// floodProcess runs floodUDP(n) in a process of its own inside ns and
// returns when it started sending and how long it took.
func floodProcess(ns *nstest.NS, n int) (time.Time, time.Duration, error) {
	self, err := os.Executable()
	if err != nil {
		return time.Time{}, 0, err
	}
	cmd := ns.Command(self)
	cmd.Env = append(os.Environ(), floodEnv+"="+strconv.Itoa(n))
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return time.Time{}, 0, fmt.Errorf("flood: %v: %s", err, stderr.String())
	}
	var startNS, durNS int64
	if _, err := fmt.Sscan(string(out), &startNS, &durNS); err != nil {
		return time.Time{}, 0, fmt.Errorf("flood output %q: %v", out, err)
	}
	return time.Unix(0, startNS), time.Duration(durNS), nil
}

// floodUDP sends n 32-byte UDP datagrams to 127.0.0.1:9 with sendmmsg in
// batches of 64. A socket bound to port 9 and never read sinks them, so the
// kernel drops them at its queue without ICMP errors.
func floodUDP(n int) error {
	sink, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 9})
	if err != nil {
		return err
	}
	defer sink.Close()
	c, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		return err
	}
	defer c.Close()
	pc := ipv4.NewPacketConn(c)
	dst := &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 9}
	msgs := make([]ipv4.Message, 64)
	for i := range msgs {
		msgs[i] = ipv4.Message{Buffers: [][]byte{make([]byte, 32)}, Addr: dst}
	}
	for sent := 0; sent < n; {
		k, err := pc.WriteBatch(msgs[:min(len(msgs), n-sent)], 0)
		if err != nil {
			return err
		}
		sent += k
	}
	return nil
}

// luaCount is what the Lua counter of the benchmark saw.
type luaCount struct {
	got   int
	last  time.Time // when the last packet was counted
	stats string
	err   error
}

// startLuaCounter starts a Lua host on its own goroutine whose script
// counts the packet events of NFLOG group g with nft.log_listen (the same
// buffer and flush timeout as the Go listener) until it sees the last
// sequence number of the flood, or nothing arrived for 2 s. It returns
// once the group is bound; the result arrives on the channel.
func startLuaCounter(b *testing.B, ns *nstest.NS, g, n, rcvbuf int) <-chan luaCount {
	res := make(chan luaCount, 1)
	ready := make(chan error, 1)
	base := time.Now()
	go func() {
		var out luaCount
		h := lua.New(lua.Options{
			Stdout: io.Discard, Stderr: io.Discard,
			OnError: func(err error) { out.err = err },
			Modules: map[string]glua.LGFunction{
				"nft": bindings.Loader(bindings.Core{}),
				"clock": func(L *glua.LState) int {
					L.Push(L.NewFunction(func(L *glua.LState) int {
						L.Push(glua.LNumber(time.Since(base).Seconds()))
						return 1
					}))
					return 1
				},
			},
			Globals: []string{"nft"},
		})
		defer h.Close()
		script := fmt.Sprintf(`
local clock = require "clock"
count, last = 0, 0
local seen, prev = 0, -1
listener = assert(nft.log_listen({ group = %d, netns = %q, rcvbuf = %d, timeout = 10 }, function(ev)
	if ev.kind == "packet" then
		count = count + 1
		if ev.seq == %d then last = clock(); listener:close() end
	end
end))
-- the quiet timer: stop 2 s after the last packet when the last one was lost
watchdog = nfsh.every(250, function()
	local progress = count + listener:stats().packets
	if count > 0 and progress == prev then
		seen = seen + 1
		if seen >= 8 then listener:close(); watchdog:cancel() end
	else
		seen, prev = 0, progress
		if count > 0 then last = clock() end
	end
	if not listener:active() then watchdog:cancel() end
end)
`, g, ns.Path(), rcvbuf, n-1)
		if err := h.DoString(context.Background(), "count.lua", script); err != nil {
			ready <- err
			return
		}
		ready <- nil
		if err := h.Run(context.Background()); err != nil && out.err == nil {
			out.err = err
		}
		if v, ok := h.L.GetGlobal("count").(glua.LNumber); ok {
			out.got = int(v)
		}
		if v, ok := h.L.GetGlobal("last").(glua.LNumber); ok {
			out.last = base.Add(time.Duration(float64(v) * float64(time.Second)))
		}
		if vals, err := h.Eval(context.Background(), "stats", `local s = listener:stats()
			return string.format("seq lost %d, overruns %d, dropped %d, callback errors %d", s.seq_lost, s.overruns, s.dropped, s.errors)`); err == nil && len(vals) == 1 {
			out.stats = vals[0].String()
		}
		res <- out
	}()
	if err := <-ready; err != nil {
		b.Fatal(err)
	}
	return res
}
