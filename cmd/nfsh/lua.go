package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"golang.org/x/sys/unix"

	"github.com/nfsh/nfsh/lua"
	"github.com/nfsh/nfsh/lua/shell"
	glua "github.com/yuin/gopher-lua"
)

// luaDispatch handles the Lua entry points of the command line (DESIGN.md
// §3): no arguments (the REPL when stdin is a terminal, else a script read
// from stdin), `-e CHUNK [ARGS]`, and `SCRIPT.lua [ARGS]` (any first
// argument ending in .lua, naming an existing file, or "-"). It reports
// whether rest was a Lua invocation.
func luaDispatch(rest []string, stdin io.Reader, stdout, stderr io.Writer) (bool, error) {
	switch {
	case len(rest) == 0:
		if f, ok := stdin.(*os.File); ok && isTerminal(f) {
			return true, cmdREPL(stdin, stdout, stderr)
		}
		return true, cmdScript("-", nil, stdin, stdout, stderr)
	case rest[0] == "-e":
		if len(rest) < 2 {
			return true, usageError("-e needs a Lua chunk")
		}
		return true, cmdEval(rest[1], rest[2:], stdin, stdout, stderr)
	case rest[0] == "-" || strings.HasSuffix(rest[0], ".lua"):
		return true, cmdScript(rest[0], rest[1:], stdin, stdout, stderr)
	}
	if st, err := os.Stat(rest[0]); err == nil && st.Mode().IsRegular() {
		return true, cmdScript(rest[0], rest[1:], stdin, stdout, stderr)
	}
	return false, nil
}

// isTerminal reports whether f is a terminal.
func isTerminal(f *os.File) bool {
	_, err := unix.IoctlGetTermios(int(f.Fd()), unix.TCGETS)
	return err == nil
}

// cmdScript runs the Lua script at path ("-" reads it from stdin) with
// args in `arg` and `...`, then its event loop while timers or listeners
// exist. SIGINT and SIGTERM stop it cleanly (the session's owner tables
// vanish as its socket closes).
func cmdScript(path string, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	return runLua(stdout, stderr, func(ctx context.Context, sh *shell.Shell) error {
		if path == "-" {
			src, err := io.ReadAll(stdin)
			if err != nil {
				return err
			}
			if err := sh.Host.DoString(ctx, "-", string(src)); err != nil {
				return err
			}
			return sh.Host.Run(ctx)
		}
		return sh.RunFile(ctx, path, args...)
	})
}

// cmdEval runs a Lua chunk given with -e (args in `arg`, arg[0] = "-e"),
// then its event loop, like cmdScript.
func cmdEval(chunk string, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	return runLua(stdout, stderr, func(ctx context.Context, sh *shell.Shell) error {
		L := sh.Host.L
		argt := L.NewTable()
		argt.RawSetInt(0, luaString("-e"))
		for i, a := range args {
			argt.RawSetInt(i+1, luaString(a))
		}
		L.SetGlobal("arg", argt)
		return sh.RunString(ctx, "-e", chunk)
	})
}

// cmdREPL runs the interactive shell on the terminal.
func cmdREPL(stdin io.Reader, stdout, stderr io.Writer) error {
	sh, err := shell.New(shell.Options{Stdout: stdout, Stderr: stderr})
	if err != nil {
		return err
	}
	defer sh.Close()
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM)
	defer stop()
	err = sh.REPL(ctx, lua.REPLOptions{
		Banner:          "nfsh " + lua.Version + " — Lua " + "5.1 (gopher-lua); nft commands work too; Ctrl-D exits",
		Command:         replCommand(sh),
		CompleteCommand: replComplete(sh),
	})
	return luaExit(err, ctx, stderr)
}

// runLua creates a session, runs fn under a context cancelled by SIGINT
// and SIGTERM, and turns the outcome into an exit status.
func runLua(stdout, stderr io.Writer, fn func(ctx context.Context, sh *shell.Shell) error) error {
	sh, err := shell.New(shell.Options{Stdout: stdout, Stderr: stderr})
	if err != nil {
		return err
	}
	defer sh.Close()
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	return luaExit(fn(ctx, sh), ctx, stderr)
}

// luaExit maps a Lua session's result to the command's error: nfsh.exit's
// code, 1 after a reported Lua error, 130 when a signal interrupted a
// running chunk, nil when a signal ended the event loop.
func luaExit(err error, ctx context.Context, stderr io.Writer) error {
	if err == nil {
		return nil
	}
	var ee *lua.ExitError
	if errors.As(err, &ee) {
		if ee.Code == 0 {
			return nil
		}
		return exitError{ee.Code}
	}
	if ctx.Err() != nil {
		var le *lua.Error
		if errors.As(err, &le) {
			fmt.Fprintf(stderr, "%s\n", le.Short())
			return exitError{130}
		}
		return nil
	}
	fmt.Fprintf(stderr, "%v\n", err)
	return exitError{1}
}

// luaString converts a Go string to a Lua string value.
func luaString(s string) glua.LString { return glua.LString(s) }
