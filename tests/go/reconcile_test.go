package gotests

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/sys/unix"

	"github.com/nfsh/nfsh/core/compile"
	"github.com/nfsh/nfsh/core/diag"
	"github.com/nfsh/nfsh/core/kernel"
	"github.com/nfsh/nfsh/core/nfnl"
	"github.com/nfsh/nfsh/core/ruleset"
	"github.com/nfsh/nfsh/tests/go/nstest"
)

// corpusDir is the nftables 1.0.6 test corpus (tests/py/**/*.t).
const corpusDir = "/work/shared/nftables-tests/tests/py"

// dialNS opens an nfnetlink socket inside ns.
func dialNS(t testing.TB, ns *nstest.NS) *nfnl.Conn {
	t.Helper()
	c, err := nfnl.Dial(nfnl.Options{NetNS: nfnl.NetNSPath(ns.Path())})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// desiredValue compiles an nft script into the value it describes; the
// tables persist (they were not created by this socket).
func desiredValue(t testing.TB, src string) *ruleset.Ruleset {
	t.Helper()
	cmds, err := compile.Source("desired.nft", []byte(src), nil)
	if err != nil {
		t.Fatalf("compile: %v\n%s", err, src)
	}
	rs := &ruleset.Ruleset{}
	for i := range cmds {
		if err := rs.Apply(&cmds[i]); err != nil {
			t.Fatalf("offline apply: %v", err)
		}
	}
	for _, tb := range rs.Tables {
		tb.Persist = true
	}
	return rs
}

// corpusRules returns the distinct `ok` rules of the corpus files that
// test the inet family, without named sets, objects or variables.
func corpusRules(t testing.TB) []string {
	t.Helper()
	files, _ := filepath.Glob(filepath.Join(corpusDir, "*", "*.t"))
	if len(files) == 0 {
		if nstest.InCI() {
			t.Fatalf("nftables corpus not found in %s (CI=true forbids skipping)", corpusDir)
		}
		t.Skipf("nftables corpus not found in %s", corpusDir)
	}
	seen := map[string]bool{}
	var out []string
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(b), "\n*inet;") {
			continue
		}
		for _, line := range strings.Split(string(b), "\n") {
			if line == "" || strings.ContainsAny(line[:1], "#:*!?%- ") {
				continue
			}
			fields := strings.Split(line, ";")
			if len(fields) < 2 || strings.TrimRight(fields[1], " ") != "ok" {
				continue
			}
			r := strings.TrimSpace(fields[0])
			if r == "" || strings.ContainsAny(r, "@$") || seen[r] {
				continue
			}
			seen[r] = true
			out = append(out, r)
		}
	}
	return out
}

var nftErrLine = regexp.MustCompile(`/dev/stdin:(\d+):\d+(?:-\d+)?: Error`)

