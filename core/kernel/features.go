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

// persistRelease is the first mainline kernel with NFT_TABLE_F_PERSIST.
var persistRelease = [2]int{6, 9}

// Probe detects the kernel features by sending check-mode batches (never
// committed), once per process.
//
// A table created in a check batch uses up a table handle even though the
// kernel aborts the batch (its counter is not rolled back), and a table
// created afterwards would not get the handle nft gives it. So Persist is
// not probed on a kernel whose release has it (6.9 and later); older
// kernels refuse the unknown flag before they count a handle, so probing
// there (for a backported flag) costs nothing. Destroy is probed by
// destroying a table that does not exist, which uses up nothing.
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
	if releaseAtLeast(kernelRelease(), persistRelease) {
		f.Persist = true
		featCache = &f
		return f, nil
	}
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

// kernelRelease returns the running kernel's release (uname -r), or "".
func kernelRelease() string {
	var u unix.Utsname
	if err := unix.Uname(&u); err != nil {
		return ""
	}
	return unix.ByteSliceToString(u.Release[:])
}

// releaseAtLeast reports whether a kernel release string ("6.18.0-foo")
// is at least major.minor; an unreadable release is not.
func releaseAtLeast(rel string, want [2]int) bool {
	var got [2]int
	for i := range got {
		n, j := 0, 0
		for j < len(rel) && rel[j] >= '0' && rel[j] <= '9' {
			n = n*10 + int(rel[j]-'0')
			j++
		}
		if j == 0 || j > 6 {
			return false
		}
		got[i] = n
		rel = rel[j:]
		if i == 0 {
			if len(rel) == 0 || rel[0] != '.' {
				return false
			}
			rel = rel[1:]
		}
	}
	if got[0] != want[0] {
		return got[0] > want[0]
	}
	return got[1] >= want[1]
}
