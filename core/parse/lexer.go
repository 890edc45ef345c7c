package parse

import (
	"net/netip"
	"strconv"
)

// tokKind is the kind of a lexical token.
type tokKind uint8

const (
	tEOF      tokKind = iota
	tNewline          // "\n" (a statement separator outside braces)
	tSemi             // ;
	tLBrace           // {
	tRBrace           // }
	tLBracket         // [
	tRBracket         // ]
	tLParen           // (
	tRParen           // )
	tComma            // ,
	tDot              // .
	tColon            // :
	tSlash            // /
	tDash             // -
	tStar             // *
	tAt               // @
	tDollar           // $
	tAssign           // =
	tPlus             // +
	tEq               // ==
	tNeq              // !=
	tLt               // <
	tGt               // >
	tLte              // <=
	tGte              // >=
	tShl              // <<
	tShr              // >>
	tCaret            // ^
	tAmp              // &
	tPipe             // |
	tNot              // !
	tWord             // unquoted word, address, time string, wildcard
	tNum              // unsigned number
	tQuoted           // "quoted string"
	tJunk             // a byte the language has no use for
)

var tokNames = [...]string{
	tEOF: "end of file", tNewline: "newline", tSemi: "';'", tLBrace: "'{'", tRBrace: "'}'",
	tLBracket: "'['", tRBracket: "']'", tLParen: "'('", tRParen: "')'", tComma: "comma",
	tDot: "'.'", tColon: "colon", tSlash: "'/'", tDash: "'-'", tStar: "'*'", tAt: "'@'",
	tDollar: "'$'", tAssign: "'='", tPlus: "'+'", tEq: "'=='", tNeq: "'!='", tLt: "'<'",
	tGt: "'>'", tLte: "'<='", tGte: "'>='", tShl: "'<<'", tShr: "'>>'", tCaret: "'^'",
	tAmp: "'&'", tPipe: "'|'", tNot: "'!'", tWord: "string", tNum: "number",
	tQuoted: "quoted string", tJunk: "junk",
}

// token is one lexical token. Text is the token's value (without quotes or
// brackets); Off/Len locate it in the source.
type token struct {
	text string
	num  uint64
	off  int
	len  int32
	line int32
	col  int32
	kind tokKind
}

// lexer splits nft source text into tokens, following the longest-match
// rules of nft's flex scanner.
type lexer struct {
	src       []byte
	str       string // src as a string: token texts are substrings of it
	off       int
	line      int
	lineStart int
	// baseLine and baseCol shift reported positions (text embedded
	// elsewhere, parse.Rule); baseCol applies to the first line only.
	baseLine, baseCol int
}

func newLexer(src []byte) *lexer {
	return &lexer{src: src, str: string(src), line: 1}
}

// lex returns all tokens of src, ending with tEOF.
func lex(src []byte) []token {
	l := newLexer(src)
	var toks []token
	for {
		t := l.next()
		toks = append(toks, t)
		if t.kind == tEOF {
			return toks
		}
	}
}

func (l *lexer) tok(kind tokKind, start, n int, text string) token {
	col := start - l.lineStart + 1
	if l.line == 1 {
		col += l.baseCol
	}
	return token{kind: kind, text: text, off: start, len: int32(n), line: int32(l.line + l.baseLine), col: int32(col)}
}

func isDigit(c byte) bool  { return c >= '0' && c <= '9' }
func isLetter(c byte) bool { return c|0x20 >= 'a' && c|0x20 <= 'z' }
func isHex(c byte) bool    { return isDigit(c) || (c|0x20 >= 'a' && c|0x20 <= 'f') }

// isStrStart and isStrCont follow nft's {string} pattern:
// ({letter}|[_.])({letter}|{digit}|[/\-_\.])*
func isStrStart(c byte) bool { return isLetter(c) || c == '_' || c == '.' }
func isStrCont(c byte) bool {
	return isLetter(c) || isDigit(c) || c == '/' || c == '-' || c == '_' || c == '.'
}

