package kernel

import (
	"fmt"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"

	"github.com/nfsh/nfsh/core/diag"
	"github.com/nfsh/nfsh/core/nfnl"
	"github.com/nfsh/nfsh/core/ruleset"
	"github.com/nfsh/nfsh/core/wire"
)

// ApplyOptions modify Apply.
type ApplyOptions struct {
	// Check sends the batch without committing it (like `nft -c`).
	Check bool
	// Persist treats every table the batch adds as Table.Persist: no
	// owner flag, so the tables outlive the socket (`nfsh apply`).
	Persist bool
	// GenID, when not nil, makes the kernel refuse the batch with ERESTART
	// if the ruleset generation changed (reconcile mode).
	GenID *uint32
	// Echo, when not nil, receives the kernel's notification of each
	// object the batch's add, create, insert and replace commands change,
	// as `nft -e` asks for them (NLM_F_ECHO; see echo.go), in the
	// kernel's order, then the NFT_MSG_NEWGEN of the commit when the
	// batch's first message came from such a command. A check commits
	// nothing and echoes nothing. core/monitor.EchoCommit decodes them.
	Echo func(nfnl.Msg)
}

// NLM_F_* flags nft uses.
const (
	fCreate  = unix.NLM_F_CREATE
	fExcl    = unix.NLM_F_EXCL
	fAppend  = unix.NLM_F_APPEND
	fReplace = unix.NLM_F_REPLACE
)

// encoder builds one batch and remembers which command each message
// came from.
type encoder struct {
	b       *nfnl.Batch
	tags    []tag
	feat    Features
	persist bool
	// existing holds the flags of tables already in the kernel, so that
	// `add table` on an existing table keeps its owner flag as it is.
	existing map[tableKey]uint32

	nextSetID uint32
	setIDs    map[setKey]uint32
	// fresh holds the tables this batch creates (they did not exist
	// before it): their anonymous sets are numbered here, as the kernel
	// would, in anonNext (per table and name template).
	fresh    map[tableKey]bool
	anonNext map[tableKey]map[string]int
	ruleIDs  map[*ruleset.Rule]uint32
	nextRule uint32

	// echo receives echoed messages (ApplyOptions.Echo); nil: no echo.
	echo func(nfnl.Msg)
}

type tableKey struct {
	fam  ruleset.Family
	name string
}

type setKey struct {
	fam   ruleset.Family
	table string
	name  string
}

func newEncoder(size int, feat Features) *encoder {
	b := nfnl.NewBatch(size)
	// Like nft, ask for no per-message acknowledgements: the kernel still
	// reports every refused message, and a large batch no longer makes it
	// build and queue one ack per message inside the commit's sendmsg.
	b.NoAck = true
	return &encoder{
		b:      b,
		feat:   feat,
		setIDs: map[setKey]uint32{},
	}
}

// note records the tag of every message added since n messages.
func (e *encoder) note(n int, tg tag) {
	for e.b.Len() > len(e.tags) {
		e.tags = append(e.tags, tg)
	}
	_ = n
}

// tableFlags returns NFTA_TABLE_FLAGS for t: its own flags (dormant)
// plus the owner flag unless the table persists.
func (e *encoder) tableFlags(t *ruleset.Table) uint32 {
	if f, ok := e.existing[tableKey{t.Family, t.Name}]; ok {
		return t.Flags&^(wire.TableOwner|wire.TablePersist) | f&(wire.TableOwner|wire.TablePersist)
	}
	f := t.Flags &^ (wire.TableOwner | wire.TablePersist)
	switch {
	case !t.Persist && !e.persist:
		f |= wire.TableOwner
	case e.feat.Persist && !e.persist:
		f |= wire.TableOwner | wire.TablePersist
	}
	return f
}

// setID returns the NFTA_SET_ID for a set created in this batch.
func (e *encoder) setID(fam ruleset.Family, table string, s *ruleset.Set) uint32 {
	id := s.ID
	if id == 0 {
		e.nextSetID++
		id = e.nextSetID
	}
	// a set added twice in one batch: later references (elements) carry
	// the id of the first, as nft finds that one in its cache
	if k := (setKey{fam, table, s.Name}); e.setIDs[k] == 0 {
		e.setIDs[k] = id
	}
	return id
}

// addSet appends NEWSET and the NEWSETELEM messages of its elements.
func (e *encoder) addSet(fam ruleset.Family, table string, s *ruleset.Set, nlflags uint16, tg tag) error {
	id := e.setID(fam, table, s)
	if _, err := wire.AddSet(e.b, fam, table, s, id, fCreate|nlflags); err != nil {
		return diag.Wrap(tg.op, s.Pos, err)
	}
	e.note(0, tg)
	if len(s.Elements) == 0 {
		return nil
	}
	return e.addElems(unix.NFT_MSG_NEWSETELEM, fam, table, s.Name, id, s.Elements, fCreate|nlflags, tg)
}

