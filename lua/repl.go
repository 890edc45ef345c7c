package lua

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"strings"

	"github.com/chzyer/readline"
)

// REPLOptions configure the interactive loop.
type REPLOptions struct {
	// Prompt and ContPrompt are the prompts for a new chunk and for the
	// continuation lines of an incomplete one ("nfsh> " and "  ...> " by default).
	Prompt, ContPrompt string
	// Banner, when not empty, is printed before the first prompt.
	Banner string
	// HistoryFile is where input lines are kept; "" means
	// DefaultHistoryFile() and "-" disables the history file.
	HistoryFile string
	// Stdin and Stdout replace the terminal (tests).
	Stdin  io.ReadCloser
	Stdout io.Writer
	// Names, when not nil, returns names of kernel objects (tables, chains,
	// sets) to complete inside string literals. It runs on the goroutine
	// owning the state.
	Names func() []string
	// BeforeExit, when not nil, is called on Ctrl-D. When it returns a
	// warning (for example that owner tables will vanish) the warning is
	// printed and a second Ctrl-D is needed to leave.
	BeforeExit func() string
	// ChunkName names input chunks in error messages ("stdin" by default).
	ChunkName string
	// Command, when not nil, is offered each chunk that does not compile
	// as Lua (a shell can run `add rule ...` typed at the prompt). It
	// reports whether it took the chunk, whether the chunk needs more
	// lines, and the chunk's error; a chunk it does not take gets the Lua
	// error.
	Command func(src string) (took, more bool, err error)
	// CompleteCommand, when not nil, is asked first to complete the text
	// before the cursor (a shell completes its nft commands); ok false
	// leaves the line to the Lua completion. It runs on the goroutine
	// owning the state.
	CompleteCommand func(before string) (cands []string, wordLen int, ok bool)
}

// DefaultHistoryFile returns $XDG_STATE_HOME/nfsh/history when
// XDG_STATE_HOME is set, else ~/.nfsh_history.
func DefaultHistoryFile() string {
	if d := os.Getenv("XDG_STATE_HOME"); d != "" {
		return filepath.Join(d, "nfsh", "history")
	}
	if home, err := os.UserHomeDir(); err == nil {
		return filepath.Join(home, ".nfsh_history")
	}
	return ""
}

type lineResult struct {
	line string
	err  error
}

