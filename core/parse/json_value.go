package parse

// This file is the JSON reader under parse.JSON: a strict RFC 8259
// decoder (as jansson's json_loads is, without flags) that keeps the
// byte offset of every value, so that errors and syntax tree nodes point
// at the JSON text.

import (
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// jkind is the type of a JSON value.
type jkind uint8

const (
	jNull jkind = iota
	jBool
	jInt  // an integer (no fraction or exponent), as jansson's JSON_INTEGER
	jReal // a number with a fraction or exponent
	jStr
	jArr
	jObj
)

// jsonTypeNames are the names nft's json_typename gives each kind.
var jsonTypeNames = [...]string{jNull: "null", jBool: "boolean", jInt: "integer", jReal: "real", jStr: "string", jArr: "array", jObj: "object"}

func (k jkind) String() string { return jsonTypeNames[k] }

// jval is one decoded JSON value with the byte range it spans.
type jval struct {
	kind     jkind
	off, end int
	b        bool
	i        int64  // jInt
	s        string // jStr: the decoded string; jReal: the text
	arr      []*jval
	keys     []string // jObj: member names in document order
	vals     []*jval  // jObj: member values
}

// get returns the value of member key of an object (the last one when a
// name repeats, as jansson keeps it), or nil.
func (v *jval) get(key string) *jval {
	if v == nil || v.kind != jObj {
		return nil
	}
	for i := len(v.keys) - 1; i >= 0; i-- {
		if v.keys[i] == key {
			return v.vals[i]
		}
	}
	return nil
}

// jsonMaxDepth bounds the nesting of arrays and objects (jansson's
// JSON_PARSER_MAX_DEPTH is 2048).
const jsonMaxDepth = 1024

// jsonSyntaxError is a malformed JSON text at byte offset off.
type jsonSyntaxError struct {
	off int
	msg string
}

// jreader decodes one JSON text.
type jreader struct {
	src   []byte
	i     int
	depth int
	err   *jsonSyntaxError
}

// decodeJSON decodes src, which must hold exactly one JSON object or
// array (surrounded by white space only).
func decodeJSON(src []byte) (*jval, *jsonSyntaxError) {
	r := &jreader{src: src}
	r.ws()
	if r.i < len(src) && src[r.i] != '{' && src[r.i] != '[' {
		return nil, &jsonSyntaxError{r.i, "'[' or '{' expected"}
	}
	v := r.value()
	if r.err != nil {
		return nil, r.err
	}
	r.ws()
	if r.i < len(src) {
		return nil, &jsonSyntaxError{r.i, "end of file expected"}
	}
	return v, nil
}

func (r *jreader) fail(off int, msg string) *jval {
	if r.err == nil {
		r.err = &jsonSyntaxError{off, msg}
	}
	return nil
}

func (r *jreader) ws() {
	for r.i < len(r.src) {
		switch r.src[r.i] {
		case ' ', '\t', '\n', '\r':
			r.i++
		default:
			return
		}
	}
}

func (r *jreader) value() *jval {
	r.ws()
	if r.i >= len(r.src) {
		return r.fail(r.i, "unexpected end of input")
	}
	start := r.i
	switch c := r.src[r.i]; {
	case c == '{':
		return r.object()
	case c == '[':
		return r.array()
	case c == '"':
		s, ok := r.str()
		if !ok {
			return nil
		}
		return &jval{kind: jStr, off: start, end: r.i, s: s}
	case c == '-' || (c >= '0' && c <= '9'):
		return r.number()
	case c >= 'a' && c <= 'z':
		j := r.i
		for j < len(r.src) && r.src[j] >= 'a' && r.src[j] <= 'z' {
			j++
		}
		w := string(r.src[r.i:j])
		v := &jval{off: start, end: j}
		switch w {
		case "true":
			v.kind, v.b = jBool, true
		case "false":
			v.kind = jBool
		case "null":
			v.kind = jNull
		default:
			return r.fail(start, "invalid token '"+w+"'")
		}
		r.i = j
		return v
	}
	return r.fail(start, "invalid token")
}

func (r *jreader) enter(off int) bool {
	r.depth++
	if r.depth > jsonMaxDepth {
		r.fail(off, "maximum parsing depth reached")
		return false
	}
	return true
}

func (r *jreader) object() *jval {
	v := &jval{kind: jObj, off: r.i}
	if !r.enter(r.i) {
		return nil
	}
	defer func() { r.depth-- }()
	r.i++
	r.ws()
	if r.i < len(r.src) && r.src[r.i] == '}' {
		r.i++
		v.end = r.i
		return v
	}
	for {
		r.ws()
		if r.i >= len(r.src) || r.src[r.i] != '"' {
			return r.fail(r.i, "string or '}' expected")
		}
		k, ok := r.str()
		if !ok {
			return nil
		}
		r.ws()
		if r.i >= len(r.src) || r.src[r.i] != ':' {
			return r.fail(r.i, "':' expected")
		}
		r.i++
		m := r.value()
		if m == nil {
			return nil
		}
		v.keys = append(v.keys, k)
		v.vals = append(v.vals, m)
		r.ws()
		if r.i < len(r.src) && r.src[r.i] == ',' {
			r.i++
			continue
		}
		if r.i < len(r.src) && r.src[r.i] == '}' {
			r.i++
			v.end = r.i
			return v
		}
		return r.fail(r.i, "',' or '}' expected")
	}
}

func (r *jreader) array() *jval {
	v := &jval{kind: jArr, off: r.i}
	if !r.enter(r.i) {
		return nil
	}
	defer func() { r.depth-- }()
	r.i++
	r.ws()
	if r.i < len(r.src) && r.src[r.i] == ']' {
		r.i++
		v.end = r.i
		return v
	}
	for {
		m := r.value()
		if m == nil {
			return nil
		}
		v.arr = append(v.arr, m)
		r.ws()
		if r.i < len(r.src) && r.src[r.i] == ',' {
			r.i++
			continue
		}
		if r.i < len(r.src) && r.src[r.i] == ']' {
			r.i++
			v.end = r.i
			return v
		}
		return r.fail(r.i, "',' or ']' expected")
	}
}

// str decodes a string starting at the current '"'.
func (r *jreader) str() (string, bool) {
	start := r.i
	r.i++
	var b strings.Builder
	for {
		if r.i >= len(r.src) {
			r.fail(start, "premature end of input in string")
			return "", false
		}
		c := r.src[r.i]
		switch {
		case c == '"':
			r.i++
			s := b.String()
			if !utf8.ValidString(s) {
				r.fail(start, "invalid UTF-8 in string")
				return "", false
			}
			return s, true
		case c < 0x20:
			r.fail(r.i, "control character in string")
			return "", false
		case c == '\\':
			if r.i+1 >= len(r.src) {
				r.fail(r.i, "premature end of input in string")
				return "", false
			}
			e := r.src[r.i+1]
			r.i += 2
			switch e {
			case '"', '\\', '/':
				b.WriteByte(e)
			case 'b':
				b.WriteByte('\b')
			case 'f':
				b.WriteByte('\f')
			case 'n':
				b.WriteByte('\n')
			case 'r':
				b.WriteByte('\r')
			case 't':
				b.WriteByte('\t')
			case 'u':
				cp, ok := r.hex4()
				if !ok {
					return "", false
				}
				if utf16.IsSurrogate(rune(cp)) {
					if cp >= 0xdc00 || r.i+1 >= len(r.src) || r.src[r.i] != '\\' || r.src[r.i+1] != 'u' {
						r.fail(r.i-6, "invalid Unicode surrogate in string")
						return "", false
					}
					r.i += 2
					lo, ok := r.hex4()
					if !ok {
						return "", false
					}
					cp = int(utf16.DecodeRune(rune(cp), rune(lo)))
					if cp == utf8.RuneError {
						r.fail(r.i-12, "invalid Unicode surrogate in string")
						return "", false
					}
				}
				if cp == 0 {
					r.fail(r.i-6, "\\u0000 is not allowed without JSON_ALLOW_NUL")
					return "", false
				}
				b.WriteRune(rune(cp))
			default:
				r.fail(r.i-2, "invalid escape in string")
				return "", false
			}
		default:
			b.WriteByte(c)
			r.i++
		}
	}
}

func (r *jreader) hex4() (int, bool) {
	if r.i+4 > len(r.src) {
		r.fail(r.i, "invalid \\u escape in string")
		return 0, false
	}
	n, err := strconv.ParseUint(string(r.src[r.i:r.i+4]), 16, 32)
	if err != nil || strings.ContainsAny(string(r.src[r.i:r.i+4]), "+-") {
		r.fail(r.i, "invalid \\u escape in string")
		return 0, false
	}
	r.i += 4
	return int(n), true
}

// number decodes a number; integers must fit 64 bits as in jansson.
func (r *jreader) number() *jval {
	start := r.i
	j := r.i
	if r.src[j] == '-' {
		j++
	}
	digits := func() int {
		k := j
		for j < len(r.src) && r.src[j] >= '0' && r.src[j] <= '9' {
			j++
		}
		return j - k
	}
	intStart := j
	if n := digits(); n == 0 {
		return r.fail(start, "invalid number")
	} else if n > 1 && r.src[intStart] == '0' {
		return r.fail(start, "invalid number: leading zero")
	}
	real := false
	if j < len(r.src) && r.src[j] == '.' {
		j++
		real = true
		if digits() == 0 {
			return r.fail(start, "invalid number")
		}
	}
	if j < len(r.src) && (r.src[j] == 'e' || r.src[j] == 'E') {
		j++
		real = true
		if j < len(r.src) && (r.src[j] == '+' || r.src[j] == '-') {
			j++
		}
		if digits() == 0 {
			return r.fail(start, "invalid number")
		}
	}
	text := string(r.src[start:j])
	r.i = j
	if real {
		return &jval{kind: jReal, off: start, end: j, s: text}
	}
	n, err := strconv.ParseInt(text, 10, 64)
	if err != nil {
		return r.fail(start, "too big integer")
	}
	return &jval{kind: jInt, off: start, end: j, i: n}
}