// rulePool selects the corpus rules usable as property-test material: they
// compile with core/compile, nft accepts them in a regular chain of an inet
// table, they list distinctly, and nfsh's compiled value of them is the
// value the kernel holds after nft loaded them (an empty reconcile). It
// returns the rule texts and how many candidates each filter kept.
func rulePool(t testing.TB, ns *nstest.NS) []string {
	t.Helper()
	cands := corpusRules(t)
	var compiled []string
	for _, r := range cands {
		src := "table inet pool {\n\tchain c {\n\t\t" + r + "\n\t}\n}\n"
		if _, err := compile.Source("pool.nft", []byte(src), nil); err == nil {
			compiled = append(compiled, r)
		}
	}
	script := func(rules []string) string {
		var b strings.Builder
		b.WriteString("table inet pool {\n")
		for i, r := range rules {
			fmt.Fprintf(&b, "\tchain c%d {\n\t\t%s\n\t}\n", i, r)
		}
		b.WriteString("}\n")
		return b.String()
	}
	// Drop what nft refuses: nft names the failing lines (3 per rule).
	accepted := compiled
	for try := 0; ; try++ {
		ns.Nft(t, "flush", "ruleset")
		_, err := ns.RunInput(t, script(accepted), "nft", "-f", "-")
		if err == nil {
			break
		}
		bad := map[int]bool{}
		for _, m := range nftErrLine.FindAllStringSubmatch(err.Error(), -1) {
			n, _ := strconv.Atoi(m[1])
			bad[(n-3)/3] = true
		}
		if len(bad) == 0 || try > 50 {
			t.Fatalf("nft refuses the pool and names no line: %v", err)
		}
		var keep []string
		for i, r := range accepted {
			if !bad[i] {
				keep = append(keep, r)
			}
		}
		accepted = keep
	}
	// Distinct as nft lists them.
	texts := chainTexts(ns.Nft(t, "list", "table", "inet", "pool"))
	seen := map[string]bool{}
	var distinct []string
	for i, r := range accepted {
		txt := texts[fmt.Sprintf("c%d", i)]
		if txt == "" || seen[txt] || strings.Count(txt, "\n") != 1 {
			continue
		}
		seen[txt] = true
		distinct = append(distinct, r)
	}
	// Listed alike: what nfsh pushes of the rule lists as what nft loads
	// (else the compiler, not reconcile, is at fault).
	ns.Nft(t, "flush", "ruleset")
	ns.NftScript(t, script(distinct))
	nftTexts := chainTexts(ns.Nft(t, "list", "table", "inet", "pool"))
	c := dialNS(t, ns)
	refused := map[string]bool{} // chains whose rule the kernel refused from nfsh
	for try := 0; ; try++ {
		ns.Nft(t, "flush", "ruleset")
		var keep []string
		for i, r := range distinct {
			if k := fmt.Sprintf("c%d", i); !refused[k] {
				keep = append(keep, r)
			} else {
				keep = append(keep, "accept") // keeps the chain numbering
			}
		}
		err := kernel.Apply(c, mustCompile(t, script(keep)), kernel.ApplyOptions{Persist: true})
		if err == nil {
			break
		}
		n := len(refused)
		for _, e := range kernel.AllErrors(err) {
			if m := poolChainRE.FindStringSubmatch(e.Error()); m != nil {
				refused[m[1]] = true
			}
		}
		if len(refused) == n || try > 20 {
			t.Fatalf("pushing the pool with nfsh: %v", err)
		}
	}
	nfshTexts := chainTexts(ns.Nft(t, "list", "table", "inet", "pool"))
	var alike []string
	for i, r := range distinct {
		k := fmt.Sprintf("c%d", i)
		if refused[k] {
			if testing.Verbose() {
				t.Logf("kernel refuses nfsh's compilation of %q", r)
			}
		} else if nftTexts[k] == nfshTexts[k] {
			alike = append(alike, r)
		} else if testing.Verbose() {
			t.Logf("listed differently after nfsh's push: %q, nft: %q", nfshTexts[k], nftTexts[k])
		}
	}
	distinct = alike
	// Identity-stable: reconciling nfsh's compiled value against what nft
	// loaded must change nothing.
	ns.Nft(t, "flush", "ruleset")
	ns.NftScript(t, script(distinct))
	res, err := kernel.Reconcile(c, desiredValue(t, script(distinct)), kernel.ReconcileOptions{DryRun: true})
	if err != nil {
		t.Fatalf("dry-run reconcile of the pool: %v", err)
	}
	unstable := map[string]bool{}
	for _, cmd := range res.Patch.Commands {
		unstable[cmd.Chain] = true
	}
	var pool []string
	for i, r := range distinct {
		if !unstable[fmt.Sprintf("c%d", i)] {
			pool = append(pool, r)
		} else if testing.Verbose() {
			t.Logf("not identity-stable (nfsh compiles it unlike nft): %s", r)
		}
	}
	t.Logf("rule pool: %d corpus ok rules, %d compile, %d nft accepts, %d list distinctly, %d of them list alike after nfsh's push, %d identity-stable",
		len(cands), len(compiled), len(accepted), len(seen), len(distinct), len(pool))
	ns.Nft(t, "flush", "ruleset")
	return pool
}

var poolChainRE = regexp.MustCompile(`inet pool (c\d+)`)

// mustCompile compiles an nft script.
func mustCompile(t testing.TB, src string) []ruleset.Command {
	t.Helper()
	cmds, err := compile.Source("pool.nft", []byte(src), nil)
	if err != nil {
		t.Fatalf("compile: %v", err)
	}
	return cmds
}