func (l *lexer) next() token {
	src := l.src
	for l.off < len(src) {
		c := src[l.off]
		switch {
		case c == ' ' || c == '\t' || c == '\r':
			l.off++
			continue
		case c == '\\' && l.off+1 < len(src) && src[l.off+1] == '\n':
			l.off += 2
			l.line++
			l.lineStart = l.off
			continue
		case c == '#':
			for l.off < len(src) && src[l.off] != '\n' {
				l.off++
			}
			continue
		}
		break
	}
	start := l.off
	if start >= len(src) {
		return l.tok(tEOF, start, 0, "")
	}
	c := src[start]
	one := func(k tokKind) token {
		l.off++
		return l.tok(k, start, 1, l.str[start:start+1])
	}
	two := func(k tokKind) token {
		l.off += 2
		return l.tok(k, start, 2, l.str[start:start+2])
	}
	peek := byte(0)
	if start+1 < len(src) {
		peek = src[start+1]
	}
	switch c {
	case '\n':
		t := l.tok(tNewline, start, 1, "\n")
		l.off++
		l.line++
		l.lineStart = l.off
		return t
	case ';':
		return one(tSemi)
	case '{':
		return one(tLBrace)
	case '}':
		return one(tRBrace)
	case ']':
		return one(tRBracket)
	case '(':
		return one(tLParen)
	case ')':
		return one(tRParen)
	case ',':
		return one(tComma)
	case '/':
		return one(tSlash)
	case '-':
		return one(tDash)
	case '@':
		return one(tAt)
	case '$':
		return one(tDollar)
	case '+':
		return one(tPlus)
	case '^':
		return one(tCaret)
	case '&':
		return one(tAmp)
	case '|':
		return one(tPipe)
	case '=':
		if peek == '=' {
			return two(tEq)
		}
		return one(tAssign)
	case '!':
		if peek == '=' {
			return two(tNeq)
		}
		return one(tNot)
	case '<':
		if peek == '=' {
			return two(tLte)
		}
		if peek == '<' {
			return two(tShl)
		}
		return one(tLt)
	case '>':
		if peek == '=' {
			return two(tGte)
		}
		if peek == '>' {
			return two(tShr)
		}
		return one(tGt)
	case '"':
		end := start + 1
		for end < len(src) && src[end] != '"' {
			end++
		}
		if end >= len(src) {
			// Unterminated: nft reports junk at the quote.
			return one(tJunk)
		}
		t := l.tok(tQuoted, start, end+1-start, l.str[start+1:end])
		for i := start + 1; i < end; i++ {
			if src[i] == '\n' {
				l.line++
				l.lineStart = i + 1
			}
		}
		l.off = end + 1
		return t
	case '[':
		// [ipv6-address] (RFC 2732) is one string token.
		if n := matchIP6(src[start+1:]); n > 0 && start+1+n < len(src) && src[start+1+n] == ']' {
			l.off = start + n + 2
			return l.tok(tWord, start, n+2, l.str[start+1:start+1+n])
		}
		return one(tLBracket)
	case '\\':
		if peek == '*' {
			l.off += 2
			return l.tok(tWord, start, 2, `\*`)
		}
		return one(tJunk)
	}
	if c == '*' {
		return one(tStar)
	}
	// Words, numbers, addresses, time strings: the longest match wins, ties
	// go to the earlier flex rule (addresses, then time, number, classid,
	// asterisk string, string).
	best, kind := 0, tWord
	if isHex(c) || c == ':' {
		if n := matchIP6(src[start:]); n > best {
			best = n
		}
		if n := matchIP4(src[start:]); n > best {
			best = n
		}
		if n := matchMAC(src[start:]); n > best {
			best = n
		}
	}
	if c == '8' {
		for _, kw := range [...]string{"8021ad", "8021q"} {
			if len(src)-start >= len(kw) && string(src[start:start+len(kw)]) == kw &&
				(start+len(kw) == len(src) || !isStrCont(src[start+len(kw)])) {
				l.off = start + len(kw)
				return l.tok(tWord, start, len(kw), kw)
			}
		}
	}
	if isDigit(c) {
		if n := matchTime(src[start:]); n > best {
			best = n
		}
		if n := matchNumber(src[start:]); n > best {
			best, kind = n, tNum
		}
	}
	if isHex(c) {
		if n := matchClassid(src[start:]); n > best {
			best, kind = n, tWord
		}
	}
	if isStrStart(c) {
		n := 1
		for start+n < len(src) && isStrCont(src[start+n]) {
			n++
		}
		if c == '.' && n == 1 {
			return one(tDot)
		}
		// asterisk strings: string\*, string\\\*, string\\\*string
		m := n
		if start+m < len(src) && src[start+m] == '*' {
			m++
		} else if start+m+1 < len(src) && src[start+m] == '\\' && src[start+m+1] == '*' {
			m += 2
			for start+m < len(src) && isStrCont(src[start+m]) {
				m++
			}
		}
		if m > best {
			best, kind = m, tWord
		}
	}
	if c == ':' && best < 2 {
		return one(tColon)
	}
	if best == 0 {
		return one(tJunk)
	}
	l.off = start + best
	t := l.tok(kind, start, best, l.str[start:start+best])
	if kind == tNum {
		v, err := strconv.ParseUint(t.text, 0, 64)
		if err != nil {
			t.kind = tWord // nft: numbers that overflow are strings
		}
		t.num = v
	}
	return t
}

