package main

import (
	"fmt"
	"io"
	"strings"

	"github.com/nfsh/nfsh/core/delinearize"
	"github.com/nfsh/nfsh/core/format"
	"github.com/nfsh/nfsh/core/kernel"
	"github.com/nfsh/nfsh/core/ruleset"
)

// listJSON prints what `nft -j list ...` prints, byte for byte: the
// listing in libnftables-json(5) form on one line. It takes the words
// of cmdList (options anywhere; -j/--json itself is accepted and
// ignored) and supports `list ruleset [FAMILY]`, `list tables [FAMILY]`,
// `list table [FAMILY] NAME`, `list chain [FAMILY] TABLE NAME` and
// `list set|map [FAMILY] TABLE NAME`. Handles are always printed, as
// nft does in JSON.
func listJSON(args []string, stdout io.Writer) error {
	var rest []string
	for _, a := range args {
		switch {
		case a == "--json":
			continue
		case len(a) > 1 && a[0] == '-' && a[1] != '-':
			a = strings.ReplaceAll(a, "j", "")
			if a == "-" {
				continue
			}
		}
		rest = append(rest, a)
	}
	o, words, err := listOptions(rest)
	if err != nil {
		return err
	}
	lc, err := parseList(words)
	if err != nil {
		return err
	}
	c, err := dial()
	if err != nil {
		return err
	}
	defer c.Close()
	rs, err := kernel.Pull(c, lc.pullOptions())
	if err != nil {
		return err
	}
	items, err := lc.jsonItems(rs, o)
	if err != nil {
		return err
	}
	return format.WriteJSON(stdout, append([]any{format.JSONMetainfo()}, items...))
}

// jsonItems returns the objects of lc's JSON listing of rs (after the
// metainfo), or the error nft reports.
func (lc *listCmd) jsonItems(rs *ruleset.Ruleset, o *format.Options) ([]any, error) {
	var out []any
	switch lc.what {
	case listRuleset:
		for _, t := range lc.tables(rs) {
			ti, err := format.TableJSON(t, o)
			if err != nil {
				return nil, err
			}
			out = append(out, ti...)
		}
	case listTables:
		for _, t := range lc.tables(rs) {
			out = append(out, format.TableObjJSON(t))
		}
	case listTable:
		t := rs.Table(lc.family, lc.table)
		if t == nil {
			return nil, lc.errAt(lc.tableAt, enoent)
		}
		return format.TableJSON(t, o)
	case listChain:
		t := rs.Table(lc.family, lc.table)
		if t == nil {
			return nil, lc.errAt(lc.tableAt, enoent)
		}
		c := t.Chain(lc.name)
		if c == nil || c.Flags&chainBinding != 0 {
			return nil, lc.errAt(lc.nameAt, enoent)
		}
		out = append(out, format.ChainJSON(t, c))
		for _, r := range c.Rules {
			rj, err := format.RuleJSON(t, c, r, o)
			if err != nil {
				return nil, err
			}
			out = append(out, rj)
		}
	case listSet:
		if lc.setKind == format.KindMeter {
			return nil, fmt.Errorf("nfsh: list -j: meters are not supported in JSON yet")
		}
		t := rs.Table(lc.family, lc.table)
		if t == nil {
			return nil, lc.errAt(lc.tableAt, enoent)
		}
		s := t.Set(lc.name)
		if s == nil || format.SetKind(s) != lc.setKind {
			return nil, lc.errAt(lc.nameAt, enoent)
		}
		sj, err := delinearize.SetJSON(t, s, o)
		if err != nil {
			return nil, err
		}
		out = append(out, sj)
	default:
		return nil, fmt.Errorf("nfsh: %s: not supported in JSON yet (ruleset, tables, table, chain, set and map are)", lc.line)
	}
	return out, nil
}
