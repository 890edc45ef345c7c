package main

import (
	"context"
	"errors"
	"io"
	"strings"

	glua "github.com/yuin/gopher-lua"

	"github.com/nfsh/nfsh/core/ruleset"
	"github.com/nfsh/nfsh/lua/shell"
)

// cmdlineName names the command line in error positions, the way a file
// name names a script: `<cmdline>:1:17: error: ...`.
const cmdlineName = "<cmdline>"

// commandVerbs are nft's command keywords. `nfsh add rule inet t c tcp
// dport 22 accept` does what `nft add rule ...` does: the arguments are
// joined with spaces into one script (`;` separates commands, as in
// `nft add table ip t \; add chain ip t c`) and committed atomically,
// compiled against the kernel's ruleset; tables persist.
var commandVerbs = map[string]bool{
	"add": true, "create": true, "insert": true, "replace": true,
	"delete": true, "flush": true, "rename": true, "reset": true,
}

// commandOptions are the nft options given before a command verb.
type commandOptions struct {
	check   bool // -c: validate only
	echo    bool // -e: print what the kernel created, like nft -e
	handles bool // -a: with echo, the handles too
}

// cmdCommand runs an nft command given on the command line.
func cmdCommand(verb string, args []string, o commandOptions, stdout io.Writer) error {
	if len(args) == 0 {
		return usageError("%s: what? (like nft: %s table|chain|rule|set|element|... ARGS)", verb, verb)
	}
	src := verb + " " + strings.Join(args, " ") + "\n"
	sc := &script{name: cmdlineName, src: []byte(src)}
	if o.echo {
		return applyEcho(sc, o.check, o.handles, stdout)
	}
	return applySource(sc, o.check, false)
}

// replCommand returns the REPL's handler of chunks that are not Lua: an
// nft command typed at the prompt. `list ...` prints like the list verb;
// add, insert, delete, ... go through the session's nft.run, so tables
// they create are owned by the session like those its Lua code creates.
// A command with an unclosed `{` continues on the next line.
func replCommand(sh *shell.Shell) func(string) (took, more bool, err error) {
	return func(src string) (bool, bool, error) {
		fields := strings.Fields(src)
		if len(fields) == 0 || (fields[0] != "list" && !commandVerbs[fields[0]]) {
			return false, false, nil
		}
		if openBraces(src) > 0 {
			return true, true, nil
		}
		if fields[0] == "list" {
			return true, false, listVerb(fields[1:], sh.Host.Stdout())
		}
		L := sh.Host.L
		run := L.GetField(L.GetGlobal("nft"), "run")
		rets, err := sh.Host.Call(context.Background(), run, glua.LString(src))
		if err != nil {
			return true, false, err
		}
		if len(rets) >= 2 && rets[0] == glua.LNil {
			return true, false, errors.New(rets[1].String())
		}
		return true, false, nil
	}
}

// openBraces counts the `{` of src not yet closed, outside quoted
// strings.
func openBraces(src string) int {
	n, quoted := 0, false
	for _, c := range src {
		switch {
		case c == '"':
			quoted = !quoted
		case quoted:
		case c == '{':
			n++
		case c == '}':
			n--
		}
	}
	return n
}

// nftObjects are the words completed after a command verb.
var nftObjects = map[string][]string{
	"list": {"ruleset", "tables", "table", "chains", "chain", "sets", "set", "maps", "map", "meters", "meter",
		"flowtables", "flowtable", "counters", "counter", "quotas", "quota", "limits", "limit", "ct"},
	"flush":  {"ruleset", "table", "chain", "set", "map", "meter"},
	"rename": {"chain"},
	"reset":  {"counters", "counter", "quotas", "quota"},
}

// defaultObjects are the objects of add, create, insert, replace, delete.
var defaultObjects = []string{"table", "chain", "rule", "set", "map", "element", "counter", "quota", "limit", "ct", "flowtable", "synproxy"}

// nftFamilies are the families, in nft's spelling.
var nftFamilies = []string{"ip", "ip6", "inet", "arp", "bridge", "netdev"}

// replComplete returns the REPL's completion of nft commands: the object
// after the verb, then families and the kernel's table names, then the
// chain, set or object names of that table. Lines that do not start with
// an nft verb are left to the Lua completion.
func replComplete(sh *shell.Shell) func(before string) ([]string, int, bool) {
	return func(before string) ([]string, int, bool) {
		words := strings.Fields(before)
		if len(words) == 0 || (words[0] != "list" && !commandVerbs[words[0]]) {
			return nil, 0, false
		}
		cur := ""
		if !strings.HasSuffix(before, " ") {
			cur, words = words[len(words)-1], words[:len(words)-1]
		}
		if len(words) == 0 {
			return nil, 0, false // still typing the verb: Lua names too
		}
		var cands []string
		switch args := words[1:]; {
		case len(args) == 0:
			cands = nftObjects[words[0]]
			if cands == nil {
				cands = defaultObjects
			}
		default:
			cands = replNames(sh, args)
		}
		var out []string
		for _, c := range cands {
			if strings.HasPrefix(c, cur) {
				out = append(out, c)
			}
		}
		return out, len(cur), true
	}
}

// replNames completes the words after an object keyword: a family or a
// table, then (after a family) a table, then a chain, set or object of
// that table.
func replNames(sh *shell.Shell, args []string) []string {
	obj, rest := args[0], args[1:]
	if obj == "ct" && len(rest) > 0 { // ct helper|timeout|expectation
		rest = rest[1:]
	}
	fam, explicit := ruleset.FamilyIP, false
	if len(rest) > 0 {
		if f, ok := ruleset.ParseFamily(rest[0]); ok {
			fam, explicit, rest = f, true, rest[1:]
		}
	}
	if obj == "ruleset" || obj == "tables" || (strings.HasSuffix(obj, "s") && obj != "ct") {
		if len(rest) == 0 && !explicit {
			return nftFamilies
		}
		return nil
	}
	rs := sh.Declarations()
	if rs == nil {
		return nil
	}
	switch len(rest) {
	case 0:
		var out []string
		if !explicit {
			out = append(out, nftFamilies...)
		}
		for _, t := range rs.Tables {
			if !explicit || t.Family == fam {
				out = append(out, t.Name)
			}
		}
		return out
	case 1:
		if obj == "table" {
			return nil
		}
		t := rs.Table(fam, rest[0])
		if t == nil {
			return nil
		}
		var out []string
		switch obj {
		case "chain", "rule":
			for _, c := range t.Chains {
				out = append(out, c.Name)
			}
		case "set", "map", "element", "meter":
			for _, s := range t.Sets {
				if !s.Anonymous() {
					out = append(out, s.Name)
				}
			}
		case "flowtable":
			for _, f := range t.Flowtables {
				out = append(out, f.Name)
			}
		default:
			for _, o := range t.Objects {
				out = append(out, o.Name)
			}
		}
		return out
	}
	return nil
}
