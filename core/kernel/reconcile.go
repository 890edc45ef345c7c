package kernel

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"time"

	"golang.org/x/sys/unix"

	"github.com/nfsh/nfsh/core/diag"
	"github.com/nfsh/nfsh/core/diff"
	"github.com/nfsh/nfsh/core/nfnl"
	"github.com/nfsh/nfsh/core/ruleset"
)

// ReconcileOptions tune Reconcile.
type ReconcileOptions struct {
	// Prune deletes tables the kernel has and the desired value lacks.
	Prune bool
	// DryRun computes the patch against the kernel without sending it.
	DryRun bool
	// Check sends the patch without committing it.
	Check bool
	// Persist creates new tables without the owner flag.
	Persist bool
	// MaxAttempts bounds how often a patch is recomputed and resent when
	// another writer changed the ruleset meanwhile (ERESTART); default 5.
	MaxAttempts int
	// Backoff is the first retry delay; it doubles per attempt, with
	// jitter. Default 5ms.
	Backoff time.Duration
}

// ReconcileResult tells what Reconcile did.
type ReconcileResult struct {
	Patch    *diff.Patch // the patch sent (or, with DryRun, computed)
	GenID    uint32      // the generation the patch was computed against
	Attempts int         // how many patches were computed
	// Pulls is how many times the tables were pulled; 0 when every
	// attempt diffed against the state remembered from the last call.
	Pulls int
}

// Reconcile makes the kernel hold desired with a minimal patch: it reads
// the ruleset generation (GETGEN), pulls the tables concerned, diffs and
// sends the patch as one batch carrying NFTA_BATCH_GENID, so the kernel
// refuses it with ERESTART if anyone committed since the generation was
// read; then it starts over, at most MaxAttempts times, sleeping a jittered,
// doubling delay between attempts. An empty patch sends nothing. Only the
// tables named in desired are compared unless Prune is set.
//
// Reconcile remembers, per connection, the state it last saw (see
// Reconciler): when the generation has not moved since, it skips the pull
// and diffs against that state. The rules of desired must therefore not be
// modified in place after the call.
//
// On exhaustion the error is a *diag.Error with Errno ERESTART whose
// message names the attempts and the last generation; the result, returned
// with every error, carries them too.
func Reconcile(c *nfnl.Conn, desired *ruleset.Ruleset, opts ReconcileOptions) (*ReconcileResult, error) {
	return reconcilerFor(c).Reconcile(desired, opts)
}

// reconcile is the loop of Reconcile; r remembers the kernel's state
// between calls (see Reconciler) and is locked by the caller.
func reconcile(c *nfnl.Conn, r *Reconciler, desired *ruleset.Ruleset, opts ReconcileOptions) (*ReconcileResult, error) {
	if opts.MaxAttempts <= 0 {
		opts.MaxAttempts = 5
	}
	if opts.Backoff <= 0 {
		opts.Backoff = 5 * time.Millisecond
	}
	res := &ReconcileResult{}
	delay := opts.Backoff
	for {
		res.Attempts++
		gen, err := c.GenID()
		if err != nil {
			r.st = nil
			return res, err
		}
		res.GenID = gen
		st := r.current(gen, desired, opts.Prune)
		if st == nil {
			// The remembered state is stale or too narrow: pull.
			r.st = nil
			var current *ruleset.Ruleset
			res.Pulls++
			if current, err = pullFor(c, desired, opts.Prune); err == nil {
				st = r.pulled(gen, current, desired, opts.Prune, diff.NewKeyCache())
			}
		}
		if err == nil {
			res.Patch = diff.Diff(st.rs, desired, diff.Options{Prune: opts.Prune, FromKeys: st.keys, ToKeys: r.toKeys})
			if opts.DryRun || res.Patch.Empty() {
				// Nothing sent: the pull is the kernel's state if the
				// generation has not moved.
				if r.st != st {
					if g, gerr := c.GenID(); gerr == nil && g == gen {
						r.st = st
					}
				}
				return res, nil
			}
			cmds := make([]ruleset.Command, len(res.Patch.Commands))
			for i, pc := range res.Patch.Commands {
				cmds[i] = *pc
			}
			err = Apply(c, cmds, ApplyOptions{Check: opts.Check, Persist: opts.Persist, GenID: &gen})
			if err == nil {
				if opts.Check {
					// The kernel accepted the generation and committed
					// nothing: st is still its state.
					r.st = st
				} else {
					r.st = committed(c, st, res.Patch, desired, r.toKeys)
				}
				return res, nil
			}
			r.st = nil
		}
		// ERESTART: the generation moved under the patch; an interrupted
		// dump: it moved under the pull. Both mean start over.
		if !errors.Is(err, unix.ERESTART) && !errors.Is(err, nfnl.ErrDumpInterrupted) {
			return res, err
		}
		if res.Attempts >= opts.MaxAttempts {
			e := &diag.Error{Op: "reconcile", Errno: unix.ERESTART,
				Msg: fmt.Sprintf("the ruleset kept changing: gave up after %d attempts (last generation %d)", res.Attempts, gen)}
			if errors.Is(err, unix.ERESTART) {
				e.Err = err // the kernel's refusal; else the errno stands alone
			}
			return res, e
		}
		time.Sleep(delay/2 + time.Duration(rand.Int64N(int64(delay))))
		delay *= 2
	}
}

// maxTablePulls is how many desired tables are pulled one by one (filtered
// dumps) before one dump of everything is cheaper.
const maxTablePulls = 4

// pullFor pulls what a reconcile compares, without a generation check of
// its own (the batch's NFTA_BATCH_GENID covers it): the whole ruleset when
// pruning or when many tables are desired, else only the desired tables.
func pullFor(c *nfnl.Conn, desired *ruleset.Ruleset, prune bool) (*ruleset.Ruleset, error) {
	if prune || len(desired.Tables) > maxTablePulls {
		return pullOnce(c, PullOptions{})
	}
	out := &ruleset.Ruleset{}
	for _, t := range desired.Tables {
		rs, err := pullOnce(c, PullOptions{Family: t.Family, Table: t.Name})
		if err != nil {
			return nil, err
		}
		out.Tables = append(out.Tables, rs.Tables...)
	}
	return out, nil
}
