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

// jsonTFile is what a .t file declares: its tables (family and first
// chain), chain configurations, set, element and object lines and rules.
type jsonTFile struct {
	tables []struct{ fam, chain string }
	chains map[string]string
	decls  []string // "!", "?", "%" lines in order, raw
	rules  []struct {
		line int
		text string
	}
}

func readJSONT(path string) *jsonTFile {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil
	}
	tf := &jsonTFile{chains: map[string]string{}}
	for i, line := range strings.Split(string(data), "\n") {
		if line == "" {
			continue
		}
		switch line[0] {
		case ':':
			name, cfg, _ := strings.Cut(line[1:], ";")
			tf.chains[name] = cfg
			continue
		case '*':
			f := strings.Split(line[1:], ";")
			if len(f) >= 3 {
				ch, _, _ := strings.Cut(f[2], ",")
				tf.tables = append(tf.tables, struct{ fam, chain string }{f[0], ch})
			}
			continue
		case '!', '?', '%':
			tf.decls = append(tf.decls, line)
			continue
		case '#', '-', ' ':
			continue
		}
		f := strings.Split(line, ";")
		if len(f) < 2 || strings.TrimRight(f[1], " ") != "ok" {
			continue
		}
		tf.rules = append(tf.rules, struct {
			line int
			text string
		}{i + 1, f[0]})
	}
	return tf
}

// script returns the nft script the corpus driver runs for a rule in
// table fam/t, chain ch: the table, the chain, the declarations that
// succeed and the rule.
func (tf *jsonTFile) script(fam, ch, rule string) string {
	var sb strings.Builder
	fmt.Fprintf(&sb, "add table %s t\n", fam)
	fmt.Fprintf(&sb, "add chain %s t %s { %s; }\n", fam, ch, tf.chains[ch])
	for _, d := range tf.decls {
		body, state := d[1:], ""
		if i := strings.LastIndex(body, ";"); i >= 0 {
			body, state = body[:i], strings.TrimSpace(body[i+1:])
		}
		if state != "ok" {
			continue
		}
		switch d[0] {
		case '!':
			name, rest, _ := strings.Cut(body, " ")
			// "type T [timeout X] [flags F]" as the driver writes it
			spec := rest
			if i := strings.Index(spec, " timeout "); i >= 0 {
				spec = spec[:i] + ";" + spec[i:]
			} else if i := strings.Index(spec, " flags "); i >= 0 {
				spec = spec[:i] + ";" + spec[i:]
			}
			fmt.Fprintf(&sb, "add set %s t %s { %s; }\n", fam, name, spec)
		case '?':
			name, elems, _ := strings.Cut(body, " ")
			fmt.Fprintf(&sb, "add element %s t %s { %s }\n", fam, name, elems)
		case '%':
			name, rest, _ := strings.Cut(body, " ")
			rest = strings.TrimPrefix(rest, "type ")
			typ, spec, _ := strings.Cut(rest, " ")
			if typ == "ct" {
				sub, s2, _ := strings.Cut(spec, " ")
				typ, spec = "ct "+sub, s2
			}
			fmt.Fprintf(&sb, "add %s %s t %s %s\n", typ, fam, name, spec)
		}
	}
	fmt.Fprintf(&sb, "add rule %s t %s %s\n", fam, ch, rule)
	return sb.String()
}

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
		tf := readJSONT(f)
		dir := filepath.Dir(rel)
		if _, ok := dirTotal[dir]; !ok {
			dirs = append(dirs, dir)
			dirTotal[dir] = 0
		}
		for _, r := range tf.rules {
			key := strings.TrimSpace(r.text)
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
			for _, tb := range tf.tables {
				if seen[tb.fam] {
					continue
				}
				seen[tb.fam] = true
				total++
				dirTotal[dir]++
				tbl, rule, err := compileLast(tf.script(tb.fam, tb.chain, r.text), tb.fam, tb.chain)
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
						t.Logf("%s:%d [%s] %s\n  want %s\n  got  %s", rel, r.line, tb.fam, r.text, want, got)
					}
				} else if verbose {
					t.Logf("%s:%d [%s] %s: %v", rel, r.line, tb.fam, r.text, err)
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
