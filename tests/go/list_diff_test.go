package gotests

import (
	"bytes"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/nfsh/nfsh/tests/go/nstest"
)

// listBase is a ruleset with something for every list form: tables of
// several families, base and regular chains, named and anonymous sets,
// maps, a verdict map, stateful objects of each kind, and counters with
// values (no traffic needed).
const listBase = `table inet filter {
	counter cnt { packets 5 bytes 300 }
	counter c2 { }
	quota q1 { over 100 mbytes used 5 mbytes }
	limit l1 { rate 10/second burst 20 packets }
	ct helper ftp-std { type "ftp" protocol tcp; l3proto inet; }
	ct timeout tmo { protocol tcp; l3proto inet; policy = { established: 100, close: 5 }; }
	ct expectation exp1 { protocol tcp; dport 22; timeout 1m; size 12; l3proto ip; }
	set blocklist { type ipv4_addr; flags interval; elements = { 10.0.0.0/8, 192.168.1.1 } }
	set empty { type inet_service; }
	map portmap { type inet_service : ipv4_addr; elements = { 80 : 10.0.0.1 } }
	map vm { type ipv4_addr : verdict; elements = { 1.2.3.4 : drop } }
	chain input { type filter hook input priority filter; policy drop;
		ip saddr @blocklist counter packets 5 bytes 300 drop
		tcp dport { 22, 80 } accept
		ip saddr vmap @vm
		counter name cnt
		meta l4proto 17 accept
	}
	chain forward { type filter hook forward priority 0; }
	chain myuser { comment "mine"; meta l4proto 6 accept; }
}
table ip nat {
	set s4 { type ipv4_addr; }
	chain post { type nat hook postrouting priority srcnat; masquerade; }
}
table ip6 t6 { chain c { }; }
table bridge br { }
table inet other { counter oc { }; set os { type ipv4_addr; }; chain oc2 { }; }
table ip filter { chain input { type filter hook input priority 0; }; }
`

// listStateful holds per-element counters, an object map, objects with
// comments and byte-based limits, for -s and -a.
const listStateful = `table inet cnts {
	set ce { type ipv4_addr; counter; elements = { 1.1.1.1 counter packets 3 bytes 100, 2.2.2.2 } }
	map om { type ipv4_addr : counter; elements = { 3.3.3.3 : "c1" } }
	counter c1 { packets 9 bytes 900; comment "a counter"; }
	limit lb { rate over 1 mbytes/second burst 2 mbytes }
	quota qz { 10 kbytes }
	chain ch { comment "hello"; ip saddr 1.2.3.4 counter packets 5 bytes 300 accept; meta l4proto 17 counter packets 1 bytes 2; }
}
table ip only { quota lonely { 1 mbytes }; }
`

// listMeter holds a meter (an anonymous dynamic set owned by a rule).
const listMeter = `table ip m {
	set named { type ipv4_addr; }
	chain c { type filter hook input priority 0;
		tcp dport 22 meter flood size 128 { ip saddr timeout 10s limit rate over 10/second } drop
		tcp dport 23 meter other { ip saddr limit rate 5/second } accept
	}
}
table ip6 n6 { }
`

// listCase is one differential case of `nft list` against `nfsh list`.
type listCase struct {
	name  string
	setup string     // nft script loaded first (may be empty)
	pre   [][]string // commands run in the namespace before the setup
	args  []string   // the words after "list"
	// flags are nft output options: nft gets them before "list" (it takes
	// no others), nfsh after "list" unless flagsLast puts them at the end.
	flags     []string
	flagsLast bool
	// syntax marks a syntax error: only the failure is compared, not
	// nft's bison wording on stderr.
	syntax bool
	// nftCrash is set where nft 1.0.6 crashes; nfsh must print want.
	nftCrash string
	want     string
}