// chainTexts maps each chain of a table listing to its rules' text.
func chainTexts(listing string) map[string]string {
	texts := map[string]string{}
	chain := ""
	for _, l := range strings.Split(listing, "\n") {
		switch {
		case strings.HasPrefix(l, "\tchain "):
			chain = strings.Fields(l)[1]
		case strings.HasPrefix(l, "\t\t"):
			texts[chain] += strings.TrimSpace(l) + "\n"
		}
	}
	return texts
}

// genRule is one rule of a generated ruleset: an identity (for the
// expected longest common subsequence) and its nft text.
type genRule struct {
	id, text string
}

// genTable is a generated table: the base chain's policy and rules, the
// named set's elements and the regular chains.
type genTable struct {
	policy string
	input  []genRule
	elems  []string
	chains map[int][]genRule // c0..c4; absent = no such chain
}

const genChains = 5

var baseRules = []string{
	"tcp dport 22 accept", "ct state established,related accept", "iif \"lo\" accept",
	"ip saddr @s drop", "udp dport { 53, 123 } accept", "meta l4proto icmp accept", "ip6 nexthdr ipv6-icmp accept",
}

// pick returns n distinct random rules of the pool, as genRules.
func pick(rng *rand.Rand, pool []string, n int, exclude map[string]bool) []genRule {
	var out []genRule
	for tries := 0; len(out) < n && tries < 10*n; tries++ {
		i := rng.IntN(len(pool))
		id := "p" + strconv.Itoa(i)
		if exclude[id] {
			continue
		}
		exclude[id] = true
		out = append(out, genRule{id, pool[i]})
	}
	return out
}

func ids(rs []genRule) map[string]bool {
	m := map[string]bool{}
	for _, r := range rs {
		m[r.id] = true
	}
	return m
}

func randomTable(rng *rand.Rand, pool []string) *genTable {
	g := &genTable{policy: []string{"accept", "drop"}[rng.IntN(2)], chains: map[int][]genRule{}}
	for _, i := range rng.Perm(len(baseRules))[:rng.IntN(len(baseRules))] {
		g.input = append(g.input, genRule{"b" + strconv.Itoa(i), baseRules[i]})
	}
	for i := range 8 {
		if rng.IntN(2) == 0 {
			g.elems = append(g.elems, fmt.Sprintf("192.0.2.%d", i+1))
		}
	}
	for c := range genChains {
		if rng.IntN(4) != 0 {
			g.chains[c] = pick(rng, pool, rng.IntN(8), map[string]bool{})
		}
	}
	g.fixJumps(rng)
	return g
}

// fixJumps drops jumps to missing chains and adds some jumps forward
// (cI jumps only to cJ with J > I, so there are no loops).
func (g *genTable) fixJumps(rng *rand.Rand) {
	for c, rules := range g.chains {
		var keep []genRule
		for _, r := range rules {
			if strings.HasPrefix(r.id, "j") {
				if _, ok := g.chains[int(r.id[1]-'0')]; !ok {
					continue
				}
			}
			keep = append(keep, r)
		}
		for d := c + 1; d < genChains; d++ {
			if _, ok := g.chains[d]; ok && rng.IntN(4) == 0 && !ids(keep)["j"+strconv.Itoa(d)] {
				at := rng.IntN(len(keep) + 1)
				keep = append(keep[:at], append([]genRule{{"j" + strconv.Itoa(d), fmt.Sprintf("jump c%d", d)}}, keep[at:]...)...)
			}
		}
		g.chains[c] = keep
	}
}

// mutate derives B from A: rules deleted, inserted and swapped, chains
// dropped and added, the policy flipped, set elements changed.
func (g *genTable) mutate(rng *rand.Rand, pool []string) *genTable {
	m := &genTable{policy: g.policy, chains: map[int][]genRule{}}
	if rng.IntN(4) == 0 {
		m.policy = map[string]string{"accept": "drop", "drop": "accept"}[g.policy]
	}
	m.input = editRules(rng, g.input, func(ex map[string]bool) []genRule {
		i := rng.IntN(len(baseRules))
		if ex["b"+strconv.Itoa(i)] {
			return nil
		}
		return []genRule{{"b" + strconv.Itoa(i), baseRules[i]}}
	})
	for i := range 8 {
		if rng.IntN(5) == 0 {
			m.elems = append(m.elems, fmt.Sprintf("192.0.2.%d", i+1))
		}
	}
	if rng.IntN(2) == 0 {
		m.elems = append([]string(nil), g.elems...)
		if len(m.elems) > 0 && rng.IntN(2) == 0 {
			m.elems = m.elems[1:]
		}
	}
	for c := range genChains {
		rules, ok := g.chains[c]
		switch {
		case ok && rng.IntN(8) == 0: // dropped
		case !ok && rng.IntN(4) == 0:
			m.chains[c] = pick(rng, pool, rng.IntN(6), map[string]bool{})
		case ok:
			m.chains[c] = editRules(rng, rules, func(ex map[string]bool) []genRule { return pick(rng, pool, 1, ex) })
		}
	}
	m.fixJumps(rng)
	return m
}

