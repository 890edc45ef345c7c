package gotests

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"regexp"
	"runtime/pprof"
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
// the logged packets side by side, in the same run, each consumer a
// process of its own: `tcpdump -i nflog:5`, nfsh's Go listener (channel of
// per-datagram batches) on group 6, and a Lua callback that counts
// (nft.log_listen in a Lua host) on group 7, all fed by the same rule (`log
// group 5 log group 6 log group 7`). For each it reports what it kept
// (loss), the rate it kept packets at while the flood ran, and its CPU
// time per packet, whose inverse is the rate it could keep up with given a
// whole core: that capacity is what "faster" compares.
//
// Knobs for exploring: NFSH_NFLOG_BUFS lists the socket buffer sizes in
// KiB (default "4096,256"), NFSH_NFLOG_PACKETS sets the flood size, and
// NFSH_NFLOG_PROFILE=path writes each nfsh consumer's CPU profile to
// path.go and path.lua.
func BenchmarkNFLOG(b *testing.B) {
	nstest.Require(b)
	if _, err := exec.LookPath("tcpdump"); err != nil {
		if nstest.InCI() {
			b.Fatalf("tcpdump not installed: %v", err)
		}
		b.Skipf("tcpdump not installed: %v", err)
	}
	// All receivers get the same socket buffer: 4 MiB (ample), then
	// 256 KiB (tight), where the slower one loses first.
	bufs := []int{4096, 256}
	if v := os.Getenv("NFSH_NFLOG_BUFS"); v != "" {
		bufs = nil
		for _, f := range strings.Split(v, ",") {
			k, err := strconv.Atoi(f)
			if err != nil {
				b.Fatalf("NFSH_NFLOG_BUFS: %v", err)
			}
			bufs = append(bufs, k)
		}
	}
	for _, kib := range bufs {
		b.Run(fmt.Sprintf("rcvbuf=%dKiB", kib), func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				n := nflogBenchPackets
				if v, err := strconv.Atoi(os.Getenv("NFSH_NFLOG_PACKETS")); err == nil && v > 0 {
					n = v
				}
				runNFLOGBench(b, n, kib)
			}
		})
	}
}

// consumerEnv names the environment variable that turns the test binary
// into one of BenchmarkNFLOG's nfsh consumers; its value is a JSON
// consumerSpec, and the process prints a JSON consumerResult.
const consumerEnv = "NFSH_NFLOG_CONSUMER"

// consumerSpec tells a consumer process what to count.
type consumerSpec struct {
	Kind   string // "go" or "lua"
	Group  int
	NetNS  string
	RcvBuf int // bytes in effect (twice what tcpdump asks setsockopt for)
	Last   int // the sequence number of the flood's last packet
}

