package gotests

import (
	"bufio"
	"strings"
	"syscall"
	"testing"

	"github.com/nfsh/nfsh/tests/go/nstest"
)

// ownerScript pushes an owner table (inet owned) and a persist table
// (inet kept), prints "ready", then does what tail says.
const ownerScript = `
local rs = nft.ruleset()
rs:table("inet", "owned"):chain("input", { hook = "input" }):rule("tcp dport 22 accept")
rs:table("inet", "kept", { persist = true }):chain("c"):rule("counter")
assert(nft.push(rs))
print("ready")
`

// TestLuaOwnerLifetime checks that a script's owner tables vanish when
// the nfsh process ends — normally, by a Lua error, by SIGTERM and by
// SIGKILL — while a persist table survives.
func TestLuaOwnerLifetime(t *testing.T) {
	nstest.Require(t)
	cases := []struct {
		name   string
		tail   string
		signal syscall.Signal
		status int
	}{
		{"normal-exit", "", 0, 0},
		{"lua-error", `error("boom")`, 0, 1},
		{"sigterm", `nfsh.every(1000, function() end)`, syscall.SIGTERM, 0},
		{"sigkill", `nfsh.every(1000, function() end)`, syscall.SIGKILL, -1},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ns := nstest.New(t)
			cmd := ns.Command(nfshBin, "-e", ownerScript+c.tail)
			stdout, err := cmd.StdoutPipe()
			if err != nil {
				t.Fatal(err)
			}
			var stderr strings.Builder
			cmd.Stderr = &stderr
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			sc := bufio.NewScanner(stdout)
			if !sc.Scan() || sc.Text() != "ready" {
				cmd.Process.Kill()
				cmd.Wait()
				t.Fatalf("script did not get ready: %q, stderr %s", sc.Text(), stderr.String())
			}
			if c.signal != 0 {
				// The session is running: both tables exist now.
				got := ns.Nft(t, "list", "tables")
				if !strings.Contains(got, "table inet owned") || !strings.Contains(got, "table inet kept") {
					t.Fatalf("while running: nft list tables = %q", got)
				}
				if err := cmd.Process.Signal(c.signal); err != nil {
					t.Fatal(err)
				}
			}
			for sc.Scan() {
			}
			err = cmd.Wait()
			code := cmd.ProcessState.ExitCode()
			if code != c.status {
				t.Errorf("exit status %d (%v), want %d; stderr: %s", code, err, c.status, stderr.String())
			}
			if c.name == "lua-error" && !strings.Contains(stderr.String(), "boom") {
				t.Errorf("stderr %q does not report the error", stderr.String())
			}
			got := ns.Nft(t, "list", "tables")
			if strings.Contains(got, "table inet owned") {
				t.Errorf("owner table survived: %q", got)
			}
			if !strings.Contains(got, "table inet kept") {
				t.Errorf("persist table is gone: %q", got)
			}
		})
	}
}