// addElems appends set element messages, tagging each with its
// elements; id is the NFTA_SET_ID of a set added in this batch, else 0.
func (e *encoder) addElems(typ uint16, fam ruleset.Family, table, set string, id uint32, elems []*ruleset.Element, nlflags uint16, tg tag) error {
	ref := wire.ElemsRef{Table: table, Set: set, SetID: id}
	msgs, firsts, err := wire.SetElems(e.b, typ, fam, ref, elems, nlflags)
	if err != nil {
		return diag.Wrap(tg.op, tg.pos, err)
	}
	for i := range msgs {
		end := len(elems)
		if i+1 < len(firsts) {
			end = firsts[i+1]
		}
		t := tg
		t.elems = elems[firsts[i]:end]
		e.tags = append(e.tags, t)
	}
	return nil
}

// addRule appends the rule's anonymous sets and the NEWRULE message.
func (e *encoder) addRule(fam ruleset.Family, table, chain string, r *ruleset.Rule, ref wire.RuleRef, nlflags uint16, tg tag) error {
	sent, sets := bindAnonSets(r, func() uint32 { e.nextSetID++; return e.nextSetID },
		func(s *ruleset.Set) string { return e.anonName(fam, table, s) },
		func(name string) uint32 { return e.setIDs[setKey{fam, table, name}] })
	if len(sets) > 0 {
		for _, s := range sets {
			st := tg
			st.rule = nil
			if err := e.addSet(fam, table, s, 0, st); err != nil {
				return err
			}
		}
	}
	if id, ok := e.ruleIDs[r]; ok {
		ref.ID = id
	}
	if _, err := wire.AddRule(e.b, fam, table, chain, sent, ref, nlflags); err != nil {
		return diag.Wrap(tg.op, r.Pos, err)
	}
	tg.rule = r
	e.tags = append(e.tags, tg)
	return nil
}

// send commits (or checks) the batch and maps errors to commands.
func (e *encoder) send(c *nfnl.Conn, check bool) error {
	if e.b.Len() == 0 {
		return nil
	}
	_, err := c.SendBatch(e.b, nfnl.SendOptions{Check: check, Echo: e.echoFunc()})
	if err != nil {
		return mapErrors(err, e.b, e.tags)
	}
	return nil
}

// Apply commits cmds as ONE atomic batch: either all take effect or none.
// A kernel refusal is returned as a *diag.Error naming the command's
// source position, its object and the kernel's reason (AllErrors lists
// every refused message).
func Apply(c *nfnl.Conn, cmds []ruleset.Command, opts ApplyOptions) error {
	// With Persist the owner and persist flags are never sent: only the
	// destroy messages need probing (see Probe).
	var feat Features
	var err error
	if opts.Persist {
		feat.Destroy, err = probeDestroy(c)
	} else {
		feat, err = Probe(c)
	}
	if err != nil {
		return err
	}
	e := newEncoder(0, feat)
	e.persist = opts.Persist
	e.echo = opts.Echo
	if opts.GenID != nil {
		e.b.SetGenID(*opts.GenID)
	}
	if !opts.Check {
		// A check sends nothing that changes state: resets are skipped.
		if err := resetObjects(c, cmds); err != nil {
			return err
		}
	}
	e.prescan(cmds)
	if needsTables(cmds) {
		if e.existing, err = existingTables(c); err != nil {
			return err
		}
	}
	for i := range cmds {
		if err := e.command(i, &cmds[i]); err != nil {
			return err
		}
	}
	return e.send(c, opts.Check)
}

// prescan assigns set ids above every id the commands carry, and rule
// ids to rules other rules are placed against.
func (e *encoder) prescan(cmds []ruleset.Command) {
	bump := func(s *ruleset.Set) {
		if s != nil && s.ID > e.nextSetID {
			e.nextSetID = s.ID
		}
	}
	for i := range cmds {
		c := &cmds[i]
		bump(c.Set)
		if c.Rule != nil {
			for _, s := range c.Rule.Sets {
				bump(s)
			}
		}
		if c.PositionRule != nil {
			if e.ruleIDs == nil {
				e.ruleIDs = map[*ruleset.Rule]uint32{}
			}
			if _, ok := e.ruleIDs[c.PositionRule]; !ok {
				e.nextRule++
				e.ruleIDs[c.PositionRule] = e.nextRule
			}
		}
	}
}

func needsTables(cmds []ruleset.Command) bool {
	for i := range cmds {
		if cmds[i].Kind == ruleset.KindTable && (cmds[i].Op == ruleset.OpAdd || cmds[i].Op == ruleset.OpCreate) {
			return true
		}
	}
	return false
}

