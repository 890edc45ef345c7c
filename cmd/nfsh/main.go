// Command nfsh is the nfsh command line: the Lua REPL (where nft commands
// run too), the Lua script runner, and one-shot verbs over the nf_tables
// ruleset of a network namespace.
//
// DESIGN.md §3 is the contract; nfsh extends it with nft's command line:
//
//	nfsh [-a -s -p] list [ruleset | tables | chain F T C | sets | ...]   like `nft list ...`
//	nfsh [-c] add|insert|replace|delete|flush|rename|reset|create ...    like `nft add rule ...`
//	nfsh apply [--check] [--reconcile] FILE   commit an nft script atomically
//	nfsh fmt FILE                        offline: canonical nft text
//	nfsh bytecode FILE                   offline: `nft --debug=netlink` output
//	nfsh diff, monitor, log, help        see the usage text
//	--netns PATH|pid:N|new               act inside another network namespace
package main

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"runtime"
	"runtime/pprof"
	"strings"
)

const usage = `usage: nfsh [--netns PATH|pid:N|new] [VERB [ARGS] | SCRIPT.lua [ARGS] | -e CHUNK]
  (no arguments: the Lua REPL on a terminal)
verbs:
  list [-a] [-s] [-p] [-j] [WHAT]      print like nft list WHAT (default: ruleset; -j: JSON); WHAT is
                                       ruleset|tables|chains|sets|maps|meters|flowtables [FAMILY],
                                       table [FAMILY] NAME, chain|set|map|meter|flowtable [FAMILY] TABLE NAME,
                                       counters|quotas|limits|secmarks|synproxys [FAMILY | table [FAMILY] NAME],
                                       counter|quota|limit|secmark|synproxy [FAMILY] TABLE NAME,
                                       ct helper|timeout|expectation [FAMILY] TABLE NAME,
                                       ct helpers|timeout|expectation table [FAMILY] NAME
  add|create|insert|replace|delete|flush|rename|reset ARGS...
                                       run an nft command, like nft add rule ...
                                       (before it: -c/--check only validates,
                                       -e/--echo [-a] prints what was created)
  apply [--check] [--echo [-a]] [--reconcile] FILE   (also: -f FILE, as nft)
                                       commit an nft script atomically (- = stdin);
                                       --reconcile sends only the difference
  fmt FILE                             parse and print canonical nft text (offline)
  bytecode FILE                        print kernel expressions like nft --debug=netlink (offline)
  diff [--prune] FROM TO               the patch from one nft file to another (- = the kernel)
  monitor [-j | --json] [--count K] [new|destroy] [tables|chains|sets|rules|elements|ruleset]
                                       print ruleset changes, like nft [-j] monitor
  monitor trace [--count K]            print packet traces (meta nftrace set 1), like nft monitor trace
  log --group N [--copy MODE] [--json] [--count K]   print NFLOG packet events
  help                                 this text
`

// exitError carries a process exit status for errors already reported.
type exitError struct{ code int }

func (e exitError) Error() string { return fmt.Sprintf("exit status %d", e.code) }

func main() {
	if path := os.Getenv("NFSH_CPUPROFILE"); path != "" {
		// For developers: a CPU profile of the whole invocation.
		if f, err := os.Create(path); err == nil {
			if pprof.StartCPUProfile(f) == nil {
				code := run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
				pprof.StopCPUProfile()
				f.Close()
				os.Exit(code)
			}
		}
	}
	if path := os.Getenv("NFSH_MEMPROFILE"); path != "" {
		// For developers: every allocation of the invocation (go tool
		// pprof -sample_index=alloc_space), sampled every 64 KiB.
		runtime.MemProfileRate = 64 << 10
		code := run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
		if f, err := os.Create(path); err == nil {
			pprof.Lookup("allocs").WriteTo(f, 0)
			f.Close()
		}
		os.Exit(code)
	}
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

// run executes one nfsh invocation and returns its exit status.
func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	var rest []string
	netns := ""
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "--netns" && i+1 < len(args):
			netns = args[i+1]
			i++
		case len(a) > 8 && a[:8] == "--netns=":
			netns = a[8:]
		case a == "-h" || a == "--help":
			fmt.Fprint(stdout, usage)
			return 0
		default:
			rest = append(rest, a)
		}
	}
	if netns != "" && os.Getenv(envNetnsDone) == "" {
		err := enterNetns(netns, rest)
		fmt.Fprintf(stderr, "nfsh: error: %v\n", err)
		return 1
	}
	var err error
	globals, rest := nftFlags(fileFlag(rest))
	if len(rest) == 0 || !verbs[rest[0]] {
		// Lua: the REPL, -e CHUNK, or a script.
		var handled bool
		if handled, err = luaDispatch(rest, stdin, stdout, stderr); !handled {
			fmt.Fprintf(stderr, "nfsh: unknown verb or script %q\n%s", rest[0], usage)
			return 2
		}
		return exitStatus(err, stderr)
	}
	verb, vargs := rest[0], rest[1:]
	switch {
	case verb == "list" || verb == "apply" || (verb == "monitor" && len(globals) > 0):
		vargs = append(globals, vargs...) // they take nft's flags (monitor: -j)
	case commandVerbs[verb]:
		var o commandOptions
		for _, g := range globals {
			switch g {
			case "-c", "--check":
				o.check = true
			case "-e", "--echo":
				o.echo = true
			case "-a", "--handle":
				o.handles = true // with --echo; alone it changes nothing, as in nft
			default:
				return exitStatus(usageError("%s: %s applies to list only", verb, g), stderr)
			}
		}
		return exitStatus(cmdCommand(verb, vargs, o, stdout), stderr)
	case len(globals) > 0:
		return exitStatus(usageError("%s: %s applies to list, apply and nft commands only", verb, globals[0]), stderr)
	}
	switch verb {
	case "help":
		fmt.Fprint(stdout, usage)
	case "list":
		err = listVerb(vargs, stdout)
	case "apply":
		err = cmdApply(vargs, stdin, stdout)
	case "fmt":
		err = cmdFmt(vargs, stdin, stdout)
	case "bytecode":
		err = cmdBytecode(vargs, stdin, stdout)
	case "log":
		err = cmdLog(vargs, stdout, stderr)
	case "monitor":
		err = cmdMonitor(vargs, stdout, stderr)
	case "diff":
		err = cmdDiff(vargs, stdin, stdout)
	}
	return exitStatus(err, stderr)
}

