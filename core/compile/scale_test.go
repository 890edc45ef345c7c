package compile_test

import (
	"fmt"
	"runtime"
	"strings"
	"testing"

	"github.com/nfsh/nfsh/core/compile"
)

// TestCompileScalesLinearly compiles scripts of n and 4n rules in one
// chain and compares the bytes they allocate (a count, not a time): a
// linear compiler allocates about 4 times as much for the larger one, a
// quadratic step about 16 times.
func TestCompileScalesLinearly(t *testing.T) {
	script := func(n int) []byte {
		var b strings.Builder
		b.WriteString("table inet t {\n\tchain c {\n\t\ttype filter hook input priority filter;\n")
		for i := 0; i < n; i++ {
			fmt.Fprintf(&b, "\t\ttcp dport %d ip saddr 10.%d.%d.0/24 counter accept\n", 1+i%60000, i/256%256, i%256)
		}
		b.WriteString("\t}\n}\n")
		return []byte(b.String())
	}
	allocated := func(src []byte) uint64 {
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		if _, err := compile.Source("scale.nft", src, &compile.Options{}); err != nil {
			t.Fatal(err)
		}
		runtime.ReadMemStats(&after)
		return after.TotalAlloc - before.TotalAlloc
	}
	small, large := script(2000), script(8000)
	allocated(small) // warm up the compiler's lazily built tables
	a, b := allocated(small), allocated(large)
	if ratio := float64(b) / float64(a); ratio > 6 {
		t.Errorf("4x the rules allocate %.1fx the bytes (%d vs %d): something is quadratic", ratio, b, a)
	}
}