// editRules deletes, inserts and swaps a few rules of a chain.
func editRules(rng *rand.Rand, rules []genRule, fresh func(map[string]bool) []genRule) []genRule {
	out := append([]genRule(nil), rules...)
	for range rng.IntN(4) {
		switch k := rng.IntN(3); {
		case k == 0 && len(out) > 0:
			i := rng.IntN(len(out))
			out = append(out[:i], out[i+1:]...)
		case k == 1:
			at := rng.IntN(len(out) + 1)
			out = append(out[:at], append(fresh(ids(out)), out[at:]...)...)
		case k == 2 && len(out) > 1:
			i, j := rng.IntN(len(out)), rng.IntN(len(out))
			out[i], out[j] = out[j], out[i]
		}
	}
	return out
}

// text renders the table; counters(id) gives the counter statement each
// rule starts with.
func (g *genTable) text(counter func(id string) string) string {
	var b strings.Builder
	b.WriteString("table inet t {\n\tset s {\n\t\ttype ipv4_addr\n")
	if len(g.elems) > 0 {
		b.WriteString("\t\telements = { " + strings.Join(g.elems, ", ") + " }\n")
	}
	b.WriteString("\t}\n")
	for c := range genChains {
		rules, ok := g.chains[c]
		if !ok {
			continue
		}
		fmt.Fprintf(&b, "\tchain c%d {\n", c)
		for _, r := range rules {
			fmt.Fprintf(&b, "\t\t%s%s\n", counter(r.id), r.text)
		}
		b.WriteString("\t}\n")
	}
	fmt.Fprintf(&b, "\tchain input {\n\t\ttype filter hook input priority filter; policy %s;\n", g.policy)
	for _, r := range g.input {
		fmt.Fprintf(&b, "\t\t%s%s\n", counter(r.id), r.text)
	}
	b.WriteString("\t}\n}\n")
	return b.String()
}

// lcsLen is the length of a longest common subsequence of two rule lists.
func lcsLen(a, b []genRule) int {
	dp := make([][]int, len(a)+1)
	for i := range dp {
		dp[i] = make([]int, len(b)+1)
	}
	for i := len(a) - 1; i >= 0; i-- {
		for j := len(b) - 1; j >= 0; j-- {
			if a[i].id == b[j].id {
				dp[i][j] = dp[i+1][j+1] + 1
			} else {
				dp[i][j] = max(dp[i+1][j], dp[i][j+1])
			}
		}
	}
	return dp[0][0]
}

// keptRules is how many rules a minimal patch from a to b keeps.
func keptRules(a, b *genTable) int {
	n := lcsLen(a.input, b.input)
	for c, ra := range a.chains {
		if rb, ok := b.chains[c]; ok {
			n += lcsLen(ra, rb)
		}
	}
	return n
}

var counterRE = regexp.MustCompile(`counter packets \d+ bytes \d+`)

// blocks returns a listing's chain and set blocks sorted (the kernel lists
// chains in creation order, which a reconcile does not reproduce), with
// counter values removed.
func blocks(listing string) string {
	listing = counterRE.ReplaceAllString(listing, "counter")
	var out []string
	var cur []string
	for _, l := range strings.Split(listing, "\n") {
		cur = append(cur, l)
		if l == "\t}" || l == "}" || strings.HasPrefix(l, "table ") {
			out = append(out, strings.Join(cur, "\n"))
			cur = nil
		}
	}
	out = append(out, strings.Join(cur, "\n"))
	sort.Strings(out)
	return strings.Join(out, "\n")
}

