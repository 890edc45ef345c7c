package expr

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/nfsh/nfsh/core/diag"
)

// Parse reads one expression from its `nft --debug=netlink` text: either
// the body ("payload load 2b @ transport header + 2 => reg 1") or the whole
// line ("[ payload load ... ]", leading blanks allowed). It is the inverse
// of String for every expression the corpus contains.
//
// The text does not show everything that goes on the wire. Parse fills what
// it cannot see as follows: data values are whole 32-bit words (use
// ParseDataLen or FixLengths to cut them); bitwise Len is the mask length
// (4 for shifts) and OmitOp is false; socket Level, osf TTL/Flags, synproxy
// Flags, lookup/dynset/objref set ids are 0; log Snaplen/QThreshold are
// present when non-zero; a hash seed is present when non-zero.
func Parse(line string) (Expr, error) {
	s := strings.TrimLeft(line, " \t")
	if strings.HasPrefix(s, "[ ") && strings.HasSuffix(s, "]") {
		s = strings.TrimSuffix(strings.TrimPrefix(s, "[ "), "]")
		s = strings.TrimSuffix(s, " ")
	}
	name, rest, _ := strings.Cut(s, " ")
	e, err := parseBody(name, rest)
	if err != nil {
		return nil, &diag.Error{Op: "parse expression", Object: strconv.Quote(line), Err: err}
	}
	return e, nil
}

// matcher applies one regular expression and converts its groups.
type matcher struct {
	g   []string
	err error
}

func (m *matcher) match(re *regexp.Regexp, s string) bool {
	m.g = re.FindStringSubmatch(s)
	return m.g != nil
}

// u parses group i as an unsigned decimal number (0 when the group is empty).
func (m *matcher) u(i int) uint32 {
	if m.g[i] == "" {
		return 0
	}
	v, err := strconv.ParseUint(m.g[i], 10, 32)
	if err != nil && m.err == nil {
		m.err = err
	}
	return uint32(v)
}

func (m *matcher) u64(i int) uint64 {
	v, err := strconv.ParseUint(m.g[i], 10, 64)
	if err != nil && m.err == nil {
		m.err = err
	}
	return v
}

func (m *matcher) hex(i int) uint32 {
	if m.g[i] == "" {
		return 0
	}
	v, err := strconv.ParseUint(m.g[i], 16, 32)
	if err != nil && m.err == nil {
		m.err = err
	}
	return uint32(v)
}

func (m *matcher) data(i int) []byte {
	b, err := ParseData(m.g[i])
	if err != nil && m.err == nil {
		m.err = err
	}
	return b
}

func lookupName(names []string, s string) (uint32, error) {
	for i, n := range names {
		if n == s {
			return uint32(i), nil
		}
	}
	return 0, fmt.Errorf("unknown key %q", s)
}

func (m *matcher) key(names []string, i int) uint32 {
	k, err := lookupName(names, m.g[i])
	if err != nil && m.err == nil {
		m.err = err
	}
	return k
}

const dataRE = `((?:0x[0-9a-f]{8} ?)*)`

