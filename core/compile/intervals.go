package compile

import (
	"math/big"
	"sort"
	"strings"

	"github.com/nfsh/nfsh/core/ast"
	"github.com/nfsh/nfsh/core/diag"
	"github.com/nfsh/nfsh/core/eval"
	"github.com/nfsh/nfsh/core/linearize"
	"github.com/nfsh/nfsh/core/ruleset"
	"github.com/nfsh/nfsh/core/types"
)

// Named interval sets (single field) follow nft 1.0.6's element model
// (src/intervals.c), so that the element batches are the ones nft sends:
//
//   - The set's declaration owns an element list ("init"). A later `add
//     element` merges the list into its own elements, checks overlaps (or,
//     with auto-merge, merges ranges and deletes merged kernel elements),
//     sends its new elements and leaves copies of all of them, marked as
//     known, in the declaration's list.
//   - A set declared in this script sends its whole list right after its
//     declaration, with the leading 0 end element ("first segment").
//   - An `add element` sends the first segment only while the list is
//     empty (a new set, or one that is empty in the kernel).

// ivElem is one interval of a named set: [lo, hi], inclusive.
type ivElem struct {
	lo, hi *big.Int
	e      *eval.Elem // source element (data, timeout, comment); nil for kernel and plain elements
	el     *ruleset.Element
	kernel bool // EXPR_F_KERNEL: already in the set (or added earlier in this batch)
	// plain marks a source element that is its key alone (no data,
	// options or statements, not reaching the end of the key space): it
	// keeps neither its evaluated value nor its syntax tree, so a large
	// literal's trees can be freed before the elements are built.
	plain bool
	pos   diag.Pos
}

func (x *ivElem) clone() *ivElem {
	c := *x
	return &c
}

// ivList is nft's set expression of intervals with its size counter.
type ivList struct {
	elems []*ivElem
	size  int
}

// ivSet is the element state of a named single-field interval set.
type ivSet struct {
	name      string
	key, data *eval.Load
	isMap     bool
	automerge bool
	init      *ivList // the declaration's list; nil until elements exist
	root      bool    // the kernel set has the 0 end element
	declared  bool    // declared in this compilation
	catch     []*ruleset.Element
	constSet  *ruleset.Set // the declaration of a constant set: its size is the element count
}

// ivPending is an element command whose elements are produced when the
// command list is finished (nft builds its messages after evaluating all
// commands).
type ivPending struct {
	set   *ivSet
	elems []*ivElem // nil for the declaration's batch
	decl  bool
	del   bool
	catch []*ruleset.Element
}

func sortIv(l []*ivElem) {
	sort.SliceStable(l, func(i, j int) bool {
		if c := l[i].lo.Cmp(l[j].lo); c != 0 {
			return c < 0
		}
		return l[i].hi.Cmp(l[j].hi) < 0
	})
}

// ivElems turns an evaluated set literal into intervals. The bounds are
// shared with v: intervals are never modified in place, only replaced.
func ivElems(v *eval.Value, key, data *eval.Load, automerge bool) []*ivElem {
	out := make([]*ivElem, 0, len(v.Elems))
	slab := make([]ivElem, len(v.Elems))
	for i, e := range v.Elems {
		if e.Catch || e.Key == nil {
			continue
		}
		lo, hi := linearize.ElemBounds(e, key)
		x := &slab[i]
		*x = ivElem{lo: lo, hi: hi, e: e}
		if e.Node != nil {
			x.pos = e.Node.Pos()
		}
		// automerge may widen an interval up to the end of the key
		// space, which needs the element itself (see ivEncoder.start).
		if data == nil && key.Concat == nil && !automerge && e.Data == nil && e.Timeout == nil &&
			e.Expires == nil && e.Comment == "" && len(e.Stmts) == 0 && hi.BitLen() < key.Bits {
			x.e, x.plain = nil, true
		}
		out = append(out, x)
	}
	return out
}

// overlapErr is nft's overlap error for two intervals.
func overlapErr(prev, cur *ivElem) error {
	at, msg := cur, "conflicting intervals specified"
	switch {
	case prev.kernel:
		msg = "interval overlaps with an existing one"
	case cur.kernel:
		at, msg = prev, "interval overlaps with an existing one"
	}
	e := diag.Errorf(at.pos, "%s", msg)
	e.Op = "eval"
	return e
}

