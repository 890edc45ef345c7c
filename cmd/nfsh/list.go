package main

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/nfsh/nfsh/core/format"
	"github.com/nfsh/nfsh/core/kernel"
	"github.com/nfsh/nfsh/core/ruleset"
)

// cmdList prints what `nft list ...` prints, byte for byte: the ruleset,
// tables, one table, chains, sets, maps, meters, stateful objects and
// flowtables (see parseList for the forms). Output options (-a, -s, -p)
// may come anywhere among the arguments. With no arguments it lists the
// ruleset.
func cmdList(args []string, stdout io.Writer) error {
	o, words, err := listOptions(args)
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
	stats := statsStart(c)
	rs, err := kernel.Pull(c, lc.pullOptions())
	if err != nil {
		return err
	}
	w := bufio.NewWriterSize(stdout, 1<<20)
	if err := lc.print(w, os.Stderr, rs, o); err != nil {
		return err
	}
	if err := w.Flush(); err != nil {
		return err
	}
	stats.report()
	return nil
}

// listOptions takes nft's output options out of args, wherever they are:
// -a/--handle, -s/--stateless, -p/--numeric-protocol, and short ones
// combined (-as). It returns the options (nil for none) and the rest.
func listOptions(args []string) (*format.Options, []string, error) {
	var o format.Options
	var set bool
	var rest []string
	for _, a := range args {
		switch {
		case a == "--handle":
			o.Handles = true
		case a == "--stateless":
			o.Stateless = true
		case a == "--numeric-protocol":
			o.NumericProto = true
		case strings.HasPrefix(a, "--"):
			return nil, nil, usageError("list: unsupported option %s (list takes -a/--handle, -s/--stateless, -p/--numeric-protocol)", a)
		case len(a) > 1 && a[0] == '-':
			for _, r := range a[1:] {
				switch r {
				case 'a':
					o.Handles = true
				case 's':
					o.Stateless = true
				case 'p':
					o.NumericProto = true
				default:
					return nil, nil, usageError("list: unsupported option -%c (list takes -a/--handle, -s/--stateless, -p/--numeric-protocol)", r)
				}
			}
		default:
			rest = append(rest, a)
			continue
		}
		set = true
	}
	if !set {
		return nil, rest, nil
	}
	return &o, rest, nil
}

// listWhat is the kind of a list command.
type listWhat int

const (
	listRuleset    listWhat = iota // list ruleset [FAMILY]
	listTables                     // list tables [FAMILY]
	listTable                      // list table [FAMILY] NAME
	listChains                     // list chains [FAMILY]
	listChain                      // list chain [FAMILY] TABLE NAME
	listSets                       // list sets|maps|meters [FAMILY] (sets also: table [FAMILY] NAME)
	listSet                        // list set|map|meter [FAMILY] TABLE NAME
	listObjects                    // list counters|quotas|... [FAMILY] | table [FAMILY] NAME
	listObject                     // list counter|quota|... [FAMILY] TABLE NAME
	listFlowtables                 // list flowtables [FAMILY]
	listFlowtable                  // list flowtable [FAMILY] TABLE NAME
)

// span is where a word of the command line is: byte offsets [from, to).
type span struct{ from, to int }

// listCmd is one parsed list command.
type listCmd struct {
	what listWhat
	// line is the command as nft echoes it in errors ("list set ip t s").
	line string
	// family is FamilyUnspec when a ruleset_spec omits it.
	family ruleset.Family
	table  string // "" when no table is named
	name   string // chain, set, object or flowtable name
	// tableAt and nameAt locate table and name in line, for carets.
	tableAt, nameAt span
	// setKind is format.KindSet, KindMap or KindMeter (listSets, listSet).
	setKind string
	// objType is the NFT_OBJECT_* type (listObjects, listObject).
	objType uint32
}

