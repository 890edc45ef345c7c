package gotests

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	glua "github.com/yuin/gopher-lua"

	"github.com/nfsh/nfsh/bindings"
	"github.com/nfsh/nfsh/core/nfnl"
	"github.com/nfsh/nfsh/core/ruleset"
	"github.com/nfsh/nfsh/lua"
	"github.com/nfsh/nfsh/tests/go/nstest"
)

// nsKernel is a bindings.Kernel that only names its namespace
// (bindings.NetNSer); the test makes its changes with nft.
type nsKernel struct{ ns nfnl.NetNS }

func (k nsKernel) NetNS() nfnl.NetNS                               { return k.ns }
func (nsKernel) Push(*ruleset.Ruleset, bindings.PushOptions) error { return bindings.ErrUnavailable }
func (nsKernel) Pull(ruleset.Family, string) (*ruleset.Ruleset, error) {
	return nil, bindings.ErrUnavailable
}
func (nsKernel) Apply([]ruleset.Command, bool, bool) error { return bindings.ErrUnavailable }
func (nsKernel) Features() map[string]bool                 { return nil }
func (nsKernel) Owned() []string                           { return nil }

// TestSubscribeDefaultsToSessionNetNS checks that nft.subscribe without a
// netns option watches the namespace the session's kernel connection
// names, not the process's.
func TestSubscribeDefaultsToSessionNetNS(t *testing.T) {
	nstest.Require(t)
	ns := nstest.New(t)
	var reported []string
	h := lua.New(lua.Options{
		Modules: map[string]glua.LGFunction{"nft": bindings.Loader(bindings.Core{Kernel: nsKernel{nfnl.NetNSPath(ns.Path())}})},
		Globals: []string{"nft"},
		OnError: func(err error) { reported = append(reported, err.Error()) },
	})
	defer h.Close()
	ctx := context.Background()
	if err := h.DoString(ctx, "sub.lua", `
got = {}
sub = assert(nft.subscribe(function(ev)
  got[#got + 1] = ev.line
  if ev.table == "done" then sub:close() end
end))
assert(sub.netns == "`+ns.Path()+`", tostring(sub.netns))
`); err != nil {
		t.Fatal(err)
	}
	ns.Nft(t, "add", "table", "ip", "t")
	ns.Nft(t, "add", "table", "ip", "done")
	lctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := h.Run(lctx); err != nil {
		t.Fatalf("event loop: %v (reported: %q)", err, reported)
	}
	got, err := h.Eval(ctx, "check.lua", "return table.concat(got, '|')")
	if err != nil {
		t.Fatal(err)
	}
	if want := "add table ip t|add table ip done"; got[0].String() != want {
		t.Errorf("events %q, want %q", got[0].String(), want)
	}
}

// TestWatchExampleDemo runs scripts/examples/watch.lua --demo with the
// real binary in a throwaway namespace: it prints the five changes of its
// own demo table as `nft monitor` does, then the generation line, and
// exits 0.
func TestWatchExampleDemo(t *testing.T) {
	nstest.Require(t)
	ns := nstest.New(t)
	out, err := ns.Run(t, nfshBin, repoFile("scripts/examples/watch.lua"), "--demo")
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	lines := strings.Split(strings.TrimRight(out, "\n"), "\n")
	want := []string{
		"add table inet nfsh_watch_demo",
		"add chain inet nfsh_watch_demo input { type filter hook input priority filter; policy accept; }",
		"add set inet nfsh_watch_demo trusted { type ipv4_addr; } ",
		"add element inet nfsh_watch_demo trusted { 192.0.2.10 }",
		"add rule inet nfsh_watch_demo input ip saddr @trusted tcp dport 22 accept",
	}
	if len(lines) != len(want)+1 {
		t.Fatalf("got %d lines, want %d:\n%s", len(lines), len(want)+1, out)
	}
	if d := cmp.Diff(want, lines[:len(want)]); d != "" {
		t.Errorf("watch.lua --demo (-want +got):\n%s", d)
	}
	if !regexp.MustCompile(`^# new generation \d+ by process \d+ \(.+\)$`).MatchString(lines[len(want)]) {
		t.Errorf("generation line %q", lines[len(want)])
	}
}

