package gotests

import (
	"context"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/nfsh/nfsh/core/compile"
	"github.com/nfsh/nfsh/core/parse"
	"github.com/nfsh/nfsh/lua/shell"
	glua "github.com/yuin/gopher-lua"
)

const benchRules = 10000

// benchText is the 10k-rule ruleset as nft text: rule i matches tcp
// dport 1000+i from 10.(i/256).(i%256).0/24.
func benchText() string {
	var b strings.Builder
	b.WriteString("table inet bench {\n  chain input {\n    type filter hook input priority filter;\n")
	for i := range benchRules {
		fmt.Fprintf(&b, "    ip saddr 10.%d.%d.0/24 tcp dport %d accept\n", i/256, i%256, 1000+i)
	}
	b.WriteString("  }\n}\n")
	return b.String()
}

// benchDSL builds the same ruleset with the chainable DSL and typed
// variables, one c:rule call per rule.
const benchDSL = `
local rs = nft.ruleset()
local c = rs:table("inet", "bench"):chain("input", { hook = "input" })
for i = 0, 9999 do
  c:rule("ip saddr $net tcp dport $port accept",
    { net = "10." .. math.floor(i / 256) .. "." .. (i % 256) .. ".0/24", port = 1000 + i })
end
BUILT = rs
`

// BenchmarkLuaDSL compares building 10k rules with the Lua DSL, parsing
// the same ruleset as an nft text block from Lua, and Go-side
// parse+compile of the same text; it reports the DSL/text and text/Go
// ratios (goal: DSL within 2x of the text path).
func BenchmarkLuaDSL(b *testing.B) {
	text := benchText()
	sh, err := shell.New(shell.Options{Stdout: io.Discard, Stderr: io.Discard})
	if err != nil {
		b.Fatal(err)
	}
	defer sh.Close()
	ctx := context.Background()
	sh.Host.L.SetGlobal("TEXT", glua.LString(text))
	var dsl, block, goside time.Duration
	for b.Loop() {
		t0 := time.Now()
		if err := sh.Host.DoString(ctx, "dsl", benchDSL); err != nil {
			b.Fatal(err)
		}
		t1 := time.Now()
		if err := sh.Host.DoString(ctx, "block", `BUILT2 = nft(TEXT)({}); assert(BUILT == BUILT2)`); err != nil {
			b.Fatal(err)
		}
		t2 := time.Now()
		f, err := parse.File("bench.nft", []byte(text), nil)
		if err != nil {
			b.Fatal(err)
		}
		if err := compile.New(nil).File(f); err != nil {
			b.Fatal(err)
		}
		t3 := time.Now()
		dsl += t1.Sub(t0)
		block += t2.Sub(t1)
		goside += t3.Sub(t2)
	}
	n := float64(b.N)
	b.ReportMetric(float64(dsl.Milliseconds())/n, "dsl-ms")
	b.ReportMetric(float64(block.Milliseconds())/n, "textblock-ms")
	b.ReportMetric(float64(goside.Milliseconds())/n, "go-ms")
	b.ReportMetric(float64(dsl)/float64(block), "dsl/text")
	b.ReportMetric(float64(block)/float64(goside), "text/go")
	b.Logf("10k rules: DSL %v, text block %v, Go parse+compile %v per op; DSL/text %.2fx, text/Go %.2fx",
		dsl/time.Duration(b.N), block/time.Duration(b.N), goside/time.Duration(b.N),
		float64(dsl)/float64(block), float64(block)/float64(goside))
}
