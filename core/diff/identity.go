package diff

import (
	"bytes"
	"fmt"
	"sort"
	"strings"

	"github.com/nfsh/nfsh/core/expr"
	"github.com/nfsh/nfsh/core/ruleset"
)

// ruleKey is a rule's content identity: its expressions with run-time state
// (counter values, consumed quota, last-seen times) zeroed, batch-local ids
// dropped, anonymous sets replaced by their content, and its userdata.
// Two rules with the same key do the same thing.
func ruleKey(r *ruleset.Rule) string {
	var anon func(string) (string, bool)
	if len(r.Sets) > 0 {
		// Anonymous sets are named by content; compiled rules name all of
		// them "__set%d", so references are resolved in order of appearance.
		queue := map[string][]string{}
		for _, s := range r.Sets {
			queue[s.Name] = append(queue[s.Name], "anon:"+setKey(s, true))
		}
		last := map[string]string{}
		anon = func(name string) (string, bool) {
			q := queue[name]
			if len(q) == 0 {
				k, ok := last[name]
				return k, ok
			}
			queue[name], last[name] = q[1:], q[0]
			return q[0], true
		}
	}
	// Only expressions that hold state or batch-local names are copied;
	// the list is encoded once, its bytes are the key.
	exprs := make([]expr.Expr, len(r.Exprs))
	for i, e := range r.Exprs {
		exprs[i] = normalize(e, anon)
	}
	var b strings.Builder
	if raw, err := expr.Marshal(exprs); err == nil {
		b.Grow(len(raw) + len(r.Userdata) + len(r.Compat) + 8)
		b.Write(raw)
	} else {
		// Not encodable: fall back to its text, still a stable identity.
		for _, e := range exprs {
			b.WriteString(e.Name() + "{" + e.String() + "}")
		}
	}
	b.WriteString("|ud=")
	b.Write(r.Userdata)
	b.WriteString("|compat=")
	b.Write(r.Compat)
	return b.String()
}

// normalize returns e with state and batch-local references neutralized.
func normalize(e expr.Expr, anon func(string) (string, bool)) expr.Expr {
	if anon == nil {
		anon = noAnon
	}
	switch x := e.(type) {
	case *expr.Counter:
		c := *x
		c.Packets, c.Bytes = 0, 0
		return &c
	case *expr.Quota:
		c := *x
		c.Consumed = 0
		return &c
	case *expr.Last:
		c := *x
		c.Msecs, c.Set = 0, 0
		return &c
	case *expr.Lookup:
		c := *x
		c.SetID = 0
		if k, ok := anon(c.SetName); ok {
			c.SetName = k
		}
		return &c
	case *expr.Dynset:
		c := *x
		c.SetID = 0
		if k, ok := anon(c.SetName); ok {
			c.SetName = k
		}
		exprs := make([]expr.Expr, len(c.Exprs))
		for i, s := range c.Exprs {
			exprs[i] = normalize(s, anon)
		}
		c.Exprs = exprs
		return &c
	case *expr.Objref:
		c := *x
		c.SetID = 0
		if k, ok := anon(c.SetName); ok {
			c.SetName = k
		}
		return &c
	case *expr.Log:
		// The kernel reports the level of a syslog-type log even when
		// nft left it out (NFT_LOGLEVEL_WARNING), and no flags as none.
		c := *x
		if c.Group == nil && c.Level == nil {
			lvl := uint32(4)
			c.Level = &lvl
		}
		if c.Flags != nil && *c.Flags == 0 {
			c.Flags = nil
		}
		return &c
	case *expr.Bitwise:
		// nft leaves NFTA_BITWISE_OP out for mask-and-xor, the kernel
		// dumps it: both mean the same operation.
		if x.OmitOp {
			c := *x
			c.OmitOp = false
			return &c
		}
	case *expr.Immediate:
		if x.Verdict != nil && x.Verdict.ChainID != 0 {
			c := *x
			v := *x.Verdict
			v.ChainID = 0
			c.Verdict = &v
			return &c
		}
	}
	return e
}

func noAnon(string) (string, bool) { return "", false }

// setKey is a set's identity: its definition and, when withElems, its
// elements in a canonical order. Names and handles are not part of it.
// verdictType is nft's datatype id of verdict map data (NFT_DATA_VERDICT),
// and verdictDataLen the data length the kernel reports for it.
const (
	verdictType    = 0xffffff00
	verdictDataLen = 16
)

func setKey(s *ruleset.Set, withElems bool) string {
	var b strings.Builder
	dlen := s.DataLen
	if s.DataType == verdictType && dlen == 0 {
		dlen = verdictDataLen // nft leaves it out; the kernel reports its own size
	}
	fmt.Fprintf(&b, "f=%x k=%d/%d d=%d/%d o=%d c=%v", s.Flags&^ruleset.SetAnonymous, s.KeyType, s.KeyLen,
		s.DataType, dlen, s.ObjType, s.Concat)
	if s.Policy != nil {
		fmt.Fprintf(&b, " p=%d", *s.Policy)
	}
	if s.Size != nil && !s.Anonymous() {
		fmt.Fprintf(&b, " sz=%d", *s.Size)
	}
	if s.Timeout != nil {
		fmt.Fprintf(&b, " t=%d", *s.Timeout)
	}
	if s.GCInterval != nil {
		fmt.Fprintf(&b, " gc=%d", *s.GCInterval)
	}
	if !s.Anonymous() {
		// An anonymous set's userdata only tells nft how to print it.
		fmt.Fprintf(&b, " ud=%x", s.Userdata)
	}
	for _, e := range s.Exprs {
		b.WriteString(" e=" + normalize(e, nil).String())
	}
	if withElems {
		keys := make([]string, len(s.Elements))
		for i, e := range s.Elements {
			keys[i] = elemKey(e) + "=" + elemValue(e)
		}
		sort.Strings(keys)
		b.WriteString(" [" + strings.Join(keys, ",") + "]")
	}
	return b.String()
}

// elemKey identifies an element within its set.
func elemKey(e *ruleset.Element) string {
	return fmt.Sprintf("%x-%x/%x", e.Key, e.KeyEnd, e.Flags)
}

// elemValue is what an element maps to and carries; a change means the
// element must be replaced.
func elemValue(e *ruleset.Element) string {
	var b bytes.Buffer
	fmt.Fprintf(&b, "%x", e.Data)
	if e.Verdict != nil {
		fmt.Fprintf(&b, "v%d:%s", e.Verdict.Code, e.Verdict.Chain)
	}
	if e.ObjRef != "" {
		b.WriteString("o:" + e.ObjRef)
	}
	if e.Timeout != nil {
		fmt.Fprintf(&b, "t%d", *e.Timeout)
	}
	fmt.Fprintf(&b, "u%x", e.Userdata)
	for _, x := range e.Exprs {
		b.WriteString("e:" + normalize(x, nil).String())
	}
	return b.String()
}
