package kernel

import (
	"errors"
	"sync/atomic"

	"golang.org/x/sys/unix"

	"github.com/nfsh/nfsh/core/diag"
	"github.com/nfsh/nfsh/core/expr"
	"github.com/nfsh/nfsh/core/nfnl"
	"github.com/nfsh/nfsh/core/ruleset"
	"github.com/nfsh/nfsh/core/wire"
)

// PullOptions select what Pull dumps.
type PullOptions struct {
	Family ruleset.Family // FamilyUnspec for all families
	Table  string         // "" for all tables (of Family)
	// Scope, when not nil, limits the pull to declarations plus what it
	// names: tables, chains, named sets, objects and flowtables are all
	// read, but elements only of those Scope.Sets that are interval sets
	// (the only ones whose elements compiling a change reads: overlaps,
	// merges, deletes of ranges) and rules only of Scope.Chains;
	// anonymous sets are left out. For compiling a script against the
	// kernel (see core/compile.ScriptNeeds), not for listing.
	Scope *Scope
}

// Scope names the sets whose elements and the chains whose rules a
// scoped pull reads.
type Scope struct {
	Sets, Chains []ScopeRef
}

// ScopeRef names a set or chain: family, table and name.
type ScopeRef struct {
	Family      ruleset.Family
	Table, Name string
}

// maxPullRetries bounds how often Pull starts over when the ruleset
// changes while it is being dumped.
const maxPullRetries = 10

// Pull dumps the ruleset (or one table) into a *ruleset.Ruleset: tables,
// chains, named sets with their elements, objects, flowtables and rules,
// with anonymous sets attached to the rules that use them. The result is
// consistent: Pull starts over when the generation id changes during the
// dumps or a dump is interrupted.
func Pull(c *nfnl.Conn, opts PullOptions) (*ruleset.Ruleset, error) {
	for try := 0; ; try++ {
		gen0, err := c.GenID()
		if err != nil {
			return nil, err
		}
		rs, err := pullOnce(c, opts)
		if err == nil {
			gen1, gerr := c.GenID()
			if gerr != nil {
				return nil, gerr
			}
			if gen1 == gen0 {
				return rs, nil
			}
			err = &diag.Error{Op: "pull", Err: nfnl.ErrDumpInterrupted}
		}
		if !errors.Is(err, nfnl.ErrDumpInterrupted) || try >= maxPullRetries {
			return nil, err
		}
	}
}

type pullState struct {
	opts   PullOptions
	rs     *ruleset.Ruleset
	tables map[tableKey]*ruleset.Table
	chains map[objKey]*ruleset.Chain
	// anon holds anonymous sets per family/table/name until rules claim them.
	anon map[objKey]*ruleset.Set
	sets []setAt
}

type setAt struct {
	t *ruleset.Table
	s *ruleset.Set
}

// objKey names a chain or set: family, table and name.
type objKey struct {
	fam         ruleset.Family
	table, name string
}

func key3(f ruleset.Family, table, name string) objKey { return objKey{f, table, name} }

func (p *pullState) table(f ruleset.Family, name string) *ruleset.Table {
	if p.opts.Table != "" && name != p.opts.Table {
		return nil
	}
	return p.tables[tableKey{f, name}]
}

