package main

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestNftFlags(t *testing.T) {
	cases := []struct {
		args, flags, rest []string
	}{
		{nil, nil, nil},
		{[]string{"list"}, nil, []string{"list"}},
		{[]string{"-a", "list", "ruleset"}, []string{"-a"}, []string{"list", "ruleset"}},
		{[]string{"-c", "-s", "add", "rule", "-a"}, []string{"-c", "-s"}, []string{"add", "rule", "-a"}},
		{[]string{"-ea", "add", "table", "ip", "t"}, []string{"-e", "-a"}, []string{"add", "table", "ip", "t"}},
		{[]string{"--echo", "-a", "insert"}, []string{"--echo", "-a"}, []string{"insert"}},
		// no verb after them: Lua's -e, a script, or an error later
		{[]string{"-e", "print(1)"}, nil, []string{"-e", "print(1)"}},
		{[]string{"-e", "add"}, []string{"-e"}, []string{"add"}},
		{[]string{"--check"}, nil, []string{"--check"}},
		{[]string{"-a", "script.lua"}, nil, []string{"-a", "script.lua"}},
		{[]string{"-x", "list"}, nil, []string{"-x", "list"}},
		{[]string{"-js", "list"}, []string{"-j", "-s"}, []string{"list"}},
	}
	for _, tc := range cases {
		flags, rest := nftFlags(tc.args)
		if d := cmp.Diff(tc.flags, flags, cmpEmpty); d != "" {
			t.Errorf("nftFlags(%q) flags (-want +got):\n%s", tc.args, d)
		}
		if d := cmp.Diff(tc.rest, rest, cmpEmpty); d != "" {
			t.Errorf("nftFlags(%q) rest (-want +got):\n%s", tc.args, d)
		}
	}
}

// cmpEmpty treats nil and empty slices as equal.
var cmpEmpty = cmp.Comparer(func(a, b []string) bool { return len(a) == 0 && len(b) == 0 || cmp.Equal(a, b) })

func TestWantsJSON(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want bool
	}{
		{nil, false},
		{[]string{"ruleset"}, false},
		{[]string{"-j", "ruleset"}, true},
		{[]string{"ruleset", "--json"}, true},
		{[]string{"-as"}, false},
		{[]string{"-sj", "table", "ip", "t"}, true},
		{[]string{"table", "ip", "json"}, false},
	} {
		if got := wantsJSON(tc.args); got != tc.want {
			t.Errorf("wantsJSON(%q) = %v, want %v", tc.args, got, tc.want)
		}
	}
}

func TestFileFlag(t *testing.T) {
	cases := []struct{ args, want []string }{
		{[]string{"-f", "x.nft"}, []string{"apply", "x.nft"}},
		{[]string{"-c", "-f", "x.nft"}, []string{"-c", "apply", "x.nft"}},
		{[]string{"-ea", "--file", "-"}, []string{"-ea", "apply", "-"}},
		{[]string{"-f"}, []string{"-f"}},
		{[]string{"list", "-f", "x"}, []string{"list", "-f", "x"}},
		{[]string{"script.lua", "-f", "x"}, []string{"script.lua", "-f", "x"}},
	}
	for _, tc := range cases {
		if d := cmp.Diff(tc.want, fileFlag(tc.args)); d != "" {
			t.Errorf("fileFlag(%q) (-want +got):\n%s", tc.args, d)
		}
	}
}
