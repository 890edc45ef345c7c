package shell

import (
	"bytes"
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"

	"github.com/nfsh/nfsh/bindings"
	"github.com/nfsh/nfsh/core/ast"
	"github.com/nfsh/nfsh/core/compile"
	"github.com/nfsh/nfsh/core/diag"
	"github.com/nfsh/nfsh/core/format"
	"github.com/nfsh/nfsh/core/kernel"
	"github.com/nfsh/nfsh/core/nfnl"
	"github.com/nfsh/nfsh/core/parse"
	"github.com/nfsh/nfsh/core/ruleset"
)

// compiler implements bindings.Compiler with core/parse and core/compile.
type compiler struct{}

func parseOpts(vars map[string]ast.Expr) *parse.Options {
	return &parse.Options{Vars: vars, KeepVariables: true}
}

// Script parses and compiles nft text. Positions are relative to the text
// (no file name), which the bindings move into the Lua script.
func (compiler) Script(base diag.Pos, src []byte, vars map[string]ast.Expr, known *ruleset.Ruleset) ([]ruleset.Command, error) {
	f, err := parse.File("", src, parseOpts(vars))
	if err != nil {
		return nil, withSource(err, src)
	}
	c := compile.New(&compile.Options{Known: known, Parse: parseOpts(vars)})
	if err := c.File(f); err != nil {
		return nil, withSource(err, src)
	}
	return c.Commands(), nil
}

// ScriptJSON implements bindings.JSONCompiler.
func (compiler) ScriptJSON(src []byte, known *ruleset.Ruleset) ([]ruleset.Command, error) {
	f, err := parse.JSON("", src, nil)
	if err != nil {
		return nil, err
	}
	return compile.File(f, &compile.Options{Known: known})
}

// Needs implements bindings.NeedsCompiler.
func (compiler) Needs(src []byte, vars map[string]ast.Expr) (compile.Needs, error) {
	f, err := parse.File("", src, parseOpts(vars))
	if err != nil {
		return compile.Needs{}, err
	}
	return compile.ScriptNeeds(f), nil
}

// Rule parses and compiles the text of one rule.
func (compiler) Rule(fam ruleset.Family, table, chain, text string, base diag.Pos, vars map[string]ast.Expr, known *ruleset.Ruleset) (*ruleset.Rule, error) {
	r, err := parse.Rule([]byte(text), diag.Pos{Line: 1, Col: 1}, parseOpts(vars))
	if err != nil {
		return nil, withSource(err, []byte(text))
	}
	rule, err := compile.New(&compile.Options{Known: known}).Rule(fam, table, chain, r)
	if err != nil {
		return nil, withSource(err, []byte(text))
	}
	rule.Text = text
	return rule, nil
}

// Commands compiles declarations built by the Lua builders.
func (compiler) Commands(cmds []*ast.Command, known *ruleset.Ruleset) ([]ruleset.Command, error) {
	c := compile.New(&compile.Options{Known: known})
	if err := c.File(&ast.File{Commands: cmds}); err != nil {
		return nil, err
	}
	return c.Commands(), nil
}

// withSource fills in the source line of each *diag.Error of err (one,
// or every error of a diag.List) for the caret.
func withSource(err error, src []byte) error {
	for _, de := range diag.Errors(err) {
		if de.Source == "" && de.Pos.IsValid() {
			de.Source = diag.LineOf(src, de.Pos.Off)
		}
	}
	return err
}

// printer implements bindings.Printer with core/format.
type printer struct{}

func (printer) Ruleset(rs *ruleset.Ruleset) (string, error) {
	var b bytes.Buffer
	err := format.Ruleset(&b, rs)
	return strings.TrimRight(b.String(), "\n"), err
}

// RulesetJSON implements bindings.JSONPrinter with core/format.
func (printer) RulesetJSON(rs *ruleset.Ruleset) (string, error) {
	var b strings.Builder
	if err := format.RulesetJSON(&b, rs, nil); err != nil {
		return "", err
	}
	return strings.TrimSuffix(b.String(), "\n"), nil
}

func (printer) Table(t *ruleset.Table) (string, error) {
	var b bytes.Buffer
	err := format.Table(&b, t)
	return strings.TrimRight(b.String(), "\n"), err
}

func (printer) Chain(t *ruleset.Table, c *ruleset.Chain) (string, error) {
	return strings.TrimRight(format.ChainString(t, c, nil), "\n"), nil
}

func (printer) Set(t *ruleset.Table, s *ruleset.Set) (string, error) {
	return strings.TrimRight(format.SetString(t, s, nil), "\n"), nil
}

func (printer) Rule(t *ruleset.Table, _ *ruleset.Chain, r *ruleset.Rule) (string, error) {
	return format.Rule(t, r)
}

// kernelConn implements bindings.Kernel over one nfnetlink socket opened
// on first use in the shell's network namespace and kept until Close: the
// session's owner socket.
type kernelConn struct {
	mu    sync.Mutex
	netns nfnl.NetNS
	conn  *nfnl.Conn
}

// parseNetns reads the --netns spelling: "", "new", "pid:N" or a path.
func parseNetns(spec string) (nfnl.NetNS, error) {
	switch {
	case spec == "":
		return nfnl.NetNS{}, nil
	case spec == "new":
		return nfnl.NetNSNew(), nil
	case strings.HasPrefix(spec, "pid:"):
		pid, err := strconv.Atoi(spec[4:])
		if err != nil || pid <= 0 {
			return nfnl.NetNS{}, fmt.Errorf("netns %q: bad pid", spec)
		}
		return nfnl.NetNSPID(pid), nil
	}
	return nfnl.NetNSPath(spec), nil
}