// existingTables dumps the tables' flags.
func existingTables(c *nfnl.Conn) (map[tableKey]uint32, error) {
	m := map[tableKey]uint32{}
	err := c.Dump(nfnl.DumpRequest{Type: unix.NFT_MSG_GETTABLE, Reset: func() { clear(m) }}, func(msg nfnl.Msg) error {
		t, err := wire.DecodeTable(msg.Family, msg.Attrs)
		if err != nil {
			return err
		}
		m[tableKey{t.Family, t.Name}] = t.Flags
		return nil
	})
	return m, err
}

// command encodes one command.
func (e *encoder) command(i int, c *ruleset.Command) error {
	tg := tag{cmd: i, op: c.Op.String() + " " + c.Kind.String(), object: c.Describe(), pos: c.Pos, text: c.Text}
	e.b.Echo = e.echo != nil && echoes(c.Op)
	fail := func(format string, args ...any) error {
		return &diag.Error{Op: tg.op, Pos: c.Pos, Object: tg.object, Msg: fmt.Sprintf(format, args...)}
	}
	excl := uint16(0)
	if c.Op == ruleset.OpCreate {
		excl = fExcl
	}
	delType := func(del, destroy uint16) (uint16, error) {
		if c.Op == ruleset.OpDelete {
			return del, nil
		}
		if !e.feat.Destroy {
			return 0, fail("destroy needs Linux >= 6.3 (NFT_MSG_DESTROY*)")
		}
		return destroy, nil
	}
	isAdd := c.Op == ruleset.OpAdd || c.Op == ruleset.OpCreate
	isDel := c.Op == ruleset.OpDelete || c.Op == ruleset.OpDestroy
	if c.Op == ruleset.OpReset {
		return nil // done before the batch (resetObjects)
	}
	switch c.Kind {
	case ruleset.KindRuleset:
		if c.Op != ruleset.OpFlush {
			return fail("unsupported operation")
		}
		wire.DelTable(e.b, unix.NFT_MSG_DELTABLE, c.Family, "", 0)
	case ruleset.KindTable:
		switch {
		case isAdd:
			t := c.TableObj
			if t == nil {
				t = &ruleset.Table{}
			}
			if _, ok := e.existing[tableKey{c.Family, c.Table}]; e.existing != nil && !ok {
				e.markFresh(c.Family, c.Table)
			}
			tt := *t
			tt.Family, tt.Name = c.Family, c.Table
			wire.AddTable(e.b, &tt, e.tableFlags(&tt), excl)
		case isDel:
			typ, err := delType(unix.NFT_MSG_DELTABLE, wire.MsgDestroyTable)
			if err != nil {
				return err
			}
			wire.DelTable(e.b, typ, c.Family, c.Table, c.Handle)
		case c.Op == ruleset.OpFlush:
			wire.DelRule(e.b, unix.NFT_MSG_DELRULE, c.Family, c.Table, "", 0)
		default:
			return fail("unsupported operation")
		}
	case ruleset.KindChain:
		switch {
		case isAdd:
			if c.ChainObj == nil {
				return fail("no chain given")
			}
			ch := *c.ChainObj
			if c.Chain != "" {
				ch.Name = c.Chain
			}
			if c.Policy != nil && ch.Hook == nil {
				wire.UpdateChainPolicy(e.b, c.Family, c.Table, &ch, *c.Policy, fCreate|excl)
				break
			}
			wire.AddChain(e.b, c.Family, c.Table, &ch, fCreate|excl)
		case c.Op == ruleset.OpRename:
			if c.Handle == 0 || c.NewName == "" {
				return fail("rename needs the chain's handle and its new name")
			}
			wire.RenameChain(e.b, c.Family, c.Table, c.Handle, c.NewName)
		case isDel:
			typ, err := delType(unix.NFT_MSG_DELCHAIN, wire.MsgDestroyChain)
			if err != nil {
				return err
			}
			wire.DelChain(e.b, typ, c.Family, c.Table, c.Chain, c.Handle)
		case c.Op == ruleset.OpFlush:
			wire.DelRule(e.b, unix.NFT_MSG_DELRULE, c.Family, c.Table, c.Chain, 0)
		default:
			return fail("unsupported operation")
		}
	case ruleset.KindRule:
		switch c.Op {
		case ruleset.OpAdd, ruleset.OpCreate, ruleset.OpInsert, ruleset.OpReplace:
			if c.Rule == nil {
				return fail("no rule given")
			}
			if c.Rule.Pos.IsValid() {
				tg.pos = c.Rule.Pos
			}
			ref := wire.RuleRef{Position: c.Position}
			if c.PositionRule != nil {
				ref.PositionID = e.ruleIDs[c.PositionRule]
			}
			flags := uint16(fCreate | fAppend)
			switch c.Op {
			case ruleset.OpInsert:
				flags = fCreate
			case ruleset.OpReplace:
				flags, ref.Handle, ref.Position = fReplace, c.Handle, 0
			}
			return e.addRule(c.Family, c.Table, c.Chain, c.Rule, ref, flags, tg)
		case ruleset.OpDelete, ruleset.OpDestroy:
			typ, err := delType(unix.NFT_MSG_DELRULE, wire.MsgDestroyRule)
			if err != nil {
				return err
			}
			wire.DelRule(e.b, typ, c.Family, c.Table, c.Chain, c.Handle)
		default:
			return fail("unsupported operation")
		}
	case ruleset.KindSet:
		switch {
		case isAdd:
			if c.Set == nil {
				return fail("no set given")
			}
			return e.addSet(c.Family, c.Table, c.Set, excl, tg)
		case isDel:
			typ, err := delType(unix.NFT_MSG_DELSET, wire.MsgDestroySet)
			if err != nil {
				return err
			}
			wire.DelSet(e.b, typ, c.Family, c.Table, c.Name, c.Handle)
			delete(e.setIDs, setKey{c.Family, c.Table, c.Name})
		case c.Op == ruleset.OpFlush:
			e.tags = append(e.tags, tg)
			_, _, err := wire.SetElems(e.b, unix.NFT_MSG_DELSETELEM, c.Family, wire.ElemsRef{Table: c.Table, Set: c.Name}, nil, 0)
			return err
		default:
			return fail("unsupported operation")
		}
	case ruleset.KindElements:
		switch {
		case isAdd:
			return e.addElems(unix.NFT_MSG_NEWSETELEM, c.Family, c.Table, c.Name, e.setIDs[setKey{c.Family, c.Table, c.Name}], c.Elements, fCreate|excl, tg)
		case isDel:
			typ, err := delType(unix.NFT_MSG_DELSETELEM, wire.MsgDestroySetElem)
			if err != nil {
				return err
			}
			// nft 1.0.6 names the set of a deletion by name only
			return e.addElems(typ, c.Family, c.Table, c.Name, 0, c.Elements, 0, tg)
		default:
			return fail("unsupported operation")
		}
	case ruleset.KindObject:
		switch {
		case isAdd:
			if c.Object == nil {
				return fail("no object given")
			}
			wire.AddObj(e.b, c.Family, c.Table, c.Object, fCreate|excl)
		case isDel:
			typ, err := delType(unix.NFT_MSG_DELOBJ, wire.MsgDestroyObj)
			if err != nil {
				return err
			}
			ot, name := c.ObjType, c.Name
			if c.Object != nil {
				ot = c.Object.Type
				if name == "" {
					name = c.Object.Name
				}
			}
			wire.DelObj(e.b, typ, c.Family, c.Table, ot, name, c.Handle)
		default:
			return fail("unsupported operation")
		}
	case ruleset.KindFlowtable:
		switch {
		case isAdd:
			if c.Flowtable == nil {
				return fail("no flowtable given")
			}
			wire.AddFlowtable(e.b, c.Family, c.Table, c.Flowtable, fCreate|excl)
		case isDel:
			typ, err := delType(unix.NFT_MSG_DELFLOWTABLE, wire.MsgDestroyFlowtable)
			if err != nil {
				return err
			}
			wire.DelFlowtable(e.b, typ, c.Family, c.Table, c.Name, c.Handle)
		default:
			return fail("unsupported operation")
		}
	default:
		return fail("unknown command kind")
	}
	e.note(0, tg)
	return nil
}

// markFresh records that the batch creates table fam/name anew.
func (e *encoder) markFresh(fam ruleset.Family, name string) {
	if e.fresh == nil {
		e.fresh = map[tableKey]bool{}
	}
	e.fresh[tableKey{fam, name}] = true
}

// anonName is the name sent for an anonymous set of table fam/name: in a
// table this batch creates, the name the kernel would give it ("__set0",
// "__set1", ... per template, in batch order); elsewhere the template.
func (e *encoder) anonName(fam ruleset.Family, table string, s *ruleset.Set) string {
	tmpl := anonTemplate(s)
	k := tableKey{fam, table}
	if !e.fresh[k] {
		return tmpl
	}
	if e.anonNext == nil {
		e.anonNext = map[tableKey]map[string]int{}
	}
	if e.anonNext[k] == nil {
		e.anonNext[k] = map[string]int{}
	}
	n := e.anonNext[k][tmpl]
	e.anonNext[k][tmpl] = n + 1
	return strings.Replace(tmpl, "%d", strconv.Itoa(n), 1)
}
