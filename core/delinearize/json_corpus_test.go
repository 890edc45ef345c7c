package delinearize_test

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/nfsh/nfsh/core/compile"
	"github.com/nfsh/nfsh/core/delinearize"
	"github.com/nfsh/nfsh/core/expr"
	"github.com/nfsh/nfsh/core/ruleset"
	"github.com/nfsh/nfsh/tests/go/corpus"
)

// jsonCorpusMin is the number of corpus units whose JSON matches; the
// test fails when fewer do (a ratchet: raise it as coverage grows).
const jsonCorpusMin = 4600

// compileLast compiles src and returns the table and last rule of chain ch.
func compileLast(src, fam, ch string) (*ruleset.Table, *ruleset.Rule, error) {
	cmds, err := compile.Source("corpus.nft", []byte(src), nil)
	if err != nil {
		return nil, nil, err
	}
	rs := &ruleset.Ruleset{}
	for i := range cmds {
		if err := rs.Apply(&cmds[i]); err != nil {
			return nil, nil, err
		}
	}
	f, _ := ruleset.ParseFamily(fam)
	t := rs.Table(f, "t")
	if t == nil || t.Chain(ch) == nil || len(t.Chain(ch).Rules) == 0 {
		return nil, nil, fmt.Errorf("rule not added")
	}
	rules := t.Chain(ch).Rules
	r := rules[len(rules)-1]
	// the kernel names anonymous sets __set0, __set1...: give them
	// distinct names in order of use, as a pulled rule has
	n := 0
	for _, e := range r.Exprs {
		var name *string
		switch x := e.(type) {
		case *expr.Lookup:
			name = &x.SetName
		case *expr.Dynset:
			name = &x.SetName
		case *expr.Objref:
			name = &x.SetName
		}
		if name != nil && strings.Contains(*name, "%d") && n < len(r.Sets) {
			s := r.Sets[n]
			s.Name = strings.Replace(s.Name, "%d", fmt.Sprint(n), 1)
			*name = s.Name
			n++
		}
	}
	return t, r, nil
}

func TestJSONCorpus(t *testing.T) {
	t.Setenv("TZ", "UTC-2")
	if _, err := os.Stat(corpus.Dir); err != nil {
		t.Skip("corpus not present")
	}
	files, _ := filepath.Glob(filepath.Join(corpus.Dir, "*", "*.t"))
	only := os.Getenv("CORPUS_ONLY")
	verbose := os.Getenv("CORPUS_VERBOSE") != ""
	opts := &delinearize.Options{NumericProto: true, Stateless: true, IfName: func(i int) (string, bool) {
		if i == 1 {
			return "lo", true
		}
		return "", false
	}}
	dirPass, dirTotal := map[string]int{}, map[string]int{}
	var dirs []string
	total, pass := 0, 0
	for _, f := range files {
		rel, _ := filepath.Rel(corpus.Dir, f)
		if only != "" && !strings.Contains(rel, only) {
			continue
		}
		in := corpus.JSONEntries(f + ".json")
		if in == nil {
			continue
		}
		outp := corpus.JSONEntries(f + ".json.output")
		tf := corpus.ReadTFile(f)
		dir := filepath.Dir(rel)
		if _, ok := dirTotal[dir]; !ok {
			dirs = append(dirs, dir)
			dirTotal[dir] = 0
		}
		for _, r := range tf.Rules {
			key := strings.TrimSpace(r.Text)
			want, ok := outp[key]
			if !ok {
				want, ok = in[key]
			}
			if !ok {
				continue
			}
			var wantV any
			if err := json.Unmarshal([]byte(want), &wantV); err != nil {
				continue
			}
			seen := map[string]bool{}
			for _, tb := range tf.Tables {
				if seen[tb.Family] {
					continue
				}
				seen[tb.Family] = true
				total++
				dirTotal[dir]++
				tbl, rule, err := compileLast(tf.Prelude(tb.Family, tb.Chains[0])+fmt.Sprintf("add rule %s t %s %s\n", tb.Family, tb.Chains[0], r.Text), tb.Family, tb.Chains[0])
				var got json.RawMessage
				if err == nil {
					got, err = delinearize.RuleJSON(tbl, rule, opts)
				}
				var gotV any
				if err == nil {
					err = json.Unmarshal(got, &gotV)
				}
				if err == nil {
					if d := cmp.Diff(wantV, gotV); d == "" {
						pass++
						dirPass[dir]++
						continue
					} else if verbose {
						t.Logf("%s:%d [%s] %s\n  want %s\n  got  %s", rel, r.Line, tb.Family, r.Text, want, got)
					}
				} else if verbose {
					t.Logf("%s:%d [%s] %s: %v", rel, r.Line, tb.Family, r.Text, err)
				}
			}
		}
	}
	for _, d := range dirs {
		t.Logf("%-8s %4d/%4d", d, dirPass[d], dirTotal[d])
	}
	t.Logf("TOTAL %d/%d", pass, total)
	if only == "" && pass < jsonCorpusMin {
		t.Errorf("JSON corpus: %d units pass, fewer than the ratchet %d", pass, jsonCorpusMin)
	}
}
