package gotests

import (
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/nfsh/nfsh/tests/go/nstest"
)

// echoCase is one differential case of `nft -e`: after setup (loaded
// with nft), the command runs with echo in one fresh namespace through
// nft and in another through nfsh; both must print the same lines (the
// committing process's pid and name aside), succeed or fail alike, and
// leave identical rulesets. A case runs twice: with -e and with -e -a.
type echoCase struct {
	name  string
	setup string
	// argv is an nft command line (`nft -e ARGV...`; nfsh gets it as
	// `nfsh -e ARGV...` and as `nfsh apply -e -` with the words joined on
	// stdin); script, when argv is nil, is an nft -f script (`nft -e -f
	// -` and `nfsh apply -e -`).
	argv   []string
	script string
	// quiet says nft prints nothing: nothing it echoes changed (deletes,
	// flushes and renames are not echoed), or the command failed.
	quiet bool
}

var echoCases = []echoCase{
	// tables
	{name: "add table", setup: cmdBase, argv: w("add table ip x")},
	{name: "add dormant table", setup: cmdBase, argv: []string{"add", "table", "inet", "f", "{ flags dormant; }"}},
	{name: "add existing table", setup: cmdBase, argv: w("add table ip t"), quiet: true},
	{name: "create table", setup: cmdBase, argv: w("create table ip6 x")},
	// chains
	{name: "add chain", setup: cmdBase, argv: w("add chain ip t c2")},
	{name: "add base chain", setup: cmdBase, argv: []string{"add", "chain", "ip", "t", "c2", "{ type filter hook output priority 0; policy drop; }"}},
	{name: "add nat chain", setup: cmdBase, argv: []string{"add", "chain", "ip", "t", "pre", "{ type nat hook prerouting priority dstnat; }"}},
	// rules
	{name: "add rule", setup: cmdBase, argv: w("add rule ip t r tcp dport 80 accept")},
	{name: "add rule with anonymous set", setup: cmdBase, argv: []string{"add", "rule", "ip", "t", "r", "tcp dport { 22, 80 } counter accept"}},
	{name: "add rule with anonymous interval set", setup: cmdBase, argv: []string{"add", "rule", "ip", "t", "r", "ip daddr { 10.0.0.0/8, 192.168.1.1-192.168.1.9 } drop"}},
	{name: "add rule with anonymous verdict map", setup: cmdBase, argv: []string{"add", "rule", "ip", "t", "r", "ip saddr vmap { 1.1.1.1 : accept, 2.2.2.2 : jump j }"}},
	{name: "add rule with concatenation", setup: cmdBase, argv: []string{"add", "rule", "ip", "t", "r", "ip saddr . tcp dport { 1.1.1.1 . 22, 2.2.2.2 . 80 } accept"}},
	{name: "add rule with a comment", setup: cmdBase, argv: []string{"add", "rule", "ip", "t", "r", "accept", "comment", `"hi there"`}},
	{name: "add rule using a set", setup: cmdBase, argv: w("add rule ip t r ip saddr @s drop")},
	{name: "add rule using a map", setup: cmdBase, argv: w("add rule ip t r ip saddr vmap @vm")},
	{name: "add rule using objects", setup: cmdBase, argv: w("add rule ip t r counter name cnt quota name q")},
	{name: "insert rule", setup: cmdBase, argv: w("insert rule ip t r udp dport 53 accept")},
	{name: "insert rule at a position", setup: cmdBase, argv: w("insert rule ip t r position 12 udp dport 53 accept")},
	{name: "add rule at a position", setup: cmdBase, argv: w("add rule ip t r position 11 udp dport 53 accept")},
	{name: "add rule at an index", setup: cmdBase, argv: w("add rule ip t r index 0 drop")},
	{name: "insert rule at an index", setup: cmdBase, argv: w("insert rule ip t r index 1 ct state established accept")},
	{name: "replace rule", setup: cmdBase, argv: w("replace rule ip t r handle 12 tcp dport 2222 accept")},
	{name: "replace rule with an anonymous set", setup: "table inet e { chain c { tcp dport { 22, 80 } accept; }; }\n", argv: w("replace rule inet e c handle 3 ip saddr { 10.0.0.1, 10.0.0.2 } drop")},
	// sets, maps, elements
	{name: "add set", setup: cmdBase, argv: []string{"add", "set", "ip", "t", "s2", "{ type ipv4_addr; flags interval; }"}},
	{name: "add set with elements", setup: cmdBase, argv: []string{"add", "set", "ip", "t", "s2", "{ type inet_service; elements = { 22, 80 }; }"}},
	{name: "add map", setup: cmdBase, argv: []string{"add", "map", "ip", "t", "m2", "{ type ipv4_addr : verdict; }"}},
	{name: "add typeof set", setup: cmdBase, argv: []string{"add", "set", "ip", "t", "s3", "{ typeof tcp dport; size 100; }"}},
	{name: "add elements", setup: cmdBase, argv: []string{"add", "element", "ip", "t", "s", "{ 10.0.0.3, 10.0.0.4 }"}},
	{name: "add interval elements", setup: cmdBase, argv: []string{"add", "element", "ip", "t", "iv", "{ 10.2.0.0/16, 10.3.0.1-10.3.0.9, 10.4.0.1 }"}},
	{name: "add map element", setup: cmdBase, argv: []string{"add", "element", "ip", "t", "m", "{ 10.0.0.9 : 443 }"}},
	{name: "add verdict map element", setup: cmdBase, argv: []string{"add", "element", "ip", "t", "vm", "{ 10.0.0.9 : jump r }"}},
	{name: "create element", setup: cmdBase, argv: []string{"create", "element", "ip", "t", "s", "{ 10.0.0.7 }"}},
	// objects
	{name: "add counter", setup: cmdBase, argv: w("add counter ip t c3")},
	{name: "add quota", setup: cmdBase, argv: w("add quota ip t q3 10 mbytes")},
	{name: "add limit", setup: cmdObjs, argv: []string{"add", "limit", "inet", "o", "l2", "{ rate 5/minute; }"}},
	{name: "add ct helper", setup: cmdObjs, argv: []string{"add", "ct", "helper", "inet", "o", "h2", `{ type "ftp" protocol tcp; }`}},
	{name: "add ct timeout", setup: cmdObjs, argv: []string{"add", "ct", "timeout", "inet", "o", "to2", "{ protocol udp; l3proto ip; policy = { unreplied: 10, replied: 20 }; }"}},
	{name: "add ct expectation", setup: cmdObjs, argv: []string{"add", "ct", "expectation", "inet", "o", "e2", "{ protocol udp; dport 53; timeout 2s; size 5; l3proto ip; }"}},
	{name: "add synproxy", setup: cmdObjs, argv: []string{"add", "synproxy", "inet", "o", "sp2", "{ mss 1400; wscale 5; timestamp sack-perm; }"}},
	{name: "add counter with a comment", setup: cmdObjs, argv: []string{"add", "counter", "inet", "o", "c2", `{ comment "hello"; }`}},
	{name: "add ct helper with a comment", setup: cmdObjs, argv: []string{"add", "ct", "helper", "inet", "o", "h3", `{ type "ftp" protocol tcp; comment "x"; }`}},
	{name: "create counter", setup: cmdObjs, argv: w("create counter inet o c4")},
	// several commands, what is not echoed, failures
	{name: "two commands", setup: cmdBase, argv: w("add table ip a ; add chain ip a c")},
	{name: "delete rule", setup: cmdBase, argv: w("delete rule ip t r handle 11"), quiet: true},
	{name: "delete then add", setup: cmdBase, argv: w("delete rule ip t r handle 11 ; add rule ip t r drop")},
	{name: "flush chain", setup: cmdBase, argv: w("flush chain ip t r"), quiet: true},
	{name: "rename chain", setup: cmdBase, argv: w("rename chain ip t r r2"), quiet: true},
	{name: "refused command", setup: cmdBase, argv: w("add rule ip t nochain accept"), quiet: true},
	{name: "second command refused", setup: cmdBase, argv: w("add table ip a ; add chain ip nosuch c"), quiet: true},
	{name: "check only", setup: cmdBase, argv: w("-c add rule ip t r drop"), quiet: true},

	// -f scripts
	{name: "script: table block", script: `table ip x {
	set s { type ipv4_addr; elements = { 1.2.3.4, 5.6.7.8 } }
	map m { type inet_service : verdict; elements = { 22 : accept } }
	counter c { }
	chain in {
		type filter hook input priority 0; policy drop;
		tcp dport { 22, 80 } accept
		ip saddr @s drop
		tcp dport vmap @m
		counter name "c"
	}
}
`},
	{name: "script: commands", setup: cmdBase, script: `add table ip t2
add chain ip t2 c { type filter hook forward priority -10; }
add rule ip t2 c meta l4proto { tcp, udp } th dport 53 accept
add set ip t2 s { type ipv4_addr; flags interval; }
add element ip t2 s { 10.0.0.0/8, 172.16.0.1-172.16.0.20 }
insert rule ip t r ip saddr @s drop
add quota ip t q2 { over 500 mbytes; }
`},
	{name: "script: into an existing table", setup: cmdBase, script: `table ip t {
	set s4 { type ipv4_addr; }
	chain r {
		ip daddr @s4 counter drop
	}
}
`},
	{name: "script: flush ruleset first", setup: cmdBase, script: `flush ruleset
table inet f {
	chain c { type filter hook input priority 0; }
}
`},
	// one notification per element: thousands fit the receive buffer
	{name: "script: many elements", script: manyElements(3000)},
	{name: "script: dormant table with objects", setup: cmdObjs, script: `table inet o2 {
	flags dormant
	quota q { 100 bytes }
	limit l { rate over 10/second burst 20 packets }
	chain c {
		quota name "q" limit name "l" accept
	}
}
`},
}