var (
	rePayloadLoad  = regexp.MustCompile(`^load (\d+)b @ (\w+) header \+ (\d+) => reg (\d+)$`)
	rePayloadWrite = regexp.MustCompile(`^write reg (\d+) => (\d+)b @ (\w+) header \+ (\d+) csum_type (\d+) csum_off (\d+) csum_flags 0x([0-9a-f]+)$`)
	reCmp          = regexp.MustCompile(`^(\w+) reg (\d+) ?` + dataRE + `$`)
	reLoadKey      = regexp.MustCompile(`^load (\w+) => reg (\d+)$`)
	reSetKey       = regexp.MustCompile(`^set (\w+) with reg (\d+)$`)
	reCt           = regexp.MustCompile(`^(load|set) (\w+) (?:=>|with) reg (\d+)(?: , dir (\w+))?$`)
	reImmData      = regexp.MustCompile(`^reg (\d+) ?` + dataRE + `$`)
	reImmVerdict   = regexp.MustCompile(`^reg (\d+) (\w+)(?: -> (.+))?$`)
	reLookup       = regexp.MustCompile(`^reg (\d+) set (\S+)(?: dreg (\d+))?(?: 0x([0-9a-f]+))?$`)
	reBitwiseBool  = regexp.MustCompile(`^reg (\d+) = \( reg (\d+) & ` + dataRE + `\) \^ ` + dataRE + `$`)
	reBitwiseShift = regexp.MustCompile(`^reg (\d+) = \( reg (\d+) (<<|>>) ` + dataRE + `\)$`)
	reByteorder    = regexp.MustCompile(`^reg (\d+) = (hton|ntoh)\(reg (\d+), (\d+), (\d+)\)$`)
	reRange        = regexp.MustCompile(`^(eq|neq) reg (\d+) ` + dataRE + `$`)
	reExthdrLoad   = regexp.MustCompile(`^load( \w+)? (\d+)b @ (\d+) \+ (\d+)( present)? => reg (\d+)$`)
	reExthdrWrite  = regexp.MustCompile(`^write( \w+)? reg (\d+) => (\d+)b @ (\d+) \+ (\d+)$`)
	reExthdrReset  = regexp.MustCompile(`^reset tcpopt (\d+)$`)
	reExthdrOp     = regexp.MustCompile(`^op (\d+) len (\d+) type (\d+) offset (\d+)$`)
	reCounter      = regexp.MustCompile(`^pkts (\d+) bytes (\d+)$`)
	reLogGroup     = regexp.MustCompile(`^(?:prefix (.*) )?group (\d+) snaplen (\d+) qthreshold (\d+)$`)
	reLogLevel     = regexp.MustCompile(`^(?:prefix (.*?) ?)?(?:^| )?(level \d+)?((?: ?(?:tcpseq|tcpopt|ipopt|uid|macdecode))*)$`)
	reLimit        = regexp.MustCompile(`^rate (\d+)/(\w+) burst (\d+) type (packets|bytes) flags 0x([0-9a-f]+)$`)
	reQuota        = regexp.MustCompile(`^bytes (\d+) consumed (\d+) flags (\d+)$`)
	reNat          = regexp.MustCompile(`^(snat|dnat) (\w+)(?: addr_min reg (\d+))?(?: addr_max reg (\d+))?(?: proto_min reg (\d+))?(?: proto_max reg (\d+))?(?: flags 0x([0-9a-f]+))?$`)
	reMasq         = regexp.MustCompile(`^(?:proto_min reg (\d+) ?)?(?:proto_max reg (\d+) ?)?(?:flags 0x([0-9a-f]+))?$`)
	reReject       = regexp.MustCompile(`^type (\d+) code (\d+)$`)
	reDynset       = regexp.MustCompile(`^(add|update|delete) reg_key (\d+) set (\S+)(?: sreg_data (\d+))?(?: timeout (\d+)ms)?((?: expr \[ .*? \])*)$`)
	reDynsetExpr   = regexp.MustCompile(`expr \[ (.*?) \]`)
	reObjrefImm    = regexp.MustCompile(`^type (\d+) name (.*)$`)
	reObjrefSet    = regexp.MustCompile(`^sreg (\d+) set (.*)$`)
	reJhash        = regexp.MustCompile(`^reg (\d+) = jhash\(reg (\d+), (\d+), 0x([0-9a-f]+)\) % mod (\d+)(?: offset (\d+))?$`)
	reSymhash      = regexp.MustCompile(`^reg (\d+) = symhash\(\) % mod (\d+)(?: offset (\d+))?$`)
	reNumgen       = regexp.MustCompile(`^reg (\d+) = (inc|random) mod (\d+)(?: offset (\d+))?$`)
	reFib          = regexp.MustCompile(`^(.*?)(\S+)( present)? => reg (\d+)$`)
	reOsf          = regexp.MustCompile(`^dreg (\d+)$`)
	reXfrm         = regexp.MustCompile(`^load (in|out) (\d+) (\S+) => reg (\d+)$`)
	reTproxy       = regexp.MustCompile(`^(?:(ip6?|inet) ?)?(?:addr reg (\d+) ?)?(?:port reg (\d+))?$`)
	reQueue        = regexp.MustCompile(`^(?:num (\d+)(?:-(\d+))? ?)?(?:sreg_qnum (\d+) ?)?(bypass ?)?(fanout)?$`)
	reDup          = regexp.MustCompile(`^(?:sreg_addr (\d+) ?)?(?:sreg_dev (\d+))?$`)
	reFwd          = regexp.MustCompile(`^(?:sreg_dev (\d+) ?)?(?:sreg_addr (\d+) ?)?(?:nfproto (\d+))?$`)
	reSynproxy     = regexp.MustCompile(`^mss (\d+) wscale (\d+)$`)
	reConnlimit    = regexp.MustCompile(`^count (\d+) flags ([0-9a-f]+)$`)
	reFlow         = regexp.MustCompile(`^flowtable (.+)$`)
	reCompat       = regexp.MustCompile(`^name (\S+) rev (\d+)$`)
	reRaw          = regexp.MustCompile(`^raw 0x([0-9a-f]*)$`)
)

