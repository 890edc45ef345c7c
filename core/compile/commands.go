package compile

import (
	"strconv"

	"github.com/nfsh/nfsh/core/ast"
	"github.com/nfsh/nfsh/core/diag"
	"github.com/nfsh/nfsh/core/eval"
	"github.com/nfsh/nfsh/core/expr"
	"github.com/nfsh/nfsh/core/linearize"
	"github.com/nfsh/nfsh/core/ruleset"
	"github.com/nfsh/nfsh/core/types"
)

func errAt(n ast.Node, format string, args ...any) error {
	e := diag.Errorf(n.Pos(), format, args...)
	e.Op = "eval"
	return e
}

var ops = map[ast.Op]ruleset.Op{
	ast.OpAdd: ruleset.OpAdd, ast.OpCreate: ruleset.OpCreate, ast.OpInsert: ruleset.OpInsert,
	ast.OpReplace: ruleset.OpReplace, ast.OpDelete: ruleset.OpDelete, ast.OpDestroy: ruleset.OpDestroy,
	ast.OpFlush: ruleset.OpFlush, ast.OpReset: ruleset.OpReset, ast.OpRename: ruleset.OpRename,
}

func (c *Compiler) family(cmd *ast.Command) (ruleset.Family, error) {
	if cmd.Spec.Family == "" {
		return ruleset.FamilyIP, nil
	}
	f, ok := ruleset.ParseFamily(cmd.Spec.Family)
	if !ok {
		return 0, errAt(cmd, "unknown family %s", cmd.Spec.Family)
	}
	return f, nil
}

func identName(i *ast.Ident) string {
	if i == nil {
		return ""
	}
	return i.Name
}

func (c *Compiler) emit(cmd ruleset.Command) { c.out = append(c.out, cmd) }