func pullOnce(c *nfnl.Conn, opts PullOptions) (*ruleset.Ruleset, error) {
	p := &pullState{
		opts:   opts,
		rs:     &ruleset.Ruleset{},
		tables: map[tableKey]*ruleset.Table{},
		chains: map[objKey]*ruleset.Chain{},
		anon:   map[objKey]*ruleset.Set{},
	}
	fam := uint8(opts.Family)
	dump := func(typ uint16, attrs []byte, fn func(nfnl.Msg) error) error {
		return c.Dump(nfnl.DumpRequest{Type: typ, Family: fam, Attrs: attrs}, fn)
	}
	if err := dump(unix.NFT_MSG_GETTABLE, nil, func(m nfnl.Msg) error {
		t, err := wire.DecodeTable(m.Family, m.Attrs)
		if err != nil {
			return err
		}
		if opts.Table != "" && t.Name != opts.Table {
			return nil
		}
		p.rs.Tables = append(p.rs.Tables, t)
		p.tables[tableKey{t.Family, t.Name}] = t
		return nil
	}); err != nil {
		return nil, err
	}
	if len(p.rs.Tables) == 0 {
		return p.rs, nil
	}
	tf := tableFilter(opts.Table)
	if err := dump(unix.NFT_MSG_GETCHAIN, tf, func(m nfnl.Msg) error {
		tn, ch, err := wire.DecodeChain(m.Attrs)
		if err != nil {
			return err
		}
		if t := p.table(ruleset.Family(m.Family), tn); t != nil {
			t.Chains = append(t.Chains, ch)
			p.chains[key3(t.Family, tn, ch.Name)] = ch
		}
		return nil
	}); err != nil {
		return nil, err
	}
	if err := dump(unix.NFT_MSG_GETSET, tf, func(m nfnl.Msg) error {
		tn, s, err := wire.DecodeSet(m.Attrs)
		if err != nil {
			return err
		}
		t := p.table(ruleset.Family(m.Family), tn)
		if t == nil {
			return nil
		}
		if opts.Scope != nil {
			if !s.Anonymous() {
				t.Sets = append(t.Sets, s)
				if s.Flags&ruleset.SetInterval != 0 && opts.Scope.hasSet(t.Family, tn, s.Name) {
					p.sets = append(p.sets, setAt{t, s})
				}
			}
			return nil
		}
		if s.Anonymous() {
			p.anon[key3(t.Family, tn, s.Name)] = s
		} else {
			t.Sets = append(t.Sets, s)
		}
		p.sets = append(p.sets, setAt{t, s})
		return nil
	}); err != nil {
		return nil, err
	}
	elems := p.startElems(c)
	if err := p.pullRest(c, dump); err != nil {
		elems.wait(c)
		return nil, err
	}
	if err := elems.wait(c); err != nil {
		return nil, err
	}
	return p.rs, nil
}

// parallelElemSets is the number of sets whose elements are worth a
// second socket: the kernel builds dump data inside recvmsg, so two
// sockets dumping at once use two CPUs.
const parallelElemSets = 2

// elemWork dumps the elements of a list of sets on up to two sockets.
type elemWork struct {
	todo []setAt
	next atomic.Int64
	done chan error // the clone's result; nil when there is no clone
	c2   *nfnl.Conn
}

// startElems begins dumping the elements of p.sets not served from the
// anonymous-set cache: on a clone of c in the background while c dumps
// objects, flowtables and rules, after which c helps (wait).
func (p *pullState) startElems(c *nfnl.Conn) *elemWork {
	w := &elemWork{}
	for _, sa := range p.sets {
		if !cachedAnonElems(c, sa.t, sa.s) {
			w.todo = append(w.todo, sa)
		}
	}
	if len(w.todo) < parallelElemSets {
		return w
	}
	c2, err := c.Clone()
	if err != nil {
		return w // c does all the work
	}
	w.c2, w.done = c2, make(chan error, 1)
	go func() { w.done <- w.run(c, c2) }()
	return w
}

// run dumps sets from the shared queue on conn until it is empty.
func (w *elemWork) run(c, conn *nfnl.Conn) error {
	for {
		i := int(w.next.Add(1) - 1)
		if i >= len(w.todo) {
			return nil
		}
		sa := w.todo[i]
		if err := pullElems(conn, sa.t, sa.s); err != nil {
			w.next.Store(int64(len(w.todo))) // stop the other socket too
			return err
		}
		cacheAnonElems(c, sa.t, sa.s)
	}
}

// wait dumps the remaining sets on c, waits for the clone and closes it.
func (w *elemWork) wait(c *nfnl.Conn) error {
	err := w.run(c, c)
	if w.done != nil {
		if err2 := <-w.done; err == nil {
			err = err2
		}
		c.AddStats(w.c2.Stats())
		w.c2.Close()
		w.done = nil
	}
	return err
}