// verbs are the one-shot verbs, nft's command keywords among them; any
// other first argument is Lua.
var verbs = map[string]bool{"help": true, "list": true, "apply": true, "fmt": true, "bytecode": true, "log": true, "monitor": true, "diff": true}

func init() {
	for v := range commandVerbs {
		verbs[v] = true
	}
}

// nftFlags splits off the nft-style options given before a verb, as in
// `nfsh -a list ruleset`, `nfsh -c add rule ...` or `nfsh -ea add rule`.
// Short options combine. Without a verb after them nothing is split off:
// `nfsh -e CHUNK` runs Lua.
func nftFlags(args []string) (flags, rest []string) {
	i := 0
	for ; i < len(args) && isNftFlag(args[i]); i++ {
	}
	if i == 0 || i == len(args) || !verbs[args[i]] {
		return nil, args
	}
	for _, a := range args[:i] {
		if strings.HasPrefix(a, "--") {
			flags = append(flags, a)
			continue
		}
		for _, c := range a[1:] {
			flags = append(flags, "-"+string(c))
		}
	}
	return flags, args[i:]
}

// fileFlag turns nft's `-f FILE` (or --file FILE, -fFILE is not nft's),
// after any nft options, into the apply verb: `nfsh -c -f x.nft` is
// `nfsh -c apply x.nft`.
func fileFlag(args []string) []string {
	i := 0
	for ; i < len(args) && isNftFlag(args[i]); i++ {
	}
	if i+1 < len(args) && (args[i] == "-f" || args[i] == "--file") {
		out := append(append([]string{}, args[:i]...), "apply", args[i+1])
		return append(out, args[i+2:]...)
	}
	return args
}

// isNftFlag reports whether a is one of nft's options nfsh takes before a
// verb: -a/--handle, -s/--stateless, -p/--numeric-protocol, -c/--check,
// -e/--echo, -j/--json, short ones possibly combined (-ea).
func isNftFlag(a string) bool {
	switch a {
	case "--handle", "--stateless", "--numeric-protocol", "--check", "--echo", "--json":
		return true
	}
	if len(a) < 2 || a[0] != '-' || a[1] == '-' {
		return false
	}
	for _, c := range a[1:] {
		if !strings.ContainsRune("aspcej", c) {
			return false
		}
	}
	return true
}

// listVerb runs the list verb: nft text, or JSON when asked (-j).
func listVerb(args []string, stdout io.Writer) error {
	if wantsJSON(args) {
		return listJSON(args, stdout)
	}
	return cmdList(args, stdout)
}

// wantsJSON reports whether list's arguments ask for JSON (-j, --json,
// or j among combined short options).
func wantsJSON(args []string) bool {
	for _, a := range args {
		if a == "--json" || len(a) > 1 && a[0] == '-' && a[1] != '-' && strings.ContainsRune(a, 'j') {
			return true
		}
	}
	return false
}

// exitStatus reports err on stderr and returns the process exit status.
func exitStatus(err error, stderr io.Writer) int {
	if err == nil {
		return 0
	}
	var ee exitError
	if errors.As(err, &ee) {
		return ee.code
	}
	fmt.Fprintf(stderr, "%v\n", err)
	return 1
}

// readInput reads FILE, or standard input for "-".
func readInput(name string, stdin io.Reader) ([]byte, error) {
	if name == "-" {
		return io.ReadAll(stdin)
	}
	b, err := os.ReadFile(name)
	if err != nil {
		var pe *fs.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		return nil, fmt.Errorf("nfsh: cannot open file %q: %w", name, err)
	}
	return b, nil
}

// usageError is an error in how a verb was called.
func usageError(format string, args ...any) error {
	return fmt.Errorf("nfsh: "+format+"\n%s", append(args, usage)...)
}