var listCases = []listCase{
	// ruleset
	{name: "ruleset", setup: listBase, args: []string{"ruleset"}},
	{name: "ruleset handles", setup: listBase, args: []string{"ruleset"}, flags: []string{"-a"}},
	{name: "ruleset handles last", setup: listBase, args: []string{"ruleset"}, flags: []string{"--handle"}, flagsLast: true},
	{name: "ruleset inet", setup: listBase, args: []string{"ruleset", "inet"}},
	{name: "ruleset ip6", setup: listBase, args: []string{"ruleset", "ip6"}},
	{name: "ruleset arp empty", setup: listBase, args: []string{"ruleset", "arp"}},
	{name: "ruleset stateless", setup: listStateful, args: []string{"ruleset"}, flags: []string{"-s"}},
	{name: "ruleset numeric protocol", setup: listBase, args: []string{"ruleset"}, flags: []string{"-p"}},
	{name: "ruleset combined flags", setup: listStateful, args: []string{"ruleset"}, flags: []string{"-as"}},
	{name: "ruleset empty", args: []string{"ruleset"}},
	{name: "ruleset bad family", setup: listBase, args: []string{"ruleset", "foo"}, syntax: true},
	// tables
	{name: "tables", setup: listBase, args: []string{"tables"}},
	{name: "tables inet", setup: listBase, args: []string{"tables", "inet"}},
	{name: "tables netdev none", setup: listBase, args: []string{"tables", "netdev"}},
	{name: "tables handles", setup: listBase, args: []string{"tables"}, flags: []string{"-a"}},
	// table
	{name: "table inet", setup: listBase, args: []string{"table", "inet", "filter"}},
	{name: "table default family ip", setup: listBase, args: []string{"table", "filter"}},
	{name: "table handles", setup: listBase, args: []string{"table", "inet", "filter"}, flags: []string{"-a"}},
	{name: "table stateless", setup: listStateful, args: []string{"table", "inet", "cnts"}, flags: []string{"--stateless"}},
	{name: "table missing", setup: listBase, args: []string{"table", "ip", "filterx"}},
	{name: "table missing default family", setup: listBase, args: []string{"table", "other"}},
	{name: "table without name", setup: listBase, args: []string{"table", "inet"}, syntax: true},
	{name: "table extra word", setup: listBase, args: []string{"table", "inet", "filter", "x"}, syntax: true},
	// chains and chain
	{name: "chains", setup: listBase, args: []string{"chains"}},
	{name: "chains ip", setup: listBase, args: []string{"chains", "ip"}},
	{name: "chains handles", setup: listBase, args: []string{"chains"}, flags: []string{"-a"}},
	{name: "chains table name rejected", setup: listBase, args: []string{"chains", "filter"}, syntax: true},
	{name: "chain", setup: listBase, args: []string{"chain", "inet", "filter", "input"}},
	{name: "chain handles", setup: listBase, args: []string{"chain", "inet", "filter", "input"}, flags: []string{"-a"}},
	{name: "chain stateless", setup: listBase, args: []string{"chain", "inet", "filter", "input"}, flags: []string{"-s"}, flagsLast: true},
	{name: "chain numeric protocol", setup: listBase, args: []string{"chain", "inet", "filter", "myuser"}, flags: []string{"--numeric-protocol"}},
	{name: "chain default family", setup: listBase, args: []string{"chain", "nat", "post"}},
	{name: "chain missing", setup: listBase, args: []string{"chain", "inet", "filter", "inptu"}},
	{name: "chain missing table", setup: listBase, args: []string{"chain", "filtr", "input"}},
	{name: "chain without name", setup: listBase, args: []string{"chain", "inet", "filter"}, syntax: true},
	// sets, maps, meters
	{name: "sets", setup: listBase, args: []string{"sets"}},
	{name: "sets inet", setup: listBase, args: []string{"sets", "inet"}},
	{name: "sets handles", setup: listBase, args: []string{"sets"}, flags: []string{"-a"}},
	{name: "sets table", setup: listBase, args: []string{"sets", "table", "inet", "filter"}},
	{name: "sets table ip", setup: listBase, args: []string{"sets", "table", "nat"}},
	{name: "sets table missing", setup: listBase, args: []string{"sets", "table", "inet", "nope"}},
	{name: "sets table missing suggests", setup: listBase, args: []string{"sets", "table", "ip", "othr"}},
	{name: "sets stateless", setup: listStateful, args: []string{"sets"}, flags: []string{"-s"}},
	{name: "sets with counters", setup: listStateful, args: []string{"sets"}},
	{name: "maps", setup: listBase, args: []string{"maps"}},
	{name: "maps objmap", setup: listStateful, args: []string{"maps", "inet"}},
	{name: "maps table rejected", setup: listBase, args: []string{"maps", "table", "inet", "filter"}, syntax: true},
	{name: "set", setup: listBase, args: []string{"set", "inet", "filter", "blocklist"}},
	{name: "set handles", setup: listBase, args: []string{"set", "inet", "filter", "blocklist"}, flags: []string{"-a"}},
	{name: "set stateless", setup: listStateful, args: []string{"set", "inet", "cnts", "ce"}, flags: []string{"-s"}},
	{name: "set default family", setup: listBase, args: []string{"set", "nat", "s4"}},
	{name: "set is a map", setup: listBase, args: []string{"set", "inet", "filter", "vm"}},
	{name: "set missing", setup: listBase, args: []string{"set", "inet", "filter", "blocklst"}},
	{name: "set missing table", setup: listBase, args: []string{"set", "filter", "blocklist"}},
	{name: "set anonymous not listed", setup: listBase, args: []string{"set", "inet", "filter", "__set0"}},
	{name: "map", setup: listBase, args: []string{"map", "inet", "filter", "portmap"}},
	{name: "map verdict", setup: listBase, args: []string{"map", "inet", "filter", "vm"}},
	{name: "map is a set", setup: listBase, args: []string{"map", "inet", "filter", "blocklist"}},
	{name: "map object", setup: listStateful, args: []string{"map", "inet", "cnts", "om"}},
	{name: "meters", setup: listMeter, args: []string{"meters"}},
	{name: "flow tables", setup: listMeter, args: []string{"flow", "tables", "ip"}},
	{name: "meter", setup: listMeter, args: []string{"meter", "ip", "m", "flood"}},
	{name: "flow table", setup: listMeter, args: []string{"flow", "table", "ip", "m", "other"}},
	{name: "meter is a set", setup: listMeter, args: []string{"meter", "ip", "m", "named"}},
	{name: "meter missing suggests", setup: listMeter, args: []string{"meter", "ip", "m", "namd"}},
	{name: "meter missing table", setup: listMeter, args: []string{"meter", "ip", "x", "flood"}},
	// stateful objects
	{name: "counters", setup: listBase, args: []string{"counters"}},
	{name: "counters inet", setup: listBase, args: []string{"counters", "inet"}},
	{name: "counters stateless", setup: listBase, args: []string{"counters"}, flags: []string{"-s"}},
	{name: "counters handles", setup: listBase, args: []string{"counters"}, flags: []string{"-a"}},
	{name: "counters table", setup: listBase, args: []string{"counters", "table", "inet", "other"}},
	{name: "counters table without objects", setup: listBase, args: []string{"counters", "table", "filter"}},
	{name: "counters table missing suggests", setup: listBase, args: []string{"counters", "table", "inet", "othr"}},
	{name: "counters table missing", setup: listBase, args: []string{"counters", "table", "inet", "zzzzzzzz"}},
	{name: "counter", setup: listBase, args: []string{"counter", "inet", "filter", "cnt"}},
	{name: "counter stateless", setup: listBase, args: []string{"counter", "inet", "filter", "cnt"}, flags: []string{"-s"}},
	{name: "counter with comment", setup: listStateful, args: []string{"counter", "inet", "cnts", "c1"}, flags: []string{"-as"}},
	{name: "counter is a quota", setup: listBase, args: []string{"counter", "inet", "filter", "q1"}},
	{name: "counter missing suggests", setup: listBase, args: []string{"counter", "inet", "filter", "nope"}},
	{name: "counter missing table", setup: listBase, args: []string{"counter", "inet", "nope", "cnt"}},
	{name: "counter without name", setup: listBase, args: []string{"counter", "inet", "filter"}, syntax: true},
	{name: "quotas", setup: listBase, args: []string{"quotas"}},
	{name: "quotas table with other objects", setup: listStateful, args: []string{"quotas"}},
	{name: "quotas stateless", setup: listBase, args: []string{"quotas"}, flags: []string{"-s"}},
	{name: "quota", setup: listBase, args: []string{"quota", "inet", "filter", "q1"}},
	{name: "quota default family", setup: listStateful, args: []string{"quota", "only", "lonely"}},
	{name: "limits", setup: listStateful, args: []string{"limits"}},
	{name: "limits table", setup: listBase, args: []string{"limits", "table", "inet", "filter"}},
	{name: "limit", setup: listBase, args: []string{"limit", "inet", "filter", "l1"}, flags: []string{"-a"}},
	{name: "secmarks", setup: listBase, args: []string{"secmarks"}},
	{name: "synproxys", setup: listBase, args: []string{"synproxys", "inet"}},
	// ct objects
	{name: "ct helper", setup: listBase, args: []string{"ct", "helper", "inet", "filter", "ftp-std"}},
	{name: "ct helper numeric protocol", setup: listBase, args: []string{"ct", "helper", "inet", "filter", "ftp-std"}, flags: []string{"-p"}},
	{name: "ct helpers table", setup: listBase, args: []string{"ct", "helpers", "table", "inet", "filter"}},
	{name: "ct helpers needs table", setup: listBase, args: []string{"ct", "helpers"}, syntax: true},
	{name: "ct helper missing suggests", setup: listBase, args: []string{"ct", "helper", "inet", "other", "x"}},
	{name: "ct timeout", setup: listBase, args: []string{"ct", "timeout", "inet", "filter", "tmo"}},
	{name: "ct expectation", setup: listBase, args: []string{"ct", "expectation", "inet", "filter", "exp1"}, flags: []string{"-a"}},
	{name: "ct timeouts plural rejected", setup: listBase, args: []string{"ct", "timeouts", "table", "inet", "filter"}, syntax: true},
	{name: "ct timeout table", setup: listBase, args: []string{"ct", "timeout", "table", "inet", "filter"},
		nftCrash: "nft 1.0.6 dereferences a null object name",
		want:     "table inet filter {\n\tct timeout tmo {\n\t\tprotocol tcp\n\t\tl3proto inet\n\t\tpolicy = { established : 100, close : 5 }\n\t}\n}\n"},
	{name: "ct expectation table", setup: listBase, args: []string{"ct", "expectation", "table", "inet", "filter"},
		nftCrash: "nft 1.0.6 dereferences a null object name",
		want:     "table inet filter {\n\tct expectation exp1 {\n\t\tprotocol tcp\n\t\tdport 22\n\t\ttimeout 1m\n\t\tsize 12\n\t\tl3proto ip\n\t}\n}\n"},
	// flowtables (this kernel cannot create one: only empty listings and errors)
	{name: "flowtables", setup: listBase, args: []string{"flowtables"}},
	{name: "flowtables inet", setup: listBase, args: []string{"flowtables", "inet"}},
	{name: "flowtable missing", setup: listBase, args: []string{"flowtable", "inet", "filter", "ft"}},
	{name: "flowtable missing table", setup: listBase, args: []string{"flowtable", "inet", "filtr", "ft"}},
	// iptables-nft tables: the warning goes to stderr where nft writes it
	{name: "xt ruleset warns", pre: listXt, args: []string{"ruleset"}},
	{name: "xt chain warns", pre: listXt, args: []string{"chain", "ip", "filter", "INPUT"}},
	{name: "xt chain without xt rules", pre: listXt, args: []string{"chain", "ip", "filter", "FOO"}},
	{name: "xt chains do not warn", pre: listXt, args: []string{"chains"}},
	{name: "xt sets do not warn", pre: listXt, args: []string{"sets"}},
	// odds and ends
	{name: "words in one argument", setup: listBase, args: []string{"chain inet filter input"}},
	{name: "unknown object", setup: listBase, args: []string{"foo"}, syntax: true},
}