// handleListing parses `nft -a list table` into handle -> "chain|rule".
func handleListing(listing string) map[string]string {
	m := map[string]string{}
	chain := ""
	for _, l := range strings.Split(listing, "\n") {
		if strings.HasPrefix(l, "\tchain ") {
			chain = strings.Fields(l)[1]
			continue
		}
		if !strings.HasPrefix(l, "\t\t") {
			continue
		}
		if i := strings.LastIndex(l, " # handle "); i >= 0 {
			m[l[i+len(" # handle "):]] = chain + "|" + strings.TrimSpace(l[:i])
		}
	}
	return m
}

// TestReconcileProperty reconciles hundreds of random ruleset pairs A → B
// built from corpus rules: after the reconcile the kernel lists exactly
// what loading B afresh lists, the patch is minimal (as many rules keep
// their handle as a longest common subsequence allows) and every kept
// rule keeps its counter values.
func TestReconcileProperty(t *testing.T) {
	nstest.Require(t)
	ns := nstest.New(t)
	ref := nstest.New(t)
	pool := rulePool(t, ns)
	if len(pool) < 50 {
		t.Fatalf("rule pool too small: %d", len(pool))
	}
	pairs := 200
	if s := os.Getenv("NFSH_RECONCILE_PAIRS"); s != "" {
		pairs, _ = strconv.Atoi(s)
	}
	c := dialNS(t, ns)
	rng := rand.New(rand.NewPCG(uint64(len(pool)), 5))
	var cmdsSent, rulesKept, rulesTotal, failures int
	for pair := range pairs {
		a := randomTable(rng, pool)
		b := a.mutate(rng, pool)
		n := 0
		textA := a.text(func(string) string { n++; return fmt.Sprintf("counter packets %d bytes %d ", 1000+n, 7000+n) })
		textB := b.text(func(string) string { return "counter " })

		ns.Nft(t, "flush", "ruleset")
		ns.NftScript(t, "table inet other {\n\tchain x {\n\t\ttcp dport 9 drop\n\t}\n}\n")
		ns.NftScript(t, textA)
		before := handleListing(ns.Nft(t, "-a", "list", "table", "inet", "t"))
		other := ns.Nft(t, "list", "table", "inet", "other")

		res, err := kernel.Reconcile(c, desiredValue(t, textB), kernel.ReconcileOptions{})
		fail := func(format string, args ...any) {
			failures++
			t.Errorf("pair %d: %s\nA:\n%s\nB:\n%s\npatch:\n%s", pair, fmt.Sprintf(format, args...), textA, textB, res.Patch)
		}
		if err != nil {
			fail("reconcile: %v", err)
			continue
		}
		cmdsSent += len(res.Patch.Commands)

		ref.Nft(t, "flush", "ruleset")
		ref.NftScript(t, textB)
		want := blocks(ref.Nft(t, "list", "table", "inet", "t"))
		got := blocks(ns.Nft(t, "list", "table", "inet", "t"))
		if d := cmp.Diff(want, got); d != "" {
			fail("after reconcile the table differs from B loaded afresh (-B +reconciled):\n%s", d)
			continue
		}
		if o := ns.Nft(t, "list", "table", "inet", "other"); o != other {
			fail("the other table changed:\n%s", o)
		}
		after := handleListing(ns.Nft(t, "-a", "list", "table", "inet", "t"))
		kept := 0
		for h, r := range after {
			if old, ok := before[h]; ok {
				kept++
				if old != r {
					fail("rule handle %s changed from %q to %q (content or counter lost)", h, old, r)
				}
			}
		}
		if wantKept := keptRules(a, b); kept != wantKept {
			fail("%d rules kept their handle, a minimal patch keeps %d", kept, wantKept)
		}
		rulesKept += kept
		rulesTotal += len(after)
		// Idempotent: a second reconcile finds nothing to do.
		again, err := kernel.Reconcile(c, desiredValue(t, textB), kernel.ReconcileOptions{DryRun: true})
		if err != nil || !again.Patch.Empty() {
			fail("second reconcile not empty: %v\n%s", err, again.Patch)
		}
		if failures > 5 {
			t.Fatal("too many failures")
		}
	}
	t.Logf("%d pairs from a pool of %d corpus rules: %d commands sent, %d of %d final rules kept their handle and counters",
		pairs, len(pool), cmdsSent, rulesKept, rulesTotal)
}

