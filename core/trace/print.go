package trace

import (
	"strings"

	"golang.org/x/sys/unix"

	"github.com/nfsh/nfsh/core/format"
	"github.com/nfsh/nfsh/core/ruleset"
)

// Meta keys of the packet line.
const (
	metaMark = unix.NFT_META_MARK // NFT_META_MARK
	metaIIf  = unix.NFT_META_IIF  // NFT_META_IIF
	metaOIf  = unix.NFT_META_OIF  // NFT_META_OIF
)

// Printer prints traces as `nft monitor trace` does. Rules are looked up
// by handle in the ruleset it was given (nft, too, reads the ruleset once
// when the monitor starts); a rule not in it prints as "unknown rule
// handle N". A Printer is not safe for concurrent use.
type Printer struct {
	rs    *ruleset.Ruleset
	opts  *format.Options
	rules map[ruleKey]string
}

type ruleKey struct {
	family       uint8
	table, chain string
	handle       uint64
}

// NewPrinter returns a printer that finds rules in rs (nil: none) and
// prints with output options o (nil: nft's defaults; o.IfName resolves
// interface indexes when the traces come from another namespace).
func NewPrinter(rs *ruleset.Ruleset, o *format.Options) *Printer {
	return &Printer{rs: rs, opts: o, rules: map[ruleKey]string{}}
}

// Reset replaces the ruleset rules are looked up in.
func (p *Printer) Reset(rs *ruleset.Ruleset) {
	p.rs = rs
	clear(p.rules)
}

// Lines returns the lines nft prints for t, without line ends (nft ends
// some of them with a space; so do these): a "packet:" line when t
// carries the packet's headers, then a rule, policy or return line.
func (p *Printer) Lines(t *Trace) []string {
	var out []string
	if t.Has(unix.NFTA_TRACE_LL_HEADER) || t.Has(unix.NFTA_TRACE_NETWORK_HEADER) {
		out = append(out, p.Packet(t))
	}
	var sb strings.Builder
	switch t.Type {
	case TypeRule:
		if !t.Has(unix.NFTA_TRACE_RULE_HANDLE) {
			break
		}
		sb.WriteString(Header(t))
		if txt, ok := p.rule(t); ok {
			sb.WriteString("rule " + txt)
		} else {
			sb.WriteString("unknown rule handle " + utoa(t.RuleHandle))
		}
		sb.WriteString(" (verdict " + t.Verdict.String() + ")")
		out = append(out, sb.String())
	case TypePolicy:
		sb.WriteString(Header(t))
		if t.Has(unix.NFTA_TRACE_POLICY) {
			sb.WriteString("policy " + Verdict{Code: t.Policy}.String() + " ")
		}
		if t.Has(unix.NFTA_TRACE_MARK) {
			sb.WriteString(metaText(metaMark, t.Mark, p.opts) + " ")
		}
		out = append(out, sb.String())
	case TypeReturn:
		sb.WriteString(Header(t))
		if t.Has(unix.NFTA_TRACE_VERDICT) {
			sb.WriteString("verdict " + t.Verdict.String() + " ")
		}
		if t.Has(unix.NFTA_TRACE_MARK) {
			sb.WriteString(metaText(metaMark, t.Mark, p.opts) + " ")
		}
		out = append(out, sb.String())
	}
	return out
}

// Header returns the start of every line of t:
// "trace id 9b5a8a41 ip filter input ".
func Header(t *Trace) string {
	const hex = "0123456789abcdef"
	var id [8]byte
	for i := range id {
		id[i] = hex[t.ID>>(28-4*i)&0xf]
	}
	s := "trace id " + string(id[:]) + " " + FamilyName(t.Family) + " "
	if t.Has(unix.NFTA_TRACE_TABLE) {
		s += t.Table + " "
	}
	if t.Has(unix.NFTA_TRACE_CHAIN) {
		s += t.Chain + " "
	}
	return s
}

// Packet returns the "packet:" line of t: the interfaces, then the
// header fields.
func (p *Printer) Packet(t *Trace) string {
	var sb strings.Builder
	sb.WriteString(Header(t))
	sb.WriteString("packet: ")
	if t.Has(unix.NFTA_TRACE_IIF) {
		sb.WriteString(metaText(metaIIf, t.IIf, p.opts) + " ")
	}
	if t.Has(unix.NFTA_TRACE_OIF) {
		sb.WriteString(metaText(metaOIf, t.OIf, p.opts) + " ")
	}
	for _, s := range packetStmts(t) {
		sb.WriteString(s.text(p.opts) + " ")
	}
	return sb.String()
}

// rule returns the text of the rule t names, as nft lists it.
func (p *Printer) rule(t *Trace) (string, bool) {
	if !t.Has(unix.NFTA_TRACE_TABLE) {
		return "", false
	}
	k := ruleKey{t.Family, t.Table, t.Chain, t.RuleHandle}
	if txt, ok := p.rules[k]; ok {
		return txt, true
	}
	if p.rs == nil {
		return "", false
	}
	tb := p.rs.Table(ruleset.Family(t.Family), t.Table)
	if tb == nil {
		return "", false
	}
	c := tb.Chain(t.Chain)
	if c == nil {
		return "", false
	}
	for _, r := range c.Rules {
		if r.Handle == t.RuleHandle {
			txt, err := format.RuleOpts(tb, r, p.opts)
			if err != nil {
				txt = "unknown"
			}
			p.rules[k] = txt
			return txt, true
		}
	}
	return "", false
}

// FamilyName returns the name nft prints for a table family (nft's
// family2str): "ip", "ip6", "inet", "netdev", "arp", "bridge" or "unknown".
func FamilyName(f uint8) string {
	switch f {
	case unix.NFPROTO_IPV4:
		return "ip"
	case unix.NFPROTO_IPV6:
		return "ip6"
	case unix.NFPROTO_INET:
		return "inet"
	case unix.NFPROTO_NETDEV:
		return "netdev"
	case unix.NFPROTO_ARP:
		return "arp"
	case unix.NFPROTO_BRIDGE:
		return "bridge"
	}
	return "unknown"
}
