package nflog

import (
	"fmt"
	"os"
	"runtime"
	"strings"

	"golang.org/x/sys/unix"

	"github.com/nfsh/nfsh/core/diag"
)

// loggerName is the name nfnetlink_log registers with nf_log.
const loggerName = "nfnetlink_log"

// bindFamily makes nfnetlink_log the default logger of family pf in the
// listener's namespace, unless a logger is already bound there: the
// binding is per namespace and per family, and replacing another logger
// (nf_log_syslog, say) would change what other users see.
func (l *Listener) bindFamily(nsfd int, pf uint8) error {
	cur, err := boundLogger(nsfd, pf)
	if err != nil {
		return &diag.Error{Op: "nflog read default logger", Object: fmt.Sprintf("family %d", pf), Err: err, Errno: diag.ErrnoOf(err)}
	}
	if cur != "NONE" {
		return nil // ours already, or someone else's: leave it
	}
	if err := l.request(pf, 0, attrU8(cfgCmd, cmdPFBind)); err != nil {
		return &diag.Error{Op: "nflog bind family", Object: fmt.Sprintf("family %d", pf), Err: err, Errno: diag.ErrnoOf(err)}
	}
	l.bound = append(l.bound, pf)
	return nil
}

// boundLogger reads net.netfilter.nf_log.PF in the namespace nsfd (-1:
// current): the name of the family's default logger, or "NONE".
func boundLogger(nsfd int, pf uint8) (string, error) {
	path := fmt.Sprintf("/proc/sys/net/netfilter/nf_log/%d", pf)
	read := func() (string, error) {
		b, err := os.ReadFile(path)
		return strings.TrimSpace(string(b)), err
	}
	if nsfd < 0 {
		return read()
	}
	type result struct {
		s   string
		err error
	}
	ch := make(chan result, 1)
	go func() {
		runtime.LockOSThread()
		orig, err := unix.Open("/proc/thread-self/ns/net", unix.O_RDONLY|unix.O_CLOEXEC, 0)
		if err != nil {
			runtime.UnlockOSThread()
			ch <- result{err: err}
			return
		}
		defer unix.Close(orig)
		if err := unix.Setns(nsfd, unix.CLONE_NEWNET); err != nil {
			runtime.UnlockOSThread()
			ch <- result{err: err}
			return
		}
		s, rerr := read()
		if err := unix.Setns(orig, unix.CLONE_NEWNET); err != nil {
			ch <- result{err: err} // the thread stays locked and is discarded
			return
		}
		runtime.UnlockOSThread()
		ch <- result{s, rerr}
	}()
	r := <-ch
	return r.s, r.err
}
