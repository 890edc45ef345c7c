package compile

import (
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/nfsh/nfsh/core/bytecode"
	"github.com/nfsh/nfsh/core/diag"
	"github.com/nfsh/nfsh/core/kernel"
	"github.com/nfsh/nfsh/core/ruleset"
	"github.com/nfsh/nfsh/core/wire"
	"github.com/nfsh/nfsh/tests/go/nstest"
	"golang.org/x/sys/unix"
)

// runNft runs `nft --debug=DEBUG -f FILE` for src in a throwaway network
// namespace and returns its stdout, stderr and whether it succeeded.
func runNft(t *testing.T, debug, src string) (stdout, stderr string, ok bool) {
	t.Helper()
	nstest.Require(t)
	f := filepath.Join(t.TempDir(), "x.nft")
	if err := os.WriteFile(f, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	var o, e bytes.Buffer
	cmd := exec.Command("unshare", "-n", "nft", "--debug="+debug, "-f", f)
	cmd.Stdout, cmd.Stderr = &o, &e
	err := cmd.Run()
	if err != nil {
		if _, isExit := err.(*exec.ExitError); !isExit {
			t.Fatalf("running nft: %v", err)
		}
	}
	return o.String(), e.String(), err == nil
}

// nftCase is a script whose commands nfsh must compile to exactly what nft
// sends. kernelFails marks scripts the kernel here refuses (flowtables):
// nft still prints what it sent.
type nftCase struct {
	name        string
	src         string
	kernelFails bool
}

var nftCases = []nftCase{
	{name: "table-block", src: `table inet filter {
	comment "hello"
	set blk {
		type ipv4_addr
		flags interval
		elements = { 10.0.0.0/8, 192.168.1.1, 172.16.0.1-172.16.0.9 }
	}
	map m {
		type inet_service : verdict
		elements = { 22 : accept, 80 : drop }
	}
	chain input {
		type filter hook input priority filter + 10; policy drop;
		comment "in"
		ip saddr @blk drop
		tcp dport vmap @m
		jump other
	}
	chain other {
		counter
	}
}
`},
	{name: "commands", src: `add table ip t { flags dormant; }
add chain ip t c { type filter hook input priority 0; }
add chain ip t c2
add rule ip t c2 counter
add set ip t s { type ipv4_addr . inet_service; flags interval; }
add element ip t s { 10.0.0.1 . 22, 10.0.0.0/24 . 80-90 }
add map ip t m { type ipv4_addr : mark; flags timeout; timeout 1h; size 100; }
add element ip t m { 1.2.3.4 timeout 10s comment "x" : 5 }
add set ip t s3 { type ether_addr; policy memory; counter; }
add set ip t s4 { type ipv4_addr; gc-interval 10s; timeout 5m; auto-merge; flags interval; comment "c4"; }
`},
	{name: "hooks", src: `table netdev n {
	chain in { type filter hook ingress device lo priority -500; }
	chain eg { type filter hook egress devices = { lo } priority 0; }
}
table bridge b {
	chain f { type filter hook forward priority filter; }
	chain o { type filter hook output priority out; }
}
table arp a {
	chain i { type filter hook input priority 0; policy accept; }
}
table ip nat {
	chain pre { type nat hook prerouting priority dstnat; }
	chain post { type nat hook postrouting priority srcnat - 5; }
}
`},
	{name: "typeof", src: `table inet t {
	set a { typeof ip saddr; }
	set b { typeof ip saddr . tcp dport; flags interval; }
	set c { typeof meta mark; }
	set d { typeof ct mark; }
	set e { typeof ct original ip saddr; }
	map f { typeof ip saddr : meta mark; }
	set h { typeof ip ttl; }
	set i { typeof th dport; }
	map k { type ipv4_addr : interval ipv4_addr; flags interval; }
	set m { typeof meta iifname . ip6 daddr; }
	set n { typeof ip6 nexthdr . vlan id . ether saddr . arp operation; }
	set o { typeof rt classid . socket transparent . fib daddr oif; }
	set p { typeof numgen inc mod 10 . jhash ip saddr mod 4 seed 0x5 . symhash mod 3; }
}
`},
	{name: "objects", src: `add table ip t
add counter ip t cnt1
add counter ip t cnt3 { packets 10 bytes 20; }
add ct expectation ip t ctexpect1 { protocol tcp; dport 1234; timeout 2m; size 12; }
add ct expectation ip t ctexpect5 { protocol udp; dport 9876; timeout 2m; size 12; l3proto ip; }
add ct helper ip t cthelp1 { type "ftp" protocol tcp; }
add ct timeout ip t cttime1 { protocol tcp; policy = { established:122 } ;}
add ct timeout ip t cttime3 { protocol tcp; policy = { established:132, close:16, close_wait:16 } ; l3proto ip ;}
add ct timeout ip t cttime4 { protocol udp; policy = { replied:14, unreplied:19 } ;}
add limit ip t lim0 rate 400/minute
add limit ip t lim2 rate over 1024 bytes/second burst 512 bytes
add quota ip t qt1 25 mbytes
add quota ip t qt2 over 1 kbytes
add quota ip t qt3 { until 2 mbytes used 1 mbytes; }
add synproxy ip t synproxy1 mss 1460 wscale 7
add synproxy ip t synproxy2 mss 1460 wscale 7 timestamp sack-perm
add counter ip t cc { comment "hi"; }
`},
	{name: "secmark", kernelFails: true, src: `add table ip t
add secmark ip t sec1 { "system_u:object_r:ssh_server_packet_t:s0" }
`},
	{name: "objmaps", src: `table ip t {
	counter c1 { packets 1 bytes 2; }
	counter c2 { comment "two"; }
	quota q1 { over 10 mbytes; }
	limit l1 { rate 10/second; }
	map m { type ipv4_addr : counter; elements = { 1.2.3.4 : c1, 5.6.7.8 : "c2" }; }
	map mq { type inet_service : quota; }
	set s8 { typeof ip ttl; elements = { 1, 64 }; }
	chain in {
		type filter hook input priority 0;
	}
}
add element ip t mq { 22 : q1 }
`},
	{name: "flowtables", kernelFails: true, src: `table inet t {
	flowtable f {
		hook ingress priority filter + 5
		devices = { lo }
		counter
	}
	chain c { type filter hook forward priority 0; }
}
add flowtable inet t f2 { hook ingress priority -10; devices = { lo }; flags offload; }
`},
	{name: "interval-1", src: `table ip t { set s { type ipv4_addr; flags interval; auto-merge; elements = { 10.0.0.0/8, 10.1.0.0/16, 192.168.0.1-192.168.0.10 }; }; }
`},
	{name: "interval-2", src: `table ip t { set s { type ipv4_addr; flags interval; elements = { 10.0.0.0/8, 192.168.0.1-192.168.0.10 }; }; }
`},
	{name: "interval-3", src: `add table ip t
add set ip t s { type ipv4_addr; flags interval; }
add element ip t s { 10.0.0.0/8 }
add element ip t s { 12.0.0.0/8 }
`},
	{name: "interval-4", src: `table ip t { set s { type ipv4_addr; flags interval; elements = { 10.0.0.0/8 }; }; }
add element ip t s { 12.0.0.0/8 }
add element ip t s { 14.0.0.0/8 }
`},
	{name: "interval-5", src: `add table ip t
add set ip t s { type ipv4_addr; flags interval; auto-merge; }
add element ip t s { 10.0.0.0/8, 10.1.0.0/16, 192.168.0.1-192.168.0.10 }
`},
	{name: "interval-8", src: `add table ip6 t
add set ip6 t s { type ipv6_addr; flags interval; }
add element ip6 t s { ::/0 }
`},
	{name: "interval-9", src: `add table inet t
add map inet t m { type ipv4_addr : verdict; flags interval; }
add element inet t m { 10.0.0.0/8 : accept, 11.0.0.0/8 : drop }
`},
	{name: "interval-11", src: `add table inet t
add set inet t s { type mark; flags interval; }
add element inet t s { 0x10-0x20, 0x100 }
`},
	{name: "interval-12", src: `add table inet t
add set inet t s { type ipv4_addr; flags interval,timeout; }
add element inet t s { 10.0.0.0/8 timeout 1h comment "x", 1.2.3.4 }
`},
	{name: "interval-13", src: `add table ip t
add set ip t s { type ipv4_addr; flags interval; }
add element ip t s { 192.168.0.0/16 }
add element ip t s { 10.0.0.0/8 }
delete element ip t s { 10.0.0.0/8 }
`},
	{name: "commands-sets", src: `add table inet t
add chain inet t c { type filter hook input priority 0; policy accept; comment "cc"; }
add chain inet t d
add rule inet t c counter
add rule inet t c ip saddr 1.2.3.4 accept comment "r1"
insert rule inet t c tcp dport 22 accept
add set inet t s { type ipv4_addr; flags interval; auto-merge; }
add element inet t s { 10.0.0.0/8, 10.1.0.0/16, 192.168.0.1-192.168.0.10 }
add element inet t s { 0.0.0.0/8 }
add set inet t s2 { type inet_service; flags timeout; }
add element inet t s2 { 22 timeout 10s, 80 comment "web", 443 timeout 1m expires 30s comment "tls" }
add map inet t m { type ipv4_addr : verdict; }
add element inet t m { 1.1.1.1 : jump d, 2.2.2.2 : goto d, 3.3.3.3 : return, * : drop }
add set inet t s3 { type ipv4_addr . inet_service; }
add element inet t s3 { 1.1.1.1 . 22, 2.2.2.2 . 80 }
add set inet t s4 { type ipv6_addr; flags interval; }
add element inet t s4 { ::/0 }
add set inet t s5 { type ipv4_addr; counter; }
add element inet t s5 { 1.1.1.1 counter packets 5 bytes 10 }
delete element inet t s2 { 22 }
flush chain inet t d
add chain inet t e
delete chain inet t e
flush table inet t
create table inet t2
add table inet t3 { flags dormant; comment "x"; }
delete table inet t3
flush ruleset
`},
	{name: "commands-handles", kernelFails: true, src: `add table inet t
add chain inet t c { type filter hook input priority 0; policy accept; comment "cc"; }
add chain inet t d
add rule inet t c counter
add rule inet t c ip saddr 1.2.3.4 accept comment "r1"
insert rule inet t c tcp dport 22 accept
add set inet t s2 { type inet_service; flags timeout; }
add element inet t s2 { 22 timeout 10s, 80 comment "web", 443 timeout 1m expires 30s comment "tls" }
add map inet t m { type ipv4_addr : verdict; }
add element inet t m { 1.1.1.1 : jump d, 2.2.2.2 : goto d, 3.3.3.3 : return, * : drop }
add set inet t s3 { type ipv4_addr . inet_service; }
add element inet t s3 { 1.1.1.1 . 22, 2.2.2.2 . 80 }
add set inet t s5 { type ipv4_addr; counter; }
add element inet t s5 { 1.1.1.1 counter packets 5 bytes 10 }
delete element inet t s2 { 22 }
flush chain inet t d
add chain inet t e
delete chain inet t e
flush table inet t
create table inet t2
add table inet t3 { flags dormant; comment "x"; }
delete table inet t3
flush ruleset
add table ip x
add chain ip x a
add chain ip x b { type filter hook output priority 100; }
add rule ip x a counter
add rule ip x a position 5 accept
insert rule ip x a position 6 drop
replace rule ip x a handle 7 counter accept
delete rule ip x a handle 9
delete chain ip x handle 3
delete set ip x handle 5
delete table ip handle 2
`},
	{name: "constant-sets", src: `table ip t {
 set s { type ipv4_addr; flags constant; elements = { 1.2.3.4, 5.6.7.8 }; }
 set s2 { type ipv4_addr; flags constant,interval; size 100; policy memory; elements = { 10.0.0.0/8, 1.2.3.4 }; }
 set s3 { type ipv4_addr; flags constant; }
 map m { type ipv4_addr : ipv4_addr; flags constant; elements = { 1.1.1.1 : 2.2.2.2 } }
 set s4 { type ipv4_addr . inet_service; flags interval,constant; elements = { 1.1.1.1 . 22-23 } }
}
`},
	{name: "set-types", src: `table inet t {
	map dn { typeof ip saddr : ip daddr . tcp dport; elements = { 1.1.1.1 : 2.2.2.2 . 80 } }
	map vm { type ipv4_addr . inet_service : verdict; elements = { 1.1.1.1 . 22 : accept } }
	set ifs { type ifname; elements = { "eth0", "lo" } }
	set ifw { type ifname; flags interval; elements = { "eth*", "lo" } }
	set marks { type mark; flags interval; elements = { 0x1-0x5, 0x10 } }
	map pm { type inet_service : mark; flags interval; elements = { 1-1000 : 0x1, 2000 : 0x2 } }
	set e6 { type ipv6_addr . ipv6_addr; flags interval; elements = { ::1 . ::2, 2001:db8::/32 . ::/0 } }
	set et { type ether_addr; elements = { 00:11:22:33:44:55 } }
	set cs { type ct_state; elements = { established, related } }
	set ty { typeof meta l4proto . th dport; elements = { tcp . 22, udp . 53 } }
}
`},
	{name: "firewall", src: `#!/usr/sbin/nft -f
flush ruleset
define lan = 192.168.1.0/24
define ssh_port = 22
define wan = "lo"
define web = { 80, 443 }

table inet filter {
	set allowed_v4 {
		type ipv4_addr
		flags interval
		auto-merge
		elements = { $lan, 10.0.0.0/8, 172.16.0.0/12 }
	}
	set blocked {
		type ipv4_addr
		flags dynamic, timeout
		timeout 10m
		size 65535
	}
	map svc {
		type inet_service : verdict
		elements = { $ssh_port : jump ssh, 8080 : drop }
	}
	counter http_hits { }
	quota monthly { over 100 mbytes }

	chain input {
		type filter hook input priority filter; policy drop;
		ct state established,related accept
		ct state invalid drop
		iif lo accept
		ip saddr @blocked drop
		ip saddr @allowed_v4 tcp dport vmap @svc
		tcp dport $web counter name http_hits accept
		meta l4proto icmp accept
		ip6 nexthdr ipv6-icmp accept
		log prefix "drop: " limit rate 5/minute
	}
	chain ssh {
		tcp flags syn add @blocked { ip saddr timeout 1m } 
		accept
	}
	chain forward {
		type filter hook forward priority filter; policy drop;
	}
	chain output {
		type filter hook output priority filter; policy accept;
	}
}

table ip nat {
	chain prerouting {
		type nat hook prerouting priority dstnat; policy accept;
		iifname $wan tcp dport 8022 dnat to 192.168.1.10:22
	}
	chain postrouting {
		type nat hook postrouting priority srcnat; policy accept;
		ip saddr $lan oifname $wan masquerade
	}
}

table netdev ingress {
	chain lo_in {
		type filter hook ingress device "lo" priority -450;
		ip saddr 127.0.0.2 drop
	}
}
`},
	{name: "typeof-exthdr", src: `table inet t {
 set a { typeof tcp option maxseg size; }
 set b { typeof frag frag-off; }
 set c { typeof hbh nexthdr; }
 set d { typeof tcp option sack1 right . tcp option timestamp tsval; }
 set e { typeof mh type . dst hdrlength . rt seg-left; }
 set f { typeof srh tag; }
}
`},
	{name: "typeof-raw", src: `table inet t {
 set j { typeof @th,0,16; }
 set k { typeof @nh,96,32; }
 set l { typeof @ll,0,48; }
}
table ip t2 {
 set k { typeof @nh,96,32; }
 set m { typeof @nh,8,8; }
}
`},
	{name: "deletes", kernelFails: true, src: `add table ip t
add counter ip t c
add quota ip t q { 10 mbytes }
add map ip t m { type ipv4_addr : mark; }
add element ip t m { 1.1.1.1 : 1, 2.2.2.2 : 2 }
delete element ip t m { 1.1.1.1 }
add map ip t v { type inet_service : verdict; }
add element ip t v { 22 : accept }
delete element ip t v { 22 }
delete map ip t v
add flowtable ip t f { hook ingress priority 0; devices = { lo }; }
delete flowtable ip t f
`},
	// facts read from core/types: exthdr desc ids (typeof udata), stacked
	// link layer lengths, icmp type dependencies, ether types, reject
	// codes, interface types, IP protocol numbers, object types, rates
	{name: "types facts", src: `table ip6 x {
	set e1 { typeof hbh nexthdr; }
	set e2 { typeof rt type; }
	set e3 { typeof rt0 addr[1]; }
	set e4 { typeof srh tag; }
	set e5 { typeof frag id; }
	set e6 { typeof dst hdrlength; }
	set e7 { typeof mh type; }
	map om { type inet_service : quota; }
	chain c {
		icmpv6 mtu 1280 accept
		icmpv6 max-delay 10 accept
		icmpv6 id 7 accept
		meta protocol ip6 tcp dport 22 accept
		reject
	}
}
table ip y {
	chain c {
		icmp id 5 accept
		icmp gateway 16909060 accept
		icmp mtu 1500 accept
		meta protocol ip udp dport 53 accept
		reject
	}
}
table inet z {
	ct timeout tt { protocol tcp; l3proto ip; policy = { established: 100 }; }
	ct timeout tu { protocol udp; l3proto ip6; policy = { replied: 10 }; }
	ct helper h { type "ftp" protocol tcp; }
	limit l { rate 10/minute; }
	chain c {
		reject
	}
}
table netdev n {
	chain c {
		ether saddr 00:11:22:33:44:55 vlan type 0x8100 vlan type ip6 accept
	}
}
table bridge b {
	chain c {
		vlan type 0x88a8 vlan type ip ip saddr 1.2.3.4 accept
	}
}
`},
	// nft 1.0.6 replaces an anonymous set of one plain element by the
	// element (expr_evaluate_set); catch-alls, concatenations and maps
	// stay sets, element statements and comments are dropped.
	{name: "singleton-sets", src: `define p = { 22 }
table inet t {
	set s { type inet_service; elements = { 22 }; }
	chain c {
		tcp dport { 22 } accept
		tcp dport != { 22 } accept
		tcp dport { 1-1023 } accept
		tcp dport != { 1-1023 } accept
		tcp dport { 22-22 } accept
		tcp dport { 0-65535 } accept
		ip saddr { 10.0.0.0/8 } accept
		ip saddr != { 10.0.0.0/8 } accept
		ip saddr { 10.0.0.0/7 } accept
		ip saddr { 10.0.0.0/32 } accept
		ip saddr { 10.0.0.1 } accept
		ip6 saddr { ::1 } accept
		ip6 daddr { fe80::/10 } accept
		ct state { established } accept
		ct state != { established } accept
		ct state == { established } accept
		ct status { dnat } accept
		tcp flags { syn } accept
		tcp flags != { syn } accept
		meta l4proto { tcp } accept
		meta l4proto { tcp } tcp dport 22 accept
		meta iifname { "eth*" } accept
		meta iifname { "eth0" } accept
		tcp dport $p accept
		tcp dport { 22 counter } accept
		tcp dport { 22 timeout 1s } accept
		tcp dport { 22 comment "x" } accept
		tcp dport { 22 } counter accept
		tcp dport vmap { 22 : accept }
		meta mark set tcp dport map { 22 : 1 }
		ip saddr . tcp dport { 10.0.0.1 . 22 } accept
		tcp dport { * } accept
		tcp dport { 22, 23 } accept
		tcp dport @s accept
	}
}
table ip t {
	chain c {
		ip protocol { tcp } tcp dport { 22 } accept
		ip saddr { 10.0.0.0/8 } ip daddr != { 10.1.0.0/16 } tcp dport != { 1-1023 } counter
	}
}
`},
	// NFTA_BITWISE_OP: nft 1.0.6 sends NFT_BITWISE_BOOL for binary
	// operations, header bit-fields and masked payload writes, and leaves
	// it out for prefix matches and flag tests (TestNftWire).
	{name: "bitwise-op", src: `table inet t {
	chain c {
		meta mark & 0xff == 1
		meta mark & 0xff00 ^ 1 == 3
		ct mark set ct mark | 0x10
		ct mark set meta mark & 0xff
		meta mark set meta mark & 0xff00
		meta mark set meta mark << 2 | 1
		meta mark set meta mark & 0xff00 | 1
		meta mark set meta mark & 0xff00 | 1 ^ 4
		meta mark & 0xff00 | 1 == 3
		ct mark set ct mark & 0xff | 0x100
		ip dscp cs1
		ip dscp set cs1
		ip6 dscp set cs1
		ip6 flowlabel 5
		tcp flags syn / syn,ack
		tcp flags & (syn|ack) == syn
		tcp flags ! syn
		ct state ! established
		ct state established
		ip saddr & 255.255.0.0 == 10.0.0.0
		ip saddr 10.0.0.0/8
		ip saddr != 10.0.0.0/7
		ip6 daddr fe80::/10
		tcp dport 0-1000 meta mark 0x1/0xf
	}
}
table bridge b {
	chain c {
		vlan id 1
		vlan id set 2
		vlan pcp 3
	}
}
`},
	// nft numbers named sets while parsing, anonymous sets and meters
	// while evaluating: every named set of the file gets its NFTA_SET_ID
	// before any anonymous set, whatever table it is in (TestNftWire).
	{name: "set-ids", src: `table ip a {
	set s1 { type ipv4_addr; }
	chain c {
		ip saddr { 1.1.1.1, 2.2.2.2 } accept
		ip saddr @s1 accept
		meter m { ip saddr limit rate 10/second } accept
	}
}
table ip b {
	set s2 { type ipv4_addr; elements = { 3.3.3.3 } }
	chain c {
		ip saddr { 1.1.1.1, 2.2.2.2 } accept
		ip daddr @s2 accept
		ip daddr vmap @m2
	}
	set s3 { type ipv4_addr; }
	map m2 { type ipv4_addr : verdict; elements = { 3.3.3.3 : accept } }
}
add set ip a x { type ipv4_addr; }
add set ip a x { type ipv4_addr; }
add element ip a x { 1.2.3.4 }
add rule ip a c ip saddr @x tcp dport { 1, 2 }
`},
	// An anonymous interval set whose last interval reaches the key's
	// maximum sends no end element for it, but nft counts one in the size.
	{name: "open-interval-size", src: `table ip6 t {
	chain c {
		tcp dport { 1, 100-65535 } accept
		tcp dport { 0, 4-127, 65535 } accept
		srh last-entry { 0, 4-127, 255 }
		tcp dport { 5, 7 } accept
	}
}
`},
	// Anonymous sets keyed by extension header fields carry the key's
	// typeof description, like named ones.
	{name: "exthdr-anon-sets", src: `table inet t {
	chain c {
		srh tag { 1, 7 } accept
		frag id { 1, 2 } accept
		dst nexthdr { tcp, udp } accept
		mh type { 1, 2 } accept
		rt0 addr[1] { ::1, ::2 } accept
		tcp option maxseg size { 1, 2 } accept
		tcp option sack0 left { 1, 2 } accept
		hbh hdrlength { 1, 3 } accept
	}
}
`},
	// Rules a later `index N` of the script places itself next to carry
	// NFTA_RULE_ID, the placed ones NFTA_RULE_POSITION_ID: libnftnl prints
	// both after the chain.
	{name: "rule-ids", src: `table ip x
chain ip x a {
	accept
	drop
}
add rule ip x a index 1 counter
insert rule ip x a index 1 reject
add rule ip x a accept
add rule ip x a drop
insert rule ip x a index 0 log
add rule ip x a index 4 counter
`},
	// a meter adds its key, or updates it when the key has a timeout
	// References to named sets of the batch carry the set's NFTA_SET_ID
	// (lookup, dynset, vmap, objref map), as nft 1.0.6 sends them.
	{name: "named-set-ids", src: `table ip t {
	ct helper ftp { type "ftp" protocol tcp; }
	counter c1 { }
	set s { type ipv4_addr; }
	set d { type ipv4_addr; flags dynamic; }
	map m { type ipv4_addr : ipv4_addr; flags dynamic,timeout; }
	map v { type ipv4_addr : verdict; }
	map cm { type ipv4_addr : counter; elements = { 1.1.1.1 : "c1" } }
	chain c {
		ip saddr @s drop
		ip daddr != @s accept
		add @d { ip saddr }
		update @m { ip saddr : ip daddr }
		ip saddr vmap @v
		ip saddr vmap { 1.2.3.4 : drop }
		ct helper set tcp dport map { 21 : "ftp" }
		counter name ip saddr map @cm
		ip saddr @s ip daddr { 5.6.7.8 } accept
	}
}
table ip u {
	set s { type ipv4_addr; }
	chain c { ip saddr @s drop; }
}
`},
	{name: "named-set-ids-commands", src: `add table ip t
add chain ip t c
add set ip t s { type ipv4_addr; }
add rule ip t c ip saddr @s drop
add set ip t s2 { type inet_service; }
add rule ip t c tcp dport @s2 ip saddr @s accept
add element ip t s2 { 22 }
`},
	{name: "meters", src: `table ip t {
	chain c {
		meter m1 size 10 { ip saddr counter }
		meter m2 { ip saddr timeout 1s counter }
		meter m3 { ip saddr limit rate 10/second } accept
	}
}
`},
}

// TestNftNetlink compares the `nft --debug=netlink` text of every case
// with core/bytecode.Print of the compiled commands.
func TestNftNetlink(t *testing.T) {
	for _, tc := range nftCases {
		t.Run(tc.name, func(t *testing.T) { checkNetlink(t, tc) })
	}
}

func checkNetlink(t *testing.T, tc nftCase) {
	want, stderr, ok := runNft(t, "netlink", tc.src)
	if !ok && !tc.kernelFails {
		t.Fatalf("nft rejects the script: %s", stderr)
	}
	cmds, err := Source(tc.name+".nft", []byte(tc.src), nil)
	if err != nil {
		t.Fatalf("compile: %v", err)
	}
	var got bytes.Buffer
	if err := bytecode.Print(&got, cmds); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, got.String()); diff != "" {
		t.Errorf("bytecode differs from nft (-nft +nfsh):\n%s", diff)
	}
}

