package gotests

import (
	"bufio"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/sys/unix"

	"github.com/nfsh/nfsh/tests/go/nstest"
)

// traceRuleset traces every packet on lo through ip, ip6 and inet tables:
// jumps, a goto, returns (explicit and implicit), a drop policy, marks,
// counters, comments, anonymous sets. Probe and marker packets (udp ports
// 7, 5555, 5556) leave early so the counters the monitors read at their
// start do not depend on when each started.
const traceRuleset = `table ip t {
	chain c {
		type filter hook input priority filter; policy accept;
		meta nftrace set 1
		udp dport { 7, 5555, 5556 } drop
		ip protocol icmp jump j
		tcp dport 1 counter
		meta mark set 0x2a
	}
	chain j {
		icmp type echo-request counter
		ip saddr 127.0.0.1 goto k
	}
	chain k {
		icmp type echo-reply accept
	}
}
table ip6 t6 {
	chain c {
		type filter hook input priority filter; policy drop;
		meta nftrace set 1
		meta mark set 0x5
		udp dport 9 drop
		icmpv6 type { echo-request, echo-reply } accept comment "ping"
	}
}
table inet ti {
	chain o {
		type filter hook output priority filter; policy accept;
		meta nftrace set 1 comment "hello"
		udp dport { 7, 5555, 5556 } accept
		meta l4proto tcp counter
		jump r
	}
	chain r {
		ip6 nexthdr ipv6-icmp return
		tcp flags syn ct state new
	}
}
`

// startTraceMonitor runs name args... inside ns and returns its stdout
// lines.
func startTraceMonitor(t *testing.T, ns *nstest.NS, name string, args ...string) <-chan string {
	t.Helper()
	cmd := ns.Command(name, args...)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
		if s := stderr.String(); s != "" {
			t.Logf("%s stderr: %s", name, s)
		}
	})
	ch := make(chan string, 4096)
	go func() {
		defer close(ch)
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			ch <- sc.Text()
		}
	}()
	return ch
}

// sendUDP sends one datagram to addr:port (IPv4 or IPv6 loopback).
func sendUDP(v6 bool, port int, payload string) error {
	var sa unix.Sockaddr = &unix.SockaddrInet4{Port: port, Addr: [4]byte{127, 0, 0, 1}}
	fam := unix.AF_INET
	if v6 {
		sa, fam = &unix.SockaddrInet6{Port: port, Addr: [16]byte{15: 1}}, unix.AF_INET6
	}
	fd, err := unix.Socket(fam, unix.SOCK_DGRAM, 0)
	if err != nil {
		return err
	}
	defer unix.Close(fd)
	return unix.Sendto(fd, []byte(payload), 0, sa)
}

// sendPing sends one ICMP (or ICMPv6) echo request to the loopback
// address on a raw socket.
func sendPing(v6 bool) error {
	msg := []byte{8, 0, 0, 0, 0x12, 0x34, 0, 1, 'p', 'i', 'n', 'g'}
	if v6 {
		msg[0] = 128 // the kernel fills in ICMPv6 checksums
		fd, err := unix.Socket(unix.AF_INET6, unix.SOCK_RAW, unix.IPPROTO_ICMPV6)
		if err != nil {
			return err
		}
		defer unix.Close(fd)
		return unix.Sendto(fd, msg, 0, &unix.SockaddrInet6{Addr: [16]byte{15: 1}})
	}
	var sum uint32
	for i := 0; i < len(msg); i += 2 {
		sum += uint32(msg[i])<<8 | uint32(msg[i+1])
	}
	for sum > 0xffff {
		sum = sum>>16 + sum&0xffff
	}
	msg[2], msg[3] = byte(^sum>>8), byte(^sum)
	fd, err := unix.Socket(unix.AF_INET, unix.SOCK_RAW, unix.IPPROTO_ICMP)
	if err != nil {
		return err
	}
	defer unix.Close(fd)
	return unix.Sendto(fd, msg, 0, &unix.SockaddrInet4{Addr: [4]byte{127, 0, 0, 1}})
}

// sendSYN connects to a closed TCP port (a SYN, answered by a RST).
func sendSYN(port int) error {
	fd, err := unix.Socket(unix.AF_INET, unix.SOCK_STREAM, 0)
	if err != nil {
		return err
	}
	defer unix.Close(fd)
	if err := unix.Connect(fd, &unix.SockaddrInet4{Port: port, Addr: [4]byte{127, 0, 0, 1}}); err != unix.ECONNREFUSED {
		return fmt.Errorf("connect to closed port %d: %v", port, err)
	}
	return nil
}

