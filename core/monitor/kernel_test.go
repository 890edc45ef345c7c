package monitor_test

import (
	"bytes"
	"fmt"
	"io"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/nfsh/nfsh/core/format"
	"github.com/nfsh/nfsh/core/kernel"
	"github.com/nfsh/nfsh/core/monitor"
	"github.com/nfsh/nfsh/core/nfnl"
	"github.com/nfsh/nfsh/core/ruleset"
	"github.com/nfsh/nfsh/tests/go/nstest"
)

// waitTimeout bounds every wait for an event; reaching it fails the test.
const waitTimeout = 20 * time.Second

func nsOpts(ns *nstest.NS) monitor.Options {
	return monitor.Options{NetNS: nfnl.NetNSPath(ns.Path())}
}

// genNow reads the namespace's current generation.
func genNow(t *testing.T, ns *nstest.NS) uint32 {
	t.Helper()
	c, err := nfnl.Dial(nfnl.Options{NetNS: nfnl.NetNSPath(ns.Path())})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	g, err := c.GenID()
	if err != nil {
		t.Fatal(err)
	}
	return g
}

// pullNow pulls the namespace's ruleset.
func pullNow(t *testing.T, ns *nstest.NS) *ruleset.Ruleset {
	t.Helper()
	c, err := nfnl.Dial(nfnl.Options{NetNS: nfnl.NetNSPath(ns.Path())})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	rs, err := kernel.Pull(c, kernel.PullOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return rs
}

// next returns the next commit of s, failing the test after waitTimeout.
func next(t *testing.T, s *monitor.Stream) monitor.Commit {
	t.Helper()
	select {
	case c, ok := <-s.Commits():
		if !ok {
			t.Fatalf("stream ended: %v", s.Err())
		}
		return c
	case <-time.After(waitTimeout):
		t.Fatalf("no commit within %v; stats %+v", waitTimeout, s.Stats())
	}
	return monitor.Commit{}
}

// until returns the commits of s up to and including generation gen.
func until(t *testing.T, s *monitor.Stream, gen uint32) []monitor.Commit {
	t.Helper()
	var cs []monitor.Commit
	for {
		c := next(t, s)
		cs = append(cs, c)
		if c.Gen == gen && !c.Resync {
			return cs
		}
	}
}

// describe renders a commit's events one per line, for comparisons.
func describe(c monitor.Commit) []string {
	var out []string
	for _, e := range c.Events {
		s := fmt.Sprintf("%s %s %s %s", e.Op, e.Kind, e.Family, e.Table)
		switch e.Kind {
		case monitor.KindChain:
			s += " " + e.Chain
		case monitor.KindRule:
			s += " " + e.Chain
			if e.Op == monitor.OpNew {
				s += " " + e.Text
			}
		case monitor.KindSet, monitor.KindElement:
			s += " " + e.Set
			if e.Kind == monitor.KindElement {
				s += fmt.Sprintf(" x%d", len(e.Elements))
			}
		case monitor.KindObject:
			s += " " + e.Object.Name
		case monitor.KindFlowtable:
			s += " " + e.Flowtable.Name
		case monitor.KindUnknown:
			s += fmt.Sprintf(" %v", e.Err)
		}
		out = append(out, s)
	}
	return out
}

// TestKernelEvents checks the events of each entity kind against what was
// done, and the commit header against the committing nft process.
func TestKernelEvents(t *testing.T) {
	nstest.Require(t)
	ns := nstest.New(t)
	s, err := monitor.Subscribe(nsOpts(ns))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()

	steps := []struct {
		script string
		want   []string
	}{
		{
			script: `add table ip t
add chain ip t c { type filter hook input priority filter; policy accept; }
add chain ip t r
add set ip t s { type ipv4_addr; }
add element ip t s { 192.0.2.1, 192.0.2.2 }
add rule ip t c tcp dport 22 accept
add rule ip t c ip saddr @s drop
add rule ip t c tcp dport { 80, 443 } counter accept comment "web"
add counter ip t cnt
add quota ip t q { over 10 mbytes }
`,
			want: []string{
				"new table ip t",
				"new chain ip t c",
				"new chain ip t r",
				"new set ip t s",
				"new element ip t s x1",
				"new element ip t s x1",
				"new rule ip t c tcp dport 22 accept",
				"new rule ip t c ip saddr @s drop",
				"new set ip t __set0",
				"new element ip t __set0 x1",
				"new element ip t __set0 x1",
				`new rule ip t c tcp dport { 80, 443 } counter packets 0 bytes 0 accept comment "web"`,
				"new object ip t cnt",
				"new object ip t q",
			},
		},
		{script: "insert rule ip t c udp dport 53 accept\n", want: []string{"new rule ip t c udp dport 53 accept"}},
		{script: "delete element ip t s { 192.0.2.1 }\n", want: []string{"delete element ip t s x1"}},
		{script: "chain ip t c { policy drop; }\n", want: []string{"new chain ip t c"}},
		{script: "delete counter ip t cnt\n", want: []string{"delete object ip t cnt"}},
		{script: "flush chain ip t c\n", want: []string{
			"delete rule ip t c", "delete rule ip t c", "delete rule ip t c", "delete rule ip t c",
			"delete set ip t __set0",
		}},
		{script: "delete table ip t\n", want: []string{
			"delete set ip t s", "delete object ip t q", "delete chain ip t c", "delete chain ip t r", "delete table ip t",
		}},
	}
	for i, st := range steps {
		ns.NftScript(t, st.script)
		gen := genNow(t, ns)
		cs := until(t, s, gen)
		if len(cs) != 1 {
			t.Fatalf("step %d: %d commits, want 1", i, len(cs))
		}
		c := cs[0]
		if c.Proc != "nft" || c.PID == 0 {
			t.Errorf("step %d: commit by %d (%q), want an nft process", i, c.PID, c.Proc)
		}
		if d := cmp.Diff(st.want, describe(c)); d != "" {
			t.Errorf("step %d (%q): events (-want +got):\n%s", i, st.script, d)
		}
	}
	if st := s.Stats(); st.Commits != uint64(len(steps)) || st.Overruns != 0 || st.Undecoded != 0 || st.Stray != 0 {
		t.Errorf("stats %+v", st)
	}
}

// TestKernelEventValues checks that events carry full values: the rule's
// expressions and anonymous set, the chain's hook, the elements' keys.
func TestKernelEventValues(t *testing.T) {
	nstest.Require(t)
	ns := nstest.New(t)
	s, err := monitor.Subscribe(nsOpts(ns))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ns.NftScript(t, `table inet f {
	set blk { type ipv4_addr; elements = { 198.51.100.7 } }
	chain in { type filter hook input priority 10; policy drop; }
}
add rule inet f in tcp dport { 22, 80 } accept
`)
	c := until(t, s, genNow(t, ns))[0]
	var ch *ruleset.Chain
	var r *ruleset.Rule
	var el *ruleset.Element
	for _, e := range c.Events {
		switch {
		case e.Kind == monitor.KindChain:
			ch = e.ChainObj
		case e.Kind == monitor.KindRule:
			r = e.Rule
		case e.Kind == monitor.KindElement && e.Set == "blk":
			el = e.Elements[0]
		}
	}
	if ch == nil || ch.Hook == nil || ch.Hook.Type != "filter" || ch.Hook.Num != 1 || ch.Hook.Priority != 10 || ch.Hook.Policy == nil || *ch.Hook.Policy != 0 {
		t.Errorf("chain event value %+v", ch)
	}
	if r == nil || len(r.Exprs) == 0 || len(r.Sets) != 1 || len(r.Sets[0].Elements) != 2 || r.Handle == 0 {
		t.Fatalf("rule event value %+v", r)
	}
	if el == nil || !bytes.Equal(el.Key, []byte{198, 51, 100, 7}) {
		t.Errorf("element event value %+v", el)
	}
	// The event's rule equals the pulled one.
	got := pullNow(t, ns).Table(ruleset.FamilyInet, "f").Chain("in").Rules[0]
	if !reflect.DeepEqual(got, r) {
		t.Errorf("event rule differs from pulled rule:\n%+v\n%+v", r, got)
	}
}

// churn generates an nft -i script of n single-command transactions on
// table ip w (and the elements of set ip seed s): rules appended,
// inserted at indexes, replaced and deleted by handle, chains created and
// deleted, elements added and removed, chain policy updates. It tracks
// the table's handle counter, so deletes name existing rules.
type churn struct {
	rnd    *rand.Rand
	handle uint64              // last handle allocated in table w
	chains map[string][]uint64 // chain -> rule handles in order
	extra  []string            // empty extra chains
	elems  []string            // elements present in seed s
	nextX  int
	lines  []string
}

func newChurn(seed uint64) *churn {
	return &churn{rnd: rand.New(rand.NewPCG(seed, 1)), chains: map[string][]uint64{}}
}

func (w *churn) emit(s string) { w.lines = append(w.lines, s) }
func (w *churn) alloc() uint64 { w.handle++; return w.handle }

func (w *churn) gen(n int) []string {
	w.emit("add table ip w")
	for _, c := range []string{"c0", "c1", "c2"} {
		w.emit("add chain ip w " + c)
		w.alloc()
		w.chains[c] = nil
	}
	w.emit("add chain ip w in { type filter hook input priority 0; policy accept; }")
	w.alloc()
	w.chains["in"] = nil
	names := []string{"c0", "c1", "c2", "in"}
	for len(w.lines) < n {
		c := names[w.rnd.IntN(len(names))]
		rules := w.chains[c]
		p := w.rnd.IntN(65000) + 1
		switch k := w.rnd.IntN(100); {
		case k < 25:
			w.emit(fmt.Sprintf("add rule ip w %s tcp dport %d accept", c, p))
			w.chains[c] = append(rules, w.alloc())
		case k < 32:
			w.emit(fmt.Sprintf("add rule ip w %s tcp dport { %d, %d } counter drop", c, p, p+1))
			w.alloc() // the anonymous set
			w.chains[c] = append(rules, w.alloc())
		case k < 42 && len(rules) > 0:
			i := w.rnd.IntN(len(rules))
			w.emit(fmt.Sprintf("insert rule ip w %s index %d udp dport %d drop", c, i, p))
			w.chains[c] = slices.Insert(rules, i, w.alloc())
		case k < 50 && len(rules) > 0:
			i := w.rnd.IntN(len(rules))
			w.emit(fmt.Sprintf("add rule ip w %s index %d meta mark %d accept", c, i, p))
			w.chains[c] = slices.Insert(rules, i+1, w.alloc())
		case k < 55 && len(rules) > 0:
			i := w.rnd.IntN(len(rules))
			w.emit(fmt.Sprintf("replace rule ip w %s handle %d ip daddr 10.%d.%d.1 accept", c, rules[i], p>>8, p&255))
		case k < 70 && len(rules) > 0:
			i := w.rnd.IntN(len(rules))
			w.emit(fmt.Sprintf("delete rule ip w %s handle %d", c, rules[i]))
			w.chains[c] = slices.Delete(rules, i, i+1)
		case k < 72 && len(rules) > 0:
			w.emit("flush chain ip w " + c)
			w.chains[c] = nil
		case k < 76:
			x := fmt.Sprintf("x%d", w.nextX)
			w.nextX++
			w.emit("add chain ip w " + x)
			w.alloc()
			w.extra = append(w.extra, x)
		case k < 79 && len(w.extra) > 0:
			i := w.rnd.IntN(len(w.extra))
			w.emit("delete chain ip w " + w.extra[i])
			w.extra = slices.Delete(w.extra, i, i+1)
		case k < 90:
			e := fmt.Sprintf("192.0.%d.%d", p>>8, p&255)
			if !slices.Contains(w.elems, e) {
				w.emit("add element ip seed s { " + e + " }")
				w.elems = append(w.elems, e)
			}
		case k < 97 && len(w.elems) > 0:
			i := w.rnd.IntN(len(w.elems))
			w.emit("delete element ip seed s { " + w.elems[i] + " }")
			w.elems = slices.Delete(w.elems, i, i+1)
		case k < 100:
			pol := []string{"accept", "drop"}[w.rnd.IntN(2)]
			w.emit("chain ip w in { policy " + pol + "; }")
		}
	}
	return w.lines
}

const seedScript = `table ip seed {
	set s { type ipv4_addr; elements = { 203.0.113.1, 203.0.113.2 } }
	set iv { type ipv4_addr; flags interval; elements = { 10.0.0.0/8, 172.16.0.0/12 } }
	counter hits { }
	chain in {
		type filter hook input priority filter; policy accept;
		ip saddr @s counter drop
		tcp dport { 22, 80, 443 } accept
		ip daddr @iv accept comment "internal"
	}
	chain aux {
		counter name "hits"
	}
}
`

// normalize sorts set elements (their dump order is the set backend's,
// not the order they were added in), so values can be compared.
func normalize(rs *ruleset.Ruleset) {
	sortElems := func(s *ruleset.Set) {
		slices.SortFunc(s.Elements, func(a, b *ruleset.Element) int {
			if c := bytes.Compare(a.Key, b.Key); c != 0 {
				return c
			}
			return int(a.Flags) - int(b.Flags)
		})
	}
	for _, t := range rs.Tables {
		for _, s := range t.Sets {
			sortElems(s)
		}
		for _, c := range t.Chains {
			for _, r := range c.Rules {
				for _, s := range r.Sets {
					sortElems(s)
				}
			}
		}
	}
}

// listing prints rs with handles, for failure messages.
func listing(rs *ruleset.Ruleset) string {
	var b strings.Builder
	format.RulesetOpts(&b, rs, &format.Options{Handles: true})
	return b.String()
}

// sameRuleset fails the test unless got equals want exactly.
func sameRuleset(t *testing.T, what string, got, want *ruleset.Ruleset) {
	t.Helper()
	normalize(got)
	normalize(want)
	if reflect.DeepEqual(got, want) {
		return
	}
	if d := cmp.Diff(listing(want), listing(got)); d != "" {
		t.Fatalf("%s: ruleset differs (-final pull +snapshot and events):\n%s", what, d)
	}
	if d := cmp.Diff(want, got, cmp.Exporter(func(reflect.Type) bool { return true })); d != "" {
		t.Fatalf("%s: ruleset values differ (-final pull +snapshot and events):\n%s", what, d)
	}
	t.Fatalf("%s: rulesets differ", what)
}

// TestKernelSnapshotChurn takes a snapshot while an independent writer
// (nft -i, one transaction per line) commits 1,000 changes, then checks
// that the snapshot plus the delivered commits equal a final pull, and
// that the delivered generations are exactly snapshot+1 ... final: no
// duplicate, no gap.
func TestKernelSnapshotChurn(t *testing.T) {
	nstest.Require(t)
	for seed := range uint64(3) {
		t.Run(fmt.Sprint("seed", seed), func(t *testing.T) { snapshotChurn(t, seed) })
	}
}

func snapshotChurn(t *testing.T, seed uint64) {
	ns := nstest.New(t)
	ns.NftScript(t, seedScript)
	gen0 := genNow(t, ns)

	// A plain subscription tells when the writer is under way.
	watch, err := monitor.Subscribe(monitor.Options{NetNS: nfnl.NetNSPath(ns.Path()), NoText: true})
	if err != nil {
		t.Fatal(err)
	}
	defer watch.Close()

	lines := newChurn(seed).gen(1000)
	cmd := ns.Command("nft", "-i")
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = io.Discard, &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	first := strings.Join(lines[:300], "\n") + "\n"
	if _, err := io.WriteString(stdin, first); err != nil {
		t.Fatal(err)
	}
	// Wait until the writer has committed 50 changes, then snapshot
	// while it works through the rest.
	for n := 0; n < 50; {
		if c := next(t, watch); !c.Resync {
			n++
		}
	}
	snap, s, err := monitor.Snapshot(nsOpts(ns))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, err := io.WriteString(stdin, strings.Join(lines[300:], "\n")+"\n"); err != nil {
		t.Fatal(err)
	}
	stdin.Close()
	if err := cmd.Wait(); err != nil || stderr.Len() > 0 {
		t.Fatalf("writer: %v: %s", err, stderr.String())
	}
	final := genNow(t, ns)
	if want := gen0 + uint32(len(lines)); final != want {
		t.Fatalf("writer made %d commits, want %d", final-gen0, len(lines))
	}
	snapGen := s.Gen()
	t.Logf("seed gen %d, snapshot gen %d, final gen %d", gen0, snapGen, final)
	if snapGen < gen0+50 || snapGen >= final {
		t.Errorf("snapshot at gen %d was not taken during the churn (%d..%d)", snapGen, gen0+50, final)
	}

	cs := until(t, s, final)
	expect := snapGen + 1
	for _, c := range cs {
		if c.Resync {
			t.Fatalf("unexpected resync (stats %+v)", s.Stats())
		}
		if c.Gen != expect {
			t.Fatalf("commit of generation %d delivered, want %d (duplicate or gap)", c.Gen, expect)
		}
		expect++
		if err := monitor.Apply(snap, c); err != nil {
			t.Fatalf("apply gen %d: %v", c.Gen, err)
		}
	}
	sameRuleset(t, "snapshot + events", snap, pullNow(t, ns))
	t.Logf("%d commits applied onto the snapshot; stats %+v", len(cs), s.Stats())
}

// TestKernelOverrun gives a snapshot stream a tiny receive buffer and a
// one-commit channel nobody reads while a burst of commits arrives: the
// socket overflows, a resync commit with a fresh snapshot is delivered,
// and the stream stays live: the next change arrives after it, and
// snapshot plus events still equal a final pull.
func TestKernelOverrun(t *testing.T) {
	nstest.Require(t)
	ns := nstest.New(t)
	ns.NftScript(t, seedScript)
	snap, s, err := monitor.Snapshot(monitor.Options{NetNS: nfnl.NetNSPath(ns.Path()), RcvBuf: 4096, Buffer: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	burstRules(t, ns, 0, 300)
	burst := genNow(t, ns)

	// Read until the resync; the commits before it are torn or stale.
	resyncs := 0
	var cs []monitor.Commit
	for resyncs == 0 {
		c := next(t, s)
		if c.Resync {
			resyncs++
			if c.Snapshot == nil || c.Gen == 0 || c.Gen > burst {
				t.Fatalf("resync without a snapshot of the burst: %+v", c)
			}
		}
		if err := monitor.Apply(snap, c); err != nil {
			t.Fatalf("apply gen %d: %v", c.Gen, err)
		}
		cs = append(cs, c)
	}
	cs = append(cs, goesOn(t, ns, s, snap)...)
	st := s.Stats()
	t.Logf("%d commits/resyncs read; stats %+v", len(cs), st)
	if st.Overruns == 0 {
		t.Fatalf("no overrun reported (stats %+v)", st)
	}
	sameRuleset(t, "snapshot + events after overrun", snap, pullNow(t, ns))
}

// TestKernelOverrunDuringResync makes commits while the stream is busy
// with a resync it cannot deliver yet: after an overrun the kernel drops
// silently until the socket's queue has been read empty, so those commits
// must be reported by a new overrun, never lost.
func TestKernelOverrunDuringResync(t *testing.T) {
	nstest.Require(t)
	ns := nstest.New(t)
	ns.NftScript(t, seedScript)
	pulled := make(chan struct{}, 1)
	var initial atomic.Bool
	opts := monitor.Options{NetNS: nfnl.NetNSPath(ns.Path()), RcvBuf: 4096, Buffer: 1,
		Pull: func(c *nfnl.Conn) (*ruleset.Ruleset, error) {
			rs, err := kernel.Pull(c, kernel.PullOptions{})
			if initial.Swap(true) {
				select { // a resync's pull
				case pulled <- struct{}{}:
				default:
				}
			}
			return rs, err
		}}
	snap, s, err := monitor.Snapshot(opts)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	burstRules(t, ns, 0, 300)
	// One commit read frees the channel: the stream reads on, meets the
	// overrun and pulls; its resync then waits for the full channel.
	c := next(t, s)
	if err := monitor.Apply(snap, c); err != nil {
		t.Fatalf("apply gen %d: %v", c.Gen, err)
	}
	select {
	case <-pulled:
	case <-time.After(waitTimeout):
		t.Fatalf("no resync pull within %v; stats %+v", waitTimeout, s.Stats())
	}
	burstRules(t, ns, 300, 100) // while nobody reads
	goesOn(t, ns, s, snap)
	st := s.Stats()
	t.Logf("stats %+v", st)
	if st.Overruns < 2 {
		t.Errorf("the commits made during the resync were not reported as an overrun (stats %+v)", st)
	}
	sameRuleset(t, "snapshot + events after two overruns", snap, pullNow(t, ns))
}

// burstRules makes n commits of one rule each, through one nft process.
func burstRules(t *testing.T, ns *nstest.NS, from, n int) {
	t.Helper()
	var script strings.Builder
	for i := range n {
		fmt.Fprintf(&script, "add rule ip seed aux tcp dport %d counter accept\n", from+i+1)
	}
	if _, err := ns.RunInput(t, script.String(), "nft", "-i"); err != nil {
		t.Fatal(err)
	}
}

// goesOn applies the commits of s onto snap until a new change arrives
// as a commit of its own, and returns what it read. A resync taken while
// an earlier burst still overflowed the socket can be followed by another
// whose pull already holds the change: then it makes another.
func goesOn(t *testing.T, ns *nstest.NS, s *monitor.Stream, snap *ruleset.Ruleset) []monitor.Commit {
	t.Helper()
	var cs []monitor.Commit
	for try := range 5 {
		name := fmt.Sprintf("after%d", try)
		ns.Nft(t, "add", "table", "ip", name)
		final := genNow(t, ns)
		for {
			c := next(t, s)
			if err := monitor.Apply(snap, c); err != nil {
				t.Fatalf("apply gen %d: %v", c.Gen, err)
			}
			cs = append(cs, c)
			if !c.Resync && c.Gen == final {
				if len(c.Events) != 1 || c.Events[0].Kind != monitor.KindTable || c.Events[0].Table != name {
					t.Errorf("last commit %v, want the new table %s", describe(c), name)
				}
				return cs
			}
			if c.Resync && int32(c.Gen-final) >= 0 {
				break // the resync's pull holds the change
			}
		}
	}
	t.Fatalf("every new change was absorbed by a resync (stats %+v)", s.Stats())
	return nil
}
