package kernel

import (
	"sync"

	"golang.org/x/sys/unix"

	"github.com/nfsh/nfsh/core/diff"
	"github.com/nfsh/nfsh/core/nfnl"
	"github.com/nfsh/nfsh/core/ruleset"
	"github.com/nfsh/nfsh/core/wire"
)

// Reconciler reconciles desired values over one connection and remembers
// the kernel state it last saw, with that state's generation: when GETGEN
// still reports that generation, the next reconcile diffs against the
// remembered state instead of pulling the tables again. After a patch
// commits, the remembered state is brought forward by the patch (the
// handles of new rules are read back with a dump of just the chains the
// patch touched); a patch that changes more than rules, a refused batch or
// any doubt drops the memory, and the next reconcile pulls afresh.
//
// The state a Reconciler remembers shares rules with the desired values
// passed to it: they must not be modified in place after being reconciled
// (build a new rule instead). A Reconciler is safe for concurrent use; its
// calls are serialized.
type Reconciler struct {
	c  *nfnl.Conn
	mu sync.Mutex
	st *kernelState
	// toKeys memoizes the keys of desired rules seen in recent calls.
	toKeys *diff.KeyCache
}

// kernelState is the kernel's ruleset (the part a reconcile looked at) as
// of generation gen.
type kernelState struct {
	gen   uint32
	all   bool              // rs holds every table of the netns
	scope map[tableKey]bool // else: the tables looked at (present or not)
	rs    *ruleset.Ruleset
	keys  *diff.KeyCache // keys of rs's rules
}

// NewReconciler returns a Reconciler over c with nothing remembered.
func NewReconciler(c *nfnl.Conn) *Reconciler { return &Reconciler{c: c, toKeys: diff.NewKeyCache()} }

// Invalidate drops the remembered state; the next reconcile pulls.
func (r *Reconciler) Invalidate() {
	r.mu.Lock()
	r.st = nil
	r.mu.Unlock()
}

// Reconcile is kernel.Reconcile with the state remembered between calls.
func (r *Reconciler) Reconcile(desired *ruleset.Ruleset, opts ReconcileOptions) (*ReconcileResult, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	defer r.toKeys.Sweep(desiredEpochs)
	return reconcile(r.c, r, desired, opts)
}

// desiredEpochs is how many calls the key of a desired rule is kept after
// its last use (a caller alternating between a few values keeps hitting).
const desiredEpochs = 4

// current returns the remembered state when it is still the kernel's
// (generation gen) and covers what a reconcile of desired compares.
func (r *Reconciler) current(gen uint32, desired *ruleset.Ruleset, prune bool) *kernelState {
	st := r.st
	if st == nil || st.gen != gen {
		return nil
	}
	if st.all {
		return st
	}
	if prune || len(desired.Tables) > maxTablePulls {
		return nil
	}
	for _, t := range desired.Tables {
		if !st.scope[tableKey{t.Family, t.Name}] {
			return nil
		}
	}
	return st
}

// pulled remembers a freshly pulled state.
func (r *Reconciler) pulled(gen uint32, rs, desired *ruleset.Ruleset, prune bool, keys *diff.KeyCache) *kernelState {
	st := &kernelState{gen: gen, rs: rs, keys: keys}
	if prune || len(desired.Tables) > maxTablePulls {
		st.all = true
	} else {
		st.scope = make(map[tableKey]bool, len(desired.Tables))
		for _, t := range desired.Tables {
			st.scope[tableKey{t.Family, t.Name}] = true
		}
	}
	return st
}

// nextGen is the generation after one commit on top of gen (the kernel
// skips 0).
func nextGen(gen uint32) uint32 {
	if gen+1 == 0 {
		return 1
	}
	return gen + 1
}

