package gotests

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/nfsh/nfsh/lua/shell"
	"github.com/nfsh/nfsh/tests/go/nstest"
)

// equivCases are rulesets written twice: with the Lua DSL (builders,
// chain options, structured rules, rule text with typed variables) and as
// an nft text block. Together they use every statement family nfsh
// compiles: verdicts, counter, log, limit, reject, nat (snat, dnat,
// masquerade, redirect), meta/ct set, notrack, connlimit, quota, set
// statements, payload mangling, lookups, maps and vmaps, concatenations,
// named objects, fib, and the ip, ip6, inet, arp, bridge and netdev
// families.
var equivCases = []struct{ name, dsl, text string }{
	{"basic-filter", `
local c = rs:table("inet", "f"):chain("input", { hook = "input", policy = "drop" })
c:add{ ct_state = { "established", "related" }, verdict = "accept" }
c:add{ iif = "lo", verdict = "accept" }
c:add{ proto = "tcp", dport = { 22, 443 }, verdict = "accept" }`, `
table inet f { chain input { type filter hook input priority filter; policy drop;
  ct state established,related accept
  iif "lo" accept
  tcp dport { 22, 443 } accept } }`},
	{"log-limit", `
local c = rs:table("inet", "f"):chain("input", { hook = "input" })
c:add{ limit = "10/minute", log = { prefix = "in: ", level = "warn" } }
c:rule("log group 5 prefix $p", { p = "grp" })
c:add{ proto = "tcp", dport = 23, log = true, verdict = "drop" }`, `
table inet f { chain input { type filter hook input priority filter;
  limit rate 10/minute log prefix "in: " level warn
  log prefix "grp" group 5
  tcp dport 23 log drop } }`},
	{"counter-reject", `
local c = rs:table("inet", "f"):chain("input", { hook = "input" })
c:add{ proto = "tcp", dport = 25, counter = true, verdict = "reject" }
c:rule("tcp dport 26 reject with tcp reset")
c:rule("reject with icmpx admin-prohibited")`, `
table inet f { chain input { type filter hook input priority filter;
  tcp dport 25 counter reject
  tcp dport 26 reject with tcp reset
  reject with icmpx admin-prohibited } }`},
	{"jump-goto-return", `
local t = rs:table("ip", "f")
t:chain("sub"):rule("ip saddr 10.0.0.0/8 return"):rule("accept")
t:chain("other"):rule("drop")
t:chain("input", { hook = "input" }):add{ proto = "tcp", verdict = "jump sub" }:add{ verdict = "goto other" }`, `
table ip f {
  chain sub { ip saddr 10.0.0.0/8 return; accept }
  chain other { drop }
  chain input { type filter hook input priority filter; meta l4proto tcp jump sub; goto other } }`},
	{"nat-ip", `
local t = rs:table("ip", "nat")
t:chain("pre", { type = "nat", hook = "prerouting" })
  :add{ iifname = "eth0", proto = "tcp", dport = 8080, dnat = "192.168.1.10:80" }
  :add{ proto = "tcp", dport = 8081, redirect = 3128 }
t:chain("post", { type = "nat", hook = "postrouting" })
  :add{ oifname = "eth0", masquerade = true }
  :add{ saddr = "10.1.0.0/16", snat = "203.0.113.1" }`, `
table ip nat {
  chain pre { type nat hook prerouting priority dstnat;
    iifname "eth0" tcp dport 8080 dnat to 192.168.1.10:80
    tcp dport 8081 redirect to :3128 }
  chain post { type nat hook postrouting priority srcnat;
    oifname "eth0" masquerade
    ip saddr 10.1.0.0/16 snat to 203.0.113.1 } }`},
	{"nat-inet", `
local t = rs:table("inet", "nat")
t:chain("pre", { type = "nat", hook = "prerouting" }):add{ proto = "udp", dport = 53, dnat = { addr = "10.0.0.53", port = 5353 } }
t:chain("post", { type = "nat", hook = "postrouting" }):rule("oifname $o masquerade random", { o = "wan0" })`, `
table inet nat {
  chain pre { type nat hook prerouting priority dstnat; udp dport 53 dnat ip to 10.0.0.53:5353 }
  chain post { type nat hook postrouting priority srcnat; oifname "wan0" masquerade random } }`},
	{"meta-ct-set", `
local c = rs:table("inet", "mangle"):chain("pre", { type = "filter", hook = "prerouting", priority = "mangle" })
c:rule("tcp dport 22 meta mark set $m", { m = 42 })
c:rule("ct mark set meta mark")
c:rule("meta priority set 1:2")
c:rule("meta nftrace set 1")`, `
table inet mangle { chain pre { type filter hook prerouting priority mangle;
  tcp dport 22 meta mark set 42
  ct mark set meta mark
  meta priority set 1:2
  meta nftrace set 1 } }`},
	{"notrack-raw", `
rs:table("inet", "raw"):chain("pre", { hook = "prerouting", priority = "raw" })
  :add{ iif = "lo", proto = "udp", dport = 53 }
  :rule("udp dport 53 notrack")`, `
table inet raw { chain pre { type filter hook prerouting priority raw;
  iif "lo" udp dport 53
  udp dport 53 notrack } }`},
	{"connlimit-zone", `
rs:table("inet", "f"):chain("fwd", { hook = "forward" }):rule("tcp dport 22 ct count over 10 reject"):rule("ct zone 3 drop")`, `
table inet f { chain fwd { type filter hook forward priority filter;
  tcp dport 22 ct count over 10 reject
  ct zone 3 drop } }`},
	{"quota-named-objects", `
local t = rs:table("inet", "acct")
t:object("counter", "web"):object("quota", "cap", "over 100 mbytes")
t:chain("in", { hook = "input" }):rule("tcp dport 80 counter name web"):rule("quota name cap drop"):rule("quota until 5 gbytes accept")`, `
table inet acct {
  counter web { }
  quota cap { over 100 mbytes }
  chain in { type filter hook input priority filter;
    tcp dport 80 counter name web
    quota name cap drop
    quota until 5 gbytes accept } }`},
	{"named-sets", `
local t = rs:table("ip", "f")
t:set("block", { type = "ipv4_addr", flags = { "interval" }, elements = { "198.51.100.0/24", "203.0.113.7" } })
t:set("ports", { type = "inet_service", elements = { 22, 80 } })
t:chain("input", { hook = "input" }):add{ saddr = "@block", verdict = "drop" }:add{ proto = "tcp", dport = "@ports", verdict = "accept" }`, `
table ip f {
  set block { type ipv4_addr; flags interval; elements = { 198.51.100.0/24, 203.0.113.7 } }
  set ports { type inet_service; elements = { 22, 80 } }
  chain input { type filter hook input priority filter;
    ip saddr @block drop
    tcp dport @ports accept } }`},
	{"dynamic-set-statement", `
local t = rs:table("ip", "f")
t:set("seen", { type = "ipv4_addr", flags = { "dynamic", "timeout" }, timeout = "10m", size = 1024 })
t:chain("input", { hook = "input" }):rule("tcp flags syn add @seen { ip saddr }"):rule("update @seen { ip saddr timeout 1m }")`, `
table ip f {
  set seen { type ipv4_addr; size 1024; flags dynamic,timeout; timeout 10m; }
  chain input { type filter hook input priority filter;
    tcp flags syn add @seen { ip saddr }
    update @seen { ip saddr timeout 1m } } }`},
	{"maps-vmaps", `
local t = rs:table("inet", "f")
t:map("dispatch", { type = "inet_service", data = "verdict", elements = { [22] = "accept", [23] = "drop" } })
t:map("marks", { type = "ipv4_addr", data = "mark", elements = { ["10.0.0.1"] = 1 } })
t:chain("input", { hook = "input" })
  :rule("tcp dport vmap @dispatch")
  :rule("meta mark set ip saddr map @marks")
  :rule("udp dport vmap $v", { v = { [53] = "accept", [69] = "drop" } })`, `
table inet f {
  map dispatch { type inet_service : verdict; elements = { 22 : accept, 23 : drop } }
  map marks { type ipv4_addr : mark; elements = { 10.0.0.1 : 0x00000001 } }
  chain input { type filter hook input priority filter;
    tcp dport vmap @dispatch
    meta mark set ip saddr map @marks
    udp dport vmap { 53 : accept, 69 : drop } } }`},
	{"concatenations", `
local t = rs:table("inet", "f")
t:set("pairs", { type = "ipv4_addr . inet_service", elements = { "10.0.0.1 . 22" } })
t:chain("input", { hook = "input" }):rule("ip saddr . tcp dport @pairs accept")`, `
table inet f {
  set pairs { type ipv4_addr . inet_service; elements = { 10.0.0.1 . 22 } }
  chain input { type filter hook input priority filter;
    ip saddr . tcp dport @pairs accept } }`},
	{"payload-mangle", `
rs:table("inet", "mangle"):chain("post", { hook = "postrouting", priority = "mangle" })
  :rule("ip dscp set cs1"):rule("ip6 hoplimit set 64"):rule("tcp flags syn tcp option maxseg size set 1400")`, `
table inet mangle { chain post { type filter hook postrouting priority mangle;
  ip dscp set cs1
  ip6 hoplimit set 64
  tcp flags syn tcp option maxseg size set 1400 } }`},
	{"ip6-family", `
rs:table("ip6", "f"):chain("input", { hook = "input", policy = "drop" })
  :add{ saddr = "fe80::/10", verdict = "accept" }
  :rule("icmpv6 type { nd-neighbor-solicit, nd-router-advert } accept")
  :add{ daddr = { "2001:db8::1", "2001:db8::2" }, proto = "tcp", dport = 443, verdict = "accept" }`, `
table ip6 f { chain input { type filter hook input priority filter; policy drop;
  ip6 saddr fe80::/10 accept
  icmpv6 type { nd-neighbor-solicit, nd-router-advert } accept
  ip6 daddr { 2001:db8::1, 2001:db8::2 } tcp dport 443 accept } }`},
	{"netdev-ingress", `
rs:table("netdev", "f"):chain("ingress", { hook = "ingress", device = "lo", priority = 0 })
  :rule("ether type arp accept"):rule("ip protocol icmp limit rate 10/second accept")`, `
table netdev f { chain ingress { type filter hook ingress device "lo" priority 0;
  ether type arp accept
  ip protocol icmp limit rate 10/second accept } }`},
	{"bridge-family", `
rs:table("bridge", "f"):chain("fwd", { hook = "forward" })
  :rule("ether saddr 00:11:22:33:44:55 drop"):rule("vlan id 10 accept")`, `
table bridge f { chain fwd { type filter hook forward priority filter;
  ether saddr 00:11:22:33:44:55 drop
  vlan id 10 accept } }`},
	{"arp-family", `
rs:table("arp", "f"):chain("in", { hook = "input" }):rule("arp operation request accept"):rule("arp htype 1 counter")`, `
table arp f { chain in { type filter hook input priority filter;
  arp operation request accept
  arp htype 1 counter } }`},
	{"fib-rpf", `
rs:table("inet", "raw"):chain("pre", { hook = "prerouting", priority = "raw" })
  :rule("fib daddr type { broadcast, multicast } drop"):rule("fib daddr type local accept")`, `
table inet raw { chain pre { type filter hook prerouting priority raw;
  fib daddr type { broadcast, multicast } drop
  fib daddr type local accept } }`},
	{"interpolation", `
rs:table("inet", "f"):chain("input", { hook = "input" })
  :rule("iifname $ifs ip saddr $nets tcp dport $range meta mark $mark accept",
        { ifs = { "eth0", "wg0" }, nets = { "10.0.0.0/8", "192.168.0.0/16" }, range = "1000-2000", mark = 7 })`, `
table inet f { chain input { type filter hook input priority filter;
  iifname { "eth0", "wg0" } ip saddr { 10.0.0.0/8, 192.168.0.0/16 } tcp dport 1000-2000 meta mark 0x00000007 accept } }`},
	{"tags-comments", `
rs:table("inet", "f", { comment = "managed" }):chain("input", { hook = "input", comment = "in" })
  :add{ proto = "tcp", dport = 22, verdict = "accept", comment = "ssh" }`, `
table inet f { comment "managed"
  chain input { comment "in"; type filter hook input priority filter;
    tcp dport 22 accept comment "ssh" } }`},
}