// TestNftWire compares the batch messages nft sends (`nft --debug=mnl`)
// with the core/wire encoding of the compiled commands: message type,
// nfgenmsg and every attribute byte.
func TestNftWire(t *testing.T) {
	for _, tc := range nftCases {
		t.Run(tc.name, func(t *testing.T) { checkWire(t, tc) })
	}
}

func checkWire(t *testing.T, tc nftCase) {
	stdout, stderr, ok := runNft(t, "mnl", tc.src)
	if !ok && !tc.kernelFails {
		t.Fatalf("nft rejects the script: %s", stderr)
	}
	want := parseMnl(stdout)
	cmds, err := Source(tc.name+".nft", []byte(tc.src), nil)
	if err != nil {
		t.Fatalf("compile: %v", err)
	}
	got, err := encodeCmds(cmds)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("messages differ from nft (-nft +nfsh):\n%s", diff)
	}
}

var ansi = regexp.MustCompile("\x1b\\[[0-9;]*m")

// parseMnl extracts the messages of the batch nft sent from its
// --debug=mnl dump, one line per message: type name, family, attributes in hex.
func parseMnl(dump string) []string {
	var msgs []string
	var cur []byte
	typ, fam := -1, 0
	flush := func() {
		if typ >= 0 {
			msgs = append(msgs, msgLine(uint16(typ), uint8(fam), cur))
		}
		typ, cur = -1, nil
	}
	inBatch := false
	state := 0 // lines since "message length"
	for _, l := range strings.Split(ansi.ReplaceAllString(dump, ""), "\n") {
		switch {
		case strings.Contains(l, "| message length |"):
			flush()
			state = 1
			continue
		case strings.Contains(l, "|  type | flags  |"):
			f := strings.Fields(strings.Trim(strings.SplitN(l, "\t", 2)[0], "|"))
			n, _ := strconv.Atoi(f[0])
			switch {
			case n == unix.NFNL_MSG_BATCH_BEGIN:
				inBatch = true
			case n == unix.NFNL_MSG_BATCH_END:
				inBatch = false
			case inBatch:
				typ = n & 0xff
			}
			continue
		case strings.Contains(l, "|  extra header  |"):
			if typ >= 0 {
				b := hexBytes(l)
				fam = int(b[0])
			}
			continue
		case strings.Contains(l, "|len |flags| type|"):
			if typ < 0 {
				continue
			}
			f := strings.Split(strings.SplitN(l, "\t", 2)[0], "|")
			ln, _ := strconv.Atoi(f[1])
			at, _ := strconv.Atoi(f[3])
			if strings.Contains(f[2], "N") {
				at |= unix.NLA_F_NESTED
			}
			if strings.Contains(f[2], "B") {
				at |= unix.NLA_F_NET_BYTEORDER
			}
			cur = binary.LittleEndian.AppendUint16(cur, uint16(ln))
			cur = binary.LittleEndian.AppendUint16(cur, uint16(at))
			continue
		case strings.Contains(l, "|      data      |"):
			if typ >= 0 {
				cur = append(cur, hexBytes(l)...)
			}
			continue
		}
		_ = state
	}
	flush()
	return msgs
}