const ctKeyID = 23 // NFT_CT_ID

var errSyntax = fmt.Errorf("does not match the libnftnl format")

func u8p(v uint8) *uint8    { return &v }
func u16p(v uint16) *uint16 { return &v }
func u32p(v uint32) *uint32 { return &v }

func parseBody(name, s string) (Expr, error) {
	var m matcher
	var e Expr
	switch name {
	case "payload":
		switch {
		case m.match(rePayloadLoad, s):
			e = &Payload{Len: m.u(1), Base: m.key(baseNames, 2), Offset: m.u(3), DReg: m.u(4)}
		case m.match(rePayloadWrite, s):
			e = &Payload{SReg: m.u(1), Len: m.u(2), Base: m.key(baseNames, 3), Offset: m.u(4),
				CsumType: m.u(5), CsumOffset: m.u(6), CsumFlags: m.hex(7)}
		}
	case "cmp":
		if m.match(reCmp, s) {
			e = &Cmp{Op: m.key(cmpOpNames, 1), SReg: m.u(2), Data: m.data(3)}
		}
	case "meta":
		switch {
		case m.match(reLoadKey, s):
			e = &Meta{Key: m.key(metaKeyNames, 1), DReg: m.u(2)}
		case m.match(reSetKey, s):
			e = &Meta{Key: m.key(metaKeyNames, 1), SReg: m.u(2)}
		}
	case "ct":
		if m.match(reCt, s) {
			c := &Ct{}
			if m.g[2] == "unknown" {
				c.Key = ctKeyID // libnftnl 1.2.4 prints NFT_CT_ID as "unknown"
			} else {
				c.Key = m.key(ctKeyNames, 2)
			}
			if m.g[1] == "load" {
				c.DReg = m.u(3)
			} else {
				c.SReg = m.u(3)
			}
			if m.g[4] != "" {
				d, err := lookupName([]string{"original", "reply"}, m.g[4])
				if err != nil {
					return nil, err
				}
				c.Direction = u8p(uint8(d))
			}
			e = c
		}
	case "immediate":
		switch {
		case m.match(reImmData, s):
			e = &Immediate{DReg: m.u(1), Data: m.data(2)}
		case m.match(reImmVerdict, s):
			code, ok := verdictCodes[m.g[2]]
			if !ok {
				return nil, fmt.Errorf("unknown verdict %q", m.g[2])
			}
			e = &Immediate{DReg: m.u(1), Verdict: &Verdict{Code: code, Chain: m.g[3]}}
		}
	case "lookup":
		if m.match(reLookup, s) {
			l := &Lookup{SReg: m.u(1), SetName: m.g[2], Flags: m.hex(4)}
			if m.g[3] != "" {
				l.DReg = u32p(m.u(3))
			}
			e = l
		}
	case "bitwise":
		switch {
		case m.match(reBitwiseBool, s):
			b := &Bitwise{DReg: m.u(1), SReg: m.u(2), Op: BitwiseBool, Mask: m.data(3), Xor: m.data(4)}
			b.Len = uint32(len(b.Mask))
			e = b
		case m.match(reBitwiseShift, s):
			op := uint32(BitwiseLshift)
			if m.g[3] == ">>" {
				op = BitwiseRshift
			}
			e = &Bitwise{DReg: m.u(1), SReg: m.u(2), Op: op, Data: m.data(4), Len: 4}
		}
	case "byteorder":
		if m.match(reByteorder, s) {
			op := uint32(ByteorderNtoh)
			if m.g[2] == "hton" {
				op = ByteorderHton
			}
			e = &Byteorder{DReg: m.u(1), Op: op, SReg: m.u(3), Size: m.u(4), Len: m.u(5)}
		}
	case "range":
		if m.match(reRange, s) {
			d := m.data(3)
			if len(d)%8 != 0 {
				return nil, fmt.Errorf("range data %q: odd number of words", m.g[3])
			}
			e = &Range{Op: m.key(cmpOpNames, 1), SReg: m.u(2), FromData: d[:len(d)/2], ToData: d[len(d)/2:]}
		}
	case "exthdr":
		switch {
		case m.match(reExthdrLoad, s):
			x := &Exthdr{Op: exthdrOp(m.g[1]), Len: m.u(2), Type: uint8(m.u(3)), Offset: m.u(4), DReg: m.u(6)}
			if m.g[5] != "" {
				x.Flags = ExthdrFPresent
			}
			e = x
		case m.match(reExthdrWrite, s):
			e = &Exthdr{Op: exthdrOp(m.g[1]), SReg: m.u(2), Len: m.u(3), Type: uint8(m.u(4)), Offset: m.u(5)}
		case m.match(reExthdrReset, s):
			e = &Exthdr{Op: ExthdrOpTCPOpt, Type: uint8(m.u(1))}
		case m.match(reExthdrOp, s):
			e = &Exthdr{Op: m.u(1), Len: m.u(2), Type: uint8(m.u(3)), Offset: m.u(4)}
		}
	case "counter":
		if m.match(reCounter, s) {
			e = &Counter{Packets: m.u64(1), Bytes: m.u64(2)}
		}
	case "log":
		e = parseLog(&m, s)
	case "limit":
		if m.match(reLimit, s) {
			unit, ok := limitUnits[m.g[2]]
			if !ok {
				return nil, fmt.Errorf("unknown limit unit %q", m.g[2])
			}
			l := &Limit{Rate: m.u64(1), Unit: unit, Burst: m.u(3), Flags: m.hex(5)}
			if m.g[4] == "bytes" {
				l.Type = 1
			}
			e = l
		}
	case "quota":
		if m.match(reQuota, s) {
			e = &Quota{Bytes: m.u64(1), Consumed: m.u64(2), Flags: m.u(3)}
		}
	case "nat":
		if m.match(reNat, s) {
			fam, err := familyByName(m.g[2])
			if err != nil {
				return nil, err
			}
			n := &Nat{Family: fam, RegAddrMin: m.u(3), RegAddrMax: m.u(4), RegProtoMin: m.u(5), RegProtoMax: m.u(6), Flags: m.hex(7)}
			if m.g[1] == "dnat" {
				n.Type = 1
			}
			e = n
		}
	case "masq":
		if m.match(reMasq, s) {
			e = &Masq{RegProtoMin: m.u(1), RegProtoMax: m.u(2), Flags: m.hex(3)}
		}
	case "redir":
		if m.match(reMasq, s) {
			e = &Redir{RegProtoMin: m.u(1), RegProtoMax: m.u(2), Flags: m.hex(3)}
		}
	case "reject":
		if m.match(reReject, s) {
			e = &Reject{Type: m.u(1), ICMPCode: u8p(uint8(m.u(2)))}
		}
	case "dynset":
		if m.match(reDynset, s) {
			op, _ := lookupName([]string{"add", "update", "delete"}, m.g[1])
			d := &Dynset{Op: op, SRegKey: m.u(2), SetName: m.g[3], SRegData: m.u(4)}
			if m.g[5] != "" {
				d.Timeout = m.u64(5)
			}
			for _, sub := range reDynsetExpr.FindAllStringSubmatch(m.g[6], -1) {
				x, err := Parse(sub[1])
				if err != nil {
					return nil, err
				}
				d.Exprs = append(d.Exprs, x)
			}
			e = d
		}
	case "objref":
		switch {
		case m.match(reObjrefSet, s):
			e = &Objref{SetSReg: m.u(1), SetName: m.g[2]}
		case m.match(reObjrefImm, s):
			e = &Objref{ImmType: m.u(1), ImmName: m.g[2]}
		}
	case "hash":
		switch {
		case m.match(reJhash, s):
			h := &Hash{DReg: m.u(1), SReg: m.u(2), Len: m.u(3), Modulus: m.u(5), Offset: m.u(6)}
			if seed := m.hex(4); seed != 0 {
				h.Seed = u32p(seed)
			}
			e = h
		case m.match(reSymhash, s):
			e = &Hash{Type: 1, DReg: m.u(1), Modulus: m.u(2), Offset: m.u(3)}
		}
	case "numgen":
		if m.match(reNumgen, s) {
			n := &Numgen{DReg: m.u(1), Modulus: m.u(3), Offset: m.u(4)}
			if m.g[2] == "random" {
				n.Type = 1
			}
			e = n
		}
	case "fib":
		e = parseFib(&m, s)
	case "rt":
		if m.match(reLoadKey, s) {
			e = &Rt{Key: m.key(rtKeyNames, 1), DReg: m.u(2)}
		}
	case "socket":
		if m.match(reLoadKey, s) {
			e = &Socket{Key: m.key(socketKeyNames, 1), DReg: m.u(2)}
		}
	case "osf":
		if m.match(reOsf, s) {
			e = &Osf{DReg: m.u(1)}
		}
	case "xfrm":
		if m.match(reXfrm, s) {
			x := &Xfrm{SPNum: m.u(2), Key: m.key(xfrmKeyNames, 3), DReg: m.u(4)}
			if m.g[1] == "out" {
				x.Dir = 1
			}
			e = x
		}
	case "tproxy":
		if m.match(reTproxy, s) {
			t := &Tproxy{RegAddr: m.u(2), RegPort: m.u(3)}
			if m.g[1] != "" {
				f, err := familyByName(m.g[1])
				if err != nil {
					return nil, err
				}
				t.Family = f
			}
			e = t
		}
	case "queue":
		if m.match(reQueue, s) && s != "" {
			q := &Queue{SRegQnum: m.u(3)}
			if m.g[1] != "" {
				q.Num = uint16(m.u(1))
				q.Total = 1
				if m.g[2] != "" {
					q.Total = uint16(m.u(2)) - q.Num + 1
				}
			}
			if m.g[4] != "" {
				q.Flags |= 1
			}
			if m.g[5] != "" {
				q.Flags |= 2
			}
			e = q
		}
	case "dup":
		if m.match(reDup, s) {
			e = &Dup{SRegAddr: m.u(1), SRegDev: m.u(2)}
		}
	case "fwd":
		if m.match(reFwd, s) {
			e = &Fwd{SRegDev: m.u(1), SRegAddr: m.u(2), NFProto: m.u(3)}
		}
	case "synproxy":
		if m.match(reSynproxy, s) {
			e = &Synproxy{MSS: uint16(m.u(1)), Wscale: uint8(m.u(2))}
		}
	case "connlimit":
		if m.match(reConnlimit, s) {
			e = &Connlimit{Count: m.u(1), Flags: m.hex(2)}
		}
	case "notrack":
		if s == "" {
			e = &Notrack{}
		}
	case "flow_offload":
		if m.match(reFlow, s) {
			e = &FlowOffload{TableName: m.g[1]}
		}
	case "last":
		switch {
		case s == "never":
			e = &Last{}
		default:
			v, err := strconv.ParseUint(s, 10, 64)
			if err == nil {
				e = &Last{Set: 1, Msecs: v}
			}
		}
	case "match":
		if m.match(reCompat, s) {
			e = &Match{MatchName: m.g[1], Rev: m.u(2)}
		}
	case "target":
		if m.match(reCompat, s) {
			e = &Target{TargetName: m.g[1], Rev: m.u(2)}
		}
	case "tunnel":
		if m.match(reLoadKey, s) {
			e = &Tunnel{Key: m.key([]string{"path", "id"}, 1), DReg: m.u(2)}
		}
	default:
		if name == "" {
			return nil, fmt.Errorf("empty expression")
		}
		if s == "" {
			return &Raw{ExprName: name}, nil
		}
		if m.match(reRaw, s) {
			var b []byte
			for i := 0; i+1 < len(m.g[1]); i += 2 {
				v, _ := strconv.ParseUint(m.g[1][i:i+2], 16, 8)
				b = append(b, byte(v))
			}
			return &Raw{ExprName: name, Data: b}, nil
		}
	}
	if m.err != nil {
		return nil, m.err
	}
	if e == nil {
		return nil, errSyntax
	}
	return e, nil
}