// TestWatchMatchesNftMonitor is a differential test: `nft monitor` and
// watch.lua (nft.subscribe) watch the same namespace while nft commits a
// ruleset of every common kind; both print the same lines.
func TestWatchMatchesNftMonitor(t *testing.T) {
	nstest.Require(t)
	ns := nstest.New(t)
	mon := startLines(t, ns, "nft", "monitor")
	watch := startLines(t, ns, nfshBin, repoFile("scripts/examples/watch.lua"))

	// Both are subscribed once both print a probe commit.
	synced := false
	for i := 0; i < 50 && !synced; i++ {
		probe := fmt.Sprintf("add table ip probe%d", i)
		ns.Nft(t, "add", "table", "ip", fmt.Sprintf("probe%d", i))
		synced = mon.waitFor(probe, 200*time.Millisecond) && watch.waitFor(probe, 200*time.Millisecond)
	}
	if !synced {
		t.Fatal("nft monitor and watch.lua never both showed a probe commit")
	}
	mon.next(time.Second) // the probe's generation lines
	watch.next(time.Second)

	script := `table inet f {
	set s { type ipv4_addr; flags interval; elements = { 10.0.0.0/8, 192.0.2.1 }; }
	set ports { type inet_service; }
	map m { type ipv4_addr : verdict; }
	counter c1 { }
	quota q1 { over 10 mbytes; }
	chain input {
		type filter hook input priority filter; policy drop;
		ip saddr @s counter accept
		tcp dport { 22, 443 } accept comment "svc"
		ip daddr vmap @m
	}
	chain other { }
}
insert rule inet f input iif "lo" accept
add element inet f ports { 80, 8080 }
add element inet f m { 198.51.100.1 : drop }
delete element inet f ports { 8080 }
delete chain inet f other
delete counter inet f c1
delete table inet f
`
	path := filepath.Join(t.TempDir(), "changes.nft")
	if err := os.WriteFile(path, []byte(script), 0o644); err != nil {
		t.Fatal(err)
	}
	ns.Nft(t, "-f", path)
	ns.Nft(t, "add", "table", "ip", "done")
	want := mon.until("add table ip done", 5*time.Second)
	got := watch.until("add table ip done", 5*time.Second)
	if len(want) < 20 {
		t.Fatalf("nft monitor printed only %d lines:\n%s", len(want), strings.Join(want, "\n"))
	}
	t.Logf("%d lines from each, e.g. %q", len(got), got[len(got)/2])
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("watch.lua differs from nft monitor (-nft +watch.lua):\n%s", d)
	}
}

// lineReader is a process started in a namespace whose output is read
// line by line.
type lineReader struct {
	lines chan string
	seen  []string
}

// startLines starts name args... in ns; the process is killed at the end
// of the test.
func startLines(t *testing.T, ns *nstest.NS, name string, args ...string) *lineReader {
	t.Helper()
	cmd := ns.Command(name, args...)
	pr, pw := io.Pipe()
	cmd.Stdout, cmd.Stderr = pw, pw
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	lr := &lineReader{lines: make(chan string, 1024)}
	go func() {
		sc := bufio.NewScanner(pr)
		for sc.Scan() {
			lr.lines <- sc.Text()
		}
		close(lr.lines)
	}()
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
		pw.Close()
	})
	return lr
}

// next returns the next line, or "" when none came within d.
func (lr *lineReader) next(d time.Duration) string {
	select {
	case l, ok := <-lr.lines:
		if ok {
			lr.seen = append(lr.seen, l)
		}
		return l
	case <-time.After(d):
		return ""
	}
}

// waitFor reads lines until one equals want (true) or none came within d.
func (lr *lineReader) waitFor(want string, d time.Duration) bool {
	for {
		l := lr.next(d)
		if l == "" {
			return false
		}
		if l == want {
			return true
		}
	}
}

// until returns the lines read before the one equal to last (which it
// consumes, with the generation line after it).
func (lr *lineReader) until(last string, d time.Duration) []string {
	var out []string
	for {
		l := lr.next(d)
		if l == "" || l == last {
			return out
		}
		out = append(out, l)
	}
}
