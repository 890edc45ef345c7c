package compile

import (
	"encoding/binary"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/nfsh/nfsh/core/expr"
	"github.com/nfsh/nfsh/core/ruleset"
)

func init() { os.Setenv("TZ", "UTC-2") }

const corpusDir = "/work/shared/nftables-tests/tests/py"

type tunit struct {
	fam, table string
	chains     []string
}

func words(b []byte) string {
	var sb strings.Builder
	for i := 0; i < len(b); i += 4 {
		var w [4]byte
		copy(w[:], b[i:])
		fmt.Fprintf(&sb, "%08x ", binary.LittleEndian.Uint32(w[:]))
	}
	return sb.String()
}

func verdictText(v *expr.Verdict) string {
	switch v.Code {
	case expr.VerdictAccept:
		return "accept"
	case expr.VerdictDrop:
		return "drop"
	case expr.VerdictContinue:
		return "continue"
	case expr.VerdictReturn:
		return "return"
	case expr.VerdictJump:
		return "jump -> " + v.Chain
	case expr.VerdictGoto:
		return "goto -> " + v.Chain
	}
	return "?"
}

// render prints a rule command like nft --debug=netlink.
func render(cmd ruleset.Command) []string {
	var out []string
	for _, s := range cmd.Rule.Sets {
		line := fmt.Sprintf("%s %s %x", s.Name, cmd.Table, s.Flags)
		if s.Size != nil {
			line += fmt.Sprintf(" size %d", *s.Size)
		}
		out = append(out, line, fmt.Sprintf("%s %s 0", s.Name, cmd.Table))
		var el strings.Builder
		for _, e := range s.Elements {
			el.WriteString("\telement " + words(e.Key))
			if e.KeyEnd != nil {
				el.WriteString(" - " + words(e.KeyEnd))
			}
			el.WriteString(" : ")
			if e.Verdict != nil {
				el.WriteString(verdictText(e.Verdict) + " ")
			} else if e.Data != nil {
				el.WriteString(words(e.Data))
			}
			fmt.Fprintf(&el, "%d [end]", e.Flags)
			if len(e.Userdata) > 0 {
				el.WriteString("  userdata = { ")
				for _, b := range e.Userdata {
					fmt.Fprintf(&el, "\\x%02x", b)
				}
				el.WriteString(" }")
			}
		}
		if len(s.Elements) > 0 {
			out = append(out, el.String())
		}
	}
	out = append(out, fmt.Sprintf("%s %s %s", cmd.Family, cmd.Table, cmd.Chain))
	for _, e := range cmd.Rule.Exprs {
		out = append(out, "  "+expr.Line(e))
	}
	return out
}

func payloadEntries(path string) map[string][]string {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil
	}
	m := map[string][]string{}
	var cur string
	var lines []string
	flush := func() {
		if cur != "" {
			if _, ok := m[cur]; !ok {
				m[cur] = lines
			}
		}
		cur, lines = "", nil
	}
	for _, l := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(l, "# ") && cur == "" {
			cur = strings.TrimSpace(l[2:])
			continue
		}
		if strings.TrimSpace(l) == "" {
			flush()
			continue
		}
		if cur != "" {
			lines = append(lines, l)
		}
	}
	flush()
	return m
}

func elemSet(l string) []string {
	var out []string
	for _, p := range strings.Split(l, "[end]") {
		p = strings.Join(strings.Fields(p), " ")
		if p != "" {
			out = append(out, p)
		}
	}
	sort.Strings(out)
	return out
}

// payloadCheck mirrors nft-test.py payload_check().
func payloadCheck(want, got []string) bool {
	if len(got) < len(want) {
		return false
	}
	same := 0
	for i, w := range want {
		g := got[i]
		if w == g {
			same++
			continue
		}
		if !strings.Contains(w, "[") && !strings.Contains(g, "[") {
			continue
		}
		if !strings.Contains(w, "]") && !strings.Contains(g, "]") {
			continue
		}
		if strings.Contains(w, "element") && strings.Contains(g, "element") || strings.Contains(w, "[end]") && strings.Contains(g, "[end]") {
			if strings.Join(elemSet(w), "|") == strings.Join(elemSet(g), "|") {
				continue
			}
		}
		return false
	}
	return same > 0
}

type fileResult struct {
	name            string
	ok, total       int
	failOK, failTot int
	firstFail       []string
	all             []string
}

