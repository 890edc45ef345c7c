package monitor_test

import (
	"bufio"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/nfsh/nfsh/core/monitor"
	"github.com/nfsh/nfsh/tests/go/nstest"
)

// nftMonitor runs `nft monitor` in ns and returns its output lines.
func nftMonitor(t *testing.T, ns *nstest.NS) <-chan string {
	t.Helper()
	cmd := ns.Command("nft", "monitor")
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	lines := make(chan string, 1024)
	go func() {
		defer close(lines)
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			lines <- sc.Text()
		}
	}()
	return lines
}

// readUntil reads lines until one starting with prefix, and the
// generation line after it.
func readUntil(t *testing.T, lines <-chan string, prefix string) []string {
	t.Helper()
	var got []string
	seen := false
	for {
		select {
		case l, ok := <-lines:
			if !ok {
				t.Fatalf("nft monitor ended; read %q", got)
			}
			got = append(got, l)
			if strings.HasPrefix(l, prefix) {
				seen = true
			}
			if seen && strings.HasPrefix(l, "# new generation") {
				return got
			}
		case <-time.After(waitTimeout):
			t.Fatalf("no %q from nft monitor; read %q", prefix, got)
		}
	}
}

// TestKernelPrinterMatchesNft runs nft monitor and a Printer side by
// side over the same changes and compares their lines.
func TestKernelPrinterMatchesNft(t *testing.T) {
	nstest.Require(t)
	ns := nstest.New(t)
	ns.NftScript(t, "add table ip pre\nadd set ip pre known { type inet_service; }\n")
	nft := nftMonitor(t, ns)
	// nft monitor has subscribed once it reports a change.
	for i := 0; ; i++ {
		ns.Nft(t, "add", "table", "ip", "probe")
		ns.Nft(t, "delete", "table", "ip", "probe")
		select {
		case <-nft:
		case <-time.After(100 * time.Millisecond):
			continue // started later than the probe: probe again
		}
		break
	}
	snap, s, err := monitor.Snapshot(nsOpts(ns))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	p := monitor.NewPrinter(snap)
	readUntil(t, nft, "# new generation") // drain the probes
	ns.Nft(t, "add", "table", "ip", "begin")
	readUntil(t, nft, "add table ip begin")
	until(t, s, genNow(t, ns))

	scripts := []string{
		`add table ip t
add chain ip t c { type filter hook input priority filter; policy accept; }
add chain ip t r
add chain ip t o { type filter hook output priority 10; policy drop; }
add set ip t s { type ipv4_addr; flags interval; elements = { 10.0.0.0/8, 192.168.1.1 } }
add set ip t p { type ipv4_addr . inet_service; }
add map ip t m { type inet_service : verdict; }
add rule ip t c tcp dport 22 accept
add rule ip t c ip saddr @s drop
add rule ip t c tcp dport { 80, 443 } counter accept comment "web"
add counter ip t cnt
add quota ip t q { over 10 mbytes }
add element ip t m { 22 : jump r }
add element ip t p { 192.0.2.1 . 80 }
add element ip pre known { 22, 80 }
add table inet f { flags dormant; }
`,
		"insert rule ip t c meta l4proto udp drop\n",
		"delete element ip t s { 192.168.1.1 }\n",
		"add rule ip t c index 1 iif lo accept\n",
		"insert rule ip t c index 2 ip saddr 192.0.2.0/24 accept\n",
		"flush chain ip t c\n",
		"chain ip t c { policy drop; }\n",
		`create table inet o
create chain inet o c
add ct helper inet o h { type "ftp" protocol tcp; l3proto inet; }
add ct expectation inet o e { protocol tcp; dport 21; timeout 1s; size 12; l3proto ip; }
add synproxy inet o sp { mss 1460; wscale 7; }
add limit inet o l { rate 10/second; comment "x"; }
create counter inet o c2
create quota inet o q2 5 bytes
create set inet o s9 { type ipv4_addr; }
`,
		// (no ct timeout: nft 1.0.6's monitor crashes printing one's
		// deletion; the echo test covers adding one)
		"delete ct helper inet o h\ndelete synproxy inet o sp\ndelete ct expectation inet o e\ndelete counter inet o c2\n",
		"delete table ip t\n",
		"flush ruleset\n",
	}
	for _, sc := range scripts {
		ns.NftScript(t, sc)
		ns.Nft(t, "add", "table", "ip", "end")
		want := readUntil(t, nft, "add table ip end")
		var got []string
		for _, c := range until(t, s, genNow(t, ns)) {
			got = append(got, p.Lines(c)...)
		}
		if d := cmp.Diff(want, got); d != "" {
			t.Errorf("after %q: lines (-nft monitor +nfsh):\n%s", sc, d)
		}
		if !strings.HasPrefix(sc, "flush ruleset") {
			ns.Nft(t, "delete", "table", "ip", "end")
			readUntil(t, nft, "delete table ip end")
			until(t, s, genNow(t, ns))
		}
	}
}