// checkOverlap is nft's setelem_overlap over a sorted list.
func checkOverlap(l []*ivElem) error {
	var prev *ivElem
	for _, x := range l {
		if prev == nil {
			prev = x
			continue
		}
		if prev.lo.Cmp(x.lo) == 0 && prev.hi.Cmp(x.hi) == 0 {
			prev = x
			continue
		}
		if x.lo.Cmp(prev.hi) <= 0 {
			return overlapErr(prev, x)
		}
		prev = x
	}
	return nil
}

// automerge is nft's setelem_automerge: it merges overlapping and
// adjacent intervals of the sorted list and returns the list and the
// kernel intervals to delete.
func automerge(l *ivList, merge bool) (purge []*ivElem) {
	var out []*ivElem
	var prev *ivElem
	var plo, phi *big.Int
	one := big.NewInt(1)
	for _, x := range l.elems {
		if prev == nil {
			prev, plo, phi = x, x.lo, x.hi
			out = append(out, x)
			continue
		}
		mergeRanges := func() bool {
			switch {
			case prev.kernel:
				purge = append(purge, prev)
				out = removeIv(out, prev)
				x.lo = prev.lo
				phi = x.hi
				out = append(out, x)
				return true
			case x.kernel:
				purge = append(purge, x)
				prev.hi = x.hi
				phi = x.hi
			default:
				prev.hi = x.hi
				phi = x.hi
				l.size--
			}
			return false
		}
		if plo.Cmp(x.lo) <= 0 && phi.Cmp(x.hi) >= 0 {
			if x.kernel {
				purge = append(purge, x)
			} else {
				l.size--
			}
			continue
		}
		if x.lo.Cmp(phi) <= 0 || (merge && new(big.Int).Sub(x.lo, phi).Cmp(one) == 0) {
			if mergeRanges() {
				prev = x
			}
			continue
		}
		prev, plo, phi = x, x.lo, x.hi
		out = append(out, x)
	}
	l.elems = out
	return purge
}

func removeIv(l []*ivElem, x *ivElem) []*ivElem {
	for i, y := range l {
		if y == x {
			return append(l[:i:i], l[i+1:]...)
		}
	}
	return l
}

// addIvElements evaluates `add element` (or a declaration's elements when
// decl) for an interval set and returns the elements the command keeps
// and the kernel intervals to delete first.
func addIvElements(s *ivSet, elems []*ivElem, decl bool) ([]*ivElem, []*ivElem, error) {
	cmd := &ivList{elems: elems, size: len(elems)}
	sortIv(cmd.elems)
	if s.isMap && s.automerge {
		return cmd.elems, nil, nil
	}
	if !decl {
		if s.init == nil {
			s.init = &ivList{}
		} else {
			cmd.elems = append(cmd.elems, s.init.elems...)
			sortIv(cmd.elems)
			s.init.elems = nil
		}
	}
	var purge []*ivElem
	if s.automerge {
		purge = automerge(cmd, true)
	} else if err := checkOverlap(cmd.elems); err != nil {
		return nil, nil, err
	}
	if decl {
		s.init = cmd
		return cmd.elems, nil, nil
	}
	var own []*ivElem
	for _, x := range cmd.elems {
		if x.kernel {
			s.init.elems = append(s.init.elems, x)
			continue
		}
		own = append(own, x)
		c := x.clone()
		c.kernel = true
		s.init.elems = append(s.init.elems, c)
	}
	return own, purge, nil
}

// ivEncoder turns intervals into set elements.
type ivEncoder struct {
	c   *Compiler
	fam ruleset.Family
	s   *ivSet
}

func (v ivEncoder) key(x *big.Int) []byte {
	key := v.s.key
	n := key.Bytes()
	order := key.Order
	if linearize.NeedsHtonKey(key) || key.Type.IsString() {
		order = types.OrderBig
	}
	if key.Type.IsString() {
		return types.ToBytes(x, n, types.OrderBig)
	}
	if key.Mask != nil {
		x = new(big.Int).Lsh(x, uint(key.Shift))
	}
	return types.ToBytes(x, n, order)
}

