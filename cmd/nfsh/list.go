package main

import (
	"bufio"
	"fmt"
	"io"
	"os"

	"github.com/nfsh/nfsh/core/format"
	"github.com/nfsh/nfsh/core/kernel"
	"github.com/nfsh/nfsh/core/ruleset"
)

// cmdList prints the ruleset (or one table) exactly as `nft list` does.
func cmdList(args []string, stdout io.Writer) error {
	opts := kernel.PullOptions{}
	switch {
	case len(args) == 0 || (len(args) == 1 && args[0] == "ruleset"):
	case len(args) == 3 && args[0] == "table":
		fam, ok := ruleset.ParseFamily(args[1])
		if !ok {
			return usageError("list: unknown family %q", args[1])
		}
		opts.Family, opts.Table = fam, args[2]
	case len(args) == 2 && args[0] == "table":
		opts.Family, opts.Table = ruleset.FamilyIP, args[1] // nft's default family
	default:
		return usageError("list takes [ruleset | table [FAMILY] NAME]")
	}
	c, err := dial()
	if err != nil {
		return err
	}
	defer c.Close()
	stats := statsStart(c)
	rs, err := kernel.Pull(c, opts)
	if err != nil {
		return err
	}
	if opts.Table != "" && len(rs.Tables) == 0 {
		return fmt.Errorf("Error: No such file or directory; did you mean table '%s' in family %s?", opts.Table, opts.Family)
	}
	w := bufio.NewWriterSize(stdout, 1<<20)
	// Like nft, warn on stderr before tables iptables-nft manages.
	if err := format.RulesetWarn(w, os.Stderr, rs, nil); err != nil {
		return err
	}
	if err := w.Flush(); err != nil {
		return err
	}
	stats.report()
	return nil
}
