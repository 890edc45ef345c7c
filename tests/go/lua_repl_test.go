package gotests

import (
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/nfsh/nfsh/tests/go/nstest"
)

// tmux drives a program in a detached tmux session.
type tmux struct {
	t    *testing.T
	name string
}

func (x tmux) run(args ...string) string {
	x.t.Helper()
	out, err := exec.Command("tmux", args...).CombinedOutput()
	if err != nil {
		x.t.Fatalf("tmux %v: %v: %s", args, err, out)
	}
	return string(out)
}

// send types text literally (tmux would read "end" as the End key), then
// presses the named keys.
func (x tmux) send(text string, keys ...string) {
	if text != "" {
		x.run("send-keys", "-t", x.name, "-l", text)
	}
	if len(keys) > 0 {
		x.run(append([]string{"send-keys", "-t", x.name}, keys...)...)
	}
}

// waitFor polls the pane until it contains want (or 10 s pass).
func (x tmux) waitFor(want string) string {
	x.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	var pane string
	for time.Now().Before(deadline) {
		pane = x.run("capture-pane", "-p", "-J", "-S", "-200", "-t", x.name)
		if strings.Contains(pane, want) {
			return pane
		}
		time.Sleep(50 * time.Millisecond)
	}
	x.t.Fatalf("pane never showed %q:\n%s", want, pane)
	return ""
}

// TestLuaREPLTmux drives the REPL on a pseudo-terminal: completion of a
// method and of a table name pulled from the kernel, printing a ruleset,
// an error followed by a working command, a multi-line function and
// history recall.
func TestLuaREPLTmux(t *testing.T) {
	nstest.Require(t)
	if _, err := exec.LookPath("tmux"); err != nil {
		if nstest.InCI() {
			t.Fatal("tmux is not installed")
		}
		t.Skip("tmux is not installed")
	}
	ns := nstest.New(t)
	ns.Nft(t, "add", "table", "inet", "kerneltbl")
	ns.Nft(t, "add", "chain", "inet", "kerneltbl", "c")
	x := tmux{t, ns.Name()}
	x.run("new-session", "-d", "-s", x.name, "-x", "200", "-y", "50",
		"env", "HOME="+t.TempDir(), "XDG_STATE_HOME="+t.TempDir(), nfshBin, "--netns", ns.Path())
	t.Cleanup(func() { exec.Command("tmux", "kill-session", "-t", x.name).Run() })
	x.waitFor("nfsh> ")
	// Completion of a kernel table name inside a string argument.
	x.send(`print(nft.pull("inet", "kernel`, "Tab")
	x.waitFor(`"kerneltbl`)
	x.send(`"))`, "Enter")
	x.waitFor("table inet kerneltbl {")
	// Completion of a method of the value left of the cursor.
	x.send("rs = nft.ruleset()", "Enter")
	x.send("rs:get_tab", "Tab")
	x.waitFor("rs:get_table")
	x.send("", "C-u")
	// An error, then a working command.
	x.send("error('oops')", "Enter")
	x.waitFor("oops")
	x.send("=1+1", "Enter")
	x.waitFor("\n2")
	// A multi-line function.
	x.send("function twice(n)", "Enter")
	x.waitFor("...>")
	x.send("return n * 2", "Enter")
	x.send("end", "Enter")
	x.send("=twice(21)", "Enter")
	x.waitFor("42")
	// History recall: Up brings back =twice(21); it runs a second time.
	x.send("", "Up", "Enter")
	deadline := time.Now().Add(10 * time.Second)
	for strings.Count(x.waitFor("42"), "nfsh> =twice(21)") < 2 {
		if time.Now().After(deadline) {
			t.Fatal("Up did not recall =twice(21)")
		}
		time.Sleep(50 * time.Millisecond)
	}
	// Printing a ruleset value.
	x.send(`rs:table("inet", "t"):chain("c"):rule("tcp dport 22 accept")`, "Enter")
	x.send("=rs", "Enter")
	x.waitFor("tcp dport 22 accept")
	// nft commands at the prompt: a block over two lines, a rule, the
	// listing (the table is the session's: owner flag), an nft error.
	x.send("add table ip replt", "Enter")
	x.send("add chain ip replt c {", "Enter")
	x.waitFor("...>")
	x.send(`type filter hook input priority 0; policy accept; comment "a { b"; }`, "Enter")
	x.send("add rule ip replt c tcp dport 2323 accept", "Enter")
	x.send("list table ip replt", "Enter")
	// (the typed commands hold the rule's text too: wait for the listing's
	// own lines)
	pane := x.waitFor("flags owner") // the table is the session's
	if strings.Count(pane, "tcp dport 2323 accept") < 2 {
		t.Errorf("the listing lacks the rule added at the prompt:\n%s", pane)
	}
	x.send("add rule ip replt c tcp dport nosuchsvc accept", "Enter")
	x.waitFor("Could not resolve service")
	// Completion of nft commands: the object, a table of the family, then
	// its only chain; the completed command runs.
	x.send("list cha", "Tab")
	x.waitFor("nfsh> list chain")
	x.send(" inet kern", "Tab")
	x.waitFor("nfsh> list chain inet kerneltbl")
	x.send(" ", "Tab")
	x.waitFor("nfsh> list chain inet kerneltbl c")
	x.send("", "Enter")
	// (the listing printed at the start holds the same lines: wait for a
	// second one)
	deadline = time.Now().Add(10 * time.Second)
	for strings.Count(x.waitFor("nfsh> list chain inet kerneltbl c"), "table inet kerneltbl {") < 2 {
		if time.Now().After(deadline) {
			t.Fatal("the completed list command printed nothing")
		}
		time.Sleep(50 * time.Millisecond)
	}
}
