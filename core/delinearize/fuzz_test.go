package delinearize

import (
	"testing"

	"github.com/nfsh/nfsh/core/expr"
	"github.com/nfsh/nfsh/core/ruleset"
)

// fuzzExprs turns fuzz bytes into an expression list: each expression
// takes a kind byte and a few parameter bytes; data values take a length
// byte and that many bytes.
func fuzzExprs(b []byte) ([]expr.Expr, *ruleset.Set) {
	next := func() uint32 {
		if len(b) == 0 {
			return 0
		}
		v := b[0]
		b = b[1:]
		return uint32(v)
	}
	data := func() []byte {
		n := int(next() % 20)
		if n > len(b) {
			n = len(b)
		}
		d := append([]byte(nil), b[:n]...)
		b = b[n:]
		return d
	}
	reg := func() uint32 { return next() % 24 }
	set := &ruleset.Set{Name: "__set0", Flags: ruleset.SetAnonymous | ruleset.SetConstant}
	var out []expr.Expr
	for len(b) > 0 && len(out) < 32 {
		switch next() % 14 {
		case 0:
			out = append(out, &expr.Payload{DReg: reg(), Base: next() % 4, Offset: next(), Len: next() % 20})
		case 1:
			out = append(out, &expr.Cmp{SReg: reg(), Op: next() % 6, Data: data()})
		case 2:
			out = append(out, &expr.Meta{Key: next() % 40, DReg: reg()})
		case 3:
			out = append(out, &expr.Bitwise{SReg: reg(), DReg: reg(), Op: next() % 3, Len: next() % 20, Mask: data(), Xor: data()})
		case 4:
			out = append(out, &expr.Lookup{SReg: reg(), SetName: "__set0", Flags: next() % 2})
		case 5:
			out = append(out, &expr.Immediate{DReg: reg(), Data: data()})
		case 6:
			out = append(out, &expr.Range{SReg: reg(), Op: next() % 2, FromData: data(), ToData: data()})
		case 7:
			out = append(out, &expr.Ct{Key: next() % 30, DReg: reg()})
		case 8:
			out = append(out, &expr.Exthdr{DReg: reg(), Type: uint8(next()), Offset: next(), Len: next() % 20, Op: next() % 4, Flags: next() % 2})
		case 9:
			out = append(out, &expr.Byteorder{SReg: reg(), DReg: reg(), Op: next() % 2, Len: next() % 20, Size: next() % 9})
		case 10:
			v := expr.Verdict{Code: int32(next()) - 5}
			out = append(out, &expr.Immediate{DReg: 0, Verdict: &v})
		case 11:
			out = append(out, &expr.Counter{})
		case 12:
			set.KeyType = next() % 60
			set.KeyLen = next() % 20
			set.Flags |= next() % 16 << 2
			set.Userdata = data()
		case 13:
			e := &ruleset.Element{Key: data(), Flags: next() % 3}
			if next()%2 == 1 {
				e.KeyEnd = data()
			}
			set.Elements = append(set.Elements, e)
		}
	}
	return out, set
}

// FuzzRule checks that printing arbitrary expression lists and sets never
// panics.
func FuzzRule(f *testing.F) {
	f.Add([]byte{0, 1, 2, 12, 2, 1, 1, 2, 0, 22})
	f.Add([]byte{2, 16, 1, 1, 0, 1, 6, 0, 1, 2, 12, 4, 1, 0, 13, 2, 0, 22, 0, 0})
	f.Add([]byte{12, 7, 4, 4, 3, 0, 4, 2, 0, 0, 0, 13, 4, 1, 2, 3, 4, 0, 0, 4, 1, 0})
	f.Add([]byte{8, 1, 44, 2, 2, 0, 0, 3, 1, 1, 0, 2, 2, 0xff, 0xf8, 0, 1, 1, 0, 2, 0, 0xb0})
	f.Fuzz(func(t *testing.T, b []byte) {
		panicOnBug = true
		defer func() { panicOnBug = false }()
		exprs, set := fuzzExprs(b)
		tb := &ruleset.Table{Family: ruleset.FamilyInet, Name: "t"}
		r := &ruleset.Rule{Exprs: exprs, Sets: []*ruleset.Set{set}}
		for _, fam := range []ruleset.Family{ruleset.FamilyInet, ruleset.FamilyIP, ruleset.FamilyNetdev} {
			tb.Family = fam
			_, _ = Rule(tb, r, nil)
		}
		named := *set
		named.Name, named.Flags = "s", named.Flags&^ruleset.SetAnonymous
		_ = SetDecl(tb, &named, nil)
	})
}
