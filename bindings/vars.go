package bindings

import (
	"fmt"
	"math"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/nfsh/nfsh/core/ast"
	"github.com/nfsh/nfsh/core/diag"
	glua "github.com/yuin/gopher-lua"
)

// ValueToExpr converts the Lua value of $name into a syntax tree value for
// typed interpolation: numbers become *ast.Number, strings a single
// *ast.Symbol (or a *ast.Prefix for "ADDR/LEN", a *ast.Range for
// "LO-HI" of numbers or addresses, a *ast.Concat for "A . B"), lists an anonymous set (*ast.SetExpr),
// tables with keys a map literal, booleans the symbols true/false. The text
// of a string is never re-parsed as nft syntax, so a value cannot inject
// statements: the evaluator checks it against the type the left-hand side
// expects and reports the variable by name.
func ValueToExpr(name string, v glua.LValue, pos diag.Pos) (ast.Expr, error) {
	return toExpr(name, v, pos, 0)
}

var (
	prefixRe = regexp.MustCompile(`^([0-9A-Fa-f.:]+)/([0-9]{1,3})$`)
	rangeRe  = regexp.MustCompile(`^([0-9A-Fa-f.:]+)-([0-9A-Fa-f.:]+)$`)
)

func toExpr(name string, v glua.LValue, pos diag.Pos, depth int) (ast.Expr, error) {
	loc := ast.At(pos)
	if depth > 4 {
		return nil, diag.Errorf(pos, "variable $%s: value nested too deeply", name)
	}
	switch x := v.(type) {
	case glua.LNumber:
		f := float64(x)
		if f != math.Trunc(f) || f < 0 || f > math.MaxUint64 {
			return nil, diag.Errorf(pos, "variable $%s: %v is not a non-negative integer", name, f)
		}
		u := uint64(f)
		return &ast.Number{Loc: loc, Text: strconv.FormatUint(u, 10), Value: u}, nil
	case glua.LBool:
		return &ast.Symbol{Loc: loc, Text: strconv.FormatBool(bool(x))}, nil
	case glua.LString:
		s := string(x)
		if parts := strings.Split(s, " . "); len(parts) > 1 {
			// A concatenation "10.0.0.1 . 22": each part typed on its own.
			cat := &ast.Concat{Loc: loc}
			for _, p := range parts {
				var e ast.Expr
				if n, err := strconv.ParseUint(strings.TrimSpace(p), 10, 64); err == nil {
					e = &ast.Number{Loc: loc, Text: strings.TrimSpace(p), Value: n}
				} else if e, err = toExpr(name, glua.LString(strings.TrimSpace(p)), pos, depth+1); err != nil {
					return nil, err
				}
				cat.Exprs = append(cat.Exprs, e)
			}
			return cat, nil
		}
		if m := prefixRe.FindStringSubmatch(s); m != nil {
			n, _ := strconv.ParseUint(m[2], 10, 64)
			return &ast.Prefix{Loc: loc, X: &ast.Symbol{Loc: loc, Text: m[1]}, Len: n}, nil
		}
		if m := rangeRe.FindStringSubmatch(s); m != nil && !strings.Contains(s, "::-") {
			return &ast.Range{Loc: loc, Lo: &ast.Symbol{Loc: loc, Text: m[1]}, Hi: &ast.Symbol{Loc: loc, Text: m[2]}}, nil
		}
		return &ast.Symbol{Loc: loc, Text: s}, nil
	case *glua.LTable:
		n := x.Len()
		keyed, count := false, 0
		x.ForEach(func(k, _ glua.LValue) {
			count++
			if kn, ok := k.(glua.LNumber); !ok || float64(kn) < 1 || float64(kn) > float64(n) || float64(kn) != math.Trunc(float64(kn)) {
				keyed = true
			}
		})
		if count != n {
			keyed = true
		}
		set := &ast.SetExpr{Loc: loc}
		if !keyed {
			if n == 0 {
				return nil, diag.Errorf(pos, "variable $%s: empty list", name)
			}
			for i := 1; i <= n; i++ {
				e, err := toExpr(name, x.RawGetInt(i), pos, depth+1)
				if err != nil {
					return nil, err
				}
				set.Elems = append(set.Elems, &ast.Elem{Loc: loc, Key: e})
			}
			return set, nil
		}
		// A map literal { key = value, ... }, keys in sorted order.
		var keys []glua.LValue
		x.ForEach(func(k, _ glua.LValue) { keys = append(keys, k) })
		sort.Slice(keys, func(i, j int) bool { return keys[i].String() < keys[j].String() })
		for _, k := range keys {
			ke, err := toExpr(name, k, pos, depth+1)
			if err != nil {
				return nil, err
			}
			ve, err := mapValue(name, x.RawGet(k), pos, depth+1)
			if err != nil {
				return nil, err
			}
			set.Elems = append(set.Elems, &ast.Mapping{Loc: loc, Key: &ast.Elem{Loc: loc, Key: ke}, Value: ve})
		}
		return set, nil
	}
	return nil, diag.Errorf(pos, "variable $%s: cannot use a %s as an nft value", name, v.Type().String())
}