// TestLuaEquivalence builds each case with the DSL and as a text block:
// the two values must be equal, and pushing either must leave the
// kernel with the same `nft list ruleset`.
func TestLuaEquivalence(t *testing.T) {
	nstest.Require(t)
	if len(equivCases) < 20 {
		t.Fatalf("want at least 20 cases, have %d", len(equivCases))
	}
	for _, c := range equivCases {
		t.Run(c.name, func(t *testing.T) {
			ns := nstest.New(t)
			var out bytes.Buffer
			sh, err := shell.New(shell.Options{Netns: ns.Path(), Stdout: &out, Stderr: &out})
			if err != nil {
				t.Fatal(err)
			}
			defer sh.Close()
			ctx := context.Background()
			chunk := "local rs = nft.ruleset()\n" + c.dsl + "\nlocal txt = nft [[" + c.text + "]] {}\n" +
				`assert(rs == txt, "DSL and text values differ:\n" .. tostring(rs) .. "\n--- text:\n" .. tostring(txt))
A, B = rs, txt`
			if err := sh.Host.DoString(ctx, c.name, chunk); err != nil {
				t.Fatalf("%v\n%s", err, out.String())
			}
			var listed [2]string
			for i, v := range []string{"A", "B"} {
				if err := sh.Host.DoString(ctx, "push", "assert(nft.push("+v+"))"); err != nil {
					t.Fatalf("push %s: %v", v, err)
				}
				listed[i] = ns.Nft(t, "list", "ruleset")
			}
			if listed[0] != listed[1] {
				t.Errorf("kernel state differs:\nDSL:\n%s\ntext:\n%s", listed[0], listed[1])
			}
			if !strings.Contains(listed[0], "table ") {
				t.Errorf("nothing pushed: %q", listed[0])
			}
		})
	}
}
