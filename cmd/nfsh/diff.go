package main

import (
	"bufio"
	"io"

	"github.com/nfsh/nfsh/core/diff"
	"github.com/nfsh/nfsh/core/kernel"
	"github.com/nfsh/nfsh/core/ruleset"
)

// cmdDiff prints the patch that turns FROM into TO in nft command syntax.
// Each side is an nft file, or - for the kernel's current ruleset.
// --prune also deletes tables that only FROM has.
func cmdDiff(args []string, stdin io.Reader, stdout io.Writer) error {
	var prune bool
	var files []string
	for _, a := range args {
		switch {
		case a == "--prune":
			prune = true
		case a == "-" || len(a) > 0 && a[0] != '-':
			files = append(files, a)
		default:
			return usageError("diff: unexpected argument %q", a)
		}
	}
	if len(files) != 2 {
		return usageError("diff takes FROM TO (an nft file each, or - for the kernel)")
	}
	side := func(name string) (*ruleset.Ruleset, error) {
		if name == "-" {
			c, err := dial()
			if err != nil {
				return nil, err
			}
			defer c.Close()
			return kernel.Pull(c, kernel.PullOptions{})
		}
		cmds, sc, err := compileFile(name, stdin)
		if err != nil {
			return nil, sc.annotate(err)
		}
		return offlineRuleset(cmds)
	}
	from, err := side(files[0])
	if err != nil {
		return err
	}
	to, err := side(files[1])
	if err != nil {
		return err
	}
	w := bufio.NewWriter(stdout)
	if err := diff.Diff(from, to, diff.Options{Prune: prune}).Format(w); err != nil {
		return err
	}
	return w.Flush()
}