// TestReconcileRace reconciles 500 times while another writer adds and
// deletes rules of another table with nft: every conflict is retried or
// reported, none of the other writer's rules is lost, and the final state
// is the desired value.
func TestReconcileRace(t *testing.T) {
	nstest.Require(t)
	ns := nstest.New(t)
	ns.NftScript(t, "table ip other {\n\tchain c {\n\t}\n}\n")
	c := dialNS(t, ns)

	// The desired values: 200 rules, a different tenth of them each time.
	desiredText := func(i int) string {
		var b strings.Builder
		b.WriteString("table inet mine {\n\tchain input {\n\t\ttype filter hook input priority filter; policy accept;\n")
		for r := range 200 {
			port := 1000 + r
			if r%10 == i%10 {
				port += 10000 + i%3
			}
			fmt.Fprintf(&b, "\t\ttcp dport %d counter accept\n", port)
		}
		b.WriteString("\t}\n}\n")
		return b.String()
	}

	// The other writer.
	stop := make(chan struct{})
	type result struct {
		want    []int
		commits int
		err     error
	}
	done := make(chan result)
	go func() {
		var live []struct{ port, handle int }
		res := result{}
		handleRE := regexp.MustCompile(`# handle (\d+)`)
		for n := 0; ; n++ {
			select {
			case <-stop:
				for _, l := range live {
					res.want = append(res.want, l.port)
				}
				done <- res
				return
			default:
			}
			port := 20000 + n
			out, err := ns.Run(t, "nft", "--echo", "--handle", "add", "rule", "ip", "other", "c", "tcp", "dport", strconv.Itoa(port), "accept")
			if err != nil {
				res.err = err
				done <- res
				return
			}
			m := handleRE.FindStringSubmatch(out)
			if m == nil {
				res.err = fmt.Errorf("no handle in %q", out)
				done <- res
				return
			}
			h, _ := strconv.Atoi(m[1])
			live = append(live, struct{ port, handle int }{port, h})
			res.commits++
			if n%2 == 1 {
				if _, err := ns.Run(t, "nft", "delete", "rule", "ip", "other", "c", "handle", strconv.Itoa(live[0].handle)); err != nil {
					res.err = err
					done <- res
					return
				}
				live = live[1:]
				res.commits++
			}
		}
	}()

	const rounds = 500
	var retried, reported, conflicts int
	last := -1
	for i := range rounds {
		res, err := kernel.Reconcile(c, desiredValue(t, desiredText(i)),
			kernel.ReconcileOptions{MaxAttempts: 4, Backoff: time.Millisecond, Persist: true})
		conflicts += res.Attempts - 1
		switch {
		case err == nil:
			last = i
			if res.Attempts > 1 {
				retried++
			}
		case errors.Is(err, unix.ERESTART):
			reported++
			var de *diag.Error
			if !errors.As(err, &de) || de.Errno != unix.ERESTART || res.Attempts != 4 ||
				!strings.Contains(err.Error(), "4 attempts") || !strings.Contains(err.Error(), fmt.Sprintf("generation %d", res.GenID)) {
				t.Errorf("exhaustion error %v (attempts %d, generation %d): want errno, attempts and generation", err, res.Attempts, res.GenID)
			}
		default:
			close(stop)
			<-done
			t.Fatalf("reconcile %d: %v", i, err)
		}
	}
	close(stop)
	w := <-done
	if w.err != nil {
		t.Fatalf("the other writer: %v", w.err)
	}
	t.Logf("%d reconciles beside %d commits of another writer: %d conflicts, %d reconciles succeeded after a retry, %d gave up and reported",
		rounds, w.commits, conflicts, retried, reported)
	if conflicts == 0 {
		t.Logf("no conflict happened this time")
	}

	// The other writer's rules are all there.
	var got []int
	for _, m := range regexp.MustCompile(`tcp dport (\d+) accept`).FindAllStringSubmatch(ns.Nft(t, "list", "table", "ip", "other"), -1) {
		p, _ := strconv.Atoi(m[1])
		got = append(got, p)
	}
	if d := cmp.Diff(w.want, got); d != "" {
		t.Errorf("the other writer's rules (-want +got):\n%s", d)
	}
	// The final state is the last desired value that went through.
	ref := nstest.New(t)
	ref.NftScript(t, desiredText(last))
	if d := cmp.Diff(blocks(ref.Nft(t, "list", "table", "inet", "mine")), blocks(ns.Nft(t, "list", "table", "inet", "mine"))); d != "" {
		t.Errorf("final state differs from the last reconciled value (-want +got):\n%s", d)
	}
}