// traceID returns the id of a trace line ("trace id 1a2b3c4d ...").
func traceID(l string) string {
	if f := strings.Fields(l); len(f) > 2 && f[0] == "trace" && f[1] == "id" {
		return f[2]
	}
	return ""
}

// collectTrace reads lines until the marker packet (udp dport 5556) was
// dropped in ip t c, and returns them from the first line of the sync
// packet (udp dport 5555) on.
func collectTrace(t *testing.T, who string, ch <-chan string) []string {
	t.Helper()
	var lines []string
	endID := ""
	timeout := time.After(30 * time.Second)
	for {
		select {
		case l, ok := <-ch:
			if !ok {
				t.Fatalf("%s ended early; lines so far:\n%s", who, strings.Join(lines, "\n"))
			}
			lines = append(lines, l)
			if strings.Contains(l, " ip t c packet: ") && strings.Contains(l, "udp dport 5556 ") {
				endID = traceID(l)
			}
			if endID != "" && traceID(l) == endID && strings.Contains(l, " rule ") && strings.HasSuffix(l, "(verdict drop)") {
				for i, x := range lines {
					if strings.Contains(x, " packet: ") && strings.Contains(x, "udp dport 5555 ") {
						return lines[i:]
					}
				}
				t.Fatalf("%s: no sync packet line in:\n%s", who, strings.Join(lines, "\n"))
			}
		case <-timeout:
			t.Fatalf("%s: no end marker; lines so far:\n%s", who, strings.Join(lines, "\n"))
		}
	}
}

// TestTraceDiff runs `nft monitor trace` and `nfsh monitor trace` side by
// side on the same traffic and compares their output byte for byte.
func TestTraceDiff(t *testing.T) {
	nstest.Require(t)
	ns := nstest.New(t)
	if out, err := ns.Run(t, "ip", "link", "set", "lo", "up"); err != nil {
		t.Fatalf("lo up: %v %s", err, out)
	}
	ns.NftScript(t, traceRuleset)
	nftLines := startTraceMonitor(t, ns, "nft", "monitor", "trace")
	nfshLines := startTraceMonitor(t, ns, nfshBin, "monitor", "trace")

	// Probe until both monitors print, then send the sync packet.
	seen := map[string]bool{}
	for deadline := time.Now().Add(20 * time.Second); !seen["nft"] || !seen["nfsh"]; {
		if time.Now().After(deadline) {
			t.Fatalf("monitors did not start (seen %v)", seen)
		}
		if err := ns.Do(func() error { return sendUDP(false, 7, "probe") }); err != nil {
			t.Fatal(err)
		}
		wait := time.After(100 * time.Millisecond)
		for waiting := true; waiting; {
			select {
			case <-nftLines:
				seen["nft"] = true
			case <-nfshLines:
				seen["nfsh"] = true
			case <-wait:
				waiting = false
			}
		}
	}
	err := ns.Do(func() error {
		for _, send := range []func() error{
			func() error { return sendUDP(false, 5555, "sync") },
			func() error { return sendPing(false) },
			func() error { return sendPing(true) },
			func() error { return sendUDP(false, 9, "hi") },
			func() error { return sendUDP(true, 9, "hi") },
			func() error { return sendUDP(true, 10, "policy") },
			func() error { return sendSYN(1) },
			func() error { return sendUDP(false, 5556, "end") },
		} {
			if err := send(); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	want := collectTrace(t, "nft", nftLines)
	got := collectTrace(t, "nfsh", nfshLines)
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("nfsh monitor trace differs from nft monitor trace (-nft +nfsh):\n%s", d)
	}
	for _, must := range []string{" packet: iif \"lo\" ", " policy drop ", "(verdict jump j)", "(verdict goto k)", "(verdict return)", "tcp flags == syn", "icmpv6 type echo-request", "meta mark 0x0000002a"} {
		if !strings.Contains(strings.Join(want, "\n"), must) {
			t.Errorf("the traffic did not produce %q; nft printed:\n%s", must, strings.Join(want, "\n"))
		}
	}
	t.Logf("%d lines compared", len(want))
}