// manyElements is a table with a set of n elements.
func manyElements(n int) string {
	var b strings.Builder
	b.WriteString("table ip big {\n\tset s {\n\t\ttype ipv4_addr\n\t\telements = { ")
	for i := 1; i <= n; i++ {
		if i > 1 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "10.%d.%d.%d", i>>16&255, i>>8&255, i&255)
	}
	b.WriteString(" }\n\t}\n}\n")
	return b.String()
}

// echoGenRE matches the process part of the generation line, which
// names the committing process.
var echoGenRE = regexp.MustCompile(`(?m)^(# new generation \d+) by process \d+ \([^)]*\)$`)

// TestEchoDiff runs every echo case through nft and nfsh, with -e and
// with -e -a, and compares what they print and leave.
func TestEchoDiff(t *testing.T) {
	nstest.Require(t)
	for _, tc := range echoCases {
		for _, handles := range []bool{false, true} {
			name := tc.name
			flags := []string{"-e"}
			if handles {
				name += "/handles"
				flags = append(flags, "-a")
			}
			t.Run(name, func(t *testing.T) {
				input := tc.script
				nftArgs := append(append([]string{}, flags...), "-f", "-")
				if tc.argv != nil {
					input = ""
					nftArgs = append(append([]string{}, flags...), tc.argv...)
				}
				ref := runEchoCase(t, tc, input, "nft", nftArgs...)
				if (ref.stdout == "") != tc.quiet {
					t.Errorf("nft printed %q; the case says quiet=%v", ref.stdout, tc.quiet)
				}
				if tc.argv != nil {
					// nfsh apply reads the command line as a script; nft
					// options inside argv (-c) go before apply's FILE.
					var opts, words []string
					for _, a := range tc.argv {
						if strings.HasPrefix(a, "-") && len(words) == 0 {
							opts = append(opts, a)
							continue
						}
						words = append(words, a)
					}
					input = strings.Join(words, " ") + "\n"
					args := append(append(append([]string{"apply"}, flags...), opts...), "-")
					compareEcho(t, "nfsh apply", ref, runEchoCase(t, tc, input, nfshBin, args...))
					cli := runEchoCase(t, tc, "", nfshBin, append(append([]string{}, flags...), tc.argv...)...)
					compareEcho(t, "nfsh ARGV", ref, cli)
					return
				}
				compareEcho(t, "nfsh apply", ref, runEchoCase(t, tc, input, nfshBin, append([]string{"apply"}, append(flags, "-")...)...))
			})
		}
	}
}