// listXt makes an iptables-nft table with an xt match and an empty chain.
var listXt = [][]string{
	{"iptables-nft", "-A", "INPUT", "-m", "recent", "--name", "x", "--rcheck", "-j", "ACCEPT"},
	{"iptables-nft", "-N", "FOO"},
}

// TestListDiff runs every list case through `nft` and `nfsh list` in a
// fresh namespace and compares standard output byte for byte, success,
// and (but for syntax errors) standard error.
func TestListDiff(t *testing.T) {
	nstest.Require(t)
	for _, tc := range listCases {
		t.Run(tc.name, func(t *testing.T) {
			ns := nstest.New(t)
			for _, c := range tc.pre {
				if _, err := ns.Run(t, c[0], c[1:]...); err != nil {
					t.Fatalf("setup: %v", err)
				}
			}
			if tc.setup != "" {
				ns.NftScript(t, tc.setup)
			}
			nftArgs := append(append(append([]string{}, tc.flags...), "list"), tc.args...)
			nfshArgs := append([]string{"list"}, tc.flags...)
			nfshArgs = append(nfshArgs, tc.args...)
			if tc.flagsLast {
				nfshArgs = append(append([]string{"list"}, tc.args...), tc.flags...)
			}
			refOut, refErr, refFail := runListCmd(ns, "nft", nftArgs)
			gotOut, gotErr, gotFail := runListCmd(ns, nfshBin, nfshArgs)
			if tc.nftCrash != "" {
				if !refFail {
					t.Errorf("nft no longer fails (%s): compare with it instead of want; it printed:\n%s", tc.nftCrash, refOut)
				}
				if gotFail {
					t.Errorf("nfsh list %s failed: %s", strings.Join(nfshArgs[1:], " "), gotErr)
				}
				if d := cmp.Diff(tc.want, gotOut); d != "" {
					t.Errorf("stdout (-want +nfsh):\n%s", d)
				}
				return
			}
			if refFail != gotFail {
				t.Errorf("nft failed: %v (%s); nfsh failed: %v (%s)", refFail, refErr, gotFail, gotErr)
			}
			if d := cmp.Diff(refOut, gotOut); d != "" {
				t.Errorf("stdout (-nft +nfsh):\n%s", d)
			}
			if !tc.syntax {
				if d := cmp.Diff(refErr, gotErr); d != "" {
					t.Errorf("stderr (-nft +nfsh):\n%s", d)
				}
			} else if gotErr == "" {
				t.Error("nfsh printed no error")
			}
		})
	}
}

// runListCmd runs prog with args in ns and returns its standard output,
// standard error and whether it failed.
func runListCmd(ns *nstest.NS, prog string, args []string) (stdout, stderr string, failed bool) {
	cmd := ns.Command(prog, args...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	return out.String(), errb.String(), err != nil
}