func hexBytes(l string) []byte {
	s := strings.Trim(strings.SplitN(l, "\t", 2)[0], "| ")
	b, _ := hex.DecodeString(strings.ReplaceAll(s, " ", ""))
	return b
}

var msgNames = map[uint16]string{
	unix.NFT_MSG_NEWTABLE: "NEWTABLE", unix.NFT_MSG_DELTABLE: "DELTABLE", unix.NFT_MSG_NEWCHAIN: "NEWCHAIN",
	unix.NFT_MSG_DELCHAIN: "DELCHAIN", unix.NFT_MSG_NEWRULE: "NEWRULE", unix.NFT_MSG_DELRULE: "DELRULE",
	unix.NFT_MSG_NEWSET: "NEWSET", unix.NFT_MSG_DELSET: "DELSET", unix.NFT_MSG_NEWSETELEM: "NEWSETELEM",
	unix.NFT_MSG_DELSETELEM: "DELSETELEM", unix.NFT_MSG_NEWOBJ: "NEWOBJ", unix.NFT_MSG_DELOBJ: "DELOBJ",
	unix.NFT_MSG_NEWFLOWTABLE: "NEWFLOWTABLE", unix.NFT_MSG_DELFLOWTABLE: "DELFLOWTABLE",
	wire.MsgDestroyTable: "DESTROYTABLE", wire.MsgDestroyChain: "DESTROYCHAIN", wire.MsgDestroyRule: "DESTROYRULE",
	wire.MsgDestroySet: "DESTROYSET", wire.MsgDestroySetElem: "DESTROYSETELEM", wire.MsgDestroyObj: "DESTROYOBJ",
	wire.MsgDestroyFlowtable: "DESTROYFLOWTABLE", 0x0f: "GETOBJ_RESET", 0x0a: "NEWGEN?",
}

