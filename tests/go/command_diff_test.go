package gotests

import (
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/nfsh/nfsh/tests/go/nstest"
)

// cmdBase is the kernel state most command cases start from. Its handles
// are fixed (a fresh table numbers its objects in order): table t 1;
// chains in 1, r 2, j 3; counter cnt 4, quota q 5, sets s 6, iv 7, m 8,
// vm 9; rules: in's counter 10, r's 11 and 12, j's jump 13.
const cmdBase = `table ip t {
	counter cnt { packets 5 bytes 100 }
	quota q { over 100 mbytes used 10 mbytes }
	set s { type ipv4_addr; elements = { 10.0.0.1, 10.0.0.2 } }
	set iv { type ipv4_addr; flags interval; elements = { 10.0.0.0/24, 10.1.0.0/16 } }
	map m { type ipv4_addr : inet_service; elements = { 10.0.0.1 : 80 } }
	map vm { type ipv4_addr : verdict; elements = { 10.0.0.1 : accept } }
	chain in {
		type filter hook input priority filter; policy accept;
		counter accept
	}
	chain r {
		ip saddr 1.2.3.4 drop
		tcp dport 22 accept
	}
	chain j {
		jump r
	}
}
`

// cmdObjs holds one named object of every kind this kernel supports
// (handles: table o 1; counter c 2, quota q 3, limit l 4, ct helper h 5,
// ct timeout to 6, ct expectation e 7, synproxy sp 8; chain c 9). Secmark
// objects are left out: without SELinux the kernel refuses every context.
const cmdObjs = `table inet o {
	counter c { packets 7 bytes 70 }
	quota q { 1000 bytes used 500 bytes }
	limit l { rate 10/second }
	ct helper h { type "ftp" protocol tcp; l3proto inet; }
	ct timeout to { protocol tcp; l3proto ip; policy = { established: 100 }; }
	ct expectation e { protocol tcp; dport 21; timeout 1s; size 12; l3proto ip; }
	synproxy sp { mss 1460; wscale 7; }
	chain c {
		counter name "c"
	}
}
`

// cmdNetdev is a netdev table with an ingress chain on d0 (the case adds
// the veth pair d0, d1).
const cmdNetdev = `table netdev n {
	chain ing {
		type filter hook ingress device "d0" priority 0; policy accept;
	}
}
`

// commandCase is one differential case: after setup (loaded with nft),
// cmd is run by `nft -f` in one fresh namespace and by `nfsh apply` in
// another; both must succeed or both fail, and leave identical rulesets.
type commandCase struct {
	name  string
	setup string
	cmd   string
	veth  bool // create the veth pair d0, d1 before the setup
	// todo, when set, names a known difference nfsh does not fix yet:
	// the case runs and must still differ (so a fix is noticed); the
	// difference is logged.
	todo string
}

