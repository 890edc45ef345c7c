package gotests

import (
	"bufio"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/nfsh/nfsh/core/kernel"
	"github.com/nfsh/nfsh/core/ruleset"
	"github.com/nfsh/nfsh/tests/go/nstest"
)

// plusOneRule returns the 10k-rule benchmark ruleset (100 chains of 100
// rules, a 10-element set) and the same ruleset with one rule more in the
// middle of chain c50.
func plusOneRule() (a, b string) {
	a = genBenchRuleset(100, 100, 10)
	anchor := "\tchain c50 {\n"
	i := strings.Index(a, anchor)
	j := i + len(anchor)
	for range 50 { // after the 50th rule of c50
		j += strings.IndexByte(a[j:], '\n') + 1
	}
	b = a[:j] + "\t\ttcp dport 4242 counter accept comment \"the new one\"\n" + a[j:]
	return a, b
}

// monitor runs `nft monitor` in ns and delivers its lines.
type monitor struct {
	lines chan string
	ns    *nstest.NS
	seq   int
}

func startMonitor(t testing.TB, ns *nstest.NS) *monitor {
	t.Helper()
	cmd := ns.Command("nft", "monitor")
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	m := &monitor{lines: make(chan string, 1<<16), ns: ns}
	go func(r io.Reader) {
		sc := bufio.NewScanner(r)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		for sc.Scan() {
			m.lines <- sc.Text()
		}
		close(m.lines)
	}(out)
	// The subscription is live once a marker commit shows up; until
	// then, commit markers again.
	for try := 0; ; try++ {
		if try == 20 {
			t.Fatal("nft monitor shows no event")
		}
		if _, ok := m.mark(t, time.Duration(try+1)*250*time.Millisecond); ok {
			return m
		}
	}
}

// mark commits a marker table and returns the lines seen before it, and
// whether it was seen within wait.
func (m *monitor) mark(t testing.TB, wait time.Duration) ([]string, bool) {
	t.Helper()
	m.seq++
	name := fmt.Sprintf("marker%d", m.seq)
	m.ns.Nft(t, "add", "table", "inet", name)
	m.ns.Nft(t, "delete", "table", "inet", name)
	var seen []string
	timeout := time.After(wait)
	for {
		select {
		case l, ok := <-m.lines:
			if !ok {
				t.Fatal("nft monitor ended")
			}
			if strings.HasPrefix(l, "# new generation") {
				continue
			}
			if strings.HasPrefix(l, "add table inet marker") || strings.HasPrefix(l, "delete table inet marker") {
				if strings.HasPrefix(l, "delete table inet "+name) {
					return seen, true
				}
				continue
			}
			seen = append(seen, l)
		case <-timeout:
			return seen, false
		}
	}
}