func (c *Compiler) command(cmd *ast.Command) error {
	op, ok := ops[cmd.Op]
	if !ok {
		// list, monitor, describe... produce no kernel commands here
		return nil
	}
	if cmd.Obj == ast.ObjRuleset {
		// `flush ruleset FAMILY` removes that family's tables only.
		fam := ruleset.FamilyUnspec
		if cmd.Spec.Family != "" {
			f, err := c.family(cmd)
			if err != nil {
				return err
			}
			fam = f
		}
		if op == ruleset.OpFlush {
			if fam == ruleset.FamilyUnspec {
				c.flushed = true
			} else {
				if c.flushedFams == nil {
					c.flushedFams = map[ruleset.Family]bool{}
				}
				c.flushedFams[fam] = true
			}
			for _, ts := range c.tables {
				if fam == ruleset.FamilyUnspec || ts.fam == fam {
					ts.clear()
					ts.gone = true
				}
			}
		}
		c.emit(ruleset.Command{Op: op, Kind: ruleset.KindRuleset, Pos: cmd.Pos(), Family: fam})
		return nil
	}
	if cmd.Op == ast.OpReset && (cmd.Obj == ast.ObjCounters || cmd.Obj == ast.ObjQuotas) {
		return c.resetAll(op, cmd)
	}
	fam, err := c.family(cmd)
	if err != nil {
		return err
	}
	tname := identName(cmd.Spec.Table)
	base := ruleset.Command{Op: op, Pos: cmd.Pos(), Family: fam, Table: tname}
	if cmd.Spec.Handle != nil {
		base.Handle = cmd.Spec.Handle.V
	}
	switch cmd.Obj {
	case ast.ObjTable:
		return c.tableCmd(base, cmd)
	case ast.ObjChain:
		base.Kind = ruleset.KindChain
		base.Chain = identName(cmd.Spec.Chain)
		if cmd.Spec.Chain != nil {
			base.Pos = cmd.Spec.Chain.Pos()
		}
		if cmd.Spec.Handle != nil {
			base.Handle = cmd.Spec.Handle.V
		}
		if err := c.checkTable(fam, cmd); err != nil {
			return err
		}
		if cmd.Op == ast.OpRename {
			return c.renameChain(base, cmd)
		}
		if cmd.Op != ast.OpAdd && cmd.Op != ast.OpCreate {
			ts := c.table(fam, tname)
			if cmd.Op == ast.OpDelete || cmd.Op == ast.OpDestroy {
				delete(ts.chains, base.Chain)
			}
			c.emit(base)
			return nil
		}
		if err := checkName(cmd.Spec.Chain, cmd.Pos(), "chain", base.Chain); err != nil {
			return err
		}
		ch, err := c.chain(fam, base.Chain, cmd.Chain)
		if err != nil {
			return err
		}
		if cmd.Spec.Chain != nil {
			ch.Pos = cmd.Spec.Chain.Pos()
		}
		if base.Policy, err = c.declareChain(c.table(fam, tname), ch, cmd.Chain); err != nil {
			return err
		}
		base.ChainObj = ch
		c.emit(base)
		if cmd.Chain != nil {
			for _, r := range cmd.Chain.Rules {
				if err := c.ruleCmd(ruleset.Command{Op: ruleset.OpAdd, Kind: ruleset.KindRule, Pos: r.Pos(), Family: fam, Table: tname, Chain: ch.Name}, r); err != nil {
					if err := c.keepGoing(err); err != nil {
						return err
					}
				}
			}
		}
		return nil
	case ast.ObjRule:
		base.Kind = ruleset.KindRule
		base.Chain = identName(cmd.Spec.Chain)
		if cmd.Spec.Handle != nil {
			base.Handle = cmd.Spec.Handle.V
			if cmd.Op == ast.OpAdd || cmd.Op == ast.OpInsert {
				base.Position, base.Handle = base.Handle, 0
			}
		}
		if cmd.Spec.Position != nil {
			base.Position = cmd.Spec.Position.V
		}
		if err := c.checkTable(fam, cmd); err != nil {
			return err
		}
		if err := c.checkChain(fam, cmd); err != nil {
			return err
		}
		if cmd.Spec.Index != nil {
			ref, err := c.ruleIndex(fam, tname, base.Chain, cmd.Spec.Index)
			if err != nil {
				return err
			}
			base.Position, base.PositionRule = ref.handle, ref.rule
		}
		if cmd.Rule == nil {
			c.emit(base)
			return nil
		}
		return c.ruleCmd(base, cmd.Rule)
	case ast.ObjSet, ast.ObjMap:
		base.Kind = ruleset.KindSet
		base.Name = identName(cmd.Spec.Name)
		if err := c.checkTable(fam, cmd); err != nil {
			return err
		}
		if cmd.Set == nil {
			c.emit(base)
			return nil
		}
		return c.setCmd(base, cmd.Set)
	case ast.ObjElement:
		base.Kind = ruleset.KindElements
		base.Name = identName(cmd.Spec.Name)
		if err := c.checkTable(fam, cmd); err != nil {
			return err
		}
		ts := c.table(fam, tname)
		si := ts.sets[base.Name]
		if si == nil {
			at := ast.Node(cmd)
			if cmd.Spec.Name != nil {
				at = cmd.Spec.Name
			}
			if c.checkable(ts) || ts.known {
				return errAt(at, "unknown set '%s' in table %s %s", base.Name, fam, tname)
			}
			return errAt(at, "set %s is not declared in this script; its type is unknown", base.Name)
		}
		if err := c.checkJumps(ts, cmd.Elements); err != nil {
			return err
		}
		if ivs := c.ivSetFor(fam, ts, si); ivs != nil {
			return c.ivElementsCmd(base, ivs, cmd.Elements, cmd.Op)
		}
		els, err := c.elements(fam, ts, si, cmd.Elements, cmd.Op == ast.OpDelete || cmd.Op == ast.OpDestroy)
		if err != nil {
			return err
		}
		base.Elements = els
		c.emit(base)
		return nil
	case ast.ObjCounter, ast.ObjQuota, ast.ObjLimit, ast.ObjSecmark, ast.ObjSynproxy,
		ast.ObjCtHelper, ast.ObjCtTimeout, ast.ObjCtExpect:
		base.Kind = ruleset.KindObject
		base.Name = identName(cmd.Spec.Name)
		base.ObjType = linearize.ObjTypes[cmd.Obj]
		if cmd.Spec.Handle != nil {
			base.Handle = cmd.Spec.Handle.V
		}
		if err := c.checkTable(fam, cmd); err != nil {
			return err
		}
		if cmd.Op != ast.OpAdd && cmd.Op != ast.OpCreate {
			c.emit(base)
			return nil
		}
		if err := checkName(cmd.Spec.Name, cmd.Pos(), "object", base.Name); err != nil {
			return err
		}
		o := cmd.Object
		if o == nil {
			o = &ast.Object{Loc: cmd.Loc, Kind: cmd.Obj}
		}
		obj, err := c.object(fam, base.Name, o)
		if err != nil {
			return err
		}
		c.table(fam, tname).objs[objKey{obj.Type, obj.Name}] = true
		base.Object = obj
		c.emit(base)
		return nil
	case ast.ObjFlowtable:
		base.Kind = ruleset.KindFlowtable
		base.Name = identName(cmd.Spec.Name)
		if cmd.Spec.Handle != nil {
			base.Handle = cmd.Spec.Handle.V
		}
		if cmd.Op != ast.OpAdd && cmd.Op != ast.OpCreate {
			c.emit(base)
			return nil
		}
		ft, err := c.flowtable(fam, base.Name, cmd.Flowtable, cmd)
		if err != nil {
			return err
		}
		base.Flowtable = ft
		c.emit(base)
		return nil
	}
	return errAt(cmd, "%s %s is not supported yet", cmd.Op, cmd.Obj)
}