// start builds the start element of x with its data and options.
func (v ivEncoder) start(x *ivElem, el *ruleset.Element) (*ruleset.Element, error) {
	if x.plain {
		// What elementOf would build for a plain set element that does
		// not reach the end of the key space (checked when it was marked).
		*el = ruleset.Element{Key: v.key(x.lo)}
		return el, nil
	}
	if x.e == nil {
		el := *x.el
		el.Key = v.key(x.lo)
		el.Flags &^= ruleset.ElemIntervalEnd
		return &el, nil
	}
	if e := x.e; v.s.data == nil && v.s.key.Concat == nil && !e.Catch && len(e.Stmts) == 0 &&
		new(big.Int).Add(x.hi, big.NewInt(1)).BitLen() <= v.s.key.Bits {
		// What elementOf would build for a plain set element that does
		// not reach the end of the key space, without linearizing a
		// one-element set per element (perf: large interval sets).
		el := &ruleset.Element{Key: v.key(x.lo), Timeout: e.Timeout}
		if e.Expires != nil {
			exp := *e.Expires
			el.Expiration = &exp
		}
		if e.Comment != "" {
			el.Userdata = ruleset.UdataSet(nil, ruleset.UdataSetElemComment, append([]byte(e.Comment), 0))
		}
		return el, nil
	}
	el, err := v.c.elementOf(v.fam, v.s.name, x.e, v.s.key, v.s.data)
	if err != nil {
		return nil, err
	}
	el.Key = v.key(x.lo)
	el.KeyEnd = nil
	el.Flags = 0
	return el, nil
}

// toIntervals is nft's set_to_intervals for a named set: start elements
// and end elements (flagged), the first segment when first is set, and
// the open-interval flag on a last interval that reaches the maximum.
func (v ivEncoder) toIntervals(l []*ivElem, first bool) ([]*ruleset.Element, bool, error) {
	out := make([]*ruleset.Element, 0, 2*len(l)+1)
	// One allocation for all elements: a large set has hundreds of
	// thousands.
	slab := make([]ruleset.Element, 2*len(l)+1)
	next := func() *ruleset.Element { e := &slab[0]; slab = slab[1:]; return e }
	max := new(big.Int).Sub(new(big.Int).Lsh(big.NewInt(1), uint(v.s.key.Bits)), big.NewInt(1))
	one := big.NewInt(1)
	end := new(big.Int)
	added := false
	for i, x := range l {
		if i == 0 && first && x.lo.Sign() != 0 {
			el := next()
			*el = ruleset.Element{Key: v.key(end.SetInt64(0)), Flags: ruleset.ElemIntervalEnd}
			out = append(out, el)
			added = true
		}
		st, err := v.start(x, next())
		if err != nil {
			return nil, false, err
		}
		out = append(out, st)
		if x.hi.Cmp(max) >= 0 {
			st.Userdata = ruleset.UdataSet(st.Userdata, ruleset.UdataSetElemFlags, u32le(1)) // NFTNL_SET_ELEM_F_INTERVAL_OPEN
			continue
		}
		el := next()
		*el = ruleset.Element{Key: v.key(end.Add(x.hi, one)), Flags: ruleset.ElemIntervalEnd}
		out = append(out, el)
	}
	return out, added, nil
}

func u32le(v uint32) []byte { return []byte{byte(v), byte(v >> 8), byte(v >> 16), byte(v >> 24)} }

// kernelIv turns a known set's elements (start/end pairs) into intervals.
func kernelIv(s *ivSet, els []*ruleset.Element) []*ivElem {
	key := s.key
	order := key.Order
	if linearize.NeedsHtonKey(key) || key.Type.IsString() {
		order = types.OrderBig
	}
	val := func(b []byte) *big.Int {
		if order == types.OrderBig {
			return new(big.Int).SetBytes(b)
		}
		r := make([]byte, len(b))
		for i := range b {
			r[len(b)-1-i] = b[i]
		}
		return new(big.Int).SetBytes(r)
	}
	max := new(big.Int).Sub(new(big.Int).Lsh(big.NewInt(1), uint(key.Bits)), big.NewInt(1))
	// The kernel dumps an interval set's elements in descending key order
	// (an offline value holds them ascending): pair each start with the
	// end that follows it in ascending order, an end before a start of
	// the same key (adjacent intervals).
	type point struct {
		v   *big.Int
		end bool
		el  *ruleset.Element
	}
	pts := make([]point, 0, len(els))
	for _, el := range els {
		if el.Flags&ruleset.ElemCatchall != 0 {
			continue
		}
		pts = append(pts, point{val(el.Key), el.Flags&ruleset.ElemIntervalEnd != 0, el})
	}
	sort.SliceStable(pts, func(i, j int) bool {
		if c := pts[i].v.Cmp(pts[j].v); c != 0 {
			return c < 0
		}
		return pts[i].end && !pts[j].end
	})
	var out []*ivElem
	var cur *ivElem
	for _, p := range pts {
		if p.end {
			if p.v.Sign() == 0 {
				s.root = true
			}
			if cur != nil {
				cur.hi = new(big.Int).Sub(p.v, big.NewInt(1))
				cur = nil
			}
			continue
		}
		cur = &ivElem{lo: p.v, hi: new(big.Int).Set(max), el: p.el, kernel: true}
		out = append(out, cur)
	}
	sortIv(out)
	return out
}