// committed brings st forward over a patch the kernel just committed on
// top of st.gen: the chains whose rules the patch changed are dumped again
// (their rule handles only matter; the rules' content is the desired
// one), and the result is kept if GETGEN then shows no other commit. It
// returns nil when the state cannot be brought forward cheaply.
func committed(c *nfnl.Conn, st *kernelState, p *diff.Patch, desired *ruleset.Ruleset, toKeys *diff.KeyCache) *kernelState {
	type chainRef struct {
		fam          ruleset.Family
		table, chain string
	}
	touched := map[chainRef][]*ruleset.Command{}
	var order []chainRef
	for _, cmd := range p.Commands {
		if cmd.Kind != ruleset.KindRule {
			return nil // tables, chains, sets, elements, objects: pull again
		}
		k := chainRef{cmd.Family, cmd.Table, cmd.Chain}
		if _, ok := touched[k]; !ok {
			order = append(order, k)
		}
		touched[k] = append(touched[k], cmd)
	}
	rs := &ruleset.Ruleset{Tables: append([]*ruleset.Table(nil), st.rs.Tables...)}
	tables := map[tableKey]*ruleset.Table{} // copied tables
	var forget []*ruleset.Rule
	for _, k := range order {
		dt := desired.Table(k.fam, k.table)
		if dt == nil {
			return nil
		}
		dc := dt.Chain(k.chain)
		if dc == nil {
			return nil
		}
		t := tables[tableKey{k.fam, k.table}]
		if t == nil {
			i := tableIndex(rs, k.fam, k.table)
			if i < 0 {
				return nil
			}
			tc := *rs.Tables[i]
			tc.Chains = append([]*ruleset.Chain(nil), tc.Chains...)
			t = &tc
			rs.Tables[i] = t
			tables[tableKey{k.fam, k.table}] = t
		}
		ci := -1
		for i, ch := range t.Chains {
			if ch.Name == k.chain {
				ci = i
			}
		}
		if ci < 0 {
			return nil
		}
		old := t.Chains[ci]
		handles, err := ruleHandles(c, k.fam, k.table, k.chain)
		if err != nil || len(handles) != len(dc.Rules) {
			return nil
		}
		kept := make(map[uint64]*ruleset.Rule, len(old.Rules))
		for _, r := range old.Rules {
			kept[r.Handle] = r
		}
		for _, cmd := range touched[k] {
			if cmd.Op == ruleset.OpReplace || cmd.Op == ruleset.OpDelete || cmd.Op == ruleset.OpDestroy {
				delete(kept, cmd.Handle) // content changed or gone
			}
		}
		nc := *old
		nc.Rules = make([]*ruleset.Rule, len(handles))
		used := make(map[uint64]bool, len(handles))
		for j, h := range handles {
			if r, ok := kept[h]; ok {
				if st.keys.Key(r) != toKeys.Key(dc.Rules[j]) {
					return nil // not where the desired value has it
				}
				nc.Rules[j] = r
				used[h] = true
				continue
			}
			rc := *dc.Rules[j]
			rc.Handle = h
			nc.Rules[j] = &rc
		}
		for _, r := range old.Rules {
			if !used[r.Handle] {
				forget = append(forget, r)
			}
		}
		t.Chains[ci] = &nc
	}
	// The dumps show the committed state only if nobody committed since.
	if gen, err := c.GenID(); err != nil || gen != nextGen(st.gen) {
		return nil
	}
	for _, r := range forget {
		st.keys.Forget(r)
	}
	return &kernelState{gen: nextGen(st.gen), all: st.all, scope: st.scope, rs: rs, keys: st.keys}
}

func tableIndex(rs *ruleset.Ruleset, fam ruleset.Family, name string) int {
	for i, t := range rs.Tables {
		if t.Family == fam && t.Name == name {
			return i
		}
	}
	return -1
}

// ruleHandles dumps the handles of one chain's rules, in order.
func ruleHandles(c *nfnl.Conn, fam ruleset.Family, table, chain string) ([]uint64, error) {
	var b []byte
	b = putString(b, 1, table) // NFTA_RULE_TABLE
	b = putString(b, 2, chain) // NFTA_RULE_CHAIN
	var hs []uint64
	err := c.Dump(nfnl.DumpRequest{Type: unix.NFT_MSG_GETRULE, Family: uint8(fam), Attrs: b}, func(m nfnl.Msg) error {
		tn, cn, r, err := wire.DecodeRule(m.Attrs)
		if err != nil {
			return err
		}
		if tn == table && cn == chain {
			hs = append(hs, r.Handle)
		}
		return nil
	})
	return hs, err
}

// putString appends a NUL-terminated string attribute.
func putString(b []byte, typ uint16, v string) []byte {
	n := len(v) + 1
	b = append(b, byte(4+n), byte((4+n)>>8), byte(typ), byte(typ>>8))
	b = append(b, v...)
	b = append(b, 0)
	for len(b)%4 != 0 {
		b = append(b, 0)
	}
	return b
}

// reconcilers holds the Reconciler kernel.Reconcile uses per connection.
// It is bounded: beyond maxReconcilers connections it starts over (a
// forgotten Reconciler only costs its next call a pull).
var reconcilers = struct {
	sync.Mutex
	m map[*nfnl.Conn]*Reconciler
}{m: map[*nfnl.Conn]*Reconciler{}}

const maxReconcilers = 8

// reconcilerFor returns the shared Reconciler of c.
func reconcilerFor(c *nfnl.Conn) *Reconciler {
	reconcilers.Lock()
	defer reconcilers.Unlock()
	if r, ok := reconcilers.m[c]; ok {
		return r
	}
	if len(reconcilers.m) >= maxReconcilers {
		clear(reconcilers.m)
	}
	r := NewReconciler(c)
	reconcilers.m[c] = r
	return r
}
