package gotests

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/nfsh/nfsh/tests/go/nstest"
)

// cliCase is one nft command given on the command line: after setup
// (loaded with nft), `nft ARGV...` runs in one fresh namespace and `nfsh
// ARGV...` in another, argv exactly as a shell would split it; both must
// succeed or both fail, and leave identical rulesets.
type cliCase struct {
	name  string
	setup string
	argv  []string
}

// w splits a command line at spaces, for argv without quoted words.
func w(s string) []string { return strings.Fields(s) }

var cliCases = []cliCase{
	{"add table", cmdBase, w("add table ip x")},
	{"add table with a block", cmdBase, []string{"add", "table", "inet", "f", "{ flags dormant; }"}},
	{"create existing table fails", cmdBase, w("create table ip t")},
	{"add chain", cmdBase, w("add chain ip t c2")},
	{"add base chain, block in one word", cmdBase, []string{"add", "chain", "ip", "t", "c2", "{ type filter hook output priority 0; policy drop; }"}},
	{"add base chain, block in words", cmdBase, w("add chain ip t c2 { type filter hook output priority 0 ; policy drop ; }")},
	{"add rule, words", cmdBase, w("add rule ip t r tcp dport 80 accept")},
	{"add rule, one word", cmdBase, []string{"add", "rule", "ip", "t", "r", "tcp dport { 80, 443 } counter accept"}},
	{"add rule with a comment", cmdBase, []string{"add", "rule", "ip", "t", "r", "accept", "comment", `"hi there"`}},
	{"add rule using a set", cmdBase, w("add rule ip t r ip saddr @s drop")},
	{"add rule to a missing chain fails", cmdBase, w("add rule ip t nochain accept")},
	{"add rule with a bad service fails", cmdBase, w("add rule ip t r tcp dport foo accept")},
	{"add rule, syntax error", cmdBase, w("add rule ip t r tcp dport accept")},
	{"add with nothing fails", cmdBase, w("add")},
	{"insert rule at a position", cmdBase, w("insert rule ip t r position 12 udp dport 53 accept")},
	{"add rule at an index", cmdBase, w("add rule ip t r index 0 drop")},
	{"insert rule at an index", cmdBase, w("insert rule ip t r index 1 ct state established accept")},
	{"replace rule", cmdBase, w("replace rule ip t r handle 12 tcp dport 2222 accept")},
	{"delete rule", cmdBase, w("delete rule ip t r handle 11")},
	{"delete missing rule fails", cmdBase, w("delete rule ip t r handle 999")},
	{"delete chain", cmdBase, w("delete chain ip t j")},
	{"delete chain in use fails", cmdBase, w("delete chain ip t r")},
	{"flush chain", cmdBase, w("flush chain ip t r")},
	{"flush table", cmdBase, w("flush table ip t")},
	{"flush set", cmdBase, w("flush set ip t s")},
	{"flush ruleset", cmdBase, w("flush ruleset")},
	{"delete table", cmdBase, w("delete table ip t")},
	{"rename chain", cmdBase, w("rename chain ip t r r2")},
	{"add elements", cmdBase, []string{"add", "element", "ip", "t", "s", "{ 10.0.0.3, 10.0.0.4 }"}},
	{"add elements, words", cmdBase, w("add element ip t s { 10.0.0.5 , 10.0.0.6 }")},
	{"delete element", cmdBase, []string{"delete", "element", "ip", "t", "s", "{ 10.0.0.1 }"}},
	{"delete missing element fails", cmdBase, []string{"delete", "element", "ip", "t", "s", "{ 10.9.9.9 }"}},
	{"add overlapping interval fails", cmdBase, []string{"add", "element", "ip", "t", "iv", "{ 10.0.0.5 }"}},
	{"add map element", cmdBase, []string{"add", "element", "ip", "t", "m", "{ 10.0.0.9 : 443 }"}},
	{"add set", cmdBase, []string{"add", "set", "ip", "t", "s2", "{ type ipv4_addr; flags interval; }"}},
	{"add verdict map", cmdBase, []string{"add", "map", "ip", "t", "m2", "{ type ipv4_addr : verdict; }"}},
	{"delete set", cmdBase, w("delete set ip t s")},
	{"add counter", cmdBase, w("add counter ip t c3")},
	{"add quota", cmdBase, w("add quota ip t q3 10 mbytes")},
	{"reset counters", cmdBase, w("reset counters")},
	{"reset quota", cmdBase, w("reset quota ip t q")},
	{"two commands", cmdBase, w("add table ip a ; add chain ip a c")},
	{"second command fails, nothing changes", cmdBase, w("add table ip a ; add chain ip nosuch c")},
	{"check only", cmdBase, w("-c add rule ip t r drop")},
	{"check fails", cmdBase, w("--check add rule ip t zz drop")},
}

// TestCLICommands runs nft commands given on the command line through
// `nft` and `nfsh` against the same prior kernel state and compares the
// outcome.
func TestCLICommands(t *testing.T) {
	nstest.Require(t)
	for _, tc := range cliCases {
		t.Run(tc.name, func(t *testing.T) {
			cc := commandCase{name: tc.name, setup: tc.setup}
			ref, refErr, before := runCommandCase(t, cc, "nft", tc.argv...)
			t.Logf("nft: %s", errText(refErr))
			got, gotErr, _ := runCommandCase(t, cc, nfshBin, tc.argv...)
			if (refErr == nil) != (gotErr == nil) {
				t.Errorf("exit status differs: nft: %s; nfsh: %s", errText(refErr), errText(gotErr))
			}
			if d := cmp.Diff(ref, got); d != "" {
				t.Errorf("ruleset after the command differs (-nft +nfsh):\n%s", d)
			}
			if gotErr != nil {
				if d := cmp.Diff(before, got); d != "" {
					t.Errorf("a failed command changed the ruleset (-before +after):\n%s", d)
				}
			}
		})
	}
}

// TestCLICommandErrors checks that a refused command line is reported
// against the command text, with the column and a caret under the word.
func TestCLICommandErrors(t *testing.T) {
	nstest.Require(t)
	ns := nstest.New(t)
	ns.NftScript(t, cmdBase)
	cases := []struct {
		argv []string
		want []string // lines the error output holds
	}{
		{w("add rule ip t r tcp dport foo accept"), []string{
			"<cmdline>:1:27: error: ",
			"add rule ip t r tcp dport foo accept",
			"                          ^~~",
		}},
		{w("add rule ip t nochain accept"), []string{
			"<cmdline>:1:15: error: ",
			"add rule ip t nochain accept",
			"              ^",
		}},
		{w("-s add table ip x"), []string{"nfsh: add: -s applies to list only"}},
	}
	for _, tc := range cases {
		_, err := ns.Run(t, nfshBin, tc.argv...)
		if err == nil {
			t.Errorf("nfsh %s succeeded", strings.Join(tc.argv, " "))
			continue
		}
		for _, want := range tc.want {
			if !strings.Contains(err.Error(), want) {
				t.Errorf("nfsh %s: error output lacks %q:\n%v", strings.Join(tc.argv, " "), want, err)
			}
		}
	}
}
