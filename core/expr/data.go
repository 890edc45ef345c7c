package expr

import (
	"encoding/binary"
	"fmt"
	"strconv"
	"strings"
)

// FormatData renders register data the way libnftnl prints NFTA_DATA_VALUE:
// the bytes are read as 32-bit words in host (little-endian) order, each
// printed as "0x%08x" and separated by single spaces. A partial trailing
// word is zero-padded, as libnftnl's zero-initialised register buffer does.
// An empty slice renders as "".
func FormatData(b []byte) string {
	return strings.TrimSuffix(formatDataPfx(b, "0x"), " ")
}

// formatDataPfx is FormatData with libnftnl's trailing blank after each
// word and a chosen prefix ("0x", or "" for set element keys).
func formatDataPfx(b []byte, pfx string) string {
	var sb strings.Builder
	for i := 0; i < len(b); i += 4 {
		var w [4]byte
		copy(w[:], b[i:])
		fmt.Fprintf(&sb, "%s%08x ", pfx, binary.LittleEndian.Uint32(w[:]))
	}
	return sb.String()
}

// ParseData is the inverse of FormatData: it parses space-separated
// "0x%08x" words (the "0x" prefix is optional) into bytes, 4 per word in
// little-endian order. The text does not record the data length, so the
// result is always a multiple of 4 bytes; use ParseDataLen when the length
// is known.
func ParseData(s string) ([]byte, error) {
	f := strings.Fields(s)
	out := make([]byte, 0, 4*len(f))
	for _, w := range f {
		w = strings.TrimPrefix(w, "0x")
		if len(w) != 8 {
			return nil, fmt.Errorf("data word %q: want 8 hex digits", w)
		}
		v, err := strconv.ParseUint(w, 16, 32)
		if err != nil {
			return nil, fmt.Errorf("data word %q: %v", w, err)
		}
		out = binary.LittleEndian.AppendUint32(out, uint32(v))
	}
	return out, nil
}

// ParseDataLen parses data like ParseData and cuts it to n bytes. It fails
// when n does not fit the number of words or the cut bytes are not zero.
func ParseDataLen(s string, n int) ([]byte, error) {
	b, err := ParseData(s)
	if err != nil {
		return nil, err
	}
	if n > len(b) || n <= len(b)-4 {
		return nil, fmt.Errorf("data %q does not hold %d bytes", s, n)
	}
	for _, c := range b[n:] {
		if c != 0 {
			return nil, fmt.Errorf("data %q has non-zero bytes beyond %d", s, n)
		}
	}
	return b[:n], nil
}