// ivSetFor returns the interval state of a named single-field interval
// set, creating it for a set known from the kernel.
func (c *Compiler) ivSetFor(fam ruleset.Family, ts *tableState, si *eval.SetInfo) *ivSet {
	if s := ts.iv[si.Name]; s != nil {
		return s
	}
	if si.Flags&ruleset.SetInterval == 0 || len(si.Key) != 1 || c.opts.Known == nil {
		return nil
	}
	t := c.opts.Known.Table(fam, ts.name)
	if t == nil {
		return nil
	}
	ks := t.Set(si.Name)
	if ks == nil || len(ks.Concat) > 1 {
		return nil
	}
	key := loadFor(si.Key)
	if key.Bits == 0 {
		key.Bits, key.RegBits = int(ks.KeyLen)*8, int(ks.KeyLen)*8
	}
	s := &ivSet{name: si.Name, key: key, isMap: si.Data != nil}
	if d, ok := ruleset.UdataGet(ks.Userdata, ruleset.UdataSetMergeElements); ok && len(d) == 4 && d[0] != 0 {
		s.automerge = true
	}
	switch {
	case si.Data == types.Verdict:
		s.data = eval.VerdictLoad
	case si.Data != nil:
		s.data = loadFor([]*types.Datatype{si.Data})
	case si.ObjType != 0:
		s.data = objRefLoad
	}
	elems := kernelIv(s, ks.Elements)
	s.init = &ivList{elems: elems, size: len(elems)}
	ts.iv[si.Name] = s
	return s
}

// ivEval evaluates a set literal for an interval set: its intervals and
// its catch-all elements.
func (c *Compiler) ivEval(fam ruleset.Family, s *ivSet, x *ast.SetExpr) ([]*ivElem, []*ruleset.Element, error) {
	return c.ivEvalData(fam, s, x, s.data)
}

// ivEvalData is ivEval with the map data type given: nil when map
// elements are deleted by their keys.
func (c *Compiler) ivEvalData(fam ruleset.Family, s *ivSet, x *ast.SetExpr, data *eval.Load) ([]*ivElem, []*ruleset.Element, error) {
	v, err := eval.NewCtx(fam).MapLiteral(x, s.key, data)
	if err != nil {
		return nil, nil, err
	}
	var catch []*ruleset.Element
	for _, e := range v.Elems {
		if e.Catch {
			el, err := c.elementOf(fam, s.name, e, s.key, data)
			if err != nil {
				return nil, nil, err
			}
			catch = append(catch, el)
		}
	}
	return ivElems(v, s.key, data, s.automerge), catch, nil
}

