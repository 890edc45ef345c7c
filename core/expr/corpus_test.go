package expr

import (
	"bufio"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// corpusDir holds the nftables test corpus (read as data, never copied).
const corpusDir = "/work/shared/nftables-tests/tests/py"

// corpusLines returns every distinct expression line ("[ ... ]") of the
// .t.payload* files, or skips the test when the corpus is absent.
func corpusLines(t testing.TB) []string {
	t.Helper()
	files, _ := filepath.Glob(filepath.Join(corpusDir, "*", "*.t.payload*"))
	if len(files) == 0 {
		if os.Getenv("CI") == "true" {
			t.Fatalf("corpus %s not found", corpusDir)
		}
		t.Skipf("corpus %s not found", corpusDir)
	}
	seen := map[string]bool{}
	for _, f := range files {
		if strings.HasSuffix(f, ".got") {
			continue
		}
		fh, err := os.Open(f)
		if err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(fh)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		for sc.Scan() {
			l := sc.Text()
			if strings.HasPrefix(l, "  [ ") && strings.HasSuffix(l, "]") {
				seen[strings.TrimPrefix(l, "  ")] = true
			}
		}
		fh.Close()
	}
	out := make([]string, 0, len(seen))
	for l := range seen {
		out = append(out, l)
	}
	sort.Strings(out)
	return out
}

func TestCorpusRoundTrip(t *testing.T) {
	lines := corpusLines(t)
	var parsed, printed, wire int
	for _, l := range lines {
		e, err := Parse(l)
		if err != nil {
			t.Errorf("Parse(%q): %v", l, err)
			continue
		}
		parsed++
		if got := Line(e); got != l {
			t.Errorf("Line(Parse(%q)) = %q", l, got)
		} else {
			printed++
		}
		b, err := Marshal([]Expr{e})
		if err != nil {
			t.Errorf("Marshal(%q): %v", l, err)
			continue
		}
		back, err := Unmarshal(b)
		if err != nil {
			t.Errorf("Unmarshal(Marshal(%q)): %v", l, err)
			continue
		}
		if d := cmp.Diff([]Expr{e}, back); d != "" {
			t.Errorf("%q: wire round trip (-want +got):\n%s", l, d)
			continue
		}
		b2, err := Marshal(back)
		if err != nil || string(b2) != string(b) {
			t.Errorf("%q: re-encoding differs", l)
			continue
		}
		wire++
	}
	t.Logf("%d distinct corpus expression lines: %d parsed, %d print back identically, %d survive Marshal/Unmarshal/Marshal",
		len(lines), parsed, printed, wire)
}

// TestGarbageNoPanic feeds every truncation and some bit flips of encoded
// corpus expressions to Unmarshal: it must return, never panic.
func TestGarbageNoPanic(t *testing.T) {
	lines := corpusLines(t)
	for _, l := range lines {
		e, err := Parse(l)
		if err != nil {
			continue
		}
		b, err := Marshal([]Expr{e})
		if err != nil {
			continue
		}
		for n := 0; n < len(b); n++ {
			Unmarshal(b[:n])
			c := append([]byte(nil), b...)
			c[n] ^= 0xff
			Unmarshal(c)
		}
	}
}

// TestUnknownKeptRaw checks that unknown expressions and expressions with
// unknown attributes survive decode and encode byte for byte.
func TestUnknownKeptRaw(t *testing.T) {
	known, _ := Marshal([]Expr{&Meta{Key: 16, DReg: 1}})
	// Append an unknown attribute (type 99) inside NFTA_EXPR_DATA of the
	// meta expression by re-encoding it as Raw with extra bytes.
	es, _ := Unmarshal(known)
	m := es[0].(*Meta)
	data := []byte{8, 0, 2, 0, 0, 0, 0, 16, 8, 0, 1, 0, 0, 0, 0, 1, 8, 0, 99, 0, 1, 2, 3, 4}
	for _, in := range []Expr{
		&Raw{ExprName: "inner", Data: []byte{8, 0, 1, 0, 0, 0, 0, 1}},
		&Raw{ExprName: "meta", Data: data},
		&Raw{ExprName: "frob"},
		m,
	} {
		b, err := Marshal([]Expr{in})
		if err != nil {
			t.Fatal(err)
		}
		out, err := Unmarshal(b)
		if err != nil {
			t.Fatal(err)
		}
		if d := cmp.Diff([]Expr{in}, out); d != "" {
			t.Errorf("%s: (-want +got):\n%s", in, d)
		}
		b2, _ := Marshal(out)
		if string(b2) != string(b) {
			t.Errorf("%s: re-encoding differs", in)
		}
	}
}