func msgLine(typ uint16, fam uint8, attrs []byte) string {
	n := msgNames[typ]
	if n == "" {
		n = fmt.Sprintf("msg%d", typ)
	}
	var sb strings.Builder
	fmt.Fprintf(&sb, "%s fam=%d", n, fam)
	for len(attrs) >= 4 {
		l := int(binary.LittleEndian.Uint16(attrs))
		t := binary.LittleEndian.Uint16(attrs[2:]) &^ (unix.NLA_F_NESTED | unix.NLA_F_NET_BYTEORDER)
		if l < 4 || l > len(attrs) {
			break
		}
		fmt.Fprintf(&sb, " %d:%s", t, hex.EncodeToString(attrs[4:l]))
		l = (l + 3) &^ 3
		if l > len(attrs) {
			l = len(attrs)
		}
		attrs = attrs[l:]
	}
	if len(attrs) > 0 {
		fmt.Fprintf(&sb, " rest:%s", hex.EncodeToString(attrs))
	}
	return sb.String()
}

// encodeCmds encodes cmds with core/kernel's encoder, the bytes `nfsh
// apply` sends (tables without the owner flag, as nft sends them), one
// line per message as parseMnl gives nft's.
func encodeCmds(cmds []ruleset.Command) ([]string, error) {
	b, err := kernel.Encode(cmds, kernel.Features{Destroy: true}, kernel.ApplyOptions{Persist: true})
	if err != nil {
		return nil, err
	}
	out := make([]string, b.Len())
	for i := range out {
		m := b.Msg(i) // nlmsghdr (16 bytes), nfgenmsg (4), attributes
		out[i] = msgLine(b.Type(i), m[16], m[20:])
	}
	return out, nil
}

