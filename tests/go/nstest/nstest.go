// Package nstest gives kernel tests a fresh, named network namespace of
// their own, so that no test ever touches the host namespace's ruleset.
//
// A test calls Require first (it skips when the machine cannot run kernel
// tests, or fails under CI=true), then New to get a namespace that is
// removed when the test ends:
//
//	func TestPush(t *testing.T) {
//		nstest.Require(t)
//		ns := nstest.New(t)
//		conn, err := nfnl.Dial(nfnl.Options{NetNS: nfnl.NetNSPath(ns.Path())})
//		...
//		out := ns.Nft(t, "list", "ruleset")
//	}
package nstest

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"

	"golang.org/x/sys/unix"
)

// NetNSDir is where named network namespaces are bind-mounted (the
// directory `ip netns` uses).
const NetNSDir = "/run/netns"

// NS is a named network namespace created for one test.
type NS struct {
	name string
}

// Name returns the namespace name as `ip netns` knows it, e.g. "nfsh-1a2b3c4d".
func (ns *NS) Name() string { return ns.name }

// Path returns the bind-mount path of the namespace, e.g. /run/netns/nfsh-1a2b3c4d.
func (ns *NS) Path() string { return filepath.Join(NetNSDir, ns.name) }

// InCI reports whether the environment says we run under CI (CI=true),
// where kernel tests that cannot run must fail rather than skip.
func InCI() bool { return os.Getenv("CI") == "true" }

var (
	reqOnce sync.Once
	reqErr  error
)

// Require skips the test when kernel tests cannot run here: not root, no
// `ip` or `nft` binary, or no nf_tables in the kernel. Under CI=true it
// fails the test instead of skipping.
func Require(t testing.TB) {
	t.Helper()
	reqOnce.Do(func() { reqErr = probe() })
	if reqErr == nil {
		return
	}
	if InCI() {
		t.Fatalf("kernel test cannot run (CI=true forbids skipping): %v", reqErr)
	}
	t.Skipf("kernel test skipped: %v", reqErr)
}

// probe checks the preconditions of kernel tests once per process.
func probe() error {
	if os.Geteuid() != 0 {
		return errors.New("not running as root")
	}
	for _, bin := range []string{"ip", "nft"} {
		if _, err := exec.LookPath(bin); err != nil {
			return fmt.Errorf("%s not found in PATH: %w", bin, err)
		}
	}
	return probeNFTables()
}

// probeNFTables sends NFT_MSG_GETGEN (read-only) on a NETLINK_NETFILTER
// socket and expects a reply, proving the kernel has nf_tables.
func probeNFTables() error {
	fd, err := unix.Socket(unix.AF_NETLINK, unix.SOCK_RAW|unix.SOCK_CLOEXEC, unix.NETLINK_NETFILTER)
	if err != nil {
		return fmt.Errorf("netlink netfilter socket: %w", err)
	}
	defer unix.Close(fd)
	tv := unix.Timeval{Sec: 5}
	_ = unix.SetsockoptTimeval(fd, unix.SOL_SOCKET, unix.SO_RCVTIMEO, &tv)
	if err := unix.Bind(fd, &unix.SockaddrNetlink{Family: unix.AF_NETLINK}); err != nil {
		return fmt.Errorf("bind netlink: %w", err)
	}
	// nlmsghdr (16) + nfgenmsg (4): NFT_MSG_GETGEN, NLM_F_REQUEST.
	msg := make([]byte, 20)
	putU32(msg[0:], 20)
	putU16(msg[4:], uint16(unix.NFNL_SUBSYS_NFTABLES<<8|unix.NFT_MSG_GETGEN))
	putU16(msg[6:], unix.NLM_F_REQUEST)
	putU32(msg[8:], 1)
	if err := unix.Sendto(fd, msg, 0, &unix.SockaddrNetlink{Family: unix.AF_NETLINK}); err != nil {
		return fmt.Errorf("send GETGEN: %w", err)
	}
	buf := make([]byte, 4096)
	n, _, err := unix.Recvfrom(fd, buf, 0)
	if err != nil {
		return fmt.Errorf("receive GETGEN reply: %w", err)
	}
	if n < 16 {
		return errors.New("short GETGEN reply")
	}
	typ := uint16(buf[4]) | uint16(buf[5])<<8
	if typ == unix.NLMSG_ERROR && n >= 20 {
		errno := -int32(uint32(buf[16]) | uint32(buf[17])<<8 | uint32(buf[18])<<16 | uint32(buf[19])<<24)
		return fmt.Errorf("nf_tables not available: GETGEN: %w", unix.Errno(errno))
	}
	return nil
}

func putU16(b []byte, v uint16) { b[0], b[1] = byte(v), byte(v>>8) }
func putU32(b []byte, v uint32) {
	b[0], b[1], b[2], b[3] = byte(v), byte(v>>8), byte(v>>16), byte(v>>24)
}

// randomName returns "nfsh-" followed by 8 random hex digits.
func randomName() string {
	var b [4]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(err) // crypto/rand never fails on Linux
	}
	return "nfsh-" + hex.EncodeToString(b[:])
}