// pullRest dumps objects, flowtables and rules.
func (p *pullState) pullRest(c *nfnl.Conn, dump func(uint16, []byte, func(nfnl.Msg) error) error) error {
	opts := p.opts
	tf := tableFilter(opts.Table)
	if err := dump(unix.NFT_MSG_GETOBJ, tf, func(m nfnl.Msg) error {
		tn, o, err := wire.DecodeObj(m.Attrs)
		if err != nil {
			return err
		}
		if t := p.table(ruleset.Family(m.Family), tn); t != nil {
			t.Objects = append(t.Objects, o)
		}
		return nil
	}); err != nil {
		return err
	}
	if err := dump(unix.NFT_MSG_GETFLOWTABLE, tf, func(m nfnl.Msg) error {
		tn, f, err := wire.DecodeFlowtable(m.Attrs)
		if err != nil {
			return err
		}
		if t := p.table(ruleset.Family(m.Family), tn); t != nil {
			t.Flowtables = append(t.Flowtables, f)
		}
		return nil
	}); err != nil && !errors.Is(err, unix.EOPNOTSUPP) {
		return err
	}
	if opts.Scope != nil {
		return p.pullScopedRules(c)
	}
	if err := dump(unix.NFT_MSG_GETRULE, tf, func(m nfnl.Msg) error {
		tn, cn, r, err := wire.DecodeRule(m.Attrs)
		if err != nil {
			return err
		}
		if p.table(ruleset.Family(m.Family), tn) == nil {
			return nil
		}
		ch := p.chains[key3(ruleset.Family(m.Family), tn, cn)]
		if ch == nil {
			return nil // chain created after the chain dump; the genid check retries
		}
		p.attachSets(ruleset.Family(m.Family), tn, r)
		ch.Rules = append(ch.Rules, r)
		return nil
	}); err != nil {
		return err
	}
	return nil
}

// hasSet reports whether the scope names the set.
func (sc *Scope) hasSet(f ruleset.Family, table, name string) bool {
	for _, r := range sc.Sets {
		if r.Family == f && r.Table == table && r.Name == name {
			return true
		}
	}
	return false
}

// pullScopedRules dumps the rules of the scope's chains that exist, each
// chain on its own (NFTA_RULE_TABLE and NFTA_RULE_CHAIN filter the dump).
func (p *pullState) pullScopedRules(c *nfnl.Conn) error {
	for _, r := range p.opts.Scope.Chains {
		ch := p.chains[key3(r.Family, r.Table, r.Name)]
		if ch == nil || len(ch.Rules) > 0 {
			continue // not there, or named twice
		}
		filter := append(attrString(1, r.Table), attrString(2, r.Name)...) // NFTA_RULE_TABLE, NFTA_RULE_CHAIN
		err := c.Dump(nfnl.DumpRequest{Type: unix.NFT_MSG_GETRULE, Family: uint8(r.Family), Attrs: filter}, func(m nfnl.Msg) error {
			tn, cn, rule, err := wire.DecodeRule(m.Attrs)
			if err != nil {
				return err
			}
			if ruleset.Family(m.Family) == r.Family && tn == r.Table && cn == r.Name {
				ch.Rules = append(ch.Rules, rule)
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// tableFilter returns the NFTA_*_TABLE attribute (type 1 for chains,
// sets, rules, objects and flowtables) that limits a dump to table, or nil.
func tableFilter(table string) []byte {
	if table == "" {
		return nil
	}
	return attrString(1, table)
}

// attrString encodes a NUL-terminated string attribute, padded.
func attrString(typ uint16, v string) []byte {
	n := len(v) + 1
	b := []byte{byte(4 + n), byte((4 + n) >> 8), byte(typ), byte(typ >> 8)}
	b = append(b, v...)
	b = append(b, 0)
	for len(b)%4 != 0 {
		b = append(b, 0)
	}
	return b
}

// attachSets moves the anonymous sets r refers to onto r.Sets.
func (p *pullState) attachSets(f ruleset.Family, table string, r *ruleset.Rule) {
	for _, x := range r.Exprs {
		var name string
		switch e := x.(type) {
		case *expr.Lookup:
			name = e.SetName
		case *expr.Dynset:
			name = e.SetName
		case *expr.Objref:
			name = e.SetName
		default:
			continue
		}
		k := key3(f, table, name)
		if s, ok := p.anon[k]; ok {
			r.Sets = append(r.Sets, s)
			delete(p.anon, k)
		}
	}
}

// pullElems dumps the elements of one set.
func pullElems(c *nfnl.Conn, t *ruleset.Table, s *ruleset.Set) error {
	b := append(attrString(1, t.Name), attrString(2, s.Name)...) // NFTA_SET_ELEM_LIST_TABLE, NFTA_SET_ELEM_LIST_SET
	return c.Dump(nfnl.DumpRequest{Type: unix.NFT_MSG_GETSETELEM, Family: uint8(t.Family), Attrs: b}, func(m nfnl.Msg) error {
		_, elems, err := wire.DecodeSetElems(m.Attrs)
		if err != nil {
			return err
		}
		s.Elements = append(s.Elements, elems...)
		return nil
	})
}