// matchNumber matches {decstring}|{hexstring}.
func matchNumber(s []byte) int {
	if len(s) > 2 && s[0] == '0' && s[1]|0x20 == 'x' && isHex(s[2]) {
		n := 3
		for n < len(s) && isHex(s[n]) {
			n++
		}
		return n
	}
	n := 0
	for n < len(s) && isDigit(s[n]) {
		n++
	}
	return n
}

// matchTime matches nft's {timestring}: ([0-9]+d)?([0-9]+h)?([0-9]+m)?([0-9]+s)?([0-9]+ms)?
// returning the longest match (0 if it has no unit at all).
func matchTime(s []byte) int {
	units := []string{"d", "h", "m", "s", "ms"}
	var best int
	var rec func(pos, ui int)
	rec = func(pos, ui int) {
		if pos > best {
			best = pos
		}
		d := pos
		for d < len(s) && isDigit(s[d]) {
			d++
		}
		if d == pos {
			return
		}
		for u := ui; u < len(units); u++ {
			un := units[u]
			if d+len(un) <= len(s) && string(s[d:d+len(un)]) == un {
				rec(d+len(un), u+1)
			}
		}
	}
	rec(0, 0)
	return best
}

// matchIP4 matches ([0-9]{1,3}\.){3}[0-9]{1,3}.
func matchIP4(s []byte) int {
	n := 0
	for part := 0; part < 4; part++ {
		d := 0
		for n < len(s) && isDigit(s[n]) && d < 3 {
			n++
			d++
		}
		if d == 0 {
			return 0
		}
		if part < 3 {
			if n >= len(s) || s[n] != '.' {
				return 0
			}
			n++
		}
	}
	return n
}

// matchMAC matches ([0-9a-f]{1,2}:){5}[0-9a-f]{1,2}.
func matchMAC(s []byte) int {
	n := 0
	for part := 0; part < 6; part++ {
		d := 0
		for n < len(s) && isHex(s[n]) && d < 2 {
			n++
			d++
		}
		if d == 0 {
			return 0
		}
		if part < 5 {
			if n >= len(s) || s[n] != ':' {
				return 0
			}
			n++
		}
	}
	return n
}

// matchClassid matches {hexdigit}{1,4}:{hexdigit}{1,4} followed by one of
// " \t\n:-},".
func matchClassid(s []byte) int {
	n := 0
	for n < len(s) && isHex(s[n]) && n < 4 {
		n++
	}
	if n == 0 || n >= len(s) || s[n] != ':' {
		return 0
	}
	n++
	d := 0
	for n < len(s) && isHex(s[n]) && d < 4 {
		n++
		d++
	}
	if d == 0 {
		return 0
	}
	if n >= len(s) {
		return n
	}
	switch s[n] {
	case ' ', '\t', '\n', ':', '-', '}', ',':
		return n
	}
	return 0
}

// matchIP6 returns the length of the longest IPv6 address at the start of s.
func matchIP6(s []byte) int {
	n := 0
	colon := false
	for n < len(s) && n < 45 && (isHex(s[n]) || s[n] == ':' || s[n] == '.') {
		if s[n] == ':' {
			colon = true
		}
		n++
	}
	if !colon || n < 2 {
		return 0
	}
	for ; n >= 2; n-- {
		if s[n-1] == '.' {
			continue
		}
		if _, err := netip.ParseAddr(string(s[:n])); err == nil {
			return n
		}
	}
	return 0
}
