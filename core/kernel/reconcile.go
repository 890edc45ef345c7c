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
}

// Reconcile makes the kernel hold desired with a minimal patch: it reads
// the ruleset generation (GETGEN), pulls, diffs and sends the patch as one
// batch carrying NFTA_BATCH_GENID, so the kernel refuses it with ERESTART
// if anyone committed in between; then it starts over, a bounded number of
// times with jittered exponential backoff. An empty patch sends nothing.
// Only the tables named in desired are compared unless Prune is set.
func Reconcile(c *nfnl.Conn, desired *ruleset.Ruleset, opts ReconcileOptions) (*ReconcileResult, error) {
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
			return res, err
		}
		current, err := pullFor(c, desired, opts.Prune)
		if err != nil {
			return res, err
		}
		res.GenID = gen
		res.Patch = diff.Diff(current, desired, diff.Options{Prune: opts.Prune})
		if opts.DryRun || res.Patch.Empty() {
			return res, nil
		}
		cmds := make([]ruleset.Command, len(res.Patch.Commands))
		for i, pc := range res.Patch.Commands {
			cmds[i] = *pc
		}
		err = Apply(c, cmds, ApplyOptions{Check: opts.Check, Persist: opts.Persist, GenID: &gen})
		if err == nil {
			return res, nil
		}
		if !errors.Is(err, unix.ERESTART) {
			return res, err
		}
		if res.Attempts >= opts.MaxAttempts {
			return res, &diag.Error{Op: "reconcile", Errno: unix.ERESTART, Err: err,
				Msg: fmt.Sprintf("the ruleset kept changing: gave up after %d attempts (last generation %d)", res.Attempts, gen)}
		}
		time.Sleep(delay/2 + time.Duration(rand.Int64N(int64(delay))))
		delay *= 2
	}
}

// pullFor pulls what a reconcile compares: the whole ruleset when pruning,
// else only the tables desired names (one dump of everything is cheaper than
// several filtered ones when there are many tables).
func pullFor(c *nfnl.Conn, desired *ruleset.Ruleset, prune bool) (*ruleset.Ruleset, error) {
	if prune || len(desired.Tables) != 1 {
		return Pull(c, PullOptions{})
	}
	t := desired.Tables[0]
	return Pull(c, PullOptions{Family: t.Family, Table: t.Name})
}