var verdictCodes = map[string]int32{
	"accept": VerdictAccept, "drop": VerdictDrop, "stolen": VerdictStolen,
	"queue": VerdictQueue, "repeat": VerdictRepeat, "stop": VerdictStop,
	"return": VerdictReturn, "jump": VerdictJump, "goto": VerdictGoto,
	"continue": VerdictContinue, "break": VerdictBreak,
}

var limitUnits = map[string]uint64{
	"second": 1, "minute": 60, "hour": 3600, "day": 86400, "week": 604800,
}

func familyByName(s string) (uint32, error) {
	for _, f := range []uint32{1, 2, 3, 5, 7, 10} {
		if familyStr(f) == s {
			return f, nil
		}
	}
	return 0, fmt.Errorf("unknown family %q", s)
}

func exthdrOp(s string) uint32 {
	switch strings.TrimSpace(s) {
	case "tcpopt":
		return ExthdrOpTCPOpt
	case "ipv4":
		return ExthdrOpIPv4
	case "ipv6":
		return ExthdrOpIPv6
	}
	return ExthdrOpSCTP
}

func parseLog(m *matcher, s string) Expr {
	l := &Log{}
	if s == "" {
		return l
	}
	if m.match(reLogGroup, s) {
		if m.g[1] != "" || strings.HasPrefix(s, "prefix ") {
			p := m.g[1]
			l.Prefix = &p
		}
		l.Group = u16p(uint16(m.u(2)))
		if v := m.u(3); v != 0 {
			l.Snaplen = u32p(v)
		}
		if v := m.u(4); v != 0 {
			l.QThreshold = u16p(uint16(v))
		}
		return l
	}
	// Peel flag words and "level N" off the end; what remains after
	// "prefix " is the prefix.
	words := strings.Split(s, " ")
	var flags uint32
	end := len(words)
	for end > 0 {
		w := words[end-1]
		found := false
		for _, f := range logFlagNames {
			if w == f.name {
				flags |= f.bit
				found = true
			}
		}
		if !found {
			break
		}
		end--
	}
	if flags != 0 {
		l.Flags = u32p(flags)
	}
	if end >= 2 && words[end-2] == "level" {
		v, err := strconv.ParseUint(words[end-1], 10, 32)
		if err == nil {
			l.Level = u32p(uint32(v))
			end -= 2
		}
	}
	rest := strings.Join(words[:end], " ")
	if end < len(words) && end > 0 {
		// The words were joined by one blank before the peeled part.
		rest = s[:len(rest)]
	}
	switch {
	case rest == "":
		if end > 0 { // "prefix" text made only of blanks is not representable
			return nil
		}
	case strings.HasPrefix(rest, "prefix "):
		p := strings.TrimPrefix(rest, "prefix ")
		l.Prefix = &p
	default:
		return nil
	}
	return l
}

func parseFib(m *matcher, s string) Expr {
	if !m.match(reFib, s) {
		return nil
	}
	f := &Fib{DReg: m.u(4)}
	r, err := lookupName(fibResultNames, m.g[2])
	if err != nil {
		return nil
	}
	f.Result = r
	if m.g[3] != "" {
		f.Flags |= fibFPresent
	}
	for _, w := range strings.Fields(m.g[1]) {
		if w == "." {
			continue
		}
		found := false
		for _, fl := range fibFlagNames {
			if fl.name == w {
				f.Flags |= fl.bit
				found = true
			}
		}
		if !found {
			return nil
		}
	}
	return f
}
