package gotests

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/nfsh/nfsh/tests/go/nstest"
)

// jsonRuleset exercises the JSON printer: every object kind, concatenated
// and timeout sets, maps of each kind, NAT, mangling, exthdrs and the
// common stateful statements.
const jsonRuleset = `table inet f {
	counter c1 { packets 5 bytes 10; comment "cc"; }
	quota q1 { 25 mbytes used 1 kbytes }
	limit l1 { rate 400/minute }
	limit l2 { rate over 1024 bytes/second burst 512 bytes }
	ct helper h1 { type "ftp" protocol tcp; l3proto ip; }
	ct timeout t1 { protocol tcp; l3proto ip; policy = { established: 100, close: 4 }; }
	synproxy sp1 { mss 1460; wscale 7; timestamp sack-perm; }
	set s4 { type ipv4_addr . inet_service; flags interval; elements = { 1.2.3.4 . 22, 10.0.0.0/8 . 80-90 } }
	set t1 { type ipv6_addr; flags timeout; timeout 1h; gc-interval 30s; size 100; elements = { ::1 timeout 10m comment "x" } }
	set c { type ether_addr; policy memory; counter; elements = { 00:11:22:33:44:55 } }
	map m1 { type ipv4_addr : ipv4_addr . inet_service; elements = { 1.1.1.1 : 2.2.2.2 . 80 } }
	map om { type inet_service : counter; elements = { 22 : "c1" } }
	map vm { type ifname : verdict; elements = { "eth0" : drop, "lo" : jump other } }
	chain other { }
	chain in { type filter hook input priority filter - 5; policy accept;
		iifname "lo" accept
		meta l4proto { tcp, udp } th dport 53 counter accept comment "dns"
		ip saddr . tcp dport @s4 log prefix "hit " level info flags all
		limit rate 10/second burst 20 packets
		limit rate over 1 mbytes/second
		quota over 10 mbytes
		ct state established,related accept
		ct state invalid drop
		tcp flags & (syn|ack) == syn counter name "c1"
		ip6 daddr @t1 reject with icmpv6 admin-prohibited
		ip protocol icmp icmp type echo-request limit rate 5/second accept
		meta mark set 0x10
		ct mark set meta mark
		ip dscp set cs1
		tcp option maxseg size set 1400
		iifname vmap @vm
		ip daddr vmap { 10.0.0.1 : accept, 10.0.0.2 : drop }
		update @t1 { ip6 saddr timeout 5m }
		ct helper set "h1"
		meta nftrace set 1
		fib saddr . iif oif missing drop
		meta skuid 1000 meta hour "10:00"-"12:00"
		reject with tcp reset
		reject
		jump other
	}
	chain pre { type nat hook prerouting priority dstnat; policy accept;
		tcp dport 80 dnat ip to 10.0.0.1:8080
		tcp dport 81 dnat ip6 to [::1]:8080
		tcp dport 82 redirect to :8080
	}
	chain post { type nat hook postrouting priority srcnat; policy accept;
		oifname "eth0" masquerade random,persistent
		ip saddr 10.0.0.0/8 snat ip to 1.1.1.1-1.1.1.10
		snat ip prefix to ip saddr map { 10.0.0.0/8 : 192.168.0.0/16 }
	}
}
table netdev n {
	chain ing { type filter hook ingress device "lo" priority 0; policy accept;
		ether saddr 00:11:22:33:44:55 drop
		vlan id 10 counter
		fwd to "lo"
	}
}
table ip6 x {
	chain y { type filter hook forward priority 0; policy drop;
		ip6 nexthdr tcp tcp dport { 22, 80, 443 } accept
		exthdr frag exists drop
		rt type 0 drop
		icmpv6 type { echo-request, nd-neighbor-solicit } accept
		numgen inc mod 2 offset 1 == 1 counter
		jhash ip6 saddr mod 4 seed 0xabc == 2 drop
		dup to ::1
	}
}
`

// jsonCase is one differential case of `nft -j list` against
// `nfsh list -j`.
type jsonCase struct {
	name  string
	setup string
	flags []string // nft output options (-s, -p)
	args  []string // the words after "list"
	fails bool     // both must fail
}

var jsonCases = []jsonCase{
	{name: "ruleset", setup: jsonRuleset, args: []string{"ruleset"}},
	{name: "ruleset-stateless", setup: jsonRuleset, flags: []string{"-s"}, args: []string{"ruleset"}},
	{name: "table-numeric", setup: jsonRuleset, flags: []string{"-p", "-s"}, args: []string{"table", "inet", "f"}},
	{name: "ruleset-family", setup: jsonRuleset, args: []string{"ruleset", "ip6"}},
	{name: "tables", setup: jsonRuleset, args: []string{"tables"}},
	{name: "chain", setup: jsonRuleset, args: []string{"chain", "inet", "f", "in"}},
	{name: "set", setup: jsonRuleset, args: []string{"set", "inet", "f", "s4"}},
	{name: "map", setup: jsonRuleset, args: []string{"map", "inet", "f", "vm"}},
	{name: "list-base", setup: listBase, args: []string{"ruleset"}},
	{name: "list-stateful", setup: listStateful, args: []string{"ruleset"}},
	{name: "list-meter", setup: listMeter, args: []string{"ruleset"}},
	{name: "empty", args: []string{"ruleset"}},
	{name: "missing-table", setup: jsonRuleset, args: []string{"table", "inet", "nope"}, fails: true},
}

// TestJSONListDiff loads rulesets with nft in a fresh namespace and
// compares `nft -j list ...` with `nfsh list -j ...` byte for byte.
func TestJSONListDiff(t *testing.T) {
	nstest.Require(t)
	for _, tc := range jsonCases {
		t.Run(tc.name, func(t *testing.T) {
			ns := nstest.New(t)
			if tc.setup != "" {
				ns.NftScript(t, tc.setup)
			}
			nftArgs := append(append(append([]string{"-j"}, tc.flags...), "list"), tc.args...)
			nfshArgs := append(append([]string{"list", "-j"}, tc.flags...), tc.args...)
			refOut, refErr, refFail := runListCmd(ns, "nft", nftArgs)
			gotOut, gotErr, gotFail := runListCmd(ns, nfshBin, nfshArgs)
			if refFail != gotFail || refFail != tc.fails {
				t.Fatalf("nft failed: %v (%s); nfsh %s failed: %v (%s)", refFail, refErr, strings.Join(nfshArgs, " "), gotFail, gotErr)
			}
			if d := cmp.Diff(refOut, gotOut); d != "" {
				t.Errorf("stdout (-nft +nfsh):\n%s", d)
			}
		})
	}
}