// mutateRules derives B from A by editing rules only (the chains, the
// policy and the set stay): a patch of rule commands, which a Reconciler
// brings its remembered state forward over without pulling again.
func (g *genTable) mutateRules(rng *rand.Rand, pool []string) *genTable {
	m := &genTable{policy: g.policy, elems: g.elems, chains: map[int][]genRule{}}
	m.input = editRules(rng, g.input, func(ex map[string]bool) []genRule {
		i := rng.IntN(len(baseRules))
		if ex["b"+strconv.Itoa(i)] {
			return nil
		}
		return []genRule{{"b" + strconv.Itoa(i), baseRules[i]}}
	})
	for c, rules := range g.chains {
		m.chains[c] = editRules(rng, rules, func(ex map[string]bool) []genRule { return pick(rng, pool, 1, ex) })
	}
	m.fixJumps(rng)
	return m
}

// TestReconcileWarm reconciles one table through a long series of values
// with one Reconciler, so most reconciles diff against the state the
// previous commit left instead of pulling: after each, the kernel lists
// exactly what loading the value afresh lists, and a dry run finds nothing
// to do. Now and then nft changes the table behind nfsh's back: the
// generation moved, so the next reconcile pulls and undoes that change.
func TestReconcileWarm(t *testing.T) {
	nstest.Require(t)
	ns := nstest.New(t)
	ref := nstest.New(t)
	pool := rulePool(t, ns)
	ns.Nft(t, "flush", "ruleset")
	c := dialNS(t, ns)
	r := kernel.NewReconciler(c)
	rng := rand.New(rand.NewPCG(uint64(len(pool)), 9))
	g := randomTable(rng, pool)
	var warm, cold, foreign int
	prev := ""
	for step := range 120 {
		if step > 0 {
			if step%5 == 0 {
				g = g.mutate(rng, pool)
			} else {
				g = g.mutateRules(rng, pool)
			}
		}
		behind := step%9 == 4
		if behind {
			ns.Nft(t, "add", "rule", "inet", "t", "input", "tcp", "dport", "9999", "drop")
			foreign++
		}
		text := g.text(func(string) string { return "counter " })
		res, err := r.Reconcile(desiredValue(t, text), kernel.ReconcileOptions{Persist: true})
		if err != nil {
			t.Fatalf("step %d: reconcile: %v\nfrom:\n%s\nto:\n%s\npatch:\n%s", step, err, prev, text, res.Patch)
		}
		prev = text
		if res.Pulls == 0 {
			warm++
		} else {
			cold++
		}
		if behind && res.Pulls == 0 {
			t.Errorf("step %d: the generation moved (nft committed) but the reconcile did not pull", step)
		}
		ref.Nft(t, "flush", "ruleset")
		ref.NftScript(t, text)
		want := blocks(ref.Nft(t, "list", "table", "inet", "t"))
		got := blocks(ns.Nft(t, "list", "table", "inet", "t"))
		if d := cmp.Diff(want, got); d != "" {
			t.Fatalf("step %d (pulls %d): the table differs from the value loaded afresh (-want +got):\n%s\npatch:\n%s", step, res.Pulls, d, res.Patch)
		}
		again, err := r.Reconcile(desiredValue(t, text), kernel.ReconcileOptions{DryRun: true})
		if err != nil || !again.Patch.Empty() {
			t.Fatalf("step %d: second reconcile not empty: %v\n%s", step, err, again.Patch)
		}
		rulesOnly := true
		for _, cmd := range res.Patch.Commands {
			rulesOnly = rulesOnly && cmd.Kind == ruleset.KindRule
		}
		if rulesOnly && again.Pulls != 0 {
			t.Errorf("step %d: a dry run right after a reconcile of rules only pulled (%d)", step, again.Pulls)
		}
	}
	t.Logf("120 reconciles: %d diffed against the remembered state, %d pulled (%d after nft changed the table behind nfsh's back)", warm, cold, foreign)
	if warm < 60 {
		t.Errorf("only %d of 120 reconciles used the remembered state", warm)
	}
}