// Object types (NFT_OBJECT_*) the list command names.
const (
	objCounter  = 1  // NFT_OBJECT_COUNTER
	objQuota    = 2  // NFT_OBJECT_QUOTA
	objCtHelper = 3  // NFT_OBJECT_CT_HELPER
	objLimit    = 4  // NFT_OBJECT_LIMIT
	objCtTmo    = 7  // NFT_OBJECT_CT_TIMEOUT
	objSecmark  = 8  // NFT_OBJECT_SECMARK
	objCtExpect = 9  // NFT_OBJECT_CT_EXPECT
	objSynproxy = 10 // NFT_OBJECT_SYNPROXY
)

var (
	objectsByPlural = map[string]uint32{"counters": objCounter, "quotas": objQuota, "limits": objLimit, "secmarks": objSecmark, "synproxys": objSynproxy}
	objectsByName   = map[string]uint32{"counter": objCounter, "quota": objQuota, "limit": objLimit, "secmark": objSecmark, "synproxy": objSynproxy}
	ctObjects       = map[string]uint32{"helper": objCtHelper, "timeout": objCtTmo, "expectation": objCtExpect}
)

// listWord is one word of the command line and where it is.
type listWord struct {
	s  string
	at span
}

// listParser reads the words of a list command by nft 1.0.6's grammar.
type listParser struct {
	line  string
	words []listWord
	i     int
}