// TestNftAdhoc compares the script named by $NFT_ADHOC (netlink text and
// wire bytes); it is a tool for investigating one script.
func TestNftAdhoc(t *testing.T) {
	f := os.Getenv("NFT_ADHOC")
	if f == "" {
		t.Skip("NFT_ADHOC not set")
	}
	src, err := os.ReadFile(f)
	if err != nil {
		t.Fatal(err)
	}
	tc := nftCase{name: "adhoc", src: string(src), kernelFails: os.Getenv("NFT_ADHOC_KFAIL") != ""}
	checkNetlink(t, tc)
	checkWire(t, tc)
}

// TestNftRejects checks that scripts nft (or the kernel behind it)
// refuses are refused by the compiler with a positioned error, given an
// empty kernel ruleset as Known.
func TestNftRejects(t *testing.T) {
	long := strings.Repeat("a", 256)
	cases := []struct {
		name, src string
		line, col int
		msg       string
	}{
		{"jump-missing", "table ip t {\nchain c {\njump d\n}\n}\n", 3, 6, "unknown chain"},
		{"goto-missing-cmd", "add table ip t\nadd chain ip t c\nadd rule ip t c goto nosuch\n", 3, 22, "unknown chain"},
		{"vmap-missing", "table ip t {\nmap m { type ipv4_addr : verdict; elements = { 1.2.3.4 : jump nosuch }; }\n}\n", 2, 63, "unknown chain"},
		{"jump-base", "table ip t {\nchain c {\ntype filter hook input priority 0\n}\nchain d {\njump c\n}\n}\n", 6, 6, "base chain"},
		{"loop", "table ip t {\nchain b {\ntype filter hook input priority 0\njump c\n}\nchain c {\njump d\n}\nchain d {\njump c\n}\n}\n", 10, 1, "loop"},
		{"conflicting-intervals", "add table ip t\nadd set ip t s { type ipv4_addr; flags interval; }\nadd element ip t s { 10.0.0.0/8, 10.1.0.0/16 }\n", 3, 34, "conflicting intervals"},
		{"overlap-existing", "add table ip t\nadd set ip t s { type ipv4_addr; flags interval; }\nadd element ip t s { 10.0.0.0/8 }\nadd element ip t s { 10.1.2.3 }\n", 4, 22, "overlaps with an existing one"},
		{"delete-missing-interval", "add table ip t\nadd set ip t s { type ipv4_addr; flags interval; }\ndelete element ip t s { 10.0.0.0/8 }\n", 3, 25, "does not exist"},
		{"unknown-set", "add table ip t\nadd element ip t nosuch { 1.2.3.4 }\n", 2, 18, "unknown set"},
		{"unknown-type", "add table ip t\nadd set ip t s { type foo; }\n", 2, 23, "unknown datatype"},
		{"set-redeclared", "add table ip t\nadd set ip t s { type ipv4_addr; }\nadd set ip t s { type ipv4_addr; flags interval; }\n", 3, 14, "different definition"},
		{"prio-dstnat-input", "table ip t {\nchain c { type filter hook input priority dstnat; }\n}\n", 2, 0, "invalid priority"},
		{"prio-netdev-mangle", "table netdev t {\nchain c { type filter hook ingress device lo priority mangle; }\n}\n", 2, 55, "invalid priority"},
		{"prio-bridge-out", "table bridge t {\nchain c { type filter hook input priority out; }\n}\n", 2, 43, "invalid priority"},
		{"missing-device", "table netdev t {\nchain c { type filter hook ingress priority 0; }\n}\n", 2, 0, "Missing `device'"},
		{"device-not-allowed", "table ip t {\nchain c { type filter hook input device lo priority 0; }\n}\n", 2, 0, "cannot be bound to device"},
		{"ct-helper-l3proto", "add table ip t\nadd ct helper ip t h { type \"ftp\" protocol tcp; l3proto ip6; }\n", 2, 57, "does not match"},
		{"ct-expect-missing", "add table ip t\nadd ct expectation ip t e { protocol udp; }\n", 2, 0, "missing options"},
		{"ct-timeout-state", "add table ip t\nadd ct timeout ip t c { protocol udp; policy = { syn_sent:122 } ;}\n", 2, 0, "invalid state"},
		{"quota-unit", "add table ip t\nadd quota ip t q { over 100 gbytes; }\n", 2, 0, "Wrong rate format"},
		{"automerge-no-interval", "add table ip t\nadd set ip t s { type ipv4_addr; auto-merge; }\n", 2, 0, "auto-merge only works with interval sets"},
		{"unqualified-type", "add table ip t\nadd set ip t s { type string; }\n", 2, 23, "unqualified type string"},
		{"long-table", "add table ip " + long + "\n", 1, 14, "too long"},
		{"long-chain", "add table ip t\nadd chain ip t " + long + "\n", 2, 16, "too long"},
		{"long-set", "table ip t {\nset " + long + " { type ipv4_addr; }\n}\n", 2, 5, "too long"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if _, stderr, ok := runNft(t, "netlink", tc.src); ok {
				t.Fatalf("nft accepts the script")
			} else if !strings.Contains(stderr, "Error") {
				t.Fatalf("nft failed without an error: %s", stderr)
			}
			_, err := Source(tc.name+".nft", []byte(tc.src), &Options{Known: &ruleset.Ruleset{}})
			if err == nil {
				t.Fatal("compiled without error")
			}
			de, ok := err.(*diag.Error)
			if !ok {
				t.Fatalf("error is %T, not *diag.Error: %v", err, err)
			}
			if !strings.Contains(de.Error(), tc.msg) {
				t.Errorf("error %q does not mention %q", de.Error(), tc.msg)
			}
			if de.Pos.Line != tc.line || (tc.col != 0 && de.Pos.Col != tc.col) {
				t.Errorf("error at %d:%d, want %d:%d (%v)", de.Pos.Line, de.Pos.Col, tc.line, tc.col, err)
			}
		})
	}
}

