package lua

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// replChildEnv makes the test binary run a REPL on its terminal instead of
// the tests; TestREPLTerminal starts it inside tmux.
const replChildEnv = "NFSH_LUA_REPL_CHILD"

func TestMain(m *testing.M) {
	if os.Getenv(replChildEnv) == "1" {
		h := New(Options{})
		err := h.REPL(context.Background(), REPLOptions{
			Names:      func() []string { return []string{"filter", "nat"} },
			BeforeExit: func() string { return "warning: owner tables vanish when nfsh exits; Ctrl-D again to exit" },
		})
		h.Close()
		fmt.Printf("repl ended: %v\n", err)
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// tmuxSession drives a program in a detached tmux session on a private
// tmux server.
type tmuxSession struct {
	t      *testing.T
	socket string
}

func (s *tmuxSession) tmux(args ...string) string {
	s.t.Helper()
	out, err := exec.Command("tmux", append([]string{"-L", s.socket}, args...)...).CombinedOutput()
	if err != nil {
		s.t.Fatalf("tmux %v: %v\n%s", args, err, out)
	}
	return string(out)
}

func (s *tmuxSession) screen() string {
	return s.tmux("capture-pane", "-p", "-J", "-t", "repl", "-S", "-500")
}

// waitFor polls the screen until it contains want n times.
func (s *tmuxSession) waitFor(want string, n int) {
	s.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		scr := s.screen()
		if strings.Count(scr, want) >= n {
			return
		}
		if time.Now().After(deadline) {
			s.t.Fatalf("screen never showed %q %d times:\n%s", want, n, scr)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func (s *tmuxSession) typeLine(text string) {
	s.t.Helper()
	s.tmux("send-keys", "-t", "repl", "-l", text)
	s.tmux("send-keys", "-t", "repl", "Enter")
}

func (s *tmuxSession) keys(keys ...string) {
	s.t.Helper()
	s.tmux(append([]string{"send-keys", "-t", "repl"}, keys...)...)
}

func TestREPLTerminal(t *testing.T) {
	if _, err := exec.LookPath("tmux"); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("tmux not installed")
		}
		t.Skip("tmux not installed")
	}
	state := t.TempDir()
	s := &tmuxSession{t: t, socket: fmt.Sprintf("nfsh-lua-test-%d", os.Getpid())}
	cmd := fmt.Sprintf("env %s=1 XDG_STATE_HOME=%s %s", replChildEnv, state, os.Args[0])
	s.tmux("-f", "/dev/null", "new-session", "-d", "-s", "repl", "-x", "150", "-y", "50", cmd)
	t.Cleanup(func() { _ = exec.Command("tmux", "-L", s.socket, "kill-server").Run() })
	s.tmux("set-option", "-t", "repl", "remain-on-exit", "on")

	s.waitFor("nfsh> ", 1)
	// Bare expressions and =expr print their values.
	s.typeLine("x = 41")
	s.typeLine("=x + 1")
	s.waitFor("\n42\n", 1)
	s.typeLine(`{ 1, "a", k = true }`)
	s.waitFor(`{ 1, "a", k = true }`, 1)
	// A value with __tostring prints as its text.
	s.typeLine(`setmetatable({}, { __tostring = function() return "table inet filter {}" end })`)
	s.waitFor("\ntable inet filter {}\n", 1)

	// A multi-line function continues while the chunk is incomplete.
	s.typeLine("function sq(n)")
	s.waitFor("  ...> ", 1)
	s.typeLine("  return n * n")
	s.typeLine("end")
	s.typeLine("=sq(7)")
	s.waitFor("\n49\n", 1)

	// An error does not end the session.
	s.typeLine("error('bad thing')")
	s.waitFor("stdin:1: error: bad thing", 1)
	s.typeLine("=sq(3)")
	s.waitFor("\n9\n", 1)

	// Tab completion: a method of a string, a library field, a kernel
	// object name inside a string literal.
	s.typeLine("s = 'abc'")
	s.tmux("send-keys", "-t", "repl", "-l", "=s:up")
	s.keys("Tab")
	s.tmux("send-keys", "-t", "repl", "-l", "()")
	s.keys("Enter")
	s.waitFor(`"ABC"`, 1)
	s.tmux("send-keys", "-t", "repl", "-l", "=string.rep")
	s.keys("Tab")
	s.tmux("send-keys", "-t", "repl", "-l", "('z', 3)")
	s.keys("Enter")
	s.waitFor(`"zzz"`, 1)
	s.tmux("send-keys", "-t", "repl", "-l", `print("fi`)
	s.keys("Tab")
	s.tmux("send-keys", "-t", "repl", "-l", `" .. "!")`)
	s.keys("Enter")
	s.waitFor("\nfilter!\n", 1)

	// History recall with the up arrow.
	s.typeLine(`print("hist" .. 1)`)
	s.waitFor("\nhist1\n", 1)
	s.keys("Up")
	s.keys("Enter")
	s.waitFor("\nhist1\n", 2)

	// Timers fire while the prompt waits.
	s.typeLine(`nfsh.after(10, function() print("timer fired") end)`)
	s.waitFor("timer fired", 1)

	// Ctrl-C interrupts a running chunk; the session goes on.
	// Ctrl-C only once the chunk runs: pressed while the REPL still reads
	// the line, it would edit the line instead of interrupting.
	s.typeLine("print('loop' .. 'ing') while true do end")
	s.waitFor("looping", 1)
	s.keys("C-c")
	s.waitFor("error: interrupted", 1)
	s.typeLine("=sq(5)")
	s.waitFor("\n25\n", 1)

	// Ctrl-D warns first, then exits.
	s.keys("C-d")
	s.waitFor("warning: owner tables vanish", 1)
	s.keys("C-d")
	s.waitFor("repl ended: <nil>", 1)

	hist, err := os.ReadFile(filepath.Join(state, "nfsh", "history"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(hist), "function sq(n)\n") || !strings.Contains(string(hist), `print("hist" .. 1)`) {
		t.Errorf("history file:\n%s", hist)
	}
}