// ivElementsCmd compiles add/create/delete element for an interval set.
func (c *Compiler) ivElementsCmd(base ruleset.Command, s *ivSet, x *ast.SetExpr, op ast.Op) error {
	data := s.data
	if (op == ast.OpDelete || op == ast.OpDestroy) && !hasMapping(x) {
		data = nil // deleting map elements by key
	}
	elems, catch, err := c.ivEvalData(base.Family, s, x, data)
	if err != nil {
		return err
	}
	if op != ast.OpAdd && op != ast.OpCreate {
		// nft's set_delete: each interval must exist exactly; the kernel
		// copy is what the delete sends.
		sortIv(elems)
		if s.init == nil {
			s.init = &ivList{}
		}
		var del []*ivElem
		for _, x := range elems {
			found := -1
			for i, y := range s.init.elems {
				if y.lo.Cmp(x.lo) == 0 && y.hi.Cmp(x.hi) == 0 {
					found = i
					break
				}
			}
			if found < 0 {
				e := diag.Errorf(x.pos, "element does not exist")
				e.Op = "eval"
				return e
			}
			del = append(del, s.init.elems[found])
			s.init.elems = append(s.init.elems[:found:found], s.init.elems[found+1:]...)
		}
		c.pending[len(c.out)] = &ivPending{set: s, elems: del, del: true, catch: catch}
		c.emit(base)
		return nil
	}
	own, purge, err := addIvElements(s, elems, false)
	if err != nil {
		return err
	}
	if len(purge) > 0 {
		d := base
		d.Op = ruleset.OpDelete
		c.pending[len(c.out)] = &ivPending{set: s, elems: purge, del: true}
		c.emit(d)
	}
	c.pending[len(c.out)] = &ivPending{set: s, elems: own, catch: catch}
	c.emit(base)
	return nil
}

// finish produces the elements of pending interval set commands in
// command order, the way nft builds its messages after evaluation.
func (c *Compiler) finish() error {
	if len(c.pending) == 0 {
		return nil
	}
	out := c.out[:0:0]
	var errs []*diag.Error
	for i, cmd := range c.out {
		p := c.pending[i]
		if p == nil {
			out = append(out, cmd)
			continue
		}
		s := p.set
		enc := ivEncoder{c: c, fam: cmd.Family, s: s}
		var els []*ruleset.Element
		var err error
		switch {
		case p.decl:
			if s.init == nil {
				continue // no elements: nft sends no batch
			}
			var added bool
			els, added, err = enc.toIntervals(s.init.elems, !s.root)
			// set_to_intervals counts every element it emits in the list size
			s.init.size += len(s.init.elems)
			if added {
				s.init.size++
			}
			if s.constSet != nil {
				n := uint32(s.init.size)
				s.constSet.Size = &n
			}
			els = append(els, s.catch...)
		case p.del:
			els, _, err = enc.toIntervals(p.elems, false)
			els = append(els, p.catch...)
		default:
			first := !s.root && (s.init == nil || s.init.size == 0)
			els, _, err = enc.toIntervals(p.elems, first)
			els = append(els, p.catch...)
		}
		if err != nil {
			errs = append(errs, diagErrors(err)...)
			continue
		}
		cmd.Elements = els
		out = append(out, cmd)
	}
	c.out = out
	c.pending = map[int]*ivPending{}
	return diag.Join(errs)
}

// elementOf builds the set element of one evaluated element (its key,
// data and options) the way a single-element literal is linearized.
func (c *Compiler) elementOf(fam ruleset.Family, name string, e *eval.Elem, key, data *eval.Load) (*ruleset.Element, error) {
	s, err := linearize.New().AnonSet(&eval.Value{Kind: eval.VSet, Elems: []*eval.Elem{e}}, key, data, name)
	if err != nil {
		return nil, err
	}
	var el *ruleset.Element
	for _, x := range s.Elements {
		if x.Flags&ruleset.ElemIntervalEnd == 0 {
			el = x
			break
		}
	}
	if el == nil {
		return nil, errAt(e.Node, "cannot encode set element")
	}
	if err := c.elementOptions(fam, el, e, data); err != nil {
		return nil, err
	}
	return el, nil
}

// elementOptions adds what the literal linearization leaves out: the
// expiration, the comment, stateful statements and object references.
func (c *Compiler) elementOptions(fam ruleset.Family, el *ruleset.Element, e *eval.Elem, data *eval.Load) error {
	if e.Expires != nil {
		v := *e.Expires
		el.Expiration = &v
	}
	if e.Comment != "" && len(el.Userdata) == 0 {
		el.Userdata = ruleset.UdataSet(nil, ruleset.UdataSetElemComment, append([]byte(e.Comment), 0))
	}
	if len(e.Stmts) > 0 {
		lc, err := linearize.Rule(eval.NewCtx(fam), &ast.Rule{Stmts: e.Stmts})
		if err != nil {
			return err
		}
		el.Exprs = lc.Exprs
	}
	if data == objRefLoad && el.Data != nil {
		el.ObjRef = strings.TrimRight(string(el.Data), "\x00")
		el.Data = nil
	}
	return nil
}