// NetNS names the session's network namespace, so that subscriptions and
// listeners a script opens watch the namespace its rules live in (for
// --netns new, the throwaway namespace the session's socket holds).
func (k *kernelConn) NetNS() nfnl.NetNS {
	c, err := k.get()
	if err != nil || c.NetNSFD() < 0 {
		return k.netns
	}
	return nfnl.NetNSPath(fmt.Sprintf("/proc/%d/fd/%d", os.Getpid(), c.NetNSFD()))
}

func (k *kernelConn) get() (*nfnl.Conn, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.conn != nil {
		return k.conn, nil
	}
	c, err := nfnl.Dial(nfnl.Options{NetNS: k.netns})
	if err != nil {
		return nil, err
	}
	k.conn = c
	return c, nil
}

func (k *kernelConn) Push(rs *ruleset.Ruleset, opts bindings.PushOptions) error {
	c, err := k.get()
	if err != nil {
		return err
	}
	if opts.Mode == "reconcile" {
		_, err := kernel.Reconcile(c, rs, kernel.ReconcileOptions{Check: opts.Check, Persist: allPersist(rs)})
		return err
	}
	return kernel.Push(c, rs, kernel.PushOptions{Check: opts.Check})
}

// allPersist reports whether every table of rs opts out of the owner
// flag (reconcile creates new tables one way for the whole batch).
func allPersist(rs *ruleset.Ruleset) bool {
	for _, t := range rs.Tables {
		if !t.Persist {
			return false
		}
	}
	return len(rs.Tables) > 0
}

// Apply commits commands in one batch.
func (k *kernelConn) Apply(cmds []ruleset.Command, check, persist bool) error {
	c, err := k.get()
	if err != nil {
		return err
	}
	return kernel.Apply(c, cmds, kernel.ApplyOptions{Check: check, Persist: persist})
}

// ApplyEcho commits commands in one batch and returns what the kernel
// echoed for them (bindings.EchoKernel).
func (k *kernelConn) ApplyEcho(cmds []ruleset.Command, check, persist bool) ([]nfnl.Msg, error) {
	c, err := k.get()
	if err != nil {
		return nil, err
	}
	var msgs []nfnl.Msg
	err = kernel.Apply(c, cmds, kernel.ApplyOptions{Check: check, Persist: persist, Echo: func(m nfnl.Msg) { msgs = append(msgs, m) }})
	return msgs, err
}

func (k *kernelConn) Pull(fam ruleset.Family, table string) (*ruleset.Ruleset, error) {
	c, err := k.get()
	if err != nil {
		return nil, err
	}
	return kernel.Pull(c, kernel.PullOptions{Family: fam, Table: table})
}

// PullScoped implements bindings.ScopedKernel.
func (k *kernelConn) PullScoped(sets, chains []compile.Ref) (*ruleset.Ruleset, error) {
	c, err := k.get()
	if err != nil {
		return nil, err
	}
	sc := &kernel.Scope{}
	for _, r := range sets {
		sc.Sets = append(sc.Sets, kernel.ScopeRef(r))
	}
	for _, r := range chains {
		sc.Chains = append(sc.Chains, kernel.ScopeRef(r))
	}
	return kernel.Pull(c, kernel.PullOptions{Scope: sc})
}

func (k *kernelConn) Features() map[string]bool {
	c, err := k.get()
	if err != nil {
		return map[string]bool{}
	}
	f, err := kernel.Probe(c)
	if err != nil {
		return map[string]bool{}
	}
	return map[string]bool{"owner": true, "destroy": f.Destroy, "persist": f.Persist, "reconcile": true}
}

// tableFlagOwner is NFT_TABLE_F_OWNER.
const tableFlagOwner = 0x2

func (k *kernelConn) Owned() []string {
	k.mu.Lock()
	c := k.conn
	k.mu.Unlock()
	if c == nil {
		return nil
	}
	rs, err := kernel.Pull(c, kernel.PullOptions{})
	if err != nil {
		return nil
	}
	var out []string
	for _, t := range rs.Tables {
		if t.Flags&tableFlagOwner != 0 && t.Owner == c.PortID() {
			out = append(out, t.Family.String()+" "+t.Name)
		}
	}
	return out
}

// names returns the names of the kernel's tables, chains and sets, for
// REPL completion; it does not open a socket just for that.
// declarations reads the kernel's tables, chains, named sets, objects and
// flowtables, without rules or elements (nil when it cannot).
func (k *kernelConn) declarations() *ruleset.Ruleset {
	c, err := k.get()
	if err != nil {
		return nil
	}
	rs, err := kernel.Pull(c, kernel.PullOptions{Scope: &kernel.Scope{}})
	if err != nil {
		return nil
	}
	return rs
}

func (k *kernelConn) names() []string {
	rs := k.declarations()
	if rs == nil {
		return nil
	}
	var out []string
	for _, t := range rs.Tables {
		out = append(out, t.Name)
		for _, ch := range t.Chains {
			out = append(out, ch.Name)
		}
		for _, s := range t.Sets {
			if !s.Anonymous() {
				out = append(out, s.Name)
			}
		}
	}
	return out
}

func (k *kernelConn) close() error {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.conn == nil {
		return nil
	}
	err := k.conn.Close()
	k.conn = nil
	return err
}
