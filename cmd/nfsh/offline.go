package main

import (
	"bufio"
	"io"

	"github.com/nfsh/nfsh/core/bytecode"
	"github.com/nfsh/nfsh/core/compile"
	"github.com/nfsh/nfsh/core/parse"
	"github.com/nfsh/nfsh/core/ruleset"
)

// compileFile reads and compiles an nft script (FILE or - for stdin).
func compileFile(name string, stdin io.Reader) ([]ruleset.Command, error) {
	src, err := readInput(name, stdin)
	if err != nil {
		return nil, err
	}
	display := name
	if name == "-" {
		display = "/dev/stdin"
	}
	cmds, err := compile.Source(display, src, &compile.Options{Parse: &parse.Options{}})
	if err != nil {
		return nil, err
	}
	return cmds, nil
}

// cmdBytecode prints the kernel expressions of a script's rules exactly as
// `nft --debug=netlink -f FILE` does.
func cmdBytecode(args []string, stdin io.Reader, stdout io.Writer) error {
	if len(args) != 1 {
		return usageError("bytecode takes one FILE")
	}
	cmds, err := compileFile(args[0], stdin)
	if err != nil {
		return err
	}
	w := bufio.NewWriterSize(stdout, 1<<16)
	if err := bytecode.Print(w, cmds); err != nil {
		return err
	}
	return w.Flush()
}
