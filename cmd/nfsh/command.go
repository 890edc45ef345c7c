package main

import (
	"strings"
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

// cmdCommand runs an nft command given on the command line; check only
// validates it (nft -c).
func cmdCommand(verb string, args []string, check bool) error {
	if len(args) == 0 {
		return usageError("%s: what? (like nft: %s table|chain|rule|set|element|... ARGS)", verb, verb)
	}
	src := verb + " " + strings.Join(args, " ") + "\n"
	return applySource(&script{name: cmdlineName, src: []byte(src)}, check, false)
}
