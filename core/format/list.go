package format

import (
	"io"
	"strings"

	"github.com/nfsh/nfsh/core/ruleset"
)

// This file prints the partial listings of nft 1.0.6: `nft list tables`,
// `list chains`, `list sets|maps|meters`, `list counters|quotas|...` and
// `list flowtables`, each one table at a time. Unlike `list table`, these
// open a table with a bare header (no handle, flags or comment) and put
// no blank line between the blocks inside it.

// TableLine returns table t's line in `nft list tables`.
func TableLine(t *ruleset.Table) string {
	return "table " + t.Family.String() + " " + t.Name + "\n"
}

// TableHeader returns the line that opens table t in nft's partial
// listings: no handle, flags or comment, whatever the options.
func TableHeader(t *ruleset.Table) string {
	return "table " + t.Family.String() + " " + t.Name + " {\n"
}

// ChainDecl returns the block `nft list chains` prints for chain c of
// table t: its header, comment and hook line, without rules.
func ChainDecl(t *ruleset.Table, c *ruleset.Chain, o *Options) string {
	head := *c
	head.Rules = nil
	return ChainString(t, &head, o)
}

// Set kinds, as the partial listings select them (SetKind).
const (
	KindSet   = "set"   // a named set: `list sets`
	KindMap   = "map"   // a named map, verdict map or object map: `list maps`
	KindMeter = "meter" // a meter (anonymous dynamic set): `list meters`
)

// SetKind returns what nft lists set s as: KindSet, KindMap, KindMeter,
// or "" for an anonymous set that is no meter (never listed alone).
func SetKind(s *ruleset.Set) string {
	switch {
	case s.Flags&ruleset.SetAnonymous != 0 && s.Flags&ruleset.SetEval != 0:
		return KindMeter
	case s.Flags&ruleset.SetAnonymous != 0:
		return ""
	case s.Flags&(ruleset.SetMap|ruleset.SetObject) != 0:
		return KindMap
	}
	return KindSet
}

// Meters returns the meters of table t: the anonymous dynamic sets its
// rules own, in rule order, each once.
func Meters(t *ruleset.Table) []*ruleset.Set {
	var out []*ruleset.Set
	seen := map[*ruleset.Set]bool{}
	for _, c := range t.Chains {
		for _, r := range c.Rules {
			for _, s := range r.Sets {
				if SetKind(s) == KindMeter && !seen[s] {
					seen[s] = true
					out = append(out, s)
				}
			}
		}
	}
	return out
}

// SetsOfKind returns the sets of table t that nft lists as kind (KindSet,
// KindMap or KindMeter), in listing order.
func SetsOfKind(t *ruleset.Table, kind string) []*ruleset.Set {
	if kind == KindMeter {
		return Meters(t)
	}
	var out []*ruleset.Set
	for _, s := range t.Sets {
		if SetKind(s) == kind {
			out = append(out, s)
		}
	}
	return out
}

// WriteChains writes table t as `nft list chains` shows it: every chain's
// declaration without rules (chain bindings left out).
func WriteChains(w io.Writer, t *ruleset.Table, o *Options) error {
	var sb strings.Builder
	sb.WriteString(TableHeader(t))
	for _, c := range t.Chains {
		if c.Flags&chainBinding != 0 {
			continue
		}
		sb.WriteString(ChainDecl(t, c, o))
	}
	sb.WriteString("}\n")
	_, err := io.WriteString(w, sb.String())
	return err
}

// WriteSets writes table t as `nft list sets` (kind KindSet), `list maps`
// (KindMap) or `list meters` (KindMeter) shows it: the table header even
// when it holds none, then each such set with its elements.
func WriteSets(w io.Writer, t *ruleset.Table, kind string, o *Options) error {
	if _, err := io.WriteString(w, TableHeader(t)); err != nil {
		return err
	}
	for _, s := range SetsOfKind(t, kind) {
		if _, err := io.WriteString(w, SetString(t, s, o)); err != nil {
			return err
		}
	}
	_, err := io.WriteString(w, "}\n")
	return err
}

// WriteObjects writes table t as `nft list counters` (typ 1), `list
// quotas` (2) and the other stateful object listings show it: nothing
// when the table holds no object of any type, else the table header and
// the objects of type typ (only the one named name, when name is not "").
func WriteObjects(w io.Writer, t *ruleset.Table, typ uint32, name string, o *Options) error {
	if len(t.Objects) == 0 {
		return nil
	}
	var sb strings.Builder
	sb.WriteString(TableHeader(t))
	for _, ob := range t.Objects {
		if ob.Type != typ || (name != "" && ob.Name != name) {
			continue
		}
		sb.WriteString(ObjectString(ob, o))
	}
	sb.WriteString("}\n")
	_, err := io.WriteString(w, sb.String())
	return err
}

// WriteFlowtables writes table t as `nft list flowtables` shows it.
func WriteFlowtables(w io.Writer, t *ruleset.Table, o *Options) error {
	var sb strings.Builder
	sb.WriteString(TableHeader(t))
	for _, ft := range t.Flowtables {
		sb.WriteString(FlowtableString(ft, o))
	}
	sb.WriteString("}\n")
	_, err := io.WriteString(w, sb.String())
	return err
}
