package expr

import (
	"bytes"
	"path/filepath"
	"testing"
)

// fuzzSeeds returns encoded expression lists to start the fuzzers from:
// one per distinct corpus expression line (when the corpus is present),
// plus xt match/target, unknown and data-less expressions.
func fuzzSeeds(f *testing.F) [][]byte {
	var seeds [][]byte
	add := func(es ...Expr) {
		if b, err := Marshal(es); err == nil {
			seeds = append(seeds, b)
		}
	}
	add(&Match{MatchName: "conntrack", Rev: 3, Info: make([]byte, 200)})
	add(&Target{TargetName: "LOG", Rev: 0, Info: []byte("x\x00\x00\x00\x04\x00\x00\x00")})
	add(&Raw{ExprName: "frob", Data: []byte{8, 0, 1, 0, 0, 0, 0, 1}})
	add(&Raw{ExprName: "meta"})
	add(&Notrack{}, &Meta{Key: 16, DReg: 1}, &Cmp{Op: 0, SReg: 1, Data: []byte{1}})
	if files, _ := filepath.Glob(filepath.Join(corpusDir, "*", "*.t.payload*")); len(files) > 0 {
		for i, l := range corpusLines(f) {
			if i%8 != 0 { // a sample keeps the seed corpus quick to replay
				continue
			}
			if e, err := Parse(l); err == nil {
				add(e)
			}
		}
	}
	return seeds
}

// FuzzUnmarshal feeds arbitrary bytes to the expression decoders, as a
// kernel (or a corrupted socket) might send them. Decoding must never
// panic, whatever decodes must re-encode and print, and a second decode
// of the re-encoding must give the same bytes again (the decoders and
// encoders agree, so a pulled rule is pushed byte for byte).
func FuzzUnmarshal(f *testing.F) {
	for _, s := range fuzzSeeds(f) {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		if e, err := UnmarshalOne(b); err == nil {
			_ = e.String()
			_, _ = MarshalOne(e)
		}
		es, err := Unmarshal(b)
		if err != nil {
			return
		}
		for _, e := range es {
			_ = e.String()
		}
		b1, err := Marshal(es)
		if err != nil {
			return
		}
		es2, err := Unmarshal(b1)
		if err != nil {
			t.Fatalf("re-encoding of a decoded list does not decode: %v\ninput % x\nre-encoded % x", err, b, b1)
		}
		b2, err := Marshal(es2)
		if err != nil {
			t.Fatalf("second encoding failed: %v", err)
		}
		if !bytes.Equal(b1, b2) {
			t.Fatalf("encoding not stable:\ninput  % x\nfirst  % x\nsecond % x", b, b1, b2)
		}
	})
}

// FuzzParse feeds arbitrary text to the `nft --debug=netlink` line parser:
// it must never panic, and what parses must encode and print.
func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"[ payload load 2b @ transport header + 2 => reg 1 ]",
		"[ cmp eq reg 1 0x00001600 ]",
		"[ immediate reg 0 jump -> chain1 ]",
		"[ lookup reg 1 set __set%d 0x1 ]",
		"[ bitwise reg 1 = ( reg 1 & 0x0000ffff ) ^ 0x00000000 ]",
		"[ raw 0x0800010000000001 ]",
		"[ frob ]",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		e, err := Parse(s)
		if err != nil || e == nil {
			return
		}
		_ = e.String()
		_, _ = Marshal([]Expr{e})
	})
}