// echoRun is what one program did in an echo case.
type echoRun struct {
	stdout string // with the generation line's process normalized
	err    error
	after  string // nft -a list ruleset
}

// runEchoCase loads the case's setup with nft in a fresh namespace and
// runs prog there.
func runEchoCase(t *testing.T, tc echoCase, input, prog string, args ...string) echoRun {
	t.Helper()
	ns := nstest.New(t)
	if tc.setup != "" {
		ns.NftScript(t, tc.setup)
	}
	var r echoRun
	out, err := ns.RunInput(t, input, prog, args...)
	r.stdout = echoGenRE.ReplaceAllString(out, "$1 by process PID (PROC)")
	r.err = err
	r.after = ns.Nft(t, "-a", "list", "ruleset")
	return r
}

// compareEcho reports the differences of got (from nfsh, run as how) to
// ref (from nft).
func compareEcho(t *testing.T, how string, ref, got echoRun) {
	t.Helper()
	if (ref.err == nil) != (got.err == nil) {
		t.Errorf("%s: exit status differs: nft: %s; nfsh: %s", how, errText(ref.err), errText(got.err))
	}
	if d := cmp.Diff(ref.stdout, got.stdout); d != "" {
		t.Errorf("%s: output differs (-nft +nfsh):\n%s", how, d)
	}
	if d := cmp.Diff(ref.after, got.after); d != "" {
		t.Errorf("%s: ruleset after differs (-nft +nfsh):\n%s", how, d)
	}
}