func (c *Compiler) tableCmd(base ruleset.Command, cmd *ast.Command) error {
	base.Kind = ruleset.KindTable
	fam, tname := base.Family, base.Table
	c.table(fam, tname)
	if cmd.Spec.Table != nil {
		// the kernel's table errors (EEXIST, ENOENT) are about the name
		base.Pos = cmd.Spec.Table.Pos()
	}
	t := &ruleset.Table{Family: fam, Name: tname, Pos: base.Pos}
	base.TableObj = t
	if err := checkTableName(cmd.Spec.Table, cmd.Pos(), tname); err != nil {
		return err
	}
	ts := c.table(fam, tname)
	switch cmd.Op {
	case ast.OpDelete, ast.OpDestroy:
		ts.clear()
		ts.fresh = true
		ts.gone = true
	case ast.OpCreate:
		ts.fresh = true
		ts.gone, ts.added = false, true
	case ast.OpAdd:
		ts.gone, ts.added = false, true
	}
	if cmd.Table == nil || (cmd.Op != ast.OpAdd && cmd.Op != ast.OpCreate) {
		c.emit(base)
		return nil
	}
	tb := cmd.Table
	for _, f := range tb.Flags {
		if f.Name != "dormant" {
			e := diag.Errorf(f.Pos(), "unknown table option %s", f.Name)
			e.Op = "parse"
			return e
		}
		t.Flags |= 1 // NFT_TABLE_F_DORMANT
	}
	if tb.Comment != nil {
		t.Userdata = ruleset.UdataSet(nil, ruleset.UdataTableComment, append([]byte(tb.Comment.Text), 0))
	}
	c.emit(base)
	mk := func(k ruleset.Kind) ruleset.Command {
		return ruleset.Command{Op: ruleset.OpAdd, Kind: k, Family: fam, Table: tname}
	}
	// Like nft, an error in one declaration or rule of the block does not
	// stop the others (keepGoing); the rules of a chain that failed are
	// left out.
	chains := make([]*ruleset.Chain, len(tb.Chains))
	for i, ch := range tb.Chains {
		co, policy, err := c.blockChain(fam, tname, ch)
		if err != nil {
			if err := c.keepGoing(err); err != nil {
				return err
			}
			continue
		}
		x := mk(ruleset.KindChain)
		x.Pos, x.Chain, x.ChainObj, x.Policy = co.Pos, co.Name, co, policy
		c.emit(x)
		chains[i] = co
	}
	for _, o := range tb.Objects {
		name := identName(o.Name)
		obj, err := c.blockObject(fam, name, o)
		if err != nil {
			if err := c.keepGoing(err); err != nil {
				return err
			}
			continue
		}
		c.table(fam, tname).objs[objKey{obj.Type, obj.Name}] = true
		x := mk(ruleset.KindObject)
		x.Pos, x.Name, x.Object, x.ObjType = o.Pos(), name, obj, obj.Type
		c.emit(x)
	}
	for _, s := range tb.Sets {
		x := mk(ruleset.KindSet)
		x.Pos, x.Name = s.Pos(), identName(s.Name)
		if err := c.setCmd(x, s); err != nil {
			if err := c.keepGoing(err); err != nil {
				return err
			}
		}
	}
	for _, f := range tb.Flowtables {
		name := identName(f.Name)
		ft, err := c.flowtable(fam, name, f, f)
		if err != nil {
			if err := c.keepGoing(err); err != nil {
				return err
			}
			continue
		}
		x := mk(ruleset.KindFlowtable)
		x.Pos, x.Name, x.Flowtable = f.Pos(), name, ft
		c.emit(x)
	}
	for i, ch := range tb.Chains {
		if chains[i] == nil {
			continue
		}
		for _, r := range ch.Rules {
			x := mk(ruleset.KindRule)
			x.Pos, x.Chain = r.Pos(), chains[i].Name
			if err := c.ruleCmd(x, r); err != nil {
				if err := c.keepGoing(err); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// blockChain compiles and declares a chain of a table block.
func (c *Compiler) blockChain(fam ruleset.Family, tname string, ch *ast.Chain) (*ruleset.Chain, *uint32, error) {
	if err := checkName(ch.Name, ch.Pos(), "chain", identName(ch.Name)); err != nil {
		return nil, nil, err
	}
	co, err := c.chain(fam, identName(ch.Name), ch)
	if err != nil {
		return nil, nil, err
	}
	if ch.Name != nil {
		// the kernel's chain errors are about the chain: point at its name
		co.Pos = ch.Name.Pos()
	}
	policy, err := c.declareChain(c.table(fam, tname), co, ch)
	if err != nil {
		return nil, nil, err
	}
	return co, policy, nil
}

// blockObject compiles a stateful object of a table block.
func (c *Compiler) blockObject(fam ruleset.Family, name string, o *ast.Object) (*ruleset.Object, error) {
	if err := checkName(o.Name, o.Pos(), "object", name); err != nil {
		return nil, err
	}
	return c.object(fam, name, o)
}

func (c *Compiler) ruleCmd(base ruleset.Command, r *ast.Rule) error {
	rule, err := c.Rule(base.Family, base.Table, base.Chain, r)
	if err != nil {
		return err
	}
	if base.Op != ruleset.OpDelete && base.Op != ruleset.OpDestroy {
		if err := c.checkJumps(c.table(base.Family, base.Table), r); err != nil {
			return err
		}
		if err := c.checkObjRefs(c.table(base.Family, base.Table), r); err != nil {
			return err
		}
	}
	base.Rule = rule
	// Like nft (stmt_evaluate_set), a set statement makes the set it
	// updates dynamic (NFT_SET_EVAL) when the script declares that set.
	for _, e := range rule.Exprs {
		if d, ok := e.(*expr.Dynset); ok {
			if sd := c.table(base.Family, base.Table).decls[d.SetName]; sd != nil && sd.set != nil {
				sd.set.Flags |= ruleset.SetEval
			}
		}
	}
	c.trackRule(&base, rule)
	c.emit(base)
	return nil
}

// hookNames are the hook names nft's parser knows (chain_hookname_lookup);
// a known name a family lacks is an evaluation error.
var hookNames = map[string]bool{"prerouting": true, "input": true, "forward": true, "output": true, "postrouting": true, "ingress": true, "egress": true}

// chainTypes are the chain types nft's parser knows (chain_type_name_lookup).
var chainTypes = map[string]bool{"filter": true, "nat": true, "route": true}

var hookNums = map[string]uint32{"prerouting": 0, "input": 1, "forward": 2, "output": 3, "postrouting": 4, "ingress": 5}

// Priority names per family (nft's std_prios / bridge_std_prios).
var stdPrios = map[string]int32{"raw": -300, "mangle": -150, "dstnat": -100, "filter": 0, "security": 50, "srcnat": 100}
var bridgePrios = map[string]int32{"dstnat": -300, "filter": -200, "out": 100, "srcnat": 300}

func (c *Compiler) chain(fam ruleset.Family, name string, ch *ast.Chain) (*ruleset.Chain, error) {
	out := &ruleset.Chain{Name: name}
	if ch == nil {
		return out, nil
	}
	out.Pos = ch.Pos()
	if ch.Comment != nil {
		out.Userdata = ruleset.UdataSet(nil, ruleset.UdataChainComment, append([]byte(ch.Comment.Text), 0))
	}
	if ch.Hook == nil {
		// A policy without a hook updates an existing base chain
		// (declareChain).
		return out, nil
	}
	h := &ruleset.Hook{Type: "filter"}
	if ch.Type != nil {
		h.Type = ch.Type.Name
		if !chainTypes[h.Type] {
			return nil, errAt(ch.Type, "unknown chain type")
		}
	}
	hn := ch.Hook.Name
	if !hookNames[hn] {
		return nil, errAt(ch.Hook, "unknown chain hook")
	}
	unsupported := func() error {
		return errAt(ch.Hook, "The %s family does not support this hook", fam)
	}
	switch fam {
	case ruleset.FamilyNetdev:
		switch hn {
		case "ingress":
			h.Num = 0
		case "egress":
			h.Num = 1
		default:
			return nil, unsupported()
		}
	case ruleset.FamilyARP:
		switch hn {
		case "input":
			h.Num = 0
		case "output":
			h.Num = 1
		case "forward":
			h.Num = 2
		default:
			return nil, unsupported()
		}
	default:
		n, ok := hookNums[hn]
		if !ok || (n == 5 && fam != ruleset.FamilyInet) {
			return nil, unsupported()
		}
		h.Num = n
	}
	prio, err := c.priority(fam, h.Num, ch.Priority)
	if err != nil {
		return nil, err
	}
	h.Priority = prio
	needDev := fam == ruleset.FamilyNetdev || (fam == ruleset.FamilyInet && h.Num == 5)
	switch {
	case needDev && len(ch.Devices) == 0:
		return nil, errAt(ch, "Missing `device' in this chain definition")
	case !needDev && len(ch.Devices) > 0:
		return nil, errAt(ch.Devices[0], "This chain type cannot be bound to device")
	}
	for _, f := range ch.Flags {
		if f.Name != "offload" {
			return nil, errAt(f, "unknown chain flag %s", f.Name)
		}
		out.Flags |= 0x2 // NFT_CHAIN_HW_OFFLOAD
	}
	devs, err := deviceNames(ch.Devices)
	if err != nil {
		return nil, err
	}
	h.Devices = devs
	if ch.Policy != nil {
		if h.Policy, err = chainPolicy(ch.Policy); err != nil {
			return nil, err
		}
	}
	out.Hook = h
	return out, nil
}

// chainPolicy evaluates a chain's `policy accept|drop` to its verdict.
func chainPolicy(e ast.Expr) (*uint32, error) {
	s, err := exprName(e)
	if err != nil {
		return nil, err
	}
	var p uint32
	switch s {
	case "accept":
		p = 1 // NF_ACCEPT
	case "drop":
		p = 0 // NF_DROP
	default:
		return nil, errAt(e, "Could not parse policy")
	}
	return &p, nil
}

// declareChain records the chain co (compiled from ch, which may be nil)
// as declared in ts and returns the policy update it carries: a chain
// written without a hook but with a policy (`chain t c { policy drop; }`)
// sets the policy of an existing base chain, as nft sends it. Such a
// chain must be a base chain the compiler knows, or one it cannot know
// (no kernel state): then the kernel decides.
func (c *Compiler) declareChain(ts *tableState, co *ruleset.Chain, ch *ast.Chain) (*uint32, error) {
	prev, ok := ts.chains[co.Name]
	if !ok || co.Hook != nil {
		ts.chains[co.Name] = co
	}
	if ch == nil || ch.Hook != nil || ch.Policy == nil {
		return nil, nil
	}
	p, err := chainPolicy(ch.Policy)
	if err != nil {
		return nil, err
	}
	if (ok && prev.Hook != nil) || (!ok && !c.checkable(ts)) {
		return p, nil
	}
	// nft sends it and the kernel refuses it (EOPNOTSUPP)
	return nil, errAt(ch.Policy, "policy is only allowed in base chains")
}

// renameChain compiles `rename chain FAMILY TABLE CHAIN NEWNAME`. Like
// nft, it names the chain by the handle the kernel gave it; a chain the
// kernel does not hold (yet) cannot be renamed. As with nft 1.0.6, later
// commands of the script still know the chain by its old name only (the
// kernel renames it when the batch commits, so a rule added to the old
// name in the same batch lands in the renamed chain).
func (c *Compiler) renameChain(base ruleset.Command, cmd *ast.Command) error {
	if cmd.NewName == nil {
		return errAt(cmd, "rename needs a new chain name")
	}
	if err := checkName(cmd.NewName, cmd.NewName.Pos(), "chain", cmd.NewName.Name); err != nil {
		return err
	}
	base.NewName = cmd.NewName.Name
	if c.opts.Known == nil {
		// offline (fmt, bytecode): the chain is named by its old name
		c.emit(base)
		return nil
	}
	var known *ruleset.Chain
	if t := c.opts.Known.Table(base.Family, base.Table); t != nil {
		known = t.Chain(base.Chain)
	}
	ts := c.table(base.Family, base.Table)
	if _, ok := ts.chains[base.Chain]; !ok || known == nil || known.Handle == 0 {
		at := ast.Node(cmd)
		if cmd.Spec.Chain != nil {
			at = cmd.Spec.Chain
		}
		return checkErr(at.Pos(), "unknown chain '%s' in table %s %s", base.Chain, base.Family, base.Table)
	}
	base.Handle = known.Handle
	c.emit(base)
	return nil
}

// resetAll compiles `reset counters|quotas [FAMILY | table [FAMILY] NAME]`:
// a reset of every object of the kind, in every table of the family (all
// families when none is written) or in one table.
func (c *Compiler) resetAll(op ruleset.Op, cmd *ast.Command) error {
	typ := linearize.ObjTypes[ast.ObjCounter]
	if cmd.Obj == ast.ObjQuotas {
		typ = linearize.ObjTypes[ast.ObjQuota]
	}
	x := ruleset.Command{Op: op, Kind: ruleset.KindObject, Pos: cmd.Pos(), ObjType: typ, Table: identName(cmd.Spec.Table)}
	if cmd.Spec.Family != "" || x.Table != "" {
		f, err := c.family(cmd)
		if err != nil {
			return err
		}
		x.Family = f
	}
	c.emit(x)
	return nil
}

func exprName(e ast.Expr) (string, error) {
	switch x := e.(type) {
	case *ast.Symbol:
		return x.Text, nil
	case *ast.String:
		return x.Text, nil
	case *ast.Variable:
		return exprName(x.Value)
	case *ast.Number:
		return x.Text, nil
	}
	return "", errAt(e, "expected a name")
}

// priority evaluates a chain or flowtable priority: a number, or a
// standard priority name (optionally `name + N` / `name - N`) valid for
// the family and hook, as nft's std_prio_lookup allows.
func (c *Compiler) priority(fam ruleset.Family, hook uint32, e ast.Expr) (int32, error) {
	if e == nil {
		return 0, nil
	}
	switch x := e.(type) {
	case *ast.Number:
		return int32(x.Value), nil
	case *ast.Variable:
		return c.priority(fam, hook, x.Value)
	case *ast.Symbol, *ast.String:
		s, _ := exprName(x)
		if n, err := strconv.ParseInt(s, 0, 32); err == nil {
			return int32(n), nil
		}
		if p, ok := stdPriority(fam, hook, s); ok {
			return p, nil
		}
		return 0, errAt(e, "invalid priority expression value in this context.")
	case *ast.Binary:
		a, err := c.priority(fam, hook, x.X)
		if err != nil {
			return 0, err
		}
		b, err := c.priority(fam, hook, x.Y)
		if err != nil {
			return 0, err
		}
		if x.Op == "-" {
			return a - b, nil
		}
		return a + b, nil
	}
	return 0, errAt(e, "invalid priority")
}

// stdPriority is nft's std_prio_lookup with its family and hook checks.
func stdPriority(fam ruleset.Family, hook uint32, name string) (int32, bool) {
	if fam == ruleset.FamilyBridge {
		p, ok := bridgePrios[name]
		if !ok {
			return 0, false
		}
		switch name {
		case "dstnat":
			ok = hook == 0 // NF_BR_PRE_ROUTING
		case "out":
			ok = hook == 3 // NF_BR_LOCAL_OUT
		case "srcnat":
			ok = hook == 4 // NF_BR_POST_ROUTING
		}
		return p, ok
	}
	p, ok := stdPrios[name]
	if !ok {
		return 0, false
	}
	inet := fam == ruleset.FamilyInet || fam == ruleset.FamilyIP || fam == ruleset.FamilyIP6
	switch name {
	case "filter":
		ok = inet || fam == ruleset.FamilyARP || fam == ruleset.FamilyNetdev
	case "raw", "mangle", "security":
		ok = inet
	case "dstnat":
		ok = inet && hook == 0 // NF_INET_PRE_ROUTING
	case "srcnat":
		ok = inet && hook == 4 // NF_INET_POST_ROUTING
	}
	return p, ok
}

func setInfoOf(s *ruleset.Set) *eval.SetInfo {
	si := &eval.SetInfo{Name: s.Name, Flags: s.Flags, ObjType: s.ObjType}
	t := s.KeyType
	n := 1
	if len(s.Concat) > 1 {
		n = len(s.Concat)
	} else {
		// nft sends NFTA_SET_DESC_CONCAT for interval sets only; a
		// concatenated key type packs one type id per TypeBits
		for x := t >> types.TypeBits; x != 0; x >>= types.TypeBits {
			n++
		}
	}
	for i := n - 1; i >= 0; i-- {
		dt := types.ByID(t & (1<<types.TypeBits - 1))
		if dt == nil {
			dt = types.Integer
		}
		si.Key = append([]*types.Datatype{dt}, si.Key...)
		t >>= types.TypeBits
	}
	if s.Flags&ruleset.SetMap != 0 {
		if s.DataType == types.VerdictDataType {
			si.Data = types.Verdict
		} else {
			si.Data = types.ByID(s.DataType)
		}
	}
	return si
}

func (c *Compiler) keyLoad(ts *ast.TypeSpec, ec *eval.Ctx) (*eval.Load, error) {
	if ts.Typeof != nil {
		// Each part is evaluated alone: a typeof key has no protocol
		// context, so parts of different layers never conflict.
		cat, ok := ts.Typeof.(*ast.Concat)
		if !ok {
			ec.Reset()
			return ec.Expr(thTemplate(ts.Typeof))
		}
		l := &eval.Load{Node: cat}
		for _, e := range cat.Exprs {
			e = thTemplate(e)
			ec.Reset()
			sub, err := ec.Expr(e)
			if err != nil {
				// A link layer field (vlan id in an inet table) has no
				// dependency to satisfy in a declaration; nft accepts it.
				if sub = typeofPayload(e); sub == nil {
					return nil, err
				}
			}
			if sub.Concat != nil {
				l.Concat = append(l.Concat, sub.Concat...)
			} else {
				l.Concat = append(l.Concat, sub)
			}
		}
		for _, s := range l.Concat {
			l.RegBits += ((s.RegBits + 31) / 32) * 32
		}
		l.Bits = l.RegBits
		return l, nil
	}
	var parts []*eval.Load
	for _, n := range ts.Names {
		dt := types.ByName(n.Name)
		if dt == nil {
			return nil, errAt(n, "unknown datatype %s", n.Name)
		}
		if dt.Size == 0 && dt != types.Verdict {
			return nil, errAt(n, "unqualified type %s specified in set definition. Try \"typeof expression\" instead of \"type datatype\".", n.Name)
		}
		o := dt.Order
		parts = append(parts, &eval.Load{Node: n, Type: dt, Order: o, Bits: dt.Size, RegBits: ((dt.Size + 7) / 8) * 8})
	}
	if len(parts) == 1 {
		return parts[0], nil
	}
	l := &eval.Load{Node: ts, Concat: parts}
	for _, p := range parts {
		l.RegBits += ((p.RegBits + 31) / 32) * 32
		l.Bits = l.RegBits
	}
	return l, nil
}

func (c *Compiler) setCmd(base ruleset.Command, s *ast.Set) error {
	ts := c.table(base.Family, base.Table)
	ec := eval.NewCtx(base.Family)
	ec.Decls = ts
	key, err := c.keyLoad(s.Key, ec)
	if err != nil {
		return err
	}
	if err := checkName(s.Name, s.Pos(), "set", base.Name); err != nil {
		return err
	}
	if s.Elements != nil {
		if err := c.checkJumps(ts, s.Elements); err != nil {
			return err
		}
	}
	if s.AutoMerge {
		interval := false
		for _, f := range s.Flags {
			interval = interval || f.Name == "interval"
		}
		if !interval {
			return errAt(s, "auto-merge only works with interval sets")
		}
	}
	set := &ruleset.Set{Name: base.Name, Pos: s.Pos()}
	set.KeyType, set.KeyLen = linearize.KeyType(key)
	var data *eval.Load
	dataInterval := false
	objType := uint32(0)
	if s.IsMap && s.Data != nil && len(s.Data.Names) == 1 {
		objType = linearize.ObjTypes[ast.ObjKind(s.Data.Names[0].Name)]
	}
	if objType != 0 {
		set.Flags |= ruleset.SetObject
		set.ObjType = objType
	} else if s.IsMap && s.Data != nil {
		if len(s.Data.Names) == 1 && s.Data.Names[0].Name == "verdict" {
			data = eval.VerdictLoad
			set.DataType = types.VerdictDataType
		} else {
			data, err = c.keyLoad(s.Data, ec)
			if err != nil {
				return err
			}
			set.DataType, set.DataLen = linearize.KeyType(data)
			if s.Data.Interval {
				dataInterval = true
				set.DataLen *= 2
			}
		}
		set.Flags |= ruleset.SetMap
	}
	for _, f := range s.Flags {
		switch f.Name {
		case "constant":
			set.Flags |= ruleset.SetConstant
		case "interval":
			set.Flags |= ruleset.SetInterval
		case "timeout":
			set.Flags |= ruleset.SetTimeout
		case "dynamic":
			set.Flags |= ruleset.SetEval
		default:
			return errAt(f, "unknown set flag %s", f.Name)
		}
	}
	if key.Concat != nil && set.Flags&ruleset.SetInterval != 0 {
		for _, p := range key.Concat {
			set.Concat = append(set.Concat, uint32(p.Bytes()))
		}
		set.Flags |= ruleset.SetConcat
	}
	if s.Timeout != nil {
		ms, err := ec.Duration(s.Timeout)
		if err != nil {
			return err
		}
		set.Timeout = &ms
		set.Flags |= ruleset.SetTimeout
	}
	if s.GcInterval != nil {
		ms, err := ec.Duration(s.GcInterval)
		if err != nil {
			return err
		}
		v := uint32(ms)
		set.GCInterval = &v
	}
	// nft sends size and policy (memory only) for sets that are not
	// constant; a constant set gets the number of its elements as size.
	if set.Flags&ruleset.SetConstant == 0 {
		if s.Size != nil {
			v := uint32(s.Size.V)
			set.Size = &v
		}
		if s.Policy != nil && s.Policy.Name == "memory" {
			p := uint32(1)
			set.Policy = &p
		}
	}
	if len(s.Stmts) > 0 {
		// per-element stateful templates (counter, quota, limit, ...)
		lc, err := linearize.Rule(eval.NewCtx(base.Family), &ast.Rule{Loc: s.Loc, Stmts: s.Stmts})
		if err != nil {
			return err
		}
		set.Exprs = lc.Exprs
	}
	var comment *string
	if s.Comment != nil {
		comment = &s.Comment.Text
	}
	isMap := set.Flags&ruleset.SetMap != 0 && objType == 0
	set.Userdata = setUdata(key, data, s.Key.Typeof == nil, s.Data == nil || s.Data.Typeof == nil, isMap, objType != 0, dataInterval, s.AutoMerge, comment)
	si := setInfoOf(set)
	si.KeyBits = nil
	ts.sets[set.Name] = si
	if objType != 0 {
		data = objRefLoad
	}
	if prev := ts.decls[set.Name]; prev != nil && prev.set != nil && !sameSet(prev.set, set) {
		at := ast.Node(s)
		if s.Name != nil {
			at = s.Name
		}
		return errAt(at, "set %s already exists with a different definition (key, data, flags or timeouts differ)", set.Name)
	}
	ts.decls[set.Name] = &setDecl{key: key, data: data, set: set}
	base.Set = set
	c.emit(base)
	if set.Flags&ruleset.SetInterval != 0 && key.Concat == nil {
		ivs := &ivSet{name: set.Name, key: key, data: data, isMap: isMap, automerge: s.AutoMerge, declared: true}
		if set.Flags&ruleset.SetConstant != 0 {
			ivs.constSet = set
		}
		ts.iv[set.Name] = ivs
		el := ruleset.Command{Op: ruleset.OpAdd, Kind: ruleset.KindElements, Pos: s.Pos(), Family: base.Family, Table: base.Table, Name: set.Name}
		if s.Elements != nil {
			el.Pos = s.Elements.Pos()
			elems, catch, err := c.ivEval(base.Family, ivs, s.Elements)
			if err != nil {
				return err
			}
			if _, _, err := addIvElements(ivs, elems, true); err != nil {
				return err
			}
			ivs.catch = catch
			if c.ownAST {
				s.Elements = nil // compiled: let a large literal's tree go
			}
		}
		c.pending[len(c.out)] = &ivPending{set: ivs, decl: true}
		c.emit(el)
		return nil
	}
	if s.Elements != nil {
		els, err := c.elements(base.Family, ts, si, s.Elements, false)
		if err != nil {
			return err
		}
		if set.Flags&ruleset.SetConstant != 0 {
			n := uint32(len(s.Elements.Elems))
			set.Size = &n
		}
		c.emit(ruleset.Command{Op: ruleset.OpAdd, Kind: ruleset.KindElements, Pos: s.Elements.Pos(), Family: base.Family, Table: base.Table, Name: set.Name, Elements: els})
	}
	return nil
}

func keyOrder(l *eval.Load) types.ByteOrder {
	if l.Concat != nil {
		return types.OrderInvalid
	}
	return l.Order
}

func loadFor(dts []*types.Datatype) *eval.Load {
	var parts []*eval.Load
	for _, dt := range dts {
		parts = append(parts, &eval.Load{Type: dt, Order: dt.Order, Bits: dt.Size, RegBits: ((dt.Size + 7) / 8) * 8})
	}
	if len(parts) == 1 {
		return parts[0]
	}
	l := &eval.Load{Concat: parts}
	for _, p := range parts {
		l.RegBits += ((p.RegBits + 31) / 32) * 32
	}
	l.Bits = l.RegBits
	return l
}

// objRefLoad types the data of object map elements: the object's name,
// compiled as a string and sent as NFTA_SET_ELEM_OBJREF.
var objRefLoad = &eval.Load{Type: types.String, Order: types.OrderHost, Bits: 256 * 8, RegBits: 256 * 8}

func (c *Compiler) elements(fam ruleset.Family, ts *tableState, si *eval.SetInfo, x *ast.SetExpr, del bool) ([]*ruleset.Element, error) {
	ec := eval.NewCtx(fam)
	var key, data *eval.Load
	if d := ts.decls[si.Name]; d != nil {
		key, data = d.key, d.data
	} else {
		key = loadFor(si.Key)
		switch {
		case si.Data == types.Verdict:
			data = eval.VerdictLoad
		case si.Data != nil:
			data = loadFor([]*types.Datatype{si.Data})
		case si.ObjType != 0:
			data = objRefLoad
		}
	}
	if del && !hasMapping(x) {
		data = nil // deleting map elements by key
	}
	v, err := ec.MapLiteral(x, key, data)
	if err != nil {
		return nil, err
	}
	if si.Flags&ruleset.SetInterval == 0 {
		for _, e := range v.Elems {
			if k := intervalKey(e.Key); k != nil {
				what := "range"
				if k.Kind == eval.VPrefix {
					what = "prefix"
				}
				return nil, errAt(k.Node, "You must add 'flags interval' to your set declaration if you want to add %s elements", what)
			}
		}
	}
	lc := linearize.New()
	s, err := lc.AnonSet(v, key, data, si.Name)
	if err != nil {
		return nil, err
	}
	if len(s.Elements) == len(v.Elems) {
		// one element per literal element (plain and concatenated sets)
		for i, el := range s.Elements {
			if err := c.elementOptions(fam, el, v.Elems[i], data); err != nil {
				return nil, err
			}
			// the kernel's element errors point here
			switch e := v.Elems[i]; {
			case e.Key != nil && e.Key.Node != nil:
				el.Pos = e.Key.Node.Pos()
			case e.Node != nil:
				el.Pos = e.Node.Pos()
			}
		}
	}
	return s.Elements, nil
}

// typeofPayload is the key of a header field named in a typeof
// declaration, without protocol dependencies, or nil.
func typeofPayload(e ast.Expr) *eval.Load {
	x, ok := e.(*ast.Payload)
	if !ok {
		return nil
	}
	p := types.ProtoByName(x.Proto)
	if p == nil {
		return nil
	}
	fld, ok := p.Field(x.Field)
	if !ok {
		return nil
	}
	nbytes := (fld.Offset%8 + fld.Len + 7) / 8
	pl := &expr.Payload{Base: uint32(p.Base - 1), Offset: uint32(fld.Offset / 8), Len: uint32(nbytes)}
	return &eval.Load{Node: x, Tmpl: pl, Payload: pl, Type: fld.Type, Order: types.OrderBig, Bits: fld.Len, RegBits: nbytes * 8, Proto: p, Field: fld.Name}
}

// sameSet reports whether a redeclaration of a set matches the first
// one; the kernel refuses a different one with EEXIST.
func sameSet(a, b *ruleset.Set) bool {
	eq := func(x, y *uint64) bool { return (x == nil) == (y == nil) && (x == nil || *x == *y) }
	eq32 := func(x, y *uint32) bool { return (x == nil) == (y == nil) && (x == nil || *x == *y) }
	return a.KeyType == b.KeyType && a.KeyLen == b.KeyLen && a.Flags == b.Flags && a.DataType == b.DataType &&
		a.DataLen == b.DataLen && a.ObjType == b.ObjType && eq(a.Timeout, b.Timeout) && eq32(a.GCInterval, b.GCInterval)
}

// deviceNames flattens `device X`, `devices = { X, Y }` and variables
// holding either into interface names.
func deviceNames(es []ast.Expr) ([]string, error) {
	var out []string
	for _, e := range es {
		switch x := e.(type) {
		case *ast.Variable:
			sub, err := deviceNames([]ast.Expr{x.Value})
			if err != nil {
				return nil, err
			}
			out = append(out, sub...)
		case *ast.SetExpr:
			sub, err := deviceNames(x.Elems)
			if err != nil {
				return nil, err
			}
			out = append(out, sub...)
		case *ast.Elem:
			sub, err := deviceNames([]ast.Expr{x.Key})
			if err != nil {
				return nil, err
			}
			out = append(out, sub...)
		default:
			s, err := exprName(e)
			if err != nil {
				return nil, err
			}
			out = append(out, s)
		}
	}
	return out, nil
}

// thTemplate is nft's payload_init_raw: a raw 16 bit transport header
// load at offset 0 or 16 is th sport or th dport.
func thTemplate(e ast.Expr) ast.Expr {
	r, ok := e.(*ast.RawPayload)
	if !ok || r.Base != "th" || r.Len != 16 || (r.Offset != 0 && r.Offset != 16) {
		return e
	}
	f := "sport"
	if r.Offset == 16 {
		f = "dport"
	}
	return &ast.Payload{Loc: r.Loc, Proto: "th", Field: f}
}

// hasMapping reports whether a set literal has `key : data` elements.
func hasMapping(x *ast.SetExpr) bool {
	for _, e := range x.Elems {
		if v, ok := e.(*ast.Variable); ok {
			e = v.Value
		}
		if _, ok := e.(*ast.Mapping); ok {
			return true
		}
	}
	return false
}

// intervalKey returns the range or prefix in an element key (or in one of
// its concatenated fields), or nil.
func intervalKey(v *eval.Value) *eval.Value {
	if v == nil {
		return nil
	}
	switch v.Kind {
	case eval.VRange, eval.VPrefix:
		return v
	case eval.VConcat:
		for _, p := range v.Parts {
			if k := intervalKey(p); k != nil {
				return k
			}
		}
	}
	return nil
}