// varsFrom converts the entries of a Lua table (except the keys in skip)
// into typed variables, each kept as an *ast.Variable.
func varsFrom(t *glua.LTable, pos diag.Pos, skip ...string) (map[string]ast.Expr, error) {
	vars := map[string]ast.Expr{}
	if t == nil {
		return vars, nil
	}
	var err error
	t.ForEach(func(k, v glua.LValue) {
		if err != nil {
			return
		}
		ks, ok := k.(glua.LString)
		if !ok {
			err = diag.Errorf(pos, "variable names must be strings, got %s", k.Type().String())
			return
		}
		for _, s := range skip {
			if string(ks) == s {
				return
			}
		}
		var e ast.Expr
		e, err = ValueToExpr(string(ks), v, pos)
		if err == nil {
			vars[string(ks)] = e
		}
	})
	return vars, err
}

// priorityExpr converts a chain priority option: a number, a name
// ("filter") or "NAME + N" / "NAME - N".
func priorityExpr(v glua.LValue, pos diag.Pos) (ast.Expr, error) {
	loc := ast.At(pos)
	switch x := v.(type) {
	case glua.LNumber:
		n := int64(x)
		if float64(n) != float64(x) {
			return nil, diag.Errorf(pos, "priority %v is not an integer", float64(x))
		}
		return &ast.Number{Loc: loc, Text: strconv.FormatInt(n, 10), Value: uint64(n)}, nil
	case glua.LString:
		s := strings.TrimSpace(string(x))
		if i := strings.LastIndexAny(s, "+-"); i > 0 {
			name, num := strings.TrimSpace(s[:i]), strings.TrimSpace(s[i+1:])
			if u, err := strconv.ParseUint(num, 10, 32); err == nil && name != "" {
				return &ast.Binary{Loc: loc, Op: s[i : i+1], X: &ast.Symbol{Loc: loc, Text: name},
					Y: &ast.Number{Loc: loc, Text: num, Value: u}}, nil
			}
		}
		return &ast.Symbol{Loc: loc, Text: s}, nil
	}
	return nil, fmt.Errorf("priority must be a number or a name, got %s", v.Type().String())
}

// verdictRe matches a verdict written as a map value.
var verdictRe = regexp.MustCompile(`^(accept|drop|continue|return|(jump|goto) ([A-Za-z_][A-Za-z0-9_.\-]*))$`)

// mapValue converts the value of a map entry: a verdict string ("accept",
// "jump CHAIN") becomes a verdict node, anything else as ValueToExpr.
func mapValue(name string, v glua.LValue, pos diag.Pos, depth int) (ast.Expr, error) {
	if s, ok := v.(glua.LString); ok {
		if m := verdictRe.FindStringSubmatch(string(s)); m != nil {
			loc := ast.At(pos)
			if m[2] != "" {
				return &ast.Verdict{Loc: loc, Kind: m[2], Chain: &ast.Symbol{Loc: loc, Text: m[3]}}, nil
			}
			return &ast.Verdict{Loc: loc, Kind: m[1]}, nil
		}
	}
	return toExpr(name, v, pos, depth)
}
