package ast

import "reflect"

// Clone returns a deep copy of the expression e (nil for nil). The parser
// uses it to give every `$var` reference its own copy of the value.
func Clone(e Expr) Expr {
	if e == nil {
		return nil
	}
	v := deepCopy(reflect.ValueOf(e))
	return v.Interface().(Expr)
}

// CloneStmt returns a deep copy of the statement s.
func CloneStmt(s Stmt) Stmt {
	if s == nil {
		return nil
	}
	return deepCopy(reflect.ValueOf(s)).Interface().(Stmt)
}

func deepCopy(v reflect.Value) reflect.Value {
	switch v.Kind() {
	case reflect.Pointer:
		if v.IsNil() {
			return v
		}
		n := reflect.New(v.Elem().Type())
		n.Elem().Set(deepCopy(v.Elem()))
		return n
	case reflect.Interface:
		if v.IsNil() {
			return v
		}
		n := reflect.New(v.Type()).Elem()
		n.Set(deepCopy(v.Elem()))
		return n
	case reflect.Slice:
		if v.IsNil() {
			return v
		}
		n := reflect.MakeSlice(v.Type(), v.Len(), v.Len())
		for i := 0; i < v.Len(); i++ {
			n.Index(i).Set(deepCopy(v.Index(i)))
		}
		return n
	case reflect.Struct:
		n := reflect.New(v.Type()).Elem()
		for i := 0; i < v.NumField(); i++ {
			if n.Field(i).CanSet() {
				n.Field(i).Set(deepCopy(v.Field(i)))
			}
		}
		return n
	}
	return v
}