// New creates a fresh named network namespace with `lo` up and registers
// its removal with t.Cleanup. It fails the test when it cannot.
func New(t testing.TB) *NS {
	t.Helper()
	var ns *NS
	var lastErr error
	for range 3 {
		name := randomName()
		out, err := exec.Command("ip", "netns", "add", name).CombinedOutput()
		if err != nil {
			lastErr = fmt.Errorf("ip netns add %s: %v: %s", name, err, bytes.TrimSpace(out))
			continue
		}
		ns = &NS{name: name}
		break
	}
	if ns == nil {
		t.Fatalf("nstest: %v", lastErr)
	}
	t.Cleanup(func() {
		if out, err := exec.Command("ip", "netns", "del", ns.name).CombinedOutput(); err != nil {
			t.Errorf("nstest: ip netns del %s: %v: %s", ns.name, err, bytes.TrimSpace(out))
		}
	})
	if _, err := ns.Run(t, "ip", "link", "set", "lo", "up"); err != nil {
		t.Fatalf("nstest: bring lo up in %s: %v", ns.name, err)
	}
	return ns
}

// Command returns an *exec.Cmd that runs name with args inside the
// namespace (through `ip netns exec`), for callers that need stdin or
// a long-running process.
func (ns *NS) Command(name string, args ...string) *exec.Cmd {
	return exec.Command("ip", append([]string{"netns", "exec", ns.name, name}, args...)...)
}

// Run runs a command inside the namespace and returns its standard
// output. A non-nil error carries the exit status and standard error.
func (ns *NS) Run(t testing.TB, name string, args ...string) (string, error) {
	t.Helper()
	return ns.run(ns.Command(name, args...), "")
}

// RunInput is Run with the given text on standard input.
func (ns *NS) RunInput(t testing.TB, input, name string, args ...string) (string, error) {
	t.Helper()
	return ns.run(ns.Command(name, args...), input)
}

func (ns *NS) run(cmd *exec.Cmd, input string) (string, error) {
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if input != "" {
		cmd.Stdin = strings.NewReader(input)
	}
	if err := cmd.Run(); err != nil {
		return stdout.String(), fmt.Errorf("%s: %w: %s", strings.Join(cmd.Args[4:], " "), err, bytes.TrimSpace(stderr.Bytes()))
	}
	return stdout.String(), nil
}

// Nft runs `nft ARGS...` inside the namespace (the reference oracle) and
// returns its standard output; it fails the test when nft fails.
func (ns *NS) Nft(t testing.TB, args ...string) string {
	t.Helper()
	out, err := ns.Run(t, "nft", args...)
	if err != nil {
		t.Fatalf("nstest: %v", err)
	}
	return out
}

// NftErr runs `nft ARGS...` inside the namespace and returns its standard
// output and error, for tests that expect nft to fail.
func (ns *NS) NftErr(t testing.TB, args ...string) (string, error) {
	t.Helper()
	return ns.Run(t, "nft", args...)
}

// NftScript loads an nft script (`nft -f -`) inside the namespace; it
// fails the test when nft fails.
func (ns *NS) NftScript(t testing.TB, script string) {
	t.Helper()
	if _, err := ns.RunInput(t, script, "nft", "-f", "-"); err != nil {
		t.Fatalf("nstest: %v", err)
	}
}

// Do runs fn on a locked OS thread that has entered the namespace, then
// moves the thread back. Sockets opened in fn belong to the namespace.
func (ns *NS) Do(fn func() error) error {
	errc := make(chan error, 1)
	go func() {
		runtime.LockOSThread()
		// The thread is not unlocked when restoring fails, so the runtime
		// discards it instead of reusing a thread in the wrong namespace.
		orig, err := os.Open("/proc/thread-self/ns/net")
		if err != nil {
			errc <- err
			return
		}
		defer orig.Close()
		target, err := os.Open(ns.Path())
		if err != nil {
			errc <- err
			return
		}
		defer target.Close()
		if err := unix.Setns(int(target.Fd()), unix.CLONE_NEWNET); err != nil {
			errc <- fmt.Errorf("setns %s: %w", ns.Path(), err)
			return
		}
		ferr := fn()
		if err := unix.Setns(int(orig.Fd()), unix.CLONE_NEWNET); err != nil {
			errc <- fmt.Errorf("setns back: %w", err)
			return
		}
		runtime.UnlockOSThread()
		errc <- ferr
	}()
	return <-errc
}

// Veth creates a veth pair with one end (nameA) in a and the other
// (nameB) in b, both up. Interface names must be at most 15 bytes.
// The pair disappears with either namespace.
func Veth(t testing.TB, a *NS, nameA string, b *NS, nameB string) {
	t.Helper()
	out, err := exec.Command("ip", "link", "add", nameA, "netns", a.name, "type", "veth",
		"peer", "name", nameB, "netns", b.name).CombinedOutput()
	if err != nil {
		t.Fatalf("nstest: create veth %s/%s: %v: %s", nameA, nameB, err, bytes.TrimSpace(out))
	}
	for _, e := range []struct {
		ns   *NS
		name string
	}{{a, nameA}, {b, nameB}} {
		if _, err := e.ns.Run(t, "ip", "link", "set", e.name, "up"); err != nil {
			t.Fatalf("nstest: %v", err)
		}
	}
}

// Addr adds an address in CIDR form (e.g. "10.0.0.1/24") to an interface
// of the namespace.
func (ns *NS) Addr(t testing.TB, ifname, cidr string) {
	t.Helper()
	if _, err := ns.Run(t, "ip", "addr", "add", cidr, "dev", ifname); err != nil {
		t.Fatalf("nstest: %v", err)
	}
}
