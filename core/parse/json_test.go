package parse

import (
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/nfsh/nfsh/core/diag"
)

func TestJSONErrors(t *testing.T) {
	tests := []struct {
		name, src string
		want      string // "LINE:COL MSG"
	}{
		{"syntax", "{\"nftables\": [\n  {\"add\": }]}", "2:11 invalid JSON: invalid token"},
		{"no-nftables", `{"x": 1}`, "1:1 object has no property \"nftables\""},
		{"family", "{\"nftables\": [\n {\"add\": {\"table\": {\"family\": \"ipx\", \"name\": \"t\"}}}]}", "2:31 unknown family 'ipx'"},
		{"statement", "{\"nftables\": [{\"rule\": {\"family\": \"ip\", \"table\": \"t\", \"chain\": \"c\",\n  \"expr\": [{\"frob\": 1}]}}]}", "2:12 unknown statement object 'frob'"},
		{"context", `{"nftables": [{"rule": {"family": "ip", "table": "t", "chain": "c", "expr": [{"match": {"op": "==", "left": {"meta": {"key": "mark"}}, "right": {"meta": {"key": "mark"}}}}]}}]}`, "1:145 expression type meta not allowed in context (RHS)"},
		{"depth", `{"nftables": ` + deep(2000) + `}`, "1:1037 invalid JSON: maximum parsing depth reached"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := JSON("x.json", []byte(tc.src), nil)
			var de *diag.Error
			if !errors.As(err, &de) {
				t.Fatalf("want a *diag.Error, got %v", err)
			}
			got := diag.Pos{Line: de.Pos.Line, Col: de.Pos.Col}.String()[len("<input>:"):] + " " + de.Msg
			if d := cmp.Diff(tc.want, got); d != "" {
				t.Errorf("(-want +got):\n%s", d)
			}
		})
	}
}

func deep(n int) string {
	b := make([]byte, 0, 2*n)
	for i := 0; i < n; i++ {
		b = append(b, '[')
	}
	for i := 0; i < n; i++ {
		b = append(b, ']')
	}
	return string(b)
}

func TestJSONTree(t *testing.T) {
	f, err := JSON("x.json", []byte(`{"nftables": [{"metainfo": {}}, {"insert": {"rule": {"family": "inet", "table": "t", "chain": "c", "handle": 7, "expr": [{"match": {"op": "in", "left": {"ct": {"key": "state"}}, "right": ["established", "related"]}}, {"counter": null}, {"jump": {"target": "x"}}]}}}]}`), nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Commands) != 1 {
		t.Fatalf("want 1 command, got %d", len(f.Commands))
	}
	c := f.Commands[0]
	got := []any{string(c.Op), string(c.Obj), c.Spec.Family, c.Spec.Table.Name, c.Spec.Chain.Name, c.Spec.Position.V, len(c.Rule.Stmts), c.Spec.Position.P.Col}
	want := []any{"insert", "rule", "inet", "t", "c", uint64(7), 3, 110}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("(-want +got):\n%s", d)
	}
}
