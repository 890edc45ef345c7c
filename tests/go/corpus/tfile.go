package corpus

import (
	"fmt"
	"os"
	"strings"
)

// Table is a table line of a .t file: the family and the chains a rule
// runs in.
type Table struct {
	Family string
	Chains []string
}

// Rule is a rule of a .t file that nft accepts ("ok"), with its line.
type Rule struct {
	Line int
	Text string
}

// TFile is what a .t file declares: its tables, chain configurations,
// set, element and object lines ("!", "?", "%", raw and in order) and the
// rules nft accepts.
type TFile struct {
	Tables []Table
	Chains map[string]string
	Decls  []string
	Rules  []Rule
}

// ReadTFile parses a .t file; nil when it cannot be read.
func ReadTFile(path string) *TFile {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil
	}
	tf := &TFile{Chains: map[string]string{}}
	for i, line := range strings.Split(string(data), "\n") {
		if line == "" {
			continue
		}
		switch line[0] {
		case ':':
			name, cfg, _ := strings.Cut(line[1:], ";")
			tf.Chains[name] = cfg
			continue
		case '*':
			f := strings.Split(line[1:], ";")
			if len(f) >= 3 {
				tf.Tables = append(tf.Tables, Table{f[0], strings.Split(f[2], ",")})
			}
			continue
		case '!', '?', '%':
			tf.Decls = append(tf.Decls, line)
			continue
		case '#', '-', ' ':
			continue
		}
		f := strings.Split(line, ";")
		if len(f) < 2 || strings.TrimRight(f[1], " ") != "ok" {
			continue
		}
		tf.Rules = append(tf.Rules, Rule{i + 1, f[0]})
	}
	return tf
}

// Prelude returns the commands the corpus driver runs before a rule of
// table fam/t, chain ch: the table, the chain, and the set, element and
// object declarations that succeed.
func (tf *TFile) Prelude(fam, ch string) string {
	var sb strings.Builder
	fmt.Fprintf(&sb, "add table %s t\n", fam)
	fmt.Fprintf(&sb, "add chain %s t %s { %s; }\n", fam, ch, tf.Chains[ch])
	for _, d := range tf.Decls {
		body, state := d[1:], ""
		if i := strings.LastIndex(body, ";"); i >= 0 {
			body, state = body[:i], strings.TrimSpace(body[i+1:])
		}
		if state != "ok" {
			continue
		}
		switch d[0] {
		case '!':
			// "type T [timeout X] [flags F]" as the driver writes it
			name, spec, _ := strings.Cut(body, " ")
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
	return sb.String()
}