// TestReconcilePlusOneRule reconciles "+1 rule in a 10k-rule ruleset" with
// nft monitor watching: exactly one new-rule event, no deletes.
func TestReconcilePlusOneRule(t *testing.T) {
	nstest.Require(t)
	ns := nstest.New(t)
	a, b := plusOneRule()
	ns.NftScript(t, a)
	c := dialNS(t, ns)
	desired := desiredValue(t, b)
	mon := startMonitor(t, ns)

	t0 := time.Now()
	res, err := kernel.Reconcile(c, desired, kernel.ReconcileOptions{})
	d := time.Since(t0)
	if err != nil {
		t.Fatalf("reconcile: %v", err)
	}
	events, ok := mon.mark(t, 10*time.Second)
	if !ok {
		t.Fatal("the end marker never showed up in nft monitor")
	}
	var adds, dels int
	for _, e := range events {
		switch {
		case strings.HasPrefix(e, "add rule "):
			adds++
		case strings.HasPrefix(e, "delete "):
			dels++
		}
	}
	t.Logf("reconcile +1 rule in 10,000: %v, %d attempt(s), patch:\n%s\nmonitor:\n%s", d.Round(time.Microsecond), res.Attempts, res.Patch, strings.Join(events, "\n"))
	if adds != 1 || dels != 0 || len(events) != 1 {
		t.Errorf("nft monitor saw %d events (%d new rules, %d deletes), want exactly one new rule", len(events), adds, dels)
	}
	if !strings.Contains(strings.Join(events, "\n"), "tcp dport 4242") {
		t.Errorf("the new rule is not the one added")
	}
	ref := nstest.New(t)
	ref.NftScript(t, b)
	if got, want := ns.Nft(t, "list", "table", "inet", "bench"), ref.Nft(t, "list", "table", "inet", "bench"); got != want {
		t.Errorf("after the reconcile the table lists unlike the desired file loaded afresh")
	}

	// Warm: back to A (the marker commit moved the generation: this one
	// pulls), then to B again with the state remembered: no pull, and nft
	// monitor sees the delete, then exactly one new rule.
	va, vb := desiredValue(t, a), desiredValue(t, b)
	if res, err := kernel.Reconcile(c, va, kernel.ReconcileOptions{}); err != nil || res.Pulls != 1 {
		t.Fatalf("reconcile back to A: %v (%d pulls, want 1)", err, res.Pulls)
	}
	t0 = time.Now()
	res, err = kernel.Reconcile(c, vb, kernel.ReconcileOptions{})
	d = time.Since(t0)
	if err != nil {
		t.Fatalf("warm reconcile: %v", err)
	}
	events, ok = mon.mark(t, 10*time.Second)
	if !ok {
		t.Fatal("the end marker never showed up in nft monitor")
	}
	t.Logf("warm reconcile +1 rule in 10,000: %v, %d pull(s), monitor since the first reconcile:\n%s", d.Round(time.Microsecond), res.Pulls, strings.Join(events, "\n"))
	if res.Pulls != 0 {
		t.Errorf("warm reconcile pulled %d times, want 0", res.Pulls)
	}
	if len(events) != 2 || !strings.HasPrefix(events[0], "delete rule ") || !strings.HasPrefix(events[1], "add rule ") || !strings.Contains(events[1], "tcp dport 4242") {
		t.Errorf("nft monitor saw %q, want the delete (back to A) and then exactly one new rule (warm +1)", events)
	}
	if got, want := ns.Nft(t, "list", "table", "inet", "bench"), ref.Nft(t, "list", "table", "inet", "bench"); got != want {
		t.Errorf("after the warm reconciles the table lists unlike the desired file loaded afresh")
	}
}