var commandCases = []commandCase{
	// tables
	{name: "add table new", cmd: "add table ip x\n"},
	{name: "add table existing", setup: cmdBase, cmd: "add table ip t\n"},
	{name: "add table block existing", setup: cmdBase, cmd: "table ip t {\n\tchain extra {\n\t}\n}\n"},
	{name: "create table new", cmd: "create table inet x\n"},
	{name: "create table existing fails", setup: cmdBase, cmd: "create table ip t\n"},
	{name: "delete table", setup: cmdBase, cmd: "delete table ip t\n"},
	{name: "delete table missing fails", setup: cmdBase, cmd: "delete table ip nope\n"},
	{name: "delete table other family fails", setup: cmdBase, cmd: "delete table inet t\n"},
	{name: "delete table by handle", setup: cmdBase, cmd: "delete table ip handle 1\n"},
	{name: "delete table by missing handle fails", setup: cmdBase, cmd: "delete table ip handle 99\n"},
	{name: "flush table", setup: cmdBase, cmd: "flush table ip t\n"},
	{name: "flush table missing fails", setup: cmdBase, cmd: "flush table ip nope\n"},
	{name: "add table dormant existing", setup: cmdBase, cmd: "add table ip t { flags dormant; }\n"},
	{name: "add table wakes dormant", setup: "table ip t { flags dormant; }\n", cmd: "add table ip t\n"},
	{name: "table block wakes dormant", setup: "table ip t { flags dormant; }\n", cmd: "table ip t {\n}\n"},
	{name: "table comment on existing", setup: cmdBase, cmd: "table ip t { comment \"hello\"; }\n"},
	{name: "create table then add to it", cmd: "create table ip x\nadd chain ip x c\nadd rule ip x c accept\n"},
	{name: "delete then recreate table", setup: cmdBase, cmd: "delete table ip t\ntable ip t {\n\tchain c {\n\t}\n}\n"},
	{name: "add table netdev bridge arp", cmd: "add table netdev a\nadd table bridge b\nadd table arp c\nadd table ip6 d\n"},
	{name: "flush ruleset", setup: cmdBase + cmdObjs, cmd: "flush ruleset\n"},
	{name: "flush ruleset family", setup: cmdBase + cmdObjs, cmd: "flush ruleset ip\n"},
	{name: "flush ruleset then rebuild", setup: cmdBase, cmd: "flush ruleset\nadd table ip t\nadd chain ip t c\n"},

	// chains
	{name: "add chain new", setup: cmdBase, cmd: "add chain ip t x\n"},
	{name: "add chain existing", setup: cmdBase, cmd: "add chain ip t r\n"},
	{name: "create chain new", setup: cmdBase, cmd: "create chain ip t x\n"},
	{name: "create chain existing fails", setup: cmdBase, cmd: "create chain ip t r\n"},
	{name: "add chain missing table fails", setup: cmdBase, cmd: "add chain ip nope x\n"},
	{name: "add base chain new", setup: cmdBase, cmd: "add chain ip t out { type filter hook output priority 10; policy drop; }\n"},
	{name: "add base chain existing same", setup: cmdBase, cmd: "add chain ip t in { type filter hook input priority filter; policy accept; }\n"},
	{name: "base chain policy update", setup: cmdBase, cmd: "chain ip t in { policy drop; }\n"},
	{name: "base chain policy update add", setup: cmdBase, cmd: "add chain ip t in { policy drop; }\n"},
	{name: "base chain policy update full spec", setup: cmdBase, cmd: "add chain ip t in { type filter hook input priority filter; policy drop; }\n"},
	{name: "base chain policy update with rules", setup: cmdBase, cmd: "chain ip t in {\n\tpolicy drop;\n\tip daddr 10.0.0.1 accept\n}\n"},
	{name: "base chain policy update in table block", setup: cmdBase, cmd: "table ip t {\n\tchain in {\n\t\tpolicy drop;\n\t}\n}\n"},
	{name: "base chain policy update then back", setup: cmdBase, cmd: "chain ip t in { policy drop; }\nchain ip t in { policy accept; }\n"},
	{name: "policy on regular chain fails", setup: cmdBase, cmd: "chain ip t r { policy drop; }\n"},
	{name: "policy on new chain without hook fails", setup: cmdBase, cmd: "chain ip t x { policy drop; }\n"},
	{name: "base chain priority change fails", setup: cmdBase, cmd: "add chain ip t in { type filter hook input priority 10; }\n"},
	{name: "base chain hook change fails", setup: cmdBase, cmd: "add chain ip t in { type filter hook output priority filter; }\n"},
	{name: "regular chain made base fails", setup: cmdBase, cmd: "add chain ip t r { type filter hook output priority filter; }\n"},
	{name: "chain comment on existing", setup: cmdBase, cmd: "add chain ip t r { comment \"c\"; }\n"},
	{name: "chain block appends rules", setup: cmdBase, cmd: "chain ip t r {\n\tip saddr 5.6.7.8 drop\n}\n"},
	{name: "delete chain", setup: cmdBase, cmd: "delete chain ip t in\n"},
	{name: "delete chain by handle", setup: cmdBase, cmd: "delete chain ip t handle 1\n"},
	{name: "delete chain missing fails", setup: cmdBase, cmd: "delete chain ip t nope\n"},
	{name: "delete chain referenced fails", setup: cmdBase, cmd: "flush chain ip t r\ndelete chain ip t r\n"},
	{name: "delete chain unreferenced", setup: cmdBase, cmd: "flush chain ip t j\ndelete chain ip t r\n"},
	{name: "delete chain non-empty", setup: cmdBase, cmd: "delete chain ip t j\n"},
	{name: "flush chain", setup: cmdBase, cmd: "flush chain ip t r\n"},
	{name: "flush chain missing fails", setup: cmdBase, cmd: "flush chain ip t nope\n"},
	{name: "rename chain", setup: cmdBase, cmd: "rename chain ip t r r2\n"},
	{name: "rename base chain", setup: cmdBase, cmd: "rename chain ip t in input\n"},
	{name: "rename chain then use", setup: cmdBase, cmd: "rename chain ip t r r2\nadd rule ip t r2 counter\n"},
	{name: "rename chain to existing fails", setup: cmdBase, cmd: "rename chain ip t r j\n"},
	{name: "rename chain missing fails", setup: cmdBase, cmd: "rename chain ip t nope x\n"},
	{name: "rename chain missing table fails", setup: cmdBase, cmd: "rename chain ip nope r x\n"},
	{name: "rename chain old name gone", setup: cmdBase, cmd: "rename chain ip t r r2\nadd rule ip t r counter\n"},
	{name: "policy update of chain created in script", setup: cmdBase, cmd: "add chain ip t out { type filter hook output priority 0; }\nchain ip t out { policy drop; }\n"},
	{name: "policy update after delete fails", setup: cmdBase, cmd: "delete chain ip t in\nchain ip t in { policy drop; }\n"},
	{name: "policy update after flush ruleset fails", setup: cmdBase, cmd: "flush ruleset\nadd table ip t\nchain ip t in { policy drop; }\n"},
	{name: "policy update missing table fails", setup: cmdBase, cmd: "chain ip nope in { policy drop; }\n"},
	{name: "policy update with comment", setup: cmdBase, cmd: "chain ip t in { policy drop; comment \"closed\"; }\n"},
	{name: "policy update inet and ip6", setup: "table inet f {\n\tchain fw {\n\t\ttype filter hook forward priority 0;\n\t}\n}\ntable ip6 g {\n\tchain out {\n\t\ttype route hook output priority mangle; policy drop;\n\t}\n}\n",
		cmd: "chain inet f fw { policy drop; }\nchain ip6 g out { policy accept; }\n"},
	{name: "policy update bad value fails", setup: cmdBase, cmd: "chain ip t in { policy reject; }\n"},
	{name: "create base chain existing fails", setup: cmdBase, cmd: "create chain ip t in { type filter hook input priority filter; }\n"},
	{name: "add chain with comment new", setup: cmdBase, cmd: "add chain ip t x { comment \"new\"; }\n"},
	{name: "rename chain created in script fails", setup: cmdBase, cmd: "add chain ip t x\nrename chain ip t x y\n"},
	{name: "rename chain twice", setup: cmdBase, cmd: "rename chain ip t r r2\nrename chain ip t j j2\n"},
	{name: "rename chain jumped to keeps jump", setup: cmdBase, cmd: "rename chain ip t r target\n"},
	{name: "rename deleted chain fails", setup: cmdBase, cmd: "delete chain ip t in\nrename chain ip t in x\n"},
	// nft 1.0.6's grammar wants a bare identifier for names: a quoted
	// one is a syntax error, while strings (object references, comments)
	// may be quoted
	{name: "rename chain by quoted name fails", setup: cmdBase, cmd: "rename chain ip t \"r\" \"new name\"\n"},
	{name: "rename chain to quoted name fails", setup: cmdBase, cmd: "rename chain ip t r \"r2\"\n"},
	{name: "add table quoted name fails", cmd: "add table ip \"x\"\n"},
	{name: "delete table quoted name fails", setup: cmdBase, cmd: "delete table ip \"t\"\n"},
	{name: "add set quoted name fails", setup: cmdBase, cmd: "add set ip t \"s2\" { type ipv4_addr; }\n"},
	{name: "add element quoted set fails", setup: cmdBase, cmd: "add element ip t \"s\" { 10.0.0.3 }\n"},
	{name: "jump to quoted chain fails", setup: cmdBase, cmd: "add rule ip t in jump \"r\"\n"},
	{name: "quoted set reference fails", setup: cmdBase, cmd: "add rule ip t in ip saddr @\"s\" drop\n"},
	{name: "quoted chain in table block fails", setup: cmdBase, cmd: "table ip t {\n\tchain \"x\" {\n\t}\n}\n"},
	{name: "quoted object reference", setup: cmdObjs, cmd: "add rule inet o c counter name \"c\" comment \"quoted\"\n"},
	{name: "arp and bridge policy update", setup: "table arp a {\n\tchain c {\n\t\ttype filter hook input priority 0;\n\t}\n}\ntable bridge b {\n\tchain c {\n\t\ttype filter hook forward priority 0;\n\t}\n}\n",
		cmd: "chain arp a c { policy drop; }\nchain bridge b c { policy drop; }\n"},
	{name: "dormant then wake in one script", setup: cmdBase, cmd: "add table ip t { flags dormant; }\nadd table ip t\n"},
	{name: "netdev chain add device", setup: cmdNetdev, veth: true,
		cmd: "add chain netdev n ing { type filter hook ingress devices = { d0, d1 } priority 0; }\n"},
	{name: "netdev chain policy update", setup: cmdNetdev, veth: true,
		cmd: "chain netdev n ing { policy drop; }\n"},

	// rules
	{name: "add rule", setup: cmdBase, cmd: "add rule ip t r counter\n"},
	{name: "add rule missing chain fails", setup: cmdBase, cmd: "add rule ip t nope counter\n"},
	{name: "add rule missing table fails", setup: cmdBase, cmd: "add rule ip nope r counter\n"},
	{name: "insert rule", setup: cmdBase, cmd: "insert rule ip t r counter\n"},
	{name: "add rule position", setup: cmdBase, cmd: "add rule ip t r position 11 counter\n"},
	{name: "insert rule position", setup: cmdBase, cmd: "insert rule ip t r position 12 counter\n"},
	{name: "add rule handle", setup: cmdBase, cmd: "add rule ip t r handle 11 counter\n"},
	{name: "add rule position missing fails", setup: cmdBase, cmd: "add rule ip t r position 99 counter\n"},
	{name: "add rule index", setup: cmdBase, cmd: "add rule ip t r index 0 counter\n"},
	{name: "insert rule index", setup: cmdBase, cmd: "insert rule ip t r index 1 counter\n"},
	{name: "add rule index out of range fails", setup: cmdBase, cmd: "add rule ip t r index 5 counter\n"},
	{name: "insert rule position in base chain", setup: cmdBase, cmd: "insert rule ip t in position 10 ip saddr 1.1.1.1 drop\n"},
	{name: "add then insert index", setup: cmdBase, cmd: "add rule ip t r counter\ninsert rule ip t r index 0 accept\nadd rule ip t r index 1 drop\n"},
	{name: "add rule implicit keyword", setup: cmdBase, cmd: "add ip t r counter\n"},
	{name: "replace rule with anonymous set", setup: cmdBase, cmd: "replace rule ip t r handle 11 ip saddr { 1.1.1.1, 2.2.2.2 } drop\n"},
	{name: "replace rule twice", setup: cmdBase, cmd: "replace rule ip t r handle 11 drop\nreplace rule ip t r handle 11 accept\n"},
	{name: "delete rule then add", setup: cmdBase, cmd: "delete rule ip t j handle 13\ndelete chain ip t r\n"},
	{name: "add rule goto", setup: cmdBase, cmd: "add rule ip t in goto j\n"},
	{name: "add rule jump base chain fails", setup: cmdBase, cmd: "add rule ip t r jump in\n"},
	{name: "add rule loop fails", setup: cmdBase, cmd: "add rule ip t r jump j\n"},
	{name: "index after delete", setup: cmdBase, cmd: "delete rule ip t r handle 11\nadd rule ip t r index 0 accept\n"},
	{name: "index after replace", setup: cmdBase, cmd: "replace rule ip t r handle 11 counter\nadd rule ip t r index 0 accept\n"},
	{name: "index after flush chain", setup: cmdBase, cmd: "flush chain ip t r\ninsert rule ip t r index 0 accept\n"},
	{name: "index after flush table", setup: cmdBase, cmd: "flush table ip t\nadd rule ip t r index 0 accept\n"},
	{name: "index in new chain", setup: cmdBase, cmd: "add chain ip t x\nadd rule ip t x accept\nadd rule ip t x counter\ninsert rule ip t x index 1 drop\n"},
	{name: "index in new chain empty fails", setup: cmdBase, cmd: "add chain ip t x\nadd rule ip t x index 0 drop\n"},
	{name: "index after chain block", setup: cmdBase, cmd: "chain ip t r {\n\tcounter\n}\nadd rule ip t r index 2 accept\n"},
	{name: "insert rule handle", setup: cmdBase, cmd: "insert rule ip t r handle 12 counter\n"},
	{name: "add rule after delete table fails", setup: cmdBase, cmd: "delete table ip t\nadd rule ip t r accept\n"},
	{name: "replace rule", setup: cmdBase, cmd: "replace rule ip t r handle 12 tcp dport 23 drop\n"},
	{name: "replace rule missing fails", setup: cmdBase, cmd: "replace rule ip t r handle 99 drop\n"},
	{name: "replace rule in other chain fails", setup: cmdBase, cmd: "replace rule ip t j handle 12 drop\n"},
	{name: "delete rule", setup: cmdBase, cmd: "delete rule ip t r handle 11\n"},
	{name: "delete rule missing fails", setup: cmdBase, cmd: "delete rule ip t r handle 99\n"},
	{name: "delete rule twice fails", setup: cmdBase, cmd: "delete rule ip t r handle 11\ndelete rule ip t r handle 11\n"},
	{name: "add rule jump missing chain fails", setup: cmdBase, cmd: "add rule ip t r jump nope\n"},
	{name: "add rule jump existing chain", setup: cmdBase, cmd: "add rule ip t in jump j\n"},
	{name: "add rule missing set fails", setup: cmdBase, cmd: "add rule ip t r ip saddr @nope drop\n"},
	{name: "add rule existing set", setup: cmdBase, cmd: "add rule ip t r ip saddr @s drop\nadd rule ip t r ip daddr @iv accept\n"},
	{name: "add rule map", setup: cmdBase, cmd: "add rule ip t r ip daddr vmap @vm\nadd rule ip t r tcp dport set ip saddr map @m\n"},
	{name: "add rule anonymous set", setup: cmdBase, cmd: "add rule ip t r ip saddr { 1.1.1.1, 2.2.2.2 } drop\nadd rule ip t r tcp dport vmap { 1 : accept, 2 : drop }\n"},
	{name: "add rule named counter", setup: cmdBase, cmd: "add rule ip t r counter name cnt\n"},
	{name: "add rule missing counter fails", setup: cmdBase, cmd: "add rule ip t r counter name nope\n"},
	{name: "add rule with comment", setup: cmdBase, cmd: "add rule ip t r accept comment \"hi\"\n"},
	{name: "failing last command leaves ruleset", setup: cmdBase, cmd: "add chain ip t x\nadd rule ip t r counter\ncreate table ip t\n"},

	// sets and maps
	{name: "add set new", setup: cmdBase, cmd: "add set ip t x { type inet_service; flags interval; }\n"},
	{name: "add set existing same", setup: cmdBase, cmd: "add set ip t s { type ipv4_addr; }\n"},
	{name: "add set existing different fails", setup: cmdBase, cmd: "add set ip t s { type inet_service; }\n"},
	{name: "add set existing with elements", setup: cmdBase, cmd: "add set ip t s { type ipv4_addr; elements = { 10.0.0.3 }; }\n"},
	{name: "create set new", setup: cmdBase, cmd: "create set ip t x { type ipv4_addr; }\n"},
	{name: "create set existing fails", setup: cmdBase, cmd: "create set ip t s { type ipv4_addr; }\n"},
	{name: "add set missing table fails", setup: cmdBase, cmd: "add set ip nope x { type ipv4_addr; }\n"},
	{name: "delete set", setup: cmdBase, cmd: "delete set ip t s\n"},
	{name: "delete set by handle", setup: cmdBase, cmd: "delete set ip t handle 6\n"},
	{name: "delete set missing fails", setup: cmdBase, cmd: "delete set ip t nope\n"},
	{name: "delete set in use fails", setup: cmdBase, cmd: "add rule ip t r ip saddr @s drop\ndelete set ip t s\n"},
	{name: "delete map", setup: cmdBase, cmd: "delete map ip t m\n"},
	{name: "flush set", setup: cmdBase, cmd: "flush set ip t s\n"},
	{name: "flush interval set", setup: cmdBase, cmd: "flush set ip t iv\n"},
	{name: "flush map", setup: cmdBase, cmd: "flush map ip t m\nflush map ip t vm\n"},
	{name: "flush set missing fails", setup: cmdBase, cmd: "flush set ip t nope\n"},
	{name: "add set timeout", setup: cmdBase, cmd: "add set ip t x { type ipv4_addr; flags timeout; timeout 1h; gc-interval 10s; size 100; }\n"},
	{name: "add set with counter", setup: cmdBase, cmd: "add set ip t x { type ipv4_addr; counter; elements = { 1.1.1.1 }; }\n"},
	{name: "add element", setup: cmdBase, cmd: "add element ip t s { 10.0.0.3, 10.0.0.4 }\n"},
	{name: "add element existing", setup: cmdBase, cmd: "add element ip t s { 10.0.0.1 }\n"},
	{name: "create element new", setup: cmdBase, cmd: "create element ip t s { 10.0.0.3 }\n"},
	{name: "create element existing fails", setup: cmdBase, cmd: "create element ip t s { 10.0.0.1 }\n"},
	{name: "add element missing set fails", setup: cmdBase, cmd: "add element ip t nope { 10.0.0.1 }\n"},
	{name: "delete element", setup: cmdBase, cmd: "delete element ip t s { 10.0.0.1 }\n"},
	{name: "delete element missing fails", setup: cmdBase, cmd: "delete element ip t s { 10.9.9.9 }\n"},
	{name: "add interval element", setup: cmdBase, cmd: "add element ip t iv { 10.2.0.0/16, 192.168.0.1-192.168.0.9 }\n"},
	{name: "add interval element overlap fails", setup: cmdBase, cmd: "add element ip t iv { 10.0.0.128/25 }\n"},
	{name: "add interval element existing", setup: cmdBase, cmd: "add element ip t iv { 10.0.0.0/24 }\n"},
	{name: "delete interval element", setup: cmdBase, cmd: "delete element ip t iv { 10.1.0.0/16 }\n"},
	{name: "delete interval element missing fails", setup: cmdBase, cmd: "delete element ip t iv { 10.3.0.0/16 }\n"},
	{name: "add map element", setup: cmdBase, cmd: "add element ip t m { 10.0.0.2 : 443 }\n"},
	{name: "add map element existing same", setup: cmdBase, cmd: "add element ip t m { 10.0.0.1 : 80 }\n"},
	{name: "add map element existing different fails", setup: cmdBase, cmd: "add element ip t m { 10.0.0.1 : 443 }\n"},
	{name: "delete map element by key", setup: cmdBase, cmd: "delete element ip t m { 10.0.0.1 }\n"},
	{name: "delete map element by mapping", setup: cmdBase, cmd: "delete element ip t m { 10.0.0.1 : 80 }\n"},
	{name: "add vmap element", setup: cmdBase, cmd: "add element ip t vm { 10.0.0.2 : drop, 10.0.0.3 : jump r }\n"},
	{name: "add vmap element jump missing fails", setup: cmdBase, cmd: "add element ip t vm { 10.0.0.2 : jump nope }\n"},
	{name: "delete vmap element", setup: cmdBase, cmd: "delete element ip t vm { 10.0.0.1 }\n"},
	{name: "delete interval element as range", setup: cmdBase, cmd: "delete element ip t iv { 10.0.0.0-10.0.0.255 }\n"},
	{name: "add adjacent interval element", setup: cmdBase, cmd: "add element ip t iv { 10.0.1.0/24 }\n"},
	{name: "auto-merge set add", setup: "table ip t {\n\tset a {\n\t\ttype ipv4_addr; flags interval; auto-merge; elements = { 10.0.0.0/24, 10.0.2.0/24 }\n\t}\n}\n",
		cmd: "add element ip t a { 10.0.1.0/24, 10.0.3.5 }\n"},
	{name: "interval map add and delete", setup: "table ip t {\n\tmap im {\n\t\ttype ipv4_addr : mark; flags interval; elements = { 10.0.0.0/8 : 1, 192.168.0.0/16 : 2 }\n\t}\n}\n",
		cmd: "add element ip t im { 172.16.0.0/12 : 3 }\ndelete element ip t im { 10.0.0.0/8 }\n"},
	{name: "concat set add and delete", setup: "table ip t {\n\tset cs {\n\t\ttype ipv4_addr . inet_service; elements = { 10.0.0.1 . 80, 10.0.0.2 . 443 }\n\t}\n}\n",
		cmd: "add element ip t cs { 10.0.0.3 . 22 }\ndelete element ip t cs { 10.0.0.1 . 80 }\n"},
	{name: "concat interval set add", setup: "table ip t {\n\tset ci {\n\t\ttype ipv4_addr . inet_service; flags interval; elements = { 10.0.0.0/24 . 80-90 }\n\t}\n}\n",
		cmd: "add element ip t ci { 10.0.1.0/24 . 100-200 }\ndelete element ip t ci { 10.0.0.0/24 . 80-90 }\n"},
	{name: "dynamic set add element", setup: "table ip t {\n\tset d {\n\t\ttype ipv4_addr; flags dynamic;\n\t}\n}\n", cmd: "add element ip t d { 1.2.3.4 }\n"},
	{name: "set with counter add element", setup: "table ip t {\n\tset sc {\n\t\ttype ipv4_addr; counter; elements = { 1.1.1.1 }\n\t}\n}\n", cmd: "add element ip t sc { 2.2.2.2 }\n"},
	{name: "element comment", setup: cmdBase, cmd: "add element ip t s { 10.0.0.9 comment \"nine\" }\n"},
	{name: "catch-all element", setup: cmdBase, cmd: "add element ip t vm { * : drop }\n"},
	{name: "catch-all element delete", setup: "table ip t {\n\tmap cm {\n\t\ttype ipv4_addr : verdict; elements = { 1.1.1.1 : accept, * : drop }\n\t}\n}\n", cmd: "delete element ip t cm { * }\n"},
	{name: "flush set then add", setup: cmdBase, cmd: "flush set ip t s\nadd element ip t s { 10.0.0.1 }\n"},
	{name: "delete set then recreate different", setup: cmdBase, cmd: "delete set ip t s\nadd set ip t s { type inet_service; }\n"},
	{name: "objmap add element", setup: "table ip t {\n\tcounter a {\n\t}\n\tcounter b {\n\t}\n\tmap om {\n\t\ttype ipv4_addr : counter; elements = { 1.1.1.1 : \"a\" }\n\t}\n}\n",
		cmd: "add element ip t om { 2.2.2.2 : \"b\" }\n"},
	{name: "objmap element missing object fails", setup: "table ip t {\n\tcounter a {\n\t}\n\tmap om {\n\t\ttype ipv4_addr : counter;\n\t}\n}\n",
		cmd: "add element ip t om { 2.2.2.2 : \"nope\" }\n"},
	{name: "timeout set elements", setup: "table ip t {\n\tset to {\n\t\ttype ipv4_addr; flags timeout;\n\t}\n}\n",
		cmd: "add element ip t to { 10.0.0.1 timeout 1h, 10.0.0.2 timeout 2m comment \"x\" }\n"},
	{name: "timeout set default timeout", setup: "table ip t {\n\tset to {\n\t\ttype ipv4_addr; timeout 1h;\n\t}\n}\n",
		cmd: "add element ip t to { 10.0.0.1 }\n"},
	{name: "element in constant set fails", setup: "table ip t {\n\tset k {\n\t\ttype ipv4_addr; flags constant; elements = { 1.1.1.1 }\n\t}\n}\n",
		cmd: "add element ip t k { 2.2.2.2 }\n"},

	// named objects
	{name: "add counter", setup: cmdBase, cmd: "add counter ip t c2\n"},
	{name: "add counter existing", setup: cmdBase, cmd: "add counter ip t cnt\n"},
	{name: "create counter existing fails", setup: cmdBase, cmd: "create counter ip t cnt\n"},
	{name: "delete counter", setup: cmdBase, cmd: "delete counter ip t cnt\n"},
	{name: "delete counter by handle", setup: cmdBase, cmd: "delete counter ip t handle 4\n"},
	{name: "delete counter missing fails", setup: cmdBase, cmd: "delete counter ip t nope\n"},
	{name: "delete counter in use fails", setup: cmdObjs, cmd: "delete counter inet o c\n"},
	{name: "reset counter", setup: cmdBase, cmd: "reset counter ip t cnt\n"},
	{name: "reset counters", setup: cmdBase + cmdObjs, cmd: "reset counters\n"},
	{name: "reset counters table", setup: cmdBase + cmdObjs, cmd: "reset counters table inet o\n"},
	{name: "reset quota", setup: cmdBase, cmd: "reset quota ip t q\n"},
	{name: "reset quotas", setup: cmdBase + cmdObjs, cmd: "reset quotas\n"},
	{name: "reset counter missing fails", setup: cmdBase, cmd: "reset counter ip t nope\n"},
	{name: "reset counters family", setup: cmdBase + cmdObjs, cmd: "reset counters inet\n"},
	{name: "reset quotas table", setup: cmdBase + cmdObjs, cmd: "reset quotas table ip t\n"},
	{name: "reset quota missing fails", setup: cmdBase, cmd: "reset quota ip t nope\n"},
	{name: "reset counter missing table fails", setup: cmdBase, cmd: "reset counter ip nope cnt\n"},
	{name: "reset counter with other commands", setup: cmdBase, cmd: "add rule ip t r counter name cnt\nreset counter ip t cnt\nadd counter ip t c2\n"},
	{name: "reset counter then failing command", setup: cmdBase, cmd: "reset counter ip t cnt\ncreate table ip t\n"},
	{name: "reset counter by wrong type fails", setup: cmdBase, cmd: "reset quota ip t cnt\n"},
	{name: "add quota existing updates", setup: cmdBase, cmd: "add quota ip t q { over 200 mbytes }\n"},
	{name: "add limit existing updates", setup: cmdObjs, cmd: "add limit inet o l { rate 20/second }\n"},
	{name: "add objects", setup: cmdBase, cmd: `add quota ip t q2 { 25 mbytes }
add limit ip t l { rate over 5/minute burst 10 packets }
add ct helper ip t h { type "sip" protocol udp; }
add ct timeout ip t to { protocol udp; policy = { unreplied: 15, replied: 30 }; }
add ct expectation ip t e { protocol udp; dport 5060; timeout 3s; size 4; }
add synproxy ip t sp { mss 1400; wscale 5; timestamp sack-perm; }
`},
	{name: "delete objects", setup: cmdObjs, cmd: `delete quota inet o q
delete limit inet o l
delete ct helper inet o h
delete ct timeout inet o to
delete ct expectation inet o e
delete synproxy inet o sp
`},
	{name: "delete objects by handle", setup: cmdObjs, cmd: "delete quota inet o handle 3\ndelete limit inet o handle 4\ndelete synproxy inet o handle 8\n"},
	{name: "delete counter in use by handle fails", setup: cmdObjs, cmd: "delete counter inet o handle 2\n"},
	// nft 1.0.6 has no `handle` for ct objects: a syntax error
	{name: "delete ct helper by handle fails", setup: cmdObjs, cmd: "delete ct helper inet o handle 5\n"},
	{name: "delete ct timeout by handle fails", setup: cmdObjs, cmd: "delete ct timeout inet o handle 6\n"},
	{name: "delete ct expectation by handle fails", setup: cmdObjs, cmd: "delete ct expectation inet o handle 7\n"},
	{name: "delete object wrong type fails", setup: cmdObjs, cmd: "delete quota inet o l\n"},
	{name: "add secmark fails", setup: cmdBase, cmd: "add secmark ip t sm { \"system_u:object_r:http_server_packet_t:s0\" }\n"},
	{name: "create objects existing fails", setup: cmdObjs, cmd: "create limit inet o l { rate 10/second }\n"},
	// nft 1.0.6 wants a newline or ';' after every item of a table block
	{name: "table block counter without terminator fails", setup: cmdBase, cmd: "table ip t { counter c9 { packets 0 bytes 0 } }\n", todo: "nfsh accepts a table block item without its newline or ';' (the Lua equivalence scripts rely on it)"},
	{name: "table block set without terminator fails", setup: cmdBase, cmd: "table ip t { set s9 { type ipv4_addr; } }\n", todo: "nfsh accepts a table block item without its newline or ';' (the Lua equivalence scripts rely on it)"},
	{name: "table block chain without terminator fails", setup: cmdBase, cmd: "table ip t { chain c9 { } }\n", todo: "nfsh accepts a table block item without its newline or ';' (the Lua equivalence scripts rely on it)"},
	{name: "table block two items on a line fails", setup: cmdBase, cmd: "table ip t { chain c9 { } quota q9 { 5 bytes }\n}\n", todo: "nfsh accepts a table block item without its newline or ';' (the Lua equivalence scripts rely on it)"},
	{name: "table block items with semicolons", setup: cmdBase, cmd: "table ip t { chain c9 { }; quota q9 { 5 bytes }; flags dormant; }\n"},
	{name: "add object in table block", setup: cmdObjs, cmd: "table inet o {\n\tcounter c2 {\n\t}\n\tquota q3 { 5 bytes }\n}\n"},
}