// consumerResult is what a consumer process counted.
type consumerResult struct {
	Got    int
	LastNS int64 // when it counted its last packet (Unix ns)
	CPUNS  int64 // its CPU time (user + system) from bound to done
	Stats  string
	Err    string
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

	goRes := startConsumer(b, ns, consumerSpec{Kind: "go", Group: 6, NetNS: ns.Path(), RcvBuf: 2 * bufKiB << 10, Last: n - 1})
	luaRes := startConsumer(b, ns, consumerSpec{Kind: "lua", Group: 7, NetNS: ns.Path(), RcvBuf: 2 * bufKiB << 10, Last: n - 1})

	b.ResetTimer()
	start, sent, err := floodProcess(ns, n)
	if err != nil {
		b.Fatal(err)
	}
	gr, lr := <-goRes, <-luaRes
	b.StopTimer()

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
	var tdCPU time.Duration
	if ru, ok := td.ProcessState.SysUsage().(*syscall.Rusage); ok {
		tdCPU = time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
	}
	for _, r := range []consumerResult{gr, lr} {
		if r.Err != "" {
			b.Errorf("consumer: %s", r.Err)
		}
	}

	// Kept rate: packets kept per second of flood, the same formula for
	// all three. Lag: how long after the flood ended an nfsh consumer
	// counted its last packet (tcpdump does not say). Capacity: packets
	// kept per CPU second, the rate a consumer could keep up with on a
	// core of its own.
	keptRate := func(got int) float64 { return float64(got) / sent.Seconds() }
	lag := func(lastNS int64) time.Duration {
		if lastNS == 0 {
			return 0
		}
		return max(0, time.Unix(0, lastNS).Sub(start.Add(sent)))
	}
	capacity := func(got int, cpu time.Duration) float64 {
		if cpu <= 0 {
			return 0
		}
		return float64(got) / cpu.Seconds()
	}
	loss := func(got int) float64 { return 100 * float64(n-got) / float64(n) }
	goCPU, luaCPU := time.Duration(gr.CPUNS), time.Duration(lr.CPUNS)
	tdCap, goCap, luaCap := capacity(tdGot, tdCPU), capacity(gr.Got, goCPU), capacity(lr.Got, luaCPU)
	b.ReportMetric(float64(n)/baseline.Seconds(), "unlogged-pkts/s")
	b.ReportMetric(float64(n)/sent.Seconds(), "sent-pkts/s")
	b.ReportMetric(keptRate(tdGot), "tcpdump-pkts/s")
	b.ReportMetric(loss(tdGot), "tcpdump-loss-%")
	b.ReportMetric(tdCap, "tcpdump-pkts/cpu-s")
	b.ReportMetric(keptRate(gr.Got), "go-pkts/s")
	b.ReportMetric(loss(gr.Got), "go-loss-%")
	b.ReportMetric(goCap, "go-pkts/cpu-s")
	b.ReportMetric(float64(lag(gr.LastNS).Microseconds())/1000, "go-lag-ms")
	b.ReportMetric(keptRate(lr.Got), "lua-pkts/s")
	b.ReportMetric(loss(lr.Got), "lua-loss-%")
	b.ReportMetric(luaCap, "lua-pkts/cpu-s")
	b.ReportMetric(float64(lag(lr.LastNS).Microseconds())/1000, "lua-lag-ms")
	fmt.Printf("nflog flood (socket buffers %d KiB): %d UDP packets over loopback in %v (%.0f pkts/s offered), each logged to groups 5, 6 and 7\n",
		bufKiB, n, sent.Round(time.Millisecond), float64(n)/sent.Seconds())
	fmt.Printf("  same flood, no group bound: %v (%.0f pkts/s)\n", baseline.Round(time.Millisecond), float64(n)/baseline.Seconds())
	line := func(who string, got int, lastNS int64, cpu time.Duration, detail string) {
		lagText := "lag not measured"
		if lastNS != 0 {
			lagText = fmt.Sprintf("last one %v after the flood", lag(lastNS).Round(100*time.Microsecond))
		}
		fmt.Printf("  %-26s %7d kept (%.0f pkts/s), loss %.2f%%, %s; CPU %v = %.2f us/pkt, capacity %.0f pkts/s (%s)\n",
			who, got, keptRate(got), loss(got), lagText, cpu.Round(time.Millisecond),
			float64(cpu.Microseconds())/float64(max(got, 1)), capacity(got, cpu), detail)
	}
	line("tcpdump -i nflog:5:", tdGot, 0, tdCPU,
		strings.Join(strings.Fields(strings.ReplaceAll(strings.TrimSpace(tdErr.String()), "\n", "; ")), " "))
	line("nfsh Go listener group 6:", gr.Got, gr.LastNS, goCPU, gr.Stats)
	line("nfsh Lua callback group 7:", lr.Got, lr.LastNS, luaCPU, lr.Stats)
	if tdGot > 0 && tdCap > 0 {
		fmt.Printf("  kept vs tcpdump: Lua %.3fx, Go %.3fx; capacity vs tcpdump: Lua %.2fx, Go %.2fx\n",
			float64(lr.Got)/float64(tdGot), float64(gr.Got)/float64(tdGot), luaCap/tdCap, goCap/tdCap)
	}
}

// startConsumer starts a consumer process (the test binary with
// consumerEnv set) inside ns and returns once its group is bound; its
// result arrives on the channel when it has counted the flood.
func startConsumer(b *testing.B, ns *nstest.NS, spec consumerSpec) <-chan consumerResult {
	b.Helper()
	self, err := os.Executable()
	if err != nil {
		b.Fatal(err)
	}
	js, _ := json.Marshal(spec)
	cmd := ns.Command(self)
	cmd.Env = append(os.Environ(), consumerEnv+"="+string(js))
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { cmd.Process.Kill() })
	res := make(chan consumerResult, 1)
	go func() {
		var r consumerResult
		if err := cmd.Wait(); err != nil {
			r.Err = fmt.Sprintf("%s consumer: %v: %s", spec.Kind, err, stderr.String())
		}
		if strings.Contains(stderr.String(), "DEBUG") {
			fmt.Print(spec.Kind, " ", stderr.String())
		}
		if r.Err != "" {
		} else if err := json.Unmarshal(stdout.Bytes(), &r); err != nil {
			r.Err = fmt.Sprintf("%s consumer output %q: %v", spec.Kind, stdout.String(), err)
		}
		res <- r
	}()
	nflogGroupBound(b, ns, spec.Group)
	return res
}

// runConsumer is the body of a consumer process.
func runConsumer(spec consumerSpec) consumerResult {
	if p := os.Getenv("NFSH_NFLOG_PROFILE"); p != "" {
		f, err := os.Create(p + "." + spec.Kind)
		if err == nil {
			pprof.StartCPUProfile(f)
			defer pprof.StopCPUProfile()
		}
	}
	switch spec.Kind {
	case "go":
		return goConsumer(spec)
	case "lua":
		return luaConsumer(spec)
	}
	return consumerResult{Err: "unknown consumer " + spec.Kind}
}