// BenchmarkReconcilePlusOne compares reconciling "+1 rule in a 10k-rule
// ruleset" (and back) with a full replace (kernel.Push) of the same
// ruleset: warm (the Reconciler remembers the state its last commit left,
// so GETGEN alone shows no pull is needed) and cold (a fresh Reconciler:
// the tables are pulled first), and warm with a value compiled anew each
// time (no rule key memoized: a script rebuilding its ruleset). Each is the median of several runs,
// whatever b.N; the goal is warm/replace <= 0.05.
func BenchmarkReconcilePlusOne(b *testing.B) {
	nstest.Require(b)
	ns := nstest.New(b)
	ta, tb := plusOneRule()
	va, vb := desiredValue(b, ta), desiredValue(b, tb)
	c := dialNS(b, ns)
	if err := kernel.Push(c, va, kernel.PushOptions{}); err != nil {
		b.Fatal(err)
	}
	const warmRuns, freshRuns, coldRuns, replaceRuns = 9, 3, 3, 3
	// flip reconciles to the other value and checks the patch.
	n := 0
	flip := func(r *kernel.Reconciler, wantPulls int, fresh bool) (time.Duration, time.Duration) {
		want := []*ruleset.Ruleset{vb, va}[n%2]
		if fresh { // a value compiled anew: no rule key is memoized
			want = desiredValue(b, []string{tb, ta}[n%2])
		}
		n++
		c0, t0 := cpuNow(), time.Now()
		res, err := r.Reconcile(want, kernel.ReconcileOptions{})
		d, cd := time.Since(t0), cpuNow()-c0
		if err != nil {
			b.Fatal(err)
		}
		if len(res.Patch.Commands) != 1 {
			b.Fatalf("patch of %d commands, want 1:\n%s", len(res.Patch.Commands), res.Patch)
		}
		if res.Pulls != wantPulls {
			b.Fatalf("reconcile pulled %d times, want %d", res.Pulls, wantPulls)
		}
		return d, cd
	}
	var warm, fresh, cold, repl [2][]time.Duration // wall, CPU
	add := func(to *[2][]time.Duration, d, cd time.Duration) {
		to[0], to[1] = append(to[0], d), append(to[1], cd)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		warm, fresh, cold = [2][]time.Duration{}, [2][]time.Duration{}, [2][]time.Duration{}
		for range coldRuns {
			d, cd := flip(kernel.NewReconciler(c), 1, false)
			add(&cold, d, cd)
		}
		r := kernel.NewReconciler(c)
		flip(r, 1, false) // remembers the state from here on
		flip(r, 0, false) // and now knows both values' rule keys
		for range warmRuns {
			d, cd := flip(r, 0, false)
			add(&warm, d, cd)
		}
		for range freshRuns {
			d, cd := flip(r, 0, true)
			add(&fresh, d, cd)
		}
	}
	b.StopTimer()
	if n%2 == 1 { // back to va, so the replaces alternate from it
		flip(kernel.NewReconciler(c), 1, false)
	}
	for i := range replaceRuns {
		want := []*ruleset.Ruleset{vb, va}[i%2]
		c0, t0 := cpuNow(), time.Now()
		if err := kernel.Push(c, want, kernel.PushOptions{}); err != nil {
			b.Fatal(err)
		}
		add(&repl, time.Since(t0), cpuNow()-c0)
	}
	w, f, k, p := median(warm[0]), median(fresh[0]), median(cold[0]), median(repl[0])
	wc, fc, kc, pc := median(warm[1]), median(fresh[1]), median(cold[1]), median(repl[1])
	b.ReportMetric(float64(wc)/float64(pc), "warm-cpu-ratio")
	b.ReportMetric(float64(kc)/float64(pc), "cold-cpu-ratio")
	fmt.Printf("+1 rule in 10000, CPU time (user+sys, steadier under load): reconcile warm %v (%.4fx), warm with a freshly compiled value %v (%.3fx), cold %v (%.3fx), full replace %v\n",
		wc.Round(10*time.Microsecond), float64(wc)/float64(pc), fc.Round(10*time.Microsecond), float64(fc)/float64(pc),
		kc.Round(10*time.Microsecond), float64(kc)/float64(pc), pc.Round(10*time.Microsecond))
	b.ReportMetric(float64(w.Microseconds())/1000, "warm-ms")
	b.ReportMetric(float64(f.Microseconds())/1000, "warm-fresh-ms")
	b.ReportMetric(float64(k.Microseconds())/1000, "cold-ms")
	b.ReportMetric(float64(p.Microseconds())/1000, "replace-ms")
	b.ReportMetric(float64(w)/float64(p), "warm-ratio")
	b.ReportMetric(float64(f)/float64(p), "warm-fresh-ratio")
	b.ReportMetric(float64(k)/float64(p), "cold-ratio")
	fmt.Printf("+1 rule in 10000, wall time (medians of %d/%d/%d/%d runs): reconcile warm %v (%.4fx), warm with a freshly compiled value %v (%.3fx), cold %v (%.3fx), full replace %v; goal warm <= 0.05x\n",
		warmRuns, freshRuns, coldRuns, replaceRuns, w.Round(10*time.Microsecond), float64(w)/float64(p),
		f.Round(10*time.Microsecond), float64(f)/float64(p),
		k.Round(10*time.Microsecond), float64(k)/float64(p), p.Round(10*time.Microsecond))
}

// cpuNow returns the CPU time (user+sys) the process has used so far.
func cpuNow() time.Duration {
	var ru unix.Rusage
	if err := unix.Getrusage(unix.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
