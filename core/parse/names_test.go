package parse

import (
	"errors"
	"fmt"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/nfsh/nfsh/core/diag"
)

// TestQuotedNames checks where a quoted string may stand for a name: like
// nft 1.0.6, whose grammar has an identifier (a bare word) for table,
// chain, set, map, object, flowtable and meter names, chain types and
// hooks, flags, jump targets and @set references, and a string (bare or
// quoted) for comments, devices, object references in rules and helper
// types. A refusal is nft's syntax error at the quoted token.
func TestQuotedNames(t *testing.T) {
	tests := []struct {
		name, src string
		want      string // "" when the script parses; else "LINE:COL MESSAGE"
	}{
		{"table", `add table ip "t"`, `1:14 syntax error, unexpected quoted string "t", expecting string`},
		{"table without family", `add table "t"`, `1:11 syntax error, unexpected quoted string "t", expecting string`},
		{"delete table", `delete table ip "t"`, `1:17 syntax error, unexpected quoted string "t", expecting handle or string`},
		{"chain", `add chain ip t "c"`, `1:16 syntax error, unexpected quoted string "c", expecting string`},
		{"table of chain", `delete chain ip "t" c`, `1:17 syntax error, unexpected quoted string "t", expecting string`},
		{"delete chain", `delete chain ip t "c"`, `1:19 syntax error, unexpected quoted string "c", expecting handle or string`},
		{"rename", "rename chain ip t c \"d\"", `1:21 syntax error, unexpected quoted string "d", expecting string`},
		{"rule chain", `add rule ip t "c" accept`, `1:15 syntax error, unexpected quoted string "c", expecting string`},
		{"set", `add set ip t "s" { type ipv4_addr; }`, `1:14 syntax error, unexpected quoted string "s", expecting string`},
		{"delete set", `delete set ip t "s"`, `1:17 syntax error, unexpected quoted string "s", expecting handle or string`},
		{"delete map", `delete map ip t "s"`, `1:17 syntax error, unexpected quoted string "s", expecting string`},
		{"element", `add element ip t "s" { 1.1.1.1 }`, `1:18 syntax error, unexpected quoted string "s", expecting string`},
		{"delete counter", `delete counter ip t "c"`, `1:21 syntax error, unexpected quoted string "c", expecting handle or string`},
		{"delete ct helper", `delete ct helper ip t "h"`, `1:23 syntax error, unexpected quoted string "h", expecting string`},
		{"define", `define "x" = 1`, `1:8 syntax error, unexpected quoted string "x", expecting string`},
		{"block table", `table ip "t" { }`, `1:10 syntax error, unexpected quoted string "t", expecting string`},
		{"block chain", `table ip t { chain "c" { } }`, `1:20 syntax error, unexpected quoted string "c", expecting string`},
		{"block counter", `table ip t { counter "c" { } }`, `1:22 syntax error, unexpected quoted string "c", expecting string`},
		{"chain type", `table ip t { chain c { type "filter" hook input priority 0; } }`, `1:29 syntax error, unexpected quoted string "filter", expecting string`},
		{"hook", `table ip t { chain c { type filter hook "input" priority 0; } }`, `1:41 syntax error, unexpected quoted string "input", expecting string`},
		{"set flags", "table ip t {\nset s { type ipv4_addr; flags \"interval\"; }\n}", `2:31 syntax error, unexpected quoted string "interval", expecting constant or interval or dynamic or timeout`},
		{"set type", "table ip t {\nset s { type \"ipv4_addr\"; }\n}", `2:14 syntax error, unexpected quoted string "ipv4_addr"`},
		{"ct protocol", `table ip t { ct helper h { type "ftp" protocol "tcp"; } }`, `1:48 syntax error, unexpected quoted string "tcp", expecting udp or tcp`},
		{"jump", "table ip t {\nchain c { jump \"d\"; }\n}", `2:16 syntax error, unexpected quoted string "d", expecting '{'`},
		{"vmap jump", "table ip t {\nchain c { ip saddr vmap { 1.1.1.1 : jump \"d\" }; }\n}", `2:42 syntax error, unexpected quoted string "d", expecting string or '$'`},
		{"set reference", "table ip t {\nchain c { ip saddr @\"s\"; }\n}", `2:21 syntax error, unexpected quoted string "s", expecting string`},
		{"meter", "table ip t {\nchain c { meter \"m\" { ip saddr limit rate 1/second }; }\n}", `2:17 syntax error, unexpected quoted string "m", expecting string`},

		{"bare names", "table ip t {\nchain c { type filter hook input priority 0; jump d; }\nchain d { }\n}", ""},
		{"comments and devices", "table netdev t {\ncomment \"x\"\nchain c { type filter hook ingress device \"lo\" priority 0; comment \"y\"; }\n}", ""},
		{"object reference", "table ip t {\ncounter c { }\nchain d { counter name \"c\"; }\n}", ""},
		{"helper type", "table ip t { ct helper h { type \"ftp\" protocol tcp; }\n}", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := File("f.nft", []byte(tt.src+"\n"), nil)
			got := ""
			if err != nil {
				var de *diag.Error
				if !errors.As(err, &de) {
					t.Fatalf("got %v, want a *diag.Error", err)
				}
				got = fmt.Sprintf("%d:%d %s", de.Pos.Line, de.Pos.Col, de.Msg)
			}
			if d := cmp.Diff(tt.want, got); d != "" {
				t.Errorf("error (-want +got):\n%s", d)
			}
		})
	}
}
