package main

import (
	"bufio"
	"encoding/json"
	"io"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/nfsh/nfsh/tests/go/nstest"
)

// runMonitor starts cmdMonitor with args inside ns and returns its output
// lines once it reports changes; stop ends it.
func runMonitor(t *testing.T, ns *nstest.NS, args ...string) (lines <-chan string, stop func()) {
	t.Helper()
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	go func() {
		var stderr strings.Builder
		err := ns.Do(func() error { return cmdMonitor(args, pw, &stderr) })
		pw.Close()
		done <- err
	}()
	ch := make(chan string, 256)
	go func() {
		defer close(ch)
		sc := bufio.NewScanner(pr)
		for sc.Scan() {
			ch <- sc.Text()
		}
	}()
	// Probe until the monitor reports a change, then drain the probes.
	for synced := false; !synced; {
		ns.Nft(t, "add", "table", "ip", "probe")
		ns.Nft(t, "delete", "table", "ip", "probe")
		select {
		case <-ch:
			synced = true
		case <-time.After(100 * time.Millisecond):
		}
	}
	ns.Nft(t, "add", "table", "ip", "sync")
	for l := range ch {
		if strings.Contains(l, "sync") {
			break
		}
	}
	if !slices.Contains(args, "--json") {
		<-ch // the generation line of the sync commit
	}
	return ch, func() {
		pr.Close()
		ns.Nft(t, "delete", "table", "ip", "sync") // makes the monitor write, and fail
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			t.Error("monitor did not stop")
		}
	}
}

// TestMonitorCommand checks the text lines of `nfsh monitor`.
func TestMonitorCommand(t *testing.T) {
	nstest.Require(t)
	ns := nstest.New(t)
	lines, stop := runMonitor(t, ns)
	defer stop()
	ns.NftScript(t, `add table inet f
add chain inet f in { type filter hook input priority filter; policy drop; }
add rule inet f in ct state established,related accept
add rule inet f in tcp dport { 22, 443 } accept
`)
	want := []string{
		"add table inet f",
		"add chain inet f in { type filter hook input priority filter; policy drop; }",
		"add rule inet f in ct state established,related accept",
		"add rule inet f in tcp dport { 22, 443 } accept",
	}
	var got []string
	for l := range lines {
		if strings.HasPrefix(l, "# new generation") {
			if !strings.HasSuffix(l, "(nft)") {
				t.Errorf("generation line %q", l)
			}
			break
		}
		got = append(got, l)
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("nfsh monitor (-want +got):\n%s", d)
	}
}

// TestMonitorCommandJSON checks `nfsh monitor --json`.
func TestMonitorCommandJSON(t *testing.T) {
	nstest.Require(t)
	ns := nstest.New(t)
	lines, stop := runMonitor(t, ns, "--json")
	defer stop()
	ns.NftScript(t, "add table ip t\nadd chain ip t c\nadd rule ip t c udp dport 53 drop\n")
	var c jsonCommit
	if err := json.Unmarshal([]byte(<-lines), &c); err != nil {
		t.Fatal(err)
	}
	if c.Proc != "nft" || len(c.Events) != 3 {
		t.Fatalf("commit %+v", c)
	}
	r := c.Events[2]
	if r.Op != "add" || r.Kind != "rule" || r.Text != "udp dport 53 drop" || r.Handle == 0 || r.Line != "add rule ip t c udp dport 53 drop" {
		t.Errorf("rule event %+v", r)
	}
}