func runFile(t *testing.T, path string) fileResult {
	rel, _ := filepath.Rel(corpusDir, path)
	res := fileResult{name: rel}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	chainCfg := map[string]string{}
	var units []tunit
	var setLines []string
	generic := payloadEntries(path + ".payload")
	famPayload := map[string]map[string][]string{}
	for _, l := range strings.Split(string(b), "\n") {
		if l == "" || l[0] == '#' || l[0] == '-' {
			continue
		}
		switch l[0] {
		case ':':
			name, cfg, _ := strings.Cut(l[1:], ";")
			chainCfg[name] = cfg
			continue
		case '*':
			f := strings.Split(l[1:], ";")
			if len(f) >= 3 {
				units = append(units, tunit{f[0], f[1], strings.Split(f[2], ",")})
			}
			continue
		case '!':
			body, state, _ := strings.Cut(l[1:], ";")
			if strings.TrimSpace(state) == "ok" {
				name, rest, _ := strings.Cut(body, " ")
				setLines = append(setLines, name+"\x00"+rest)
			}
			continue
		case '?', '%':
			continue
		}
		f := strings.Split(l, ";")
		if len(f) < 2 {
			continue
		}
		rule, state := f[0], strings.TrimSpace(f[1])
		for _, u := range units {
			if famPayload[u.fam] == nil {
				famPayload[u.fam] = payloadEntries(path + ".payload." + u.fam)
			}
			for _, ch := range u.chains {
				var sb strings.Builder
				fmt.Fprintf(&sb, "add table %s %s\n", u.fam, u.table)
				fmt.Fprintf(&sb, "add chain %s %s %s { %s; }\n", u.fam, u.table, ch, chainCfg[ch])
				for _, s := range setLines {
					name, rest, _ := strings.Cut(s, "\x00")
					spec := strings.TrimPrefix(rest, "type ")
					typ, extra := spec, ""
					if i := strings.Index(spec, " timeout"); i >= 0 {
						typ, extra = spec[:i], spec[i:]
					}
					if i := strings.Index(typ, " flags"); i >= 0 {
						typ, extra = typ[:i], typ[i:]+extra
					}
					fmt.Fprintf(&sb, "add set %s %s %s { type %s;%s; }\n", u.fam, u.table, name, typ, extra)
				}
				fmt.Fprintf(&sb, "add rule %s %s %s %s\n", u.fam, u.table, ch, rule)
				cmds, err := Source(rel, []byte(sb.String()), nil)
				if state == "fail" {
					res.failTot++
					if err != nil {
						res.failOK++
					} else {
						res.all = append(res.all, "FAIL-ACCEPTED: "+rule+" ["+u.fam+"]")
						if len(res.firstFail) < 3 {
							res.firstFail = append(res.firstFail, "FAIL-ACCEPTED: "+rule)
						}
					}
					continue
				}
				if state != "ok" {
					continue
				}
				want, ok := famPayload[u.fam][strings.TrimSpace(rule)]
				if !ok {
					want, ok = generic[strings.TrimSpace(rule)]
				}
				if !ok {
					continue
				}
				res.total++
				if err != nil {
					msg := fmt.Sprintf("%s [%s]: ERROR %v", rule, u.fam, err)
					res.all = append(res.all, msg)
					if len(res.firstFail) < 3 {
						res.firstFail = append(res.firstFail, msg)
					}
					continue
				}
				last := cmds[len(cmds)-1]
				if last.Kind != ruleset.KindRule {
					continue
				}
				got := render(last)
				if payloadCheck(want, got) {
					res.ok++
				} else {
					msg := fmt.Sprintf("%s [%s]:\nwant:\n%s\ngot:\n%s", rule, u.fam, strings.Join(want, "\n"), strings.Join(got, "\n"))
					res.all = append(res.all, msg)
					if len(res.firstFail) < 3 {
						res.firstFail = append(res.firstFail, msg)
					}
				}
			}
		}
	}
	return res
}

func TestCorpus(t *testing.T) {
	if _, err := os.Stat(corpusDir); err != nil {
		t.Skip("corpus not present")
	}
	files, _ := filepath.Glob(corpusDir + "/*/*.t")
	only := os.Getenv("CORPUS_ONLY")
	var ok, total, fok, ftot int
	var dump strings.Builder
	for _, f := range files {
		if only != "" && !strings.Contains(f, only) {
			continue
		}
		r := runFile(t, f)
		ok += r.ok
		total += r.total
		fok += r.failOK
		ftot += r.failTot
		t.Logf("%-22s ok %4d/%-4d fail-rejected %3d/%-3d", r.name, r.ok, r.total, r.failOK, r.failTot)
		for _, s := range r.all {
			fmt.Fprintf(&dump, "=== %s: %s\n", r.name, s)
		}
		if os.Getenv("CORPUS_VERBOSE") != "" {
			for _, s := range r.firstFail {
				t.Logf("  %s", s)
			}
		}
	}
	if p := os.Getenv("CORPUS_DUMP"); p != "" {
		os.WriteFile(p, []byte(dump.String()), 0o644)
	}
	t.Logf("TOTAL payload units %d/%d, fail rules rejected %d/%d", ok, total, fok, ftot)
}
