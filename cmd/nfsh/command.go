package main

import (
	"context"
	"errors"
	"io"
	"strings"

	glua "github.com/yuin/gopher-lua"

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
