package linearize

import (
	"github.com/nfsh/nfsh/core/ast"
	"github.com/nfsh/nfsh/core/eval"
	"github.com/nfsh/nfsh/core/expr"
	"github.com/nfsh/nfsh/core/ruleset"
	"github.com/nfsh/nfsh/core/types"
)

// ObjTypes maps object kinds to NFT_OBJECT_* numbers.
var ObjTypes = map[ast.ObjKind]uint32{
	ast.ObjCounter: 1, ast.ObjQuota: 2, ast.ObjCtHelper: 3, ast.ObjLimit: 4,
	ast.ObjCtTimeout: 7, ast.ObjSecmark: 8, ast.ObjCtExpect: 9, ast.ObjSynproxy: 10,
}

// objref emits a reference to a named stateful object, directly or
// through an object map (`counter name tcp dport map { 22 : "c1" }`).
func (c *Ctx) objref(ec *eval.Ctx, x *ast.ObjRef) error {
	typ, ok := ObjTypes[x.Kind]
	if !ok {
		return eval.Errorf(x, "unknown object type %s", x.Kind)
	}
	name := unwrap(x.Name)
	ml, ok := name.(*ast.MapLookup)
	if !ok {
		s, err := ec.Name(name)
		if err != nil {
			return err
		}
		if s == "" {
			return eval.Errorf(x, "object name must not be empty")
		}
		if ot, ok := ec.Decls.(eval.ObjectTables); ok {
			if exists, known := ot.Object(typ, s); !exists && known {
				return eval.Errorf(name, "unknown %s '%s' in table %s %s", x.Kind, s, ec.Family, ec.Table)
			}
		}
		c.Add(&expr.Objref{ImmType: typ, ImmName: s})
		return nil
	}
	key, err := ec.Expr(ml.X)
	if err != nil {
		return err
	}
	if err := c.flushDeps(ec); err != nil {
		return err
	}
	concat := key.Concat != nil
	unit := c.Alloc(key.RegBits, concat)
	defer c.Release(key.RegBits, concat)
	var setName string
	hton := false
	switch m := unwrap(ml.Map).(type) {
	case *ast.SetExpr:
		strLoad := &eval.Load{Type: types.String, Order: types.OrderHost}
		v, err := ec.MapLiteral(m, key, strLoad)
		if err != nil {
			return err
		}
		s, err := c.AnonSet(v, key, strLoad, "__objmap%d")
		if err != nil {
			return err
		}
		s.Flags = s.Flags&^ruleset.SetMap | ruleset.SetObject
		s.DataType, s.DataLen = 0, 0
		s.ObjType = typ
		s.Userdata = objmapUdata(key)
		for _, el := range s.Elements {
			if el.Data != nil {
				el.ObjRef = string(trimZero(el.Data))
				el.Data = nil
			}
		}
		c.Sets = append(c.Sets, s)
		setName = s.Name
		hton = s.Flags&ruleset.SetInterval != 0
	case *ast.SetRef:
		if ec.LookupSet(m.Name) == nil {
			return ec.UnknownSet(m, m.Name)
		}
		si := ec.Decls.Set(m.Name)
		setName = si.Name
		hton = si.Flags&ruleset.SetInterval != 0
	default:
		return eval.Errorf(ml.Map, "expected an object map")
	}
	c.Load(key, unit, hton)
	c.Add(&expr.Objref{SetSReg: Reg(unit), SetName: setName})
	return nil
}

func trimZero(b []byte) []byte {
	for len(b) > 0 && b[len(b)-1] == 0 {
		b = b[:len(b)-1]
	}
	return b
}
