package bindings

import (
	"reflect"

	"github.com/nfsh/nfsh/core/diag"
	"github.com/nfsh/nfsh/core/ruleset"
)

// copyRuleset returns a deep copy of rs's structure: tables, chains,
// rules, sets and elements are new values (expressions, which are never
// modified in place, are shared). A stand-in until core/ruleset has Clone.
func copyRuleset(rs *ruleset.Ruleset) *ruleset.Ruleset {
	out := &ruleset.Ruleset{}
	for _, t := range rs.Tables {
		nt := *t
		nt.Chains, nt.Sets, nt.Objects, nt.Flowtables = nil, nil, nil, nil
		for _, c := range t.Chains {
			nc := *c
			if c.Hook != nil {
				h := *c.Hook
				h.Devices = append([]string(nil), c.Hook.Devices...)
				nc.Hook = &h
			}
			nc.Rules = nil
			for _, r := range c.Rules {
				nr := *r
				nr.Sets = nil
				for _, s := range r.Sets {
					nr.Sets = append(nr.Sets, copySet(s))
				}
				nr.Userdata = append([]byte(nil), r.Userdata...)
				nc.Rules = append(nc.Rules, &nr)
			}
			nt.Chains = append(nt.Chains, &nc)
		}
		for _, s := range t.Sets {
			nt.Sets = append(nt.Sets, copySet(s))
		}
		for _, o := range t.Objects {
			no := *o
			nt.Objects = append(nt.Objects, &no)
		}
		for _, f := range t.Flowtables {
			nf := *f
			nf.Devices = append([]string(nil), f.Devices...)
			nt.Flowtables = append(nt.Flowtables, &nf)
		}
		out.Tables = append(out.Tables, &nt)
	}
	return out
}

func copySet(s *ruleset.Set) *ruleset.Set {
	ns := *s
	ns.Elements = nil
	for _, e := range s.Elements {
		ne := *e
		ns.Elements = append(ns.Elements, &ne)
	}
	return &ns
}

// equalValues compares two kernel-level values, ignoring what does not
// make them different firewalls: handles, source positions and text,
// batch-local set ids, the owner port and pulled-only expirations.
func equalValues(a, b any) bool {
	return deepEqual(reflect.ValueOf(a), reflect.ValueOf(b), 0)
}

var ignoredFields = map[string]bool{"Handle": true, "Pos": true, "Text": true, "ID": true, "Owner": true, "Expiration": true}

var posType = reflect.TypeOf(diag.Pos{})

var rulesetPkg = reflect.TypeOf(ruleset.Ruleset{}).PkgPath()

func deepEqual(a, b reflect.Value, depth int) bool {
	if depth > 64 {
		return false
	}
	if a.IsValid() != b.IsValid() {
		return false
	}
	if !a.IsValid() {
		return true
	}
	if a.Type() != b.Type() {
		return false
	}
	if a.Type() == posType {
		return true
	}
	switch a.Kind() {
	case reflect.Pointer, reflect.Interface:
		if a.IsNil() || b.IsNil() {
			return a.IsNil() == b.IsNil()
		}
		return deepEqual(a.Elem(), b.Elem(), depth+1)
	case reflect.Struct:
		for i := 0; i < a.NumField(); i++ {
			f := a.Type().Field(i)
			if ignoredFields[f.Name] && a.Type().PkgPath() == rulesetPkg {
				continue
			}
			if !f.IsExported() {
				// Unexported state (caches) does not define the value.
				continue
			}
			if !deepEqual(a.Field(i), b.Field(i), depth+1) {
				return false
			}
		}
		return true
	case reflect.Slice:
		if a.Len() != b.Len() {
			return false
		}
		for i := 0; i < a.Len(); i++ {
			if !deepEqual(a.Index(i), b.Index(i), depth+1) {
				return false
			}
		}
		return true
	case reflect.Map:
		return reflect.DeepEqual(a.Interface(), b.Interface())
	default:
		if a.CanInterface() && b.CanInterface() {
			return a.Interface() == b.Interface()
		}
		return true
	}
}