// A large element list: nft splits it into several messages (and prints
// the first element of each further message twice).
func init() {
	var b strings.Builder
	b.WriteString("add table ip t\nadd set ip t s { type ipv4_addr; }\nadd element ip t s { ")
	for i := 0; i < 5000; i++ {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "10.%d.%d.1", i/250, i%250)
	}
	b.WriteString(" }\nadd set ip t s2 { type ipv4_addr; flags interval; }\nadd element ip t s2 { ")
	for i := 0; i < 3000; i++ {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "10.%d.%d.0/24", i/250, i%250)
	}
	b.WriteString(" }\n")
	nftCases = append(nftCases, nftCase{name: "large-lists", src: b.String()})
}

// TestIndexKnown resolves `index N` against the Known ruleset like nft
// resolves it against its cache (nft output recorded with two rules of
// handles 2 and 3 in ip x a).
func TestIndexKnown(t *testing.T) {
	known := &ruleset.Ruleset{Tables: []*ruleset.Table{{Family: ruleset.FamilyIP, Name: "x", Chains: []*ruleset.Chain{
		{Name: "a", Rules: []*ruleset.Rule{{Handle: 2}, {Handle: 3}}},
	}}}}
	src := "add rule ip x a index 1 drop\ninsert rule ip x a index 0 drop\n"
	cmds, err := Source("i.nft", []byte(src), &Options{Known: known})
	if err != nil {
		t.Fatal(err)
	}
	var got bytes.Buffer
	if err := bytecode.Print(&got, cmds); err != nil {
		t.Fatal(err)
	}
	want := "ip x a 3\n  [ immediate reg 0 drop ]\n\nip x a 2\n  [ immediate reg 0 drop ]\n\n"
	if diff := cmp.Diff(want, got.String()); diff != "" {
		t.Errorf("(-nft +nfsh):\n%s", diff)
	}
	_, err = Source("i.nft", []byte("add rule ip x a index 5 drop\n"), &Options{Known: known})
	if de, ok := err.(*diag.Error); !ok || de.Pos.Line != 1 || de.Pos.Col != 23 {
		t.Errorf("index 5: got %v, want an error at 1:23", err)
	}
}

