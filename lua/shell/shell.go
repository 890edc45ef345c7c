// Package shell embeds nfsh: a Lua host (package lua) with the nft module
// (package bindings) wired to the real compiler, printer and kernel
// connection. One Shell is one session: the tables it creates with the
// owner flag live as long as the Shell.
package shell

import (
	"context"
	"fmt"
	"github.com/nfsh/nfsh/core/ruleset"
	"io"
	"strings"

	"github.com/nfsh/nfsh/bindings"
	"github.com/nfsh/nfsh/lua"
	glua "github.com/yuin/gopher-lua"
)

// Options configure a Shell.
type Options struct {
	// Netns is the network namespace every socket of the session is
	// opened in: "" (the current one), "new" (a throwaway one), "pid:N",
	// or a path such as /run/netns/NAME.
	Netns string
	// Sandbox, when not nil, restricts the Lua libraries (see lua.Sandbox).
	Sandbox *lua.Sandbox
	// Stdout and Stderr receive script output and error reports.
	Stdout, Stderr io.Writer
	// Modules are extra Lua modules scripts can require.
	Modules map[string]glua.LGFunction
	// Core replaces the compiler, printer or kernel (tests, dry runs);
	// nil members are filled with the real ones.
	Core *bindings.Core
	// OnError receives errors raised by callbacks (default: Stderr).
	OnError func(error)
}

// Shell is one nfsh session.
type Shell struct {
	// Host is the Lua host; its state belongs to the goroutine using the
	// Shell.
	Host   *lua.Host
	kernel *kernelConn
}

// New creates a session. The nft module is loaded as the global nft.
func New(opts Options) (*Shell, error) {
	ns, err := parseNetns(opts.Netns)
	if err != nil {
		return nil, err
	}
	s := &Shell{kernel: &kernelConn{netns: ns}}
	core := bindings.Core{}
	if opts.Core != nil {
		core = *opts.Core
	}
	if core.Compiler == nil {
		core.Compiler = compiler{}
	}
	if core.Printer == nil {
		core.Printer = printer{}
	}
	if core.Kernel == nil {
		core.Kernel = s.kernel
	}
	mods := map[string]glua.LGFunction{"nft": bindings.Loader(core)}
	for k, v := range opts.Modules {
		mods[k] = v
	}
	s.Host = lua.New(lua.Options{
		Stdout: opts.Stdout, Stderr: opts.Stderr, Sandbox: opts.Sandbox,
		Modules: mods, Globals: []string{"nft"}, OnError: opts.OnError,
	})
	return s, nil
}

// RunFile runs the script at path with args, then the event loop until no
// timer or listener is left, the script calls nfsh.exit, or ctx is done.
func (s *Shell) RunFile(ctx context.Context, path string, args ...string) error {
	if err := s.Host.DoFile(ctx, path, args...); err != nil {
		return err
	}
	return s.Host.Run(ctx)
}

// RunString runs a chunk, then the event loop, like RunFile.
func (s *Shell) RunString(ctx context.Context, name, chunk string) error {
	if err := s.Host.DoString(ctx, name, chunk); err != nil {
		return err
	}
	return s.Host.Run(ctx)
}

// REPL runs the interactive loop with kernel-name completion and a warning
// on Ctrl-D when the session owns tables.
func (s *Shell) REPL(ctx context.Context, o lua.REPLOptions) error {
	if o.Names == nil {
		o.Names = s.kernel.names
	}
	if o.BeforeExit == nil {
		o.BeforeExit = func() string {
			owned := s.kernel.Owned()
			if len(owned) == 0 {
				return ""
			}
			return fmt.Sprintf("nfsh: the owner tables %s vanish when nfsh exits; press Ctrl-D again to exit", strings.Join(owned, ", "))
		}
	}
	return s.Host.REPL(ctx, o)
}

// Declarations reads the kernel's tables, chains, named sets, objects and
// flowtables through the session's socket, without rules or elements (for
// completion); nil when it cannot.
func (s *Shell) Declarations() *ruleset.Ruleset { return s.kernel.declarations() }

// Close ends the session: timers and listeners stop, the Lua state is
// closed and the kernel socket is closed, so the owner tables go with it.
func (s *Shell) Close() error {
	s.Host.Close()
	return s.kernel.close()
}
