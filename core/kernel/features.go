// Package kernel carries out nfsh's verbs against the kernel: Apply (a
// command list as one atomic batch), Push (replace the named tables) and
// Pull (dump the ruleset into a *ruleset.Ruleset). It joins core/wire
// (message bytes) and core/nfnl (sockets).
package kernel

import (
	"sync"

	"golang.org/x/sys/unix"

	"github.com/nfsh/nfsh/core/nfnl"
	"github.com/nfsh/nfsh/core/ruleset"
	"github.com/nfsh/nfsh/core/wire"
)

// Features are the optional kernel capabilities nfsh uses.
type Features struct {
	Destroy bool // NFT_MSG_DESTROY* (Linux >= 6.3)
	Persist bool // NFT_TABLE_F_PERSIST (Linux >= 6.9)
}

var (
	featMu       sync.Mutex
	featCache    *Features
	destroyCache *bool
)

// probeTable is the table the feature probes name; it is never committed.
var probeTable = &ruleset.Table{Family: ruleset.FamilyIP, Name: "nfsh-feature-probe"}

// Probe detects the kernel features by sending check-mode batches (never
// committed), once per process.
//
// The persist probe creates a table in a batch the kernel then aborts,
// which still uses up a table handle (the kernel's counter is not rolled
// back): callers that do not need Persist use probeDestroy, so that the
// tables they create get the handles nft would give them.
func Probe(c *nfnl.Conn) (Features, error) {
	var f Features
	d, err := probeDestroy(c)
	if err != nil {
		return f, err
	}
	featMu.Lock()
	defer featMu.Unlock()
	if featCache != nil {
		return *featCache, nil
	}
	f.Destroy = d
	b := nfnl.NewBatch(0)
	wire.AddTable(b, probeTable, wire.TableOwner|wire.TablePersist, unix.NLM_F_EXCL)
	if _, err := c.SendBatch(b, nfnl.SendOptions{Check: true}); err == nil {
		f.Persist = true
	} else if !isRefusal(err) {
		return f, err
	}
	featCache = &f
	return f, nil
}

// probeDestroy reports whether the kernel has NFT_MSG_DESTROY* (a check
// batch destroying a table that does not exist), once per process.
func probeDestroy(c *nfnl.Conn) (bool, error) {
	featMu.Lock()
	defer featMu.Unlock()
	if destroyCache != nil {
		return *destroyCache, nil
	}
	b := nfnl.NewBatch(0)
	wire.DelTable(b, wire.MsgDestroyTable, ruleset.FamilyIP, probeTable.Name, 0)
	ok := false
	if _, err := c.SendBatch(b, nfnl.SendOptions{Check: true}); err == nil {
		ok = true
	} else if !isRefusal(err) {
		return false, err
	}
	destroyCache = &ok
	return ok, nil
}

// isRefusal reports whether err is the kernel refusing a batch message
// (as opposed to a socket failure).
func isRefusal(err error) bool {
	_, ok := batchError(err)
	return ok
}