// TestNftKnownSets adds elements to interval sets that exist in the
// kernel: nft's cache holds their elements; nfsh gets them as Known (here
// built offline from the first script with ruleset.Apply).
func TestNftKnownSets(t *testing.T) {
	first := "add table ip t\nadd set ip t s { type ipv4_addr; flags interval; }\nadd element ip t s { 10.0.0.0/8, 192.168.0.0/16 }\n" +
		"add set ip t a { type ipv4_addr; flags interval; auto-merge; }\nadd element ip t a { 10.0.0.0/8 }\n" +
		"add set ip t e { type ipv4_addr; flags interval; }\n"
	second := "add element ip t s { 12.0.0.0/8 }\nadd element ip t a { 11.0.0.0/8 }\nadd element ip t e { 1.2.3.4 }\ndelete element ip t s { 192.168.0.0/16 }\n"
	nstest.Require(t)
	dir := t.TempDir()
	a, b := filepath.Join(dir, "a.nft"), filepath.Join(dir, "b.nft")
	if err := os.WriteFile(a, []byte(first), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(b, []byte(second), 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("unshare", "-n", "sh", "-c", "nft -f "+a+" && nft --debug=netlink -f "+b).CombinedOutput()
	if err != nil {
		t.Fatalf("nft: %v\n%s", err, out)
	}
	// drop nft's dump of the cached set elements ("ip t @s" blocks)
	var want strings.Builder
	skip := false
	for _, l := range strings.SplitAfter(string(out), "\n") {
		if strings.HasPrefix(l, "ip t @") {
			skip = true
			continue
		}
		if skip && strings.HasPrefix(l, "\telement") && !strings.Contains(strings.TrimSuffix(l, "\n")[1:], "\telement") {
			continue
		}
		skip = false
		want.WriteString(l)
	}
	cmds, err := Source("a.nft", []byte(first), nil)
	if err != nil {
		t.Fatal(err)
	}
	known := &ruleset.Ruleset{}
	for i := range cmds {
		if err := known.Apply(&cmds[i]); err != nil {
			t.Fatal(err)
		}
	}
	cmds, err = Source("b.nft", []byte(second), &Options{Known: known})
	if err != nil {
		t.Fatal(err)
	}
	var got bytes.Buffer
	if err := bytecode.Print(&got, cmds); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want.String(), got.String()); diff != "" {
		t.Errorf("(-nft +nfsh):\n%s", diff)
	}
	// an overlap with a kernel element is refused in userspace
	_, err = Source("c.nft", []byte("add element ip t s { 10.1.0.0/16 }\n"), &Options{Known: known})
	if err == nil || !strings.Contains(err.Error(), "overlaps with an existing one") {
		t.Errorf("overlap with a kernel element: got %v", err)
	}
}
