package parse

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/nfsh/nfsh/core/diag"
)

// corpusDir is the nftables tests/py corpus (test data only, not part of
// the repository).
const corpusDir = "/work/shared/nftables-tests/tests/py"

type corpusLine struct {
	file, text, state, expect string
	line                      int
	kind                      byte // 'r' rule, '!' set, '?' element, '%' object
}

func readCorpus(t testing.TB) []corpusLine {
	files, _ := filepath.Glob(filepath.Join(corpusDir, "*", "*.t"))
	if len(files) == 0 {
		t.Skip("corpus not available")
	}
	var out []corpusLine
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for i, ln := range strings.Split(string(b), "\n") {
			if ln == "" {
				continue
			}
			switch ln[0] {
			case '#', ':', '*', '-', ' ', '\t':
				continue
			case '!', '?', '%':
				body := ln[1:]
				k := strings.LastIndexByte(body, ';')
				if k < 0 {
					continue
				}
				out = append(out, corpusLine{file: f, line: i + 1, text: body[:k], state: strings.TrimSpace(body[k+1:]), kind: ln[0]})
				continue
			}
			parts := strings.Split(ln, ";")
			if len(parts) < 2 || len(parts) > 3 {
				continue
			}
			cl := corpusLine{file: f, line: i + 1, text: parts[0], state: strings.TrimRight(parts[1], " \t"), kind: 'r'}
			if len(parts) == 3 {
				cl.expect = parts[2]
			}
			out = append(out, cl)
		}
	}
	return out
}

// commandText turns a set/element/object corpus line into an nft command.
func commandText(cl corpusLine) string {
	switch cl.kind {
	case '!':
		name, spec, _ := strings.Cut(cl.text, " ")
		return "add set ip t " + name + " { " + spec + "; }"
	case '?':
		name, elems, _ := strings.Cut(cl.text, " ")
		return "add element ip t " + name + " { " + elems + " }"
	case '%':
		name, spec, _ := strings.Cut(cl.text, " ")
		spec = strings.TrimPrefix(spec, "type ")
		typ := spec
		rest := ""
		if strings.HasPrefix(spec, "ct ") {
			f := strings.SplitN(spec, " ", 3)
			typ = f[0] + " " + f[1]
			if len(f) > 2 {
				rest = f[2]
			}
		} else if a, b, ok := strings.Cut(spec, " "); ok {
			typ, rest = a, b
		}
		if i := strings.LastIndexByte(cl.text, '}'); i >= 0 && strings.Contains(rest, "}") {
			// the state is after the last '}'
			rest = rest[:strings.LastIndexByte(rest, '}')+1]
		}
		return "add " + typ + " ip t " + name + " " + rest
	}
	return ""
}

func TestCorpus(t *testing.T) {
	lines := readCorpus(t)
	var okTotal, okPass, expTotal, expPass, failTotal, failRejected, cmdTotal, cmdPass int
	for _, cl := range lines {
		pos := diag.Pos{File: cl.file, Line: cl.line, Col: 1}
		if cl.kind != 'r' {
			src := commandText(cl)
			_, err := File(cl.file, []byte(src), nil)
			if cl.state == "ok" {
				cmdTotal++
				if err == nil {
					cmdPass++
				} else {
					t.Errorf("%s:%d: command %q: %v", cl.file, cl.line, src, err)
				}
			}
			continue
		}
		_, err := Rule([]byte(cl.text), pos, nil)
		switch cl.state {
		case "ok":
			okTotal++
			if err == nil {
				okPass++
			} else {
				t.Errorf("ok rule rejected: %v", err)
			}
			if cl.expect != "" {
				expTotal++
				if _, err := Rule([]byte(cl.expect), pos, nil); err == nil {
					expPass++
				} else {
					t.Errorf("expected output rejected: %v", err)
				}
			}
		case "fail":
			failTotal++
			if err != nil {
				failRejected++
				t.Logf("fail rule rejected by parser: %s:%d: %s", filepath.Base(cl.file), cl.line, cl.text)
			}
		}
	}
	t.Logf("ok rules parsed: %d/%d; expected outputs parsed: %d/%d; set/element/object lines parsed: %d/%d; fail rules rejected by the parser: %d/%d",
		okPass, okTotal, expPass, expTotal, cmdPass, cmdTotal, failRejected, failTotal)
}
