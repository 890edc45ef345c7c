package gotests

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/nfsh/nfsh/tests/go/nstest"
)

// xtRules are iptables-nft / ip6tables-nft invocations covering the xtables
// modules whose xt match/target expressions nft 1.0.6 translates through
// libxtables (and a few it cannot: recent, physdev, icmp with a code).
// No ip6 table uses a NAT or TCPMSS target: nft loads each libxtables module
// for the first family that asks and then misses the other family's half
// (it prints nothing for such a statement), a quirk nfsh does not copy.
var xtRules = [][]string{
	{"iptables-nft", "-A", "INPUT", "-m", "recent", "--name", "x", "--rcheck", "-j", "ACCEPT"},
	{"iptables-nft", "-A", "INPUT", "-p", "tcp", "-m", "conntrack", "--ctstate", "NEW", "-j", "LOG"},
	{"iptables-nft", "-A", "INPUT", "-m", "conntrack", "--ctstate", "ESTABLISHED,RELATED", "--ctstatus", "ASSURED", "-j", "ACCEPT"},
	{"iptables-nft", "-A", "INPUT", "-m", "conntrack", "!", "--ctstate", "INVALID", "--ctproto", "tcp", "--ctorigsrc", "10.0.0.0/8", "--ctorigdstport", "80", "-j", "ACCEPT"},
	{"iptables-nft", "-A", "INPUT", "-m", "conntrack", "--ctexpire", "10:100", "--ctdir", "REPLY", "-j", "ACCEPT"},
	{"iptables-nft", "-A", "INPUT", "-m", "state", "--state", "ESTABLISHED,RELATED", "-j", "ACCEPT"},
	{"iptables-nft", "-A", "INPUT", "-m", "comment", "--comment", "hello world", "-j", "ACCEPT"},
	{"iptables-nft", "-A", "INPUT", "-m", "limit", "--limit", "5/min", "--limit-burst", "10", "-j", "LOG", "--log-prefix", "x: ", "--log-level", "4"},
	{"iptables-nft", "-A", "INPUT", "-p", "tcp", "-m", "multiport", "--dports", "80,443,8000:8080", "-j", "REJECT", "--reject-with", "tcp-reset"},
	{"iptables-nft", "-A", "INPUT", "-p", "udp", "-m", "multiport", "--sports", "53,123", "-j", "ACCEPT"},
	{"iptables-nft", "-A", "INPUT", "-p", "tcp", "-m", "multiport", "--ports", "1,2", "-j", "ACCEPT"},
	{"iptables-nft", "-A", "INPUT", "-p", "tcp", "--dport", "22", "--tcp-flags", "SYN,ACK", "SYN", "-j", "ACCEPT"},
	{"iptables-nft", "-A", "INPUT", "-p", "tcp", "--syn", "-j", "ACCEPT"},
	{"iptables-nft", "-A", "INPUT", "-p", "tcp", "-m", "tcp", "--sport", "1000:2000", "--tcp-option", "8", "-j", "ACCEPT"},
	{"iptables-nft", "-A", "INPUT", "-p", "udp", "--dport", "53", "-j", "ACCEPT"},
	{"iptables-nft", "-A", "INPUT", "-p", "udp", "-m", "udp", "--sport", "67:68", "-j", "ACCEPT"},
	{"iptables-nft", "-A", "INPUT", "-p", "icmp", "--icmp-type", "echo-request", "-j", "ACCEPT"},
	{"iptables-nft", "-A", "INPUT", "-p", "icmp", "--icmp-type", "3/4", "-j", "ACCEPT"},
	{"iptables-nft", "-A", "INPUT", "-m", "mark", "--mark", "0x10/0xff", "-j", "ACCEPT"},
	{"iptables-nft", "-A", "INPUT", "-m", "mark", "!", "--mark", "5", "-j", "DROP"},
	{"iptables-nft", "-A", "INPUT", "-m", "mac", "--mac-source", "00:11:22:33:44:55", "-j", "ACCEPT"},
	{"iptables-nft", "-A", "INPUT", "-m", "iprange", "--src-range", "10.0.0.1-10.0.0.9", "-j", "ACCEPT"},
	{"iptables-nft", "-A", "INPUT", "-m", "iprange", "!", "--dst-range", "10.0.0.1-10.0.0.9", "-j", "ACCEPT"},
	{"iptables-nft", "-A", "INPUT", "-m", "length", "--length", "100:200", "-j", "DROP"},
	{"iptables-nft", "-A", "INPUT", "-m", "pkttype", "--pkt-type", "broadcast", "-j", "DROP"},
	{"iptables-nft", "-A", "INPUT", "-m", "physdev", "--physdev-in", "eth0", "-j", "ACCEPT"},
	{"iptables-nft", "-A", "INPUT", "-m", "addrtype", "--dst-type", "LOCAL", "-j", "ACCEPT"},
	{"iptables-nft", "-A", "INPUT", "-m", "addrtype", "--src-type", "UNICAST", "--limit-iface-in", "-j", "ACCEPT"},
	{"iptables-nft", "-A", "INPUT", "-j", "REJECT"},
	{"iptables-nft", "-A", "INPUT", "-j", "REJECT", "--reject-with", "icmp-host-prohibited"},
	{"iptables-nft", "-A", "INPUT", "-j", "LOG", "--log-level", "debug", "--log-tcp-sequence", "--log-ip-options", "--log-uid"},
	{"iptables-nft", "-A", "INPUT", "-j", "NFLOG", "--nflog-group", "5", "--nflog-prefix", "nf", "--nflog-threshold", "3"},
	{"iptables-nft", "-A", "INPUT", "-j", "MARK", "--set-mark", "0x1"},
	{"iptables-nft", "-A", "INPUT", "-j", "MARK", "--set-xmark", "0x1/0xff"},
	{"iptables-nft", "-A", "INPUT", "-j", "CONNMARK", "--set-mark", "0x2"},
	{"iptables-nft", "-A", "INPUT", "-j", "CONNMARK", "--save-mark"},
	{"iptables-nft", "-A", "INPUT", "-j", "CONNMARK", "--restore-mark"},
	{"iptables-nft", "-A", "FORWARD", "-p", "tcp", "--tcp-flags", "SYN,RST", "SYN", "-j", "TCPMSS", "--clamp-mss-to-pmtu"},
	{"iptables-nft", "-A", "FORWARD", "-p", "tcp", "--tcp-flags", "SYN,RST", "SYN", "-j", "TCPMSS", "--set-mss", "1400"},
	{"iptables-nft", "-t", "nat", "-A", "POSTROUTING", "-o", "eth0", "-j", "MASQUERADE"},
	{"iptables-nft", "-t", "nat", "-A", "POSTROUTING", "-p", "tcp", "-j", "MASQUERADE", "--to-ports", "1000-2000", "--random"},
	{"iptables-nft", "-t", "nat", "-A", "POSTROUTING", "-j", "SNAT", "--to-source", "1.2.3.4"},
	{"iptables-nft", "-t", "nat", "-A", "PREROUTING", "-p", "tcp", "--dport", "80", "-j", "DNAT", "--to-destination", "10.0.0.1:8080"},
	{"iptables-nft", "-t", "nat", "-A", "PREROUTING", "-p", "tcp", "-j", "DNAT", "--to-destination", "10.0.0.1-10.0.0.5:80-90"},
	{"iptables-nft", "-t", "nat", "-A", "PREROUTING", "-p", "tcp", "-j", "REDIRECT", "--to-ports", "3128"},
	{"ip6tables-nft", "-A", "INPUT", "-p", "ipv6-icmp", "--icmpv6-type", "echo-request", "-j", "ACCEPT"},
	{"ip6tables-nft", "-A", "INPUT", "-m", "conntrack", "--ctstate", "NEW", "-j", "ACCEPT"},
	{"ip6tables-nft", "-A", "INPUT", "-j", "REJECT", "--reject-with", "icmp6-adm-prohibited"},
	{"ip6tables-nft", "-A", "INPUT", "-p", "tcp", "-j", "REJECT", "--reject-with", "tcp-reset"},
	{"ip6tables-nft", "-A", "INPUT", "-j", "REJECT"},
	{"ip6tables-nft", "-A", "INPUT", "-m", "iprange", "--src-range", "2001:db8::1-2001:db8::9", "-j", "ACCEPT"},
	{"ip6tables-nft", "-A", "INPUT", "-p", "tcp", "-m", "multiport", "--dports", "80,443", "-j", "ACCEPT"},
	{"ip6tables-nft", "-A", "INPUT", "-m", "length", "--length", "100", "-j", "ACCEPT"},
	{"ip6tables-nft", "-A", "INPUT", "-m", "hl", "--hl-eq", "255", "-j", "ACCEPT"},
	{"ip6tables-nft", "-A", "INPUT", "-j", "LOG", "--log-prefix", "v6 "},
}

// TestXtList checks that `nfsh list` prints iptables-nft rules byte for
// byte as `nft list ruleset` does.
func TestXtList(t *testing.T) {
	nstest.Require(t)
	ns := nstest.New(t)
	for _, args := range xtRules {
		if _, err := ns.Run(t, args[0], args[1:]...); err != nil {
			t.Fatalf("%v", err)
		}
	}
	want := ns.Nft(t, "list", "ruleset")
	got, err := ns.Run(t, nfshBin, "list")
	if err != nil {
		t.Fatalf("nfsh list: %v", err)
	}
	if got != want {
		t.Errorf("nfsh list differs from nft list ruleset (-nft +nfsh):\n%s", cmp.Diff(strings.Split(want, "\n"), strings.Split(got, "\n")))
	}
	if n := strings.Count(want, "\n"); n < 60 {
		t.Errorf("listing has only %d lines", n)
	}
}
