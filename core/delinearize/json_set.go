package delinearize

import (
	"fmt"
	"strings"

	"github.com/nfsh/nfsh/core/diag"
	"github.com/nfsh/nfsh/core/expr"
	"github.com/nfsh/nfsh/core/ruleset"
)

// SetJSON returns named set s of table t as `nft -j list` prints it: an
// object {"set"|"map"|"meter": {...}} (nft's set_print_json), elements
// included.
func SetJSON(t *ruleset.Table, s *ruleset.Set, o *Options) (out *JSONObject, err error) {
	defer func() {
		if x := recover(); x != nil {
			if panicOnBug {
				panic(x)
			}
			out, err = nil, &diag.Error{Op: "json", Msg: fmt.Sprintf("set %s cannot be printed as JSON: %v", s.Name, x)}
		}
	}()
	c := &jsonCtx{o: o}
	si := SetInfo(t, s, o)
	kind := "set"
	var mapType string
	switch {
	case s.Flags&ruleset.SetMap != 0:
		kind = "map"
		switch {
		case si.dataIsVerdict:
			mapType = "verdict"
		case si.data != nil:
			mapType = typeName(si.data.t)
		}
	case s.Flags&ruleset.SetObject != 0:
		kind, mapType = "map", objTypeName(s.ObjType)
	case s.Flags&ruleset.SetAnonymous != 0 && s.Flags&ruleset.SetEval != 0:
		kind = "meter"
	}
	root := NewJSONObject("family", t.Family.String(), "name", s.Name, "table", t.Name,
		"type", setTypeJSON(typeName(si.key.t)), "handle", s.Handle)
	if cm := s.Comment(); cm != "" {
		root.Set("comment", cm)
	}
	if mapType != "" {
		root.Set("map", mapType)
	}
	if s.Flags&ruleset.SetConstant == 0 {
		if s.Policy != nil && *s.Policy != 0 {
			pol := "unknown"
			if *s.Policy == 1 {
				pol = "memory"
			}
			root.Set("policy", pol)
		}
		if s.Size != nil && *s.Size != 0 {
			root.Set("size", *s.Size)
		}
	}
	var flags []any
	if s.Flags&ruleset.SetConstant != 0 {
		flags = append(flags, "constant")
	}
	if s.Flags&ruleset.SetInterval != 0 {
		flags = append(flags, "interval")
	}
	if s.Flags&ruleset.SetTimeout != 0 {
		flags = append(flags, "timeout")
	}
	if len(flags) > 0 {
		root.Set("flags", flags)
	}
	if s.Timeout != nil && *s.Timeout != 0 {
		root.Set("timeout", *s.Timeout/1000)
	}
	if s.GCInterval != nil && *s.GCInterval != 0 {
		root.Set("gc-interval", *s.GCInterval/1000)
	}
	if el := si.elements(); el != nil && len(el.args) > 0 {
		elems := make([]any, 0, len(el.args))
		for _, e := range el.args {
			elems = append(elems, c.node(e))
			if c.err != nil {
				return nil, c.err
			}
		}
		root.Set("elem", elems)
	}
	if len(s.Exprs) > 0 {
		st := Stmts(uint8(t.Family), s.Exprs, nil)
		for i, x := range st {
			if i < len(s.Exprs) {
				if c.src == nil {
					c.src = map[*stmt]expr.Expr{}
				}
				c.src[x] = s.Exprs[i]
			}
		}
		root.Set("stmt", c.stmtList(st))
		if c.err != nil {
			return nil, c.err
		}
	}
	return NewJSONObject(kind, root), nil
}

// setTypeJSON is set_dtype_json: a concatenated type as an array of its
// member names.
func setTypeJSON(name string) any {
	f := strings.FieldsFunc(name, func(r rune) bool { return r == ' ' || r == '.' })
	switch len(f) {
	case 0:
		return nil
	case 1:
		return f[0]
	}
	out := make([]any, len(f))
	for i, x := range f {
		out[i] = x
	}
	return out
}