// REPL reads chunks from the terminal and runs them until Ctrl-D, ctx is
// done or a chunk calls nfsh.exit (REPL then returns the *ExitError).
// A chunk that is incomplete (an unfinished function, table or string)
// continues on the next line; "=expr" and bare expressions print their
// values; errors are printed and the session goes on; Ctrl-C cancels the
// line being edited or interrupts the running chunk. Timers and event
// sources keep being served while the prompt waits.
func (h *Host) REPL(ctx context.Context, o REPLOptions) error {
	if o.Prompt == "" {
		o.Prompt = "nfsh> "
	}
	if o.ContPrompt == "" {
		o.ContPrompt = "  ...> "
	}
	if o.ChunkName == "" {
		o.ChunkName = "stdin"
	}
	hist := o.HistoryFile
	if hist == "" {
		hist = DefaultHistoryFile()
	}
	if hist == "-" {
		hist = ""
	}
	if hist != "" {
		_ = os.MkdirAll(filepath.Dir(hist), 0o700)
	}
	cfg := &readline.Config{
		Prompt:          o.Prompt,
		HistoryFile:     hist,
		InterruptPrompt: "^C",
		AutoComplete:    &completer{h: h, names: o.Names, cmd: o.CompleteCommand},
		Stdin:           o.Stdin,
		Stdout:          o.Stdout,
		Stderr:          o.Stdout,
	}
	rl, err := readline.NewEx(cfg)
	if err != nil {
		return err
	}
	defer rl.Close()
	oldOut, oldErr := h.stdout, h.stderr
	h.SetOutput(rl.Stdout(), rl.Stderr())
	defer h.SetOutput(oldOut, oldErr)

	// Ctrl-C while a chunk runs (the terminal is not in raw mode then)
	// arrives as SIGINT: interrupt the chunk, keep the session.
	sigc := make(chan os.Signal, 1)
	signal.Notify(sigc, os.Interrupt)
	defer signal.Stop(sigc)
	stopSig := make(chan struct{})
	defer close(stopSig)
	go func() {
		for {
			select {
			case <-sigc:
				h.Interrupt()
			case <-stopSig:
				return
			}
		}
	}()

	if o.Banner != "" {
		fmt.Fprintln(h.stdout, o.Banner)
	}
	prompts := make(chan string)
	lines := make(chan lineResult)
	readerDone := make(chan struct{})
	go func() {
		defer close(readerDone)
		for p := range prompts {
			rl.SetPrompt(p)
			line, err := rl.Readline()
			lines <- lineResult{line, err}
		}
	}()
	defer func() {
		close(prompts)
		rl.Close()
		// Unblock a reader waiting to deliver a line.
		select {
		case <-lines:
		case <-readerDone:
		}
	}()

	var buf []string
	warned := false
	prompts <- o.Prompt
	for {
		var r lineResult
		select {
		case r = <-lines:
		case <-h.wake:
			for {
				fn, ok := h.pop()
				if !ok {
					break
				}
				fn()
				if h.exit != nil {
					return h.exit
				}
			}
			continue
		case <-ctx.Done():
			return ctx.Err()
		}
		switch {
		case errors.Is(r.err, readline.ErrInterrupt):
			buf = nil
			prompts <- o.Prompt
			continue
		case errors.Is(r.err, io.EOF):
			if !warned && o.BeforeExit != nil {
				if w := o.BeforeExit(); w != "" {
					fmt.Fprintln(h.stderr, w)
					warned = true
					buf = nil
					prompts <- o.Prompt
					continue
				}
			}
			return nil
		case r.err != nil:
			return r.err
		}
		warned = false
		buf = append(buf, r.line)
		more, err := h.replChunk(ctx, &o, strings.Join(buf, "\n"))
		if more {
			prompts <- o.ContPrompt
			continue
		}
		buf = nil
		if err != nil {
			var ee *ExitError
			if errors.As(err, &ee) {
				return err
			}
			fmt.Fprintln(h.stderr, err)
		}
		prompts <- o.Prompt
	}
}

// replChunk compiles and runs one REPL chunk. It reports more when the
// chunk is incomplete. Results are printed with Inspect.
func (h *Host) replChunk(ctx context.Context, o *REPLOptions, src string) (more bool, err error) {
	name := o.ChunkName
	if strings.TrimSpace(src) == "" {
		return false, nil
	}
	exprOnly := strings.HasPrefix(src, "=")
	if exprOnly {
		src = src[1:]
	}
	fn, err := h.Load(name, "return "+src)
	if err != nil && !exprOnly {
		fn, err = h.Load(name, src)
	}
	if err != nil {
		var le *Error
		if errors.As(err, &le) && le.Incomplete {
			return true, nil
		}
		if o.Command != nil && !exprOnly {
			if took, more, cerr := o.Command(src); took {
				return more, cerr
			}
		}
		return false, err
	}
	rets, err := h.Call(ctx, fn)
	if err != nil {
		return false, err
	}
	if len(rets) > 0 {
		parts := make([]string, len(rets))
		for i, v := range rets {
			parts[i] = Inspect(h.L, v)
		}
		fmt.Fprintln(h.stdout, strings.Join(parts, "\t"))
	}
	return false, nil
}

// completer adapts Host.Complete to readline; it runs on the line
// editor's goroutine and asks the owning goroutine for the answer.
type completer struct {
	h     *Host
	names func() []string
	cmd   func(before string) ([]string, int, bool)
}

// Do implements readline.AutoCompleter.
func (c *completer) Do(line []rune, pos int) ([][]rune, int) {
	before := string(line[:pos])
	type answer struct {
		cands []string
		n     int
	}
	ch := make(chan answer, 1)
	c.h.post(func() {
		if c.cmd != nil {
			if cands, n, ok := c.cmd(before); ok {
				ch <- answer{cands, n}
				return
			}
		}
		cands, n := c.h.Complete(before, c.names)
		ch <- answer{cands, n}
	})
	a := <-ch
	out := make([][]rune, len(a.cands))
	for i, s := range a.cands {
		out[i] = []rune(s[a.n:])
	}
	return out, len([]rune(before[len(before)-a.n:]))
}
