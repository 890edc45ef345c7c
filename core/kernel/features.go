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
	featMu    sync.Mutex
	featCache *Features
)

// Probe detects the kernel features by sending check-mode batches (never
// committed), once per process.
func Probe(c *nfnl.Conn) (Features, error) {
	featMu.Lock()
	defer featMu.Unlock()
	if featCache != nil {
		return *featCache, nil
	}
	var f Features
	probeTable := &ruleset.Table{Family: ruleset.FamilyIP, Name: "nfsh-feature-probe"}
	b := nfnl.NewBatch(0)
	wire.DelTable(b, wire.MsgDestroyTable, ruleset.FamilyIP, probeTable.Name, 0)
	if _, err := c.SendBatch(b, nfnl.SendOptions{Check: true}); err == nil {
		f.Destroy = true
	} else if !isRefusal(err) {
		return f, err
	}
	b.Reset()
	wire.AddTable(b, probeTable, wire.TableOwner|wire.TablePersist, unix.NLM_F_EXCL)
	if _, err := c.SendBatch(b, nfnl.SendOptions{Check: true}); err == nil {
		f.Persist = true
	} else if !isRefusal(err) {
		return f, err
	}
	featCache = &f
	return f, nil
}

// isRefusal reports whether err is the kernel refusing a batch message
// (as opposed to a socket failure).
func isRefusal(err error) bool {
	_, ok := batchError(err)
	return ok
}