// cpuTime is the CPU time (user + system) the process has used.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// goConsumer counts the packet events of each batch (one slice per kernel
// batch, Options.Batches, nft.log_listen's batch defaults: 64 KiB, 256
// packets, where tcpdump keeps the kernel's 4 KiB) until it has seen the
// last sequence number of the flood. It releases every batch, and with
// Options.Reuse the listener refills released memory: the flood
// allocates nothing per packet. The listener blocks rather than drops
// when the consumer falls behind (the kernel drops instead, and the
// sequence numbers count it); a watchdog closes the listener when nothing
// arrived for 2 s, which ends the loop when the last packet was lost.
func goConsumer(spec consumerSpec) consumerResult {
	l, err := nflog.Listen(nflog.Options{Group: uint16(spec.Group), Seq: true, Block: true, Batches: true, Reuse: true, Adapt: true,
		FlushTimeout: 10 * time.Millisecond, NLBufSize: bindings.DefaultLogNLBufSize,
		QThreshold: bindings.DefaultLogQThreshold, RcvBuf: spec.RcvBuf, NetNS: nfnl.NetNSPath(spec.NetNS)})
	if err != nil {
		return consumerResult{Err: err.Error()}
	}
	defer l.Close()
	cpu0 := cpuTime()
	var r consumerResult
	var got atomic.Int64
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
			if g := got.Load(); g > 0 && g == prev {
				if still++; still >= 8 {
					l.Close()
					return
				}
			} else {
				prev, still = g, 0
			}
		}
	}()
	last := uint32(spec.Last)
	var lastSeen time.Time
batches:
	for b := range l.Batches() {
		for _, ev := range b {
			if ev.Kind != nflog.EventPacket {
				continue
			}
			r.Got++
			lastSeen = ev.Packet.Received
			if ev.Packet.Seq == last {
				break batches
			}
		}
		got.Store(int64(r.Got))
		l.Release(b)
	}
	r.CPUNS = int64(cpuTime() - cpu0)
	r.LastNS = lastSeen.UnixNano()
	st := l.Stats()
	r.Stats = fmt.Sprintf("seq lost %d, overruns %d, dropped %d, batch now %d bytes/%d packets", st.SeqLost, st.Overruns, st.Dropped, st.BatchBytes, st.BatchPackets)
	return r
}

// luaConsumer runs a Lua host whose script counts the packet events of
// the group with nft.log_listen (the same buffer and flush timeout as the
// Go consumer) until it sees the last sequence number of the flood, or
// nothing arrived for 2 s.
func luaConsumer(spec consumerSpec) consumerResult {
	var r consumerResult
	var cbErr error
	h := lua.New(lua.Options{
		Stdout: io.Discard, Stderr: io.Discard,
		OnError: func(err error) { cbErr = err },
		Modules: map[string]glua.LGFunction{
			"nft": bindings.Loader(bindings.Core{}),
			"clock": func(L *glua.LState) int {
				L.Push(L.NewFunction(func(L *glua.LState) int {
					L.Push(glua.LNumber(time.Now().UnixNano()))
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
`, spec.Group, spec.NetNS, spec.RcvBuf, spec.Last)
	if err := h.DoString(context.Background(), "count.lua", script); err != nil {
		return consumerResult{Err: err.Error()}
	}
	cpu0 := cpuTime()
	if err := h.Run(context.Background()); err != nil && cbErr == nil {
		cbErr = err
	}
	r.CPUNS = int64(cpuTime() - cpu0)
	if cbErr != nil {
		r.Err = cbErr.Error()
	}
	if v, ok := h.L.GetGlobal("count").(glua.LNumber); ok {
		r.Got = int(v)
	}
	if v, ok := h.L.GetGlobal("last").(glua.LNumber); ok {
		r.LastNS = int64(v)
	}
	if vals, err := h.Eval(context.Background(), "stats", `local s = listener:stats()
		return string.format("seq lost %d, overruns %d, dropped %d, callback errors %d, batch now %d bytes/%d packets", s.seq_lost, s.overruns, s.dropped, s.errors, s.batch_bytes, s.batch_packets)`); err == nil && len(vals) == 1 {
		r.Stats = vals[0].String()
	}
	return r
}

// floodEnv names the environment variable that turns the test binary
// into the flood sender of BenchmarkNFLOG (its value is the packet count).
const floodEnv = "NFSH_NFLOG_FLOOD"

// helperProcess turns the test binary into a helper process of
// BenchmarkNFLOG when the environment says so (TestMain calls it first, so
// that the helper runs on an ordinary goroutine, not on the main thread
// that package initialization holds): a consumer (consumerEnv) counts a
// group and prints what it counted; the flood sender (floodEnv) sends,
// prints the start time (Unix ns) and the duration (ns). Each runs in a
// process of its own, like tcpdump, so that no two of them share a Go
// runtime. It reports whether it ran; the process then exits with code.
func helperProcess() (ran bool, code int) {
	if v := os.Getenv(consumerEnv); v != "" {
		var spec consumerSpec
		if err := json.Unmarshal([]byte(v), &spec); err != nil {
			fmt.Fprintln(os.Stderr, err)
			return true, 2
		}
		r := runConsumer(spec)
		js, _ := json.Marshal(r)
		fmt.Println(string(js))
		return true, 0
	}
	v := os.Getenv(floodEnv)
	if v == "" {
		return false, 0
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return true, 2
	}
	start := time.Now()
	if err := floodUDP(n); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return true, 1
	}
	fmt.Println(start.UnixNano(), time.Since(start).Nanoseconds())
	return true, 0
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
