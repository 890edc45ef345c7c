package parse_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/nfsh/nfsh/core/ast"
	"github.com/nfsh/nfsh/core/bytecode"
	"github.com/nfsh/nfsh/core/compile"
	"github.com/nfsh/nfsh/core/parse"
	"github.com/nfsh/nfsh/core/ruleset"
	"github.com/nfsh/nfsh/tests/go/corpus"
)

// jsonInputMin is the number of corpus units whose JSON form compiles to
// the bytecode of their text form (.t.json entries, and the listing form
// of .t.json.output entries: 38 of those legitimately differ, as nft
// lists an equivalent rule); the test fails when fewer do (a
// ratchet: raise it as coverage grows).
const jsonInputMin = 6404

// isOutput reports whether m is the .t.json.output map o.
func isOutput(m, o map[string]string) bool {
	return fmt.Sprintf("%p", m) == fmt.Sprintf("%p", o)
}

// lastRuleText compiles f and prints the last command (the rule) as
// nft --debug=netlink does.
func lastRuleText(f *ast.File) (string, error) {
	cmds, err := compile.File(f, nil)
	if err != nil {
		return "", err
	}
	if len(cmds) == 0 || cmds[len(cmds)-1].Kind != ruleset.KindRule {
		return "", fmt.Errorf("no rule compiled")
	}
	var b bytes.Buffer
	if err := bytecode.Print(&b, cmds[len(cmds)-1:]); err != nil {
		return "", err
	}
	return normElements(b.String()), nil
}

// normElements sorts the elements of each element line: the order of a
// set's elements does not matter (nft-test.py compares them as sets).
func normElements(s string) string {
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		if !strings.Contains(l, "[end]") {
			continue
		}
		var parts []string
		for _, e := range strings.Split(l, "[end]") {
			if e = strings.Join(strings.Fields(e), " "); e != "" {
				parts = append(parts, e)
			}
		}
		sort.Strings(parts)
		lines[i] = strings.Join(parts, " [end] ") + " [end]"
	}
	return strings.Join(lines, "\n")
}

func TestJSONCorpus(t *testing.T) {
	t.Setenv("TZ", "UTC-2")
	if _, err := os.Stat(corpus.Dir); err != nil {
		t.Skip("corpus not present")
	}
	files, _ := filepath.Glob(filepath.Join(corpus.Dir, "*", "*.t"))
	only := os.Getenv("CORPUS_ONLY")
	verbose := os.Getenv("CORPUS_VERBOSE") != ""
	dirPass, dirTotal := map[string]int{}, map[string]int{}
	total, pass, textFail := 0, 0, 0
	var fails []string
	for _, path := range files {
		rel, _ := filepath.Rel(corpus.Dir, path)
		if only != "" && !strings.Contains(rel, only) {
			continue
		}
		in := corpus.JSONEntries(path + ".json")
		if in == nil {
			continue
		}
		outp := corpus.JSONEntries(path + ".json.output")
		tf := corpus.ReadTFile(path)
		dir := filepath.Dir(rel)
		for _, r := range tf.Rules {
			for _, entries := range []map[string]string{in, outp} {
				src, ok := entries[strings.TrimSpace(r.Text)]
				if !ok {
					continue
				}
				unitDir := dir
				if len(outp) > 0 && isOutput(entries, outp) {
					unitDir = dir + " (listing form)"
				}
				var probe any
				if json.Unmarshal([]byte(src), &probe) != nil {
					continue
				}
				for _, tb := range tf.Tables {
					for _, ch := range tb.Chains {
						total++
						dirTotal[unitDir]++
						pre := tf.Prelude(tb.Family, ch)
						textSrc := pre + fmt.Sprintf("add rule %s t %s %s\n", tb.Family, ch, r.Text)
						tfile, err := parse.File("text.nft", []byte(textSrc), nil)
						var want string
						if err == nil {
							want, err = lastRuleText(tfile)
						}
						if err != nil {
							textFail++
							continue
						}
						doc := fmt.Sprintf(`{"nftables":[{"add":{"rule":{"family":%q,"table":"t","chain":%q,"expr":%s}}}]}`, tb.Family, ch, src)
						jf, err := parse.JSON("rule.json", []byte(doc), nil)
						var got string
						if err == nil {
							pf, _ := parse.File("pre.nft", []byte(pre), nil)
							pf.Commands = append(pf.Commands, jf.Commands...)
							got, err = lastRuleText(pf)
						}
						switch {
						case err != nil:
							fails = append(fails, fmt.Sprintf("%s:%d [%s %s] %s\n  %v", rel, r.Line, tb.Family, ch, r.Text, err))
						case got != want:
							fails = append(fails, fmt.Sprintf("%s:%d [%s %s] %s\n  want %s\n  got  %s", rel, r.Line, tb.Family, ch, r.Text, want, got))
						default:
							pass++
							dirPass[unitDir]++
						}
					}
				}
			}
		}
	}
	var dirs []string
	for d := range dirTotal {
		dirs = append(dirs, d)
	}
	sort.Strings(dirs)
	for _, d := range dirs {
		t.Logf("%-8s %4d/%4d", d, dirPass[d], dirTotal[d])
	}
	t.Logf("TOTAL %d/%d JSON units compile to the bytecode of their text form (%d units whose text does not compile)", pass, total, textFail)
	if verbose {
		for _, f := range fails {
			t.Log(f)
		}
	}
	if p := os.Getenv("CORPUS_DUMP"); p != "" {
		os.WriteFile(p, []byte(strings.Join(fails, "\n")+"\n"), 0o644)
	}
	if only == "" && pass < jsonInputMin {
		t.Errorf("JSON input corpus: %d units pass, fewer than the ratchet %d", pass, jsonInputMin)
	}
}