// expiresRE matches the time left of an element with a timeout, which
// differs between two listings taken at different moments.
var expiresRE = regexp.MustCompile(`expires [0-9hmsd]+`)

// TestCommandDiff runs every command case through `nft -f` and `nfsh
// apply` against the same prior kernel state and compares the outcome.
func TestCommandDiff(t *testing.T) {
	nstest.Require(t)
	for _, tc := range commandCases {
		t.Run(tc.name, func(t *testing.T) {
			ref, refErr, refBefore := runCommandCase(t, tc, "nft", "-f", "-")
			got, gotErr, _ := runCommandCase(t, tc, nfshBin, "apply", "-")
			var diffs []string
			if (refErr == nil) != (gotErr == nil) {
				diffs = append(diffs, "exit status differs: nft: "+errText(refErr)+"; nfsh: "+errText(gotErr))
			}
			if d := cmp.Diff(ref, got); d != "" {
				diffs = append(diffs, "ruleset after the command differs (-nft +nfsh):\n"+d)
			}
			// A failed script leaves the ruleset as it was, except for
			// what nft does outside the batch (resets run before it).
			if refErr != nil && gotErr != nil && ref == refBefore {
				if d := cmp.Diff(refBefore, got); d != "" {
					diffs = append(diffs, "a failed nfsh apply changed the ruleset (-before +after):\n"+d)
				}
			}
			switch {
			case tc.todo != "" && len(diffs) == 0:
				t.Errorf("case marked todo (%s) now matches nft: drop the todo", tc.todo)
			case tc.todo != "":
				// A known difference: logged, not skipped (CI forbids
				// skips), and the case fails once it matches.
				t.Logf("todo: %s; differences:\n%s", tc.todo, strings.Join(diffs, "\n"))
				return
			}
			for _, d := range diffs {
				t.Errorf("%s\ncommand:\n%s", d, tc.cmd)
			}
		})
	}
}

// runCommandCase loads the case's setup with nft in a fresh namespace,
// then runs the command script through the given program on stdin. It
// returns the ruleset after, the program's error and the ruleset before.
func runCommandCase(t *testing.T, tc commandCase, prog string, args ...string) (after string, err error, before string) {
	t.Helper()
	ns := nstest.New(t)
	if tc.veth {
		if _, err := ns.Run(t, "ip", "link", "add", "d0", "type", "veth", "peer", "name", "d1"); err != nil {
			t.Fatalf("setup: %v", err)
		}
	}
	if tc.setup != "" {
		ns.NftScript(t, tc.setup)
	}
	before = expiresRE.ReplaceAllString(ns.Nft(t, "-a", "list", "ruleset"), "expires X")
	_, err = ns.RunInput(t, tc.cmd, prog, args...)
	after = expiresRE.ReplaceAllString(ns.Nft(t, "-a", "list", "ruleset"), "expires X")
	return after, err, before
}

func errText(err error) string {
	if err == nil {
		return "success"
	}
	return err.Error()
}
