package gotests

import (
	"bufio"
	"errors"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/nfsh/nfsh/tests/go/nstest"
)

// TestLuaExamples runs every script of scripts/examples in its own
// throwaway network namespace (the real nfsh binary) and requires exit
// status 0 and a non-empty ruleset afterwards where the script persists
// its tables.
func TestLuaExamples(t *testing.T) {
	nstest.Require(t)
	files, err := filepath.Glob(repoFile("scripts/examples/*.lua"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) < 6 {
		t.Fatalf("want at least 6 example scripts, have %d", len(files))
	}
	persists := map[string]string{
		"host_firewall.lua":   "table inet nfsh_host",
		"nat_router.lua":      "table inet nfsh_router",
		"banlist_updater.lua": "table inet nfsh_bans",
		"pull_edit_push.lua":  "table inet filter",
	}
	args := map[string][]string{
		"banlist_updater.lua": {"198.51.100.7", "2001:db8::66"},
		"watch.lua":           {"--demo"},
	}
	// Listeners that run until stopped: they must announce themselves with
	// this line, own this table while they run, and exit 0 on SIGTERM,
	// their table gone with their socket.
	listeners := map[string]struct {
		args         []string
		ready, table string
	}{
		"autoban.lua": {nil, "autoban: watching", "table inet autoban"},
		"tally.lua":   {[]string{"--demo"}, "tally: counting", "table inet tally"},
	}
	for _, f := range files {
		base := filepath.Base(f)
		if l, ok := listeners[base]; ok {
			t.Run(strings.TrimSuffix(base, ".lua"), func(t *testing.T) {
				runListenerExample(t, f, l.args, l.ready, l.table)
			})
			continue
		}
		t.Run(strings.TrimSuffix(base, ".lua"), func(t *testing.T) {
			ns := nstest.New(t)
			out, err := ns.Run(t, nfshBin, append([]string{f}, args[base]...)...)
			if err != nil {
				t.Fatalf("%v\n%s", err, out)
			}
			if want, ok := persists[base]; ok {
				if got := ns.Nft(t, "list", "tables"); !strings.Contains(got, want) {
					t.Errorf("after %s: nft list tables = %q, want %q", base, got, want)
				}
			}
		})
	}
}

// runListenerExample starts a long-running example in a fresh namespace,
// waits for its ready line, checks its owner table exists, stops it with
// SIGTERM and requires exit status 0 and the table gone.
func runListenerExample(t *testing.T, file string, args []string, ready, table string) {
	ns := nstest.New(t)
	cmd := ns.Command(nfshBin, append([]string{file}, args...)...)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	lines := make(chan string)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
	}()
	deadline := time.After(30 * time.Second)
wait:
	for {
		select {
		case l, ok := <-lines:
			if !ok {
				cmd.Wait()
				t.Fatalf("%s ended before its ready line %q: %s", file, ready, stderr.String())
			}
			if strings.Contains(l, ready) {
				break wait
			}
		case <-deadline:
			cmd.Process.Kill()
			t.Fatalf("%s: no ready line %q within 30s: %s", file, ready, stderr.String())
		}
	}
	if got := ns.Nft(t, "list", "tables"); !strings.Contains(got, table) {
		t.Errorf("while %s runs: nft list tables = %q, want %q", file, got, table)
	}
	// ip netns exec runs the script in its own process: signal it.
	pids, _ := ns.Run(t, "pgrep", "-f", file)
	for _, p := range strings.Fields(pids) {
		exec.Command("kill", "-TERM", p).Run()
	}
	go func() {
		for range lines {
		}
	}()
	err = cmd.Wait()
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		if ws, ok := ee.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
			t.Fatalf("%s died of a signal: %v", file, err)
		}
		t.Fatalf("%s: %v: %s", file, err, stderr.String())
	}
	if got := ns.Nft(t, "list", "tables"); strings.Contains(got, table) {
		t.Errorf("after %s ended: its owner table is still there: %q", file, got)
	}
}
