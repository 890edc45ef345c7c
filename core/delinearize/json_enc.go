package delinearize

import (
	"encoding/json"
	"fmt"
	"strconv"
	"unicode/utf8"
)

// JSONObject is a JSON object whose keys keep their insertion order, the
// way libjansson (nft's JSON library) keeps and prints them.
type JSONObject struct {
	keys []string
	vals []any
}

// NewJSONObject returns an object of the given key, value pairs in order.
// Values are nil (null), bool, the integer types, string, []any,
// *JSONObject or json.RawMessage.
func NewJSONObject(kv ...any) *JSONObject {
	o := &JSONObject{}
	for i := 0; i+1 < len(kv); i += 2 {
		o.Set(kv[i].(string), kv[i+1])
	}
	return o
}

// Set sets key k to v: in place when k is already there, else at the end
// (jansson's json_object_set).
func (o *JSONObject) Set(k string, v any) {
	for i, x := range o.keys {
		if x == k {
			o.vals[i] = v
			return
		}
	}
	o.keys = append(o.keys, k)
	o.vals = append(o.vals, v)
}

// setMissing sets k to v only when k is not there yet
// (json_object_update_missing for one key).
func (o *JSONObject) setMissing(k string, v any) {
	for _, x := range o.keys {
		if x == k {
			return
		}
	}
	o.Set(k, v)
}

// Len returns the number of keys.
func (o *JSONObject) Len() int { return len(o.keys) }

// MarshalJSON encodes o like AppendJSON.
func (o *JSONObject) MarshalJSON() ([]byte, error) { return AppendJSON(nil, o), nil }

// AppendJSON appends v to b as libjansson's json_dumps(v, 0) writes it, the
// form `nft -j` prints: no newlines, ", " between items and ": " after
// keys, strings escaped only where JSON requires it (UTF-8 kept).
func AppendJSON(b []byte, v any) []byte {
	switch x := v.(type) {
	case nil:
		return append(b, "null"...)
	case bool:
		if x {
			return append(b, "true"...)
		}
		return append(b, "false"...)
	case int:
		return strconv.AppendInt(b, int64(x), 10)
	case int32:
		return strconv.AppendInt(b, int64(x), 10)
	case int64:
		return strconv.AppendInt(b, x, 10)
	case uint8:
		return strconv.AppendUint(b, uint64(x), 10)
	case uint16:
		return strconv.AppendUint(b, uint64(x), 10)
	case uint32:
		return strconv.AppendUint(b, uint64(x), 10)
	case uint64:
		// jansson integers are long long
		return strconv.AppendInt(b, int64(x), 10)
	case string:
		return appendJSONString(b, x)
	case []any:
		b = append(b, '[')
		for i, e := range x {
			if i > 0 {
				b = append(b, ", "...)
			}
			b = AppendJSON(b, e)
		}
		return append(b, ']')
	case *JSONObject:
		if x == nil {
			return append(b, "null"...)
		}
		b = append(b, '{')
		for i, k := range x.keys {
			if i > 0 {
				b = append(b, ", "...)
			}
			b = appendJSONString(b, k)
			b = append(b, ": "...)
			b = AppendJSON(b, x.vals[i])
		}
		return append(b, '}')
	case json.RawMessage:
		return append(b, x...)
	}
	return appendJSONString(b, fmt.Sprint(v))
}

// appendJSONString is jansson's dump_string without flags.
func appendJSONString(b []byte, s string) []byte {
	b = append(b, '"')
	for i := 0; i < len(s); {
		c := s[i]
		if c >= 0x80 {
			r, n := utf8.DecodeRuneInString(s[i:])
			if r == utf8.RuneError && n == 1 {
				b = append(b, "\\ufffd"...)
			} else {
				b = append(b, s[i:i+n]...)
			}
			i += n
			continue
		}
		switch c {
		case '"':
			b = append(b, '\\', '"')
		case '\\':
			b = append(b, '\\', '\\')
		case '\b':
			b = append(b, '\\', 'b')
		case '\f':
			b = append(b, '\\', 'f')
		case '\n':
			b = append(b, '\\', 'n')
		case '\r':
			b = append(b, '\\', 'r')
		case '\t':
			b = append(b, '\\', 't')
		default:
			if c < 0x20 {
				b = append(b, fmt.Sprintf("\\u%04X", c)...)
			} else {
				b = append(b, c)
			}
		}
		i++
	}
	return append(b, '"')
}