// parseList parses the words of a list command (the arguments after
// "list", options removed). nft joins its arguments with spaces and
// reads the result, so the words are split again on white space. No
// words at all is `list ruleset`.
//
//	ruleset [FAMILY]            tables [FAMILY]        table [FAMILY] NAME
//	chains [FAMILY]             chain [FAMILY] TABLE NAME
//	sets [FAMILY]               sets table [FAMILY] NAME
//	set [FAMILY] TABLE NAME     maps [FAMILY]          map [FAMILY] TABLE NAME
//	meters [FAMILY]             meter [FAMILY] TABLE NAME  (also "flow tables", "flow table")
//	counters|quotas|limits|secmarks|synproxys [FAMILY] | table [FAMILY] NAME
//	counter|quota|limit|secmark|synproxy [FAMILY] TABLE NAME
//	ct helper|timeout|expectation [FAMILY] TABLE NAME
//	ct helpers|timeout|expectation table [FAMILY] NAME
//	flowtables [FAMILY]         flowtable [FAMILY] TABLE NAME
//
// A FAMILY omitted before a table name is ip; one omitted elsewhere means
// every family.
func parseList(args []string) (*listCmd, error) {
	p := &listParser{line: strings.Join(append([]string{"list"}, args...), " ")}
	for i := 0; i < len(p.line); {
		for i < len(p.line) && isSpace(p.line[i]) {
			i++
		}
		j := i
		for j < len(p.line) && !isSpace(p.line[j]) {
			j++
		}
		if j > i {
			p.words = append(p.words, listWord{p.line[i:j], span{i, j}})
		}
		i = j
	}
	p.i = 1 // "list"
	lc := &listCmd{line: p.line}
	if p.done() {
		return lc, nil // nfsh's `list`: the ruleset
	}
	kw := p.next()
	var err error
	switch kw.s {
	case "ruleset":
		lc.what = listRuleset
		err = p.rulesetSpec(lc)
	case "tables":
		lc.what = listTables
		err = p.rulesetSpec(lc)
	case "table":
		lc.what = listTable
		err = p.tableSpec(lc)
	case "chains":
		lc.what = listChains
		err = p.rulesetSpec(lc)
	case "chain":
		lc.what = listChain
		err = p.objSpec(lc)
	case "sets", "maps", "meters":
		lc.what, lc.setKind = listSets, strings.TrimSuffix(kw.s, "s")
		if kw.s == "sets" && p.peek() == "table" {
			p.next()
			err = p.tableSpec(lc)
		} else {
			err = p.rulesetSpec(lc)
		}
	case "set", "map", "meter":
		lc.what, lc.setKind = listSet, kw.s
		err = p.objSpec(lc)
	case "flow":
		switch w := p.next(); w.s {
		case "tables":
			lc.what, lc.setKind = listSets, format.KindMeter
			err = p.rulesetSpec(lc)
		case "table":
			lc.what, lc.setKind = listSet, format.KindMeter
			err = p.objSpec(lc)
		default:
			err = p.unexpected(w, "table or tables")
		}
	case "counters", "quotas", "limits", "secmarks", "synproxys":
		lc.what, lc.objType = listObjects, objectsByPlural[kw.s]
		if p.peek() == "table" {
			p.next()
			err = p.tableSpec(lc)
		} else {
			err = p.rulesetSpec(lc)
		}
	case "counter", "quota", "limit", "secmark", "synproxy":
		lc.what, lc.objType = listObject, objectsByName[kw.s]
		err = p.objSpec(lc)
	case "ct":
		w := p.next()
		switch {
		case w.s == "helpers" || (p.peek() == "table" && (w.s == "timeout" || w.s == "expectation")):
			// nft 1.0.6 crashes on `list ct timeout|expectation table ...`;
			// nfsh lists them like later nft versions do.
			lc.what, lc.objType = listObjects, ctObjects[strings.TrimSuffix(w.s, "s")]
			if t := p.next(); t.s != "table" {
				return nil, p.unexpected(t, "table")
			}
			err = p.tableSpec(lc)
		case ctObjects[w.s] != 0:
			lc.what, lc.objType = listObject, ctObjects[w.s]
			err = p.objSpec(lc)
		default:
			err = p.unexpected(w, "timeout or expectation or helper or helpers")
		}
	case "flowtables":
		lc.what = listFlowtables
		err = p.rulesetSpec(lc)
	case "flowtable":
		lc.what = listFlowtable
		err = p.objSpec(lc)
	case "hooks":
		return nil, fmt.Errorf("nfsh: list hooks is not supported")
	default:
		err = p.unexpected(kw, "ruleset, tables, table, chains, chain, sets, set, maps, map, meters, meter, counters, counter, quotas, quota, limits, limit, secmarks, secmark, synproxys, synproxy, ct, flowtables or flowtable")
	}
	if err != nil {
		return nil, err
	}
	if !p.done() {
		return nil, p.unexpected(p.next(), "end of command")
	}
	return lc, nil
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

// end is the pseudo word past the last one ("newline" in nft's errors).
func (p *listParser) end() listWord {
	return listWord{"", span{len(p.line), len(p.line) + 1}}
}

func (p *listParser) done() bool { return p.i >= len(p.words) }

func (p *listParser) peek() string {
	if p.done() {
		return ""
	}
	return p.words[p.i].s
}

func (p *listParser) next() listWord {
	if p.done() {
		return p.end()
	}
	w := p.words[p.i]
	p.i++
	return w
}

// families are nft's family keywords.
var families = map[string]ruleset.Family{
	"ip": ruleset.FamilyIP, "ip6": ruleset.FamilyIP6, "inet": ruleset.FamilyInet,
	"arp": ruleset.FamilyARP, "bridge": ruleset.FamilyBridge, "netdev": ruleset.FamilyNetdev,
}

// rulesetSpec reads an optional family.
func (p *listParser) rulesetSpec(lc *listCmd) error {
	if f, ok := families[p.peek()]; ok {
		p.next()
		lc.family = f
	}
	return nil
}

// tableSpec reads [FAMILY] TABLE; the family defaults to ip.
func (p *listParser) tableSpec(lc *listCmd) error {
	lc.family = ruleset.FamilyIP
	if f, ok := families[p.peek()]; ok {
		p.next()
		lc.family = f
	}
	w, err := p.identifier()
	if err != nil {
		return err
	}
	lc.table, lc.tableAt = w.s, w.at
	return nil
}

// objSpec reads [FAMILY] TABLE NAME.
func (p *listParser) objSpec(lc *listCmd) error {
	if err := p.tableSpec(lc); err != nil {
		return err
	}
	w, err := p.identifier()
	if err != nil {
		return err
	}
	lc.name, lc.nameAt = w.s, w.at
	return nil
}

// identifier reads a name: any word but a keyword the grammar reserves
// there (a family or "table").
func (p *listParser) identifier() (listWord, error) {
	w := p.next()
	if _, fam := families[w.s]; w.s == "" || fam || w.s == "table" {
		return w, p.unexpected(w, "string")
	}
	return w, nil
}

// unexpected reports a syntax error at word w like nft does.
func (p *listParser) unexpected(w listWord, expecting string) error {
	what := "newline"
	if w.s != "" {
		what = "'" + w.s + "'"
	}
	return &listError{line: p.line, at: w.at, msg: "syntax error, unexpected " + what + ", expecting " + expecting}
}

// listError is an error of a list command, printed like nft's: the
// message, the command line and carets under the word at fault.
type listError struct {
	line string
	at   span
	msg  string
}

func (e *listError) Error() string {
	n := e.at.to - e.at.from
	if n < 1 {
		n = 1
	}
	return "Error: " + e.msg + "\n" + e.line + "\n" + strings.Repeat(" ", e.at.from) + strings.Repeat("^", n)
}

// enoent is nft's strerror(ENOENT).
const enoent = "No such file or directory"

// pullOptions returns what to pull: nft reads only the table a command
// names when the command names a table, chain, set, map or flowtable;
// for the others it reads everything, and its error suggestions look at
// all of it.
func (lc *listCmd) pullOptions() kernel.PullOptions {
	switch lc.what {
	case listTable, listChain, listFlowtable:
		return kernel.PullOptions{Family: lc.family, Table: lc.table}
	case listSet:
		if lc.setKind != format.KindMeter {
			return kernel.PullOptions{Family: lc.family, Table: lc.table}
		}
		return kernel.PullOptions{}
	case listObjects, listObject, listSets:
		if lc.table != "" {
			return kernel.PullOptions{}
		}
	}
	return kernel.PullOptions{Family: lc.family}
}

// tables returns the tables of rs the command's family selects.
func (lc *listCmd) tables(rs *ruleset.Ruleset) []*ruleset.Table {
	var out []*ruleset.Table
	for _, t := range rs.Tables {
		if lc.family == ruleset.FamilyUnspec || t.Family == lc.family {
			out = append(out, t)
		}
	}
	return out
}

// print writes the listing of lc from rs to w (warnings to ew), or
// returns the error nft reports.
func (lc *listCmd) print(w *bufio.Writer, ew io.Writer, rs *ruleset.Ruleset, o *format.Options) error {
	switch lc.what {
	case listRuleset:
		return format.RulesetWarn(w, ew, &ruleset.Ruleset{Tables: lc.tables(rs)}, o)
	case listTables:
		for _, t := range lc.tables(rs) {
			w.WriteString(format.TableLine(t))
		}
		return nil
	case listTable:
		t := rs.Table(lc.family, lc.table)
		if t == nil {
			return lc.errAt(lc.tableAt, enoent)
		}
		return format.RulesetWarn(w, ew, &ruleset.Ruleset{Tables: []*ruleset.Table{t}}, o)
	case listChains:
		// nft reads no rules for this listing, so it never warns.
		for _, t := range lc.tables(rs) {
			if err := format.WriteChains(w, t, o); err != nil {
				return err
			}
		}
		return nil
	case listChain:
		t := rs.Table(lc.family, lc.table)
		if t == nil {
			return lc.errAt(lc.tableAt, enoent)
		}
		c := t.Chain(lc.name)
		if c == nil || c.Flags&chainBinding != 0 {
			return lc.errAt(lc.nameAt, enoent)
		}
		if warn := format.XtWarning(chainWarnTable(t, c)); warn != "" {
			if err := w.Flush(); err != nil {
				return err
			}
			io.WriteString(ew, warn)
		}
		w.WriteString(format.TableHeader(t))
		w.WriteString(format.ChainString(t, c, o))
		w.WriteString("}\n")
		return nil
	case listSets:
		if lc.table != "" && rs.Table(lc.family, lc.table) == nil {
			return lc.tableNotFound(rs)
		}
		// nft 1.0.6 lists every table of the family, even for
		// `list sets table FAMILY NAME`.
		for _, t := range lc.tables(rs) {
			if err := format.WriteSets(w, t, lc.setKind, o); err != nil {
				return err
			}
		}
		return nil
	case listSet:
		return lc.printSet(w, rs, o)
	case listObjects:
		if lc.table != "" && rs.Table(lc.family, lc.table) == nil {
			return lc.tableNotFound(rs)
		}
		for _, t := range lc.tables(rs) {
			if lc.table != "" && t.Name != lc.table {
				continue
			}
			if err := format.WriteObjects(w, t, lc.objType, "", o); err != nil {
				return err
			}
		}
		return nil
	case listObject:
		t := rs.Table(lc.family, lc.table)
		if t == nil {
			return lc.tableNotFound(rs)
		}
		if t.Object(lc.objType, lc.name) == nil {
			return lc.objectNotFound(rs)
		}
		return format.WriteObjects(w, t, lc.objType, lc.name, o)
	case listFlowtables:
		for _, t := range lc.tables(rs) {
			if err := format.WriteFlowtables(w, t, o); err != nil {
				return err
			}
		}
		return nil
	case listFlowtable:
		t := rs.Table(lc.family, lc.table)
		if t == nil {
			return lc.errAt(lc.tableAt, enoent)
		}
		ft := t.Flowtable(lc.name)
		if ft == nil {
			return lc.errAt(lc.nameAt, enoent)
		}
		w.WriteString(format.TableHeader(t))
		w.WriteString(format.FlowtableString(ft, o))
		w.WriteString("}\n")
		return nil
	}
	return fmt.Errorf("nfsh: list: unhandled command")
}

// printSet lists one set, map or meter.
func (lc *listCmd) printSet(w *bufio.Writer, rs *ruleset.Ruleset, o *format.Options) error {
	meter := lc.setKind == format.KindMeter
	t := rs.Table(lc.family, lc.table)
	if t == nil {
		if meter {
			return lc.tableNotFound(rs)
		}
		return lc.errAt(lc.tableAt, enoent)
	}
	s := t.Set(lc.name)
	if s == nil {
		for _, m := range format.Meters(t) {
			if m.Name == lc.name {
				s = m
			}
		}
	}
	switch {
	case s == nil && meter:
		return lc.setNotFound(rs)
	case s == nil || format.SetKind(s) != lc.setKind:
		return lc.errAt(lc.nameAt, enoent)
	}
	w.WriteString(format.TableHeader(t))
	w.WriteString(format.SetString(t, s, o))
	w.WriteString("}\n")
	return nil
}

const chainBinding = 0x4 // NFT_CHAIN_BINDING

// chainWarnTable returns the part of table t whose rules nft reads for
// `list chain`: chain c and the table's chain bindings.
func chainWarnTable(t *ruleset.Table, c *ruleset.Chain) *ruleset.Table {
	part := &ruleset.Table{Family: t.Family, Name: t.Name, Chains: []*ruleset.Chain{c}}
	for _, b := range t.Chains {
		if b != c && b.Flags&chainBinding != 0 {
			part.Chains = append(part.Chains, b)
		}
	}
	return part
}

// errAt returns an nft-style error with carets under at.
func (lc *listCmd) errAt(at span, msg string) error {
	return &listError{line: lc.line, at: at, msg: msg}
}

// tableNotFound is nft's error for a missing table: it suggests the
// table with the closest name in any family.
func (lc *listCmd) tableNotFound(rs *ruleset.Ruleset) error {
	var st misspell
	var best *ruleset.Table
	for _, t := range rs.Tables {
		if st.update(t.Name, lc.table) {
			best = t
		}
	}
	if best == nil {
		return lc.errAt(lc.tableAt, enoent)
	}
	return lc.errAt(lc.tableAt, fmt.Sprintf("%s; did you mean table ‘%s’ in family %s?", enoent, best.Name, best.Family))
}

// objectNotFound is nft's error for a missing stateful object: it
// suggests the object (of any type) with the closest name in any table.
func (lc *listCmd) objectNotFound(rs *ruleset.Ruleset) error {
	var st misspell
	var bestT *ruleset.Table
	var best *ruleset.Object
	for _, t := range rs.Tables {
		for _, ob := range t.Objects {
			if st.update(ob.Name, lc.name) {
				best, bestT = ob, t
			}
		}
	}
	if best == nil {
		return lc.errAt(lc.nameAt, enoent)
	}
	return lc.errAt(lc.nameAt, fmt.Sprintf("%s; did you mean obj ‘%s’ in table %s ‘%s’?", enoent, best.Name, bestT.Family, bestT.Name))
}

// setNotFound is nft's error for a missing meter: it suggests the named
// set or map with the closest name in any table.
func (lc *listCmd) setNotFound(rs *ruleset.Ruleset) error {
	var st misspell
	var bestT *ruleset.Table
	var best *ruleset.Set
	for _, t := range rs.Tables {
		for _, s := range t.Sets {
			if st.update(s.Name, lc.name) {
				best, bestT = s, t
			}
		}
	}
	if best == nil {
		return lc.errAt(lc.nameAt, enoent)
	}
	kind := "set"
	if best.Flags&(ruleset.SetMap|ruleset.SetObject) != 0 {
		kind = "map"
	}
	return lc.errAt(lc.nameAt, fmt.Sprintf("%s; did you mean %s ‘%s’ in table %s ‘%s’?", enoent, kind, best.Name, bestT.Family, bestT.Name))
}

// misspell picks the candidate closest to a name as nft 1.0.6 does
// (string_misspell_update), so nfsh suggests the same names.
type misspell struct {
	min  uint
	seen bool
}

// update weighs candidate a against the name b and reports whether a is
// the best so far.
func (m *misspell) update(a, b string) bool {
	la, lb := len(a), len(b)
	maxLen, minLen := max(la, lb), min(la, lb)
	if maxLen <= 1 {
		return false
	}
	var threshold int
	if maxLen-minLen <= 1 {
		threshold = max((maxLen+2)/3, 1)
	} else {
		threshold = (maxLen + 4) / 3
	}
	d := nftStringDistance(a, b)
	if d > uint(threshold) {
		return false
	}
	if !m.seen || d < m.min {
		m.min, m.seen = d, true
		return true
	}
	return false
}

// nftStringDistance is nft 1.0.6's string_distance, quirks included: it
// compares a[i] with b[j] one character late (reading the terminating
// NUL) and its table's rows overlap by one cell. nfsh reproduces it so
// its suggestions are nft's.
func nftStringDistance(a, b string) uint {
	la, lb := len(a), len(b)
	d := make([]uint, (la+1)*(lb+1))
	at := func(i, j int) int { return i*lb + j }
	ch := func(s string, i int) byte {
		if i < len(s) {
			return s[i]
		}
		return 0
	}
	for i := 0; i <= la; i++ {
		d[at(i, 0)] = uint(i)
	}
	for j := 0; j <= lb; j++ {
		d[at(0, j)] = uint(j)
	}
	for i := 1; i <= la; i++ {
		for j := 1; j <= lb; j++ {
			sub := uint(1)
			if ch(a, i) == ch(b, j) {
				sub = 0
			}
			v := min(d[at(i-1, j)]+1, d[at(i, j-1)]+1, d[at(i-1, j-1)]+sub)
			if i > 1 && j > 1 && ch(a, i) == ch(b, j-1) && ch(a, i-1) == ch(b, j) {
				v = min(v, d[at(i-2, j-2)]+sub)
			}
			d[at(i, j)] = v
		}
	}
	return d[at(la, lb)]
}
