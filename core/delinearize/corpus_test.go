package delinearize

import (
	"bufio"
	"encoding/binary"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/nfsh/nfsh/core/expr"
	"github.com/nfsh/nfsh/core/ruleset"
	"github.com/nfsh/nfsh/core/types"
)

const corpusDir = "/work/shared/nftables-tests/tests/py"

type payloadEntry struct {
	sets  []*ruleset.Set
	exprs []string
}

// readPayloads parses a .t.payload file into rule text -> entry.
func readPayloads(path string) map[string]*payloadEntry {
	f, err := os.Open(path)
	if err != nil {
		return nil
	}
	defer f.Close()
	out := map[string]*payloadEntry{}
	var cur *payloadEntry
	var setByName map[string]*ruleset.Set
	var lastSet *ruleset.Set
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<22)
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "# ") {
			key := strings.TrimSpace(line[2:])
			cur = &payloadEntry{}
			setByName = map[string]*ruleset.Set{}
			if _, ok := out[key]; !ok {
				out[key] = cur
			} else {
				cur = &payloadEntry{} // first entry wins
			}
			continue
		}
		if cur == nil {
			continue
		}
		if strings.TrimSpace(line) == "" {
			cur = nil
			continue
		}
		t := strings.TrimSpace(line)
		switch {
		case strings.HasPrefix(t, "["):
			cur.exprs = append(cur.exprs, t)
		case strings.HasPrefix(t, "element "):
			if lastSet != nil {
				parseElements(lastSet, line)
			}
		case strings.HasPrefix(t, "__set") || strings.HasPrefix(t, "__map") || strings.HasPrefix(t, "__objmap"):
			f := strings.Fields(t)
			name := f[0]
			if s, ok := setByName[name]; ok && len(f) >= 3 && f[2] == "0" {
				lastSet = s
				continue
			}
			s := &ruleset.Set{Name: name}
			if len(f) >= 3 {
				var fl uint32
				fmt.Sscanf(f[2], "%x", &fl)
				s.Flags = fl
			}
			for i := 3; i+1 < len(f); i++ {
				if f[i] == "size" {
					var v uint32
					fmt.Sscan(f[i+1], &v)
					s.Size = &v
				}
			}
			setByName[name] = s
			cur.sets = append(cur.sets, s)
			lastSet = s
		}
	}
	return out
}

func wordsToBytes(ws []string) []byte {
	var b []byte
	for _, w := range ws {
		var v uint32
		fmt.Sscanf(w, "%x", &v)
		var x [4]byte
		binary.LittleEndian.PutUint32(x[:], v)
		b = append(b, x[:]...)
	}
	return b
}

// parseElements reads "element K [- K]  : DATA FLAGS [end]" items.
func parseElements(s *ruleset.Set, line string) {
	for _, item := range strings.Split(line, "[end]") {
		item = strings.TrimSpace(item)
		if !strings.HasPrefix(item, "element ") {
			continue
		}
		item = strings.TrimPrefix(item, "element ")
		keyPart, rest, _ := strings.Cut(item, " : ")
		e := &ruleset.Element{}
		kp := strings.Fields(keyPart)
		var key, keyEnd []string
		dst := &key
		for _, w := range kp {
			if w == "-" {
				dst = &keyEnd
				continue
			}
			*dst = append(*dst, w)
		}
		e.Key = wordsToBytes(key)
		if len(keyEnd) > 0 {
			e.KeyEnd = wordsToBytes(keyEnd)
		}
		rf := strings.Fields(rest)
		if len(rf) > 0 {
			var fl uint32
			fmt.Sscanf(rf[len(rf)-1], "%x", &fl)
			e.Flags = fl
			rf = rf[:len(rf)-1]
		}
		if len(rf) > 0 {
			switch rf[0] {
			case "accept", "drop", "continue", "return", "jump", "goto", "queue":
				codes := map[string]int32{"accept": 1, "drop": 0, "continue": -1, "return": -5, "jump": -3, "goto": -4, "queue": 3}
				v := &expr.Verdict{Code: codes[rf[0]]}
				if len(rf) >= 3 && rf[1] == "->" {
					v.Chain = rf[2]
				}
				e.Verdict = v
				s.DataType = 0xffffff00
			default:
				e.Data = wordsToBytes(rf)
			}
		}
		s.Elements = append(s.Elements, e)
	}
}

func bytesOf(bits int) int { return (bits + 7) / 8 }

// fixLengths cuts word-padded data to the register widths nft would use.
func fixLengths(exprs []expr.Expr, sets []*ruleset.Set) {
	width := map[uint32]int{}
	idx := func(r uint32) int { return regIndex(r) }
	w := func(r uint32) int { return width[uint32(idx(r))] }
	setw := func(r uint32, n int) { width[uint32(idx(r))] = n }
	// cut cuts data of a comparison against register r
	cut := func(r uint32, data []byte) []byte {
		total := 0
		i := idx(r)
		for {
			ww := width[uint32(i)]
			if ww == 0 {
				return data
			}
			pw := (ww + 3) / 4 * 4
			if len(data)-total > pw {
				total += pw
				i += pw / 4
				continue
			}
			if total+ww <= len(data) {
				return data[:total+ww]
			}
			return data
		}
	}
	var imms []*expr.Immediate
	immReg := map[int]*expr.Immediate{}
	consume := func(r uint32, n int) {
		if im := immReg[idx(r)]; im != nil && n > 0 && n <= len(im.Data) {
			im.Data = im.Data[:n]
			setw(r, n)
		}
	}
	for _, e := range exprs {
		switch x := e.(type) {
		case *expr.Payload:
			if x.SReg == 0 {
				setw(x.DReg, int(x.Len))
			} else {
				consume(x.SReg, int(x.Len))
			}
		case *expr.Meta:
			if x.SReg == 0 {
				setw(x.DReg, bytesOf(keyTmpl(types.MetaKeys, x.Key).Len))
			} else {
				consume(x.SReg, bytesOf(keyTmpl(types.MetaKeys, x.Key).Len))
			}
		case *expr.Ct:
			n := bytesOf(keyTmpl(types.CtKeys, x.Key).Len)
			if n == 0 {
				n = 4
			}
			if x.SReg == 0 {
				setw(x.DReg, n)
			} else {
				consume(x.SReg, n)
			}
		case *expr.Exthdr:
			if x.DReg != 0 {
				setw(x.DReg, int(x.Len))
			} else if x.SReg != 0 {
				consume(x.SReg, int(x.Len))
			}
		case *expr.Bitwise:
			n := w(x.SReg)
			if n > 0 && x.Op == expr.BitwiseBool {
				if len(x.Mask) > n {
					x.Mask = x.Mask[:n]
				}
				if len(x.Xor) > n {
					x.Xor = x.Xor[:n]
				}
			}
			setw(x.DReg, n)
		case *expr.Byteorder:
			setw(x.DReg, int(x.Len))
		case *expr.Immediate:
			if x.Verdict == nil {
				imms = append(imms, x)
				immReg[idx(x.DReg)] = x
				setw(x.DReg, len(x.Data))
			}
		case *expr.Cmp:
			if w(x.SReg) == 16 && len(x.Data) < 16 {
				// interface name wildcard: nft sends only the prefix
				for len(x.Data) > 0 && x.Data[len(x.Data)-1] == 0 {
					x.Data = x.Data[:len(x.Data)-1]
				}
			}
			x.Data = cut(x.SReg, x.Data)
		case *expr.Range:
			x.FromData = cut(x.SReg, x.FromData)
			x.ToData = cut(x.SReg, x.ToData)
		case *expr.Lookup:
			for _, s := range sets {
				if s.Name != x.SetName || s.KeyLen != 0 {
					continue
				}
				n := w(x.SReg)
				kl := 0
				for _, el := range s.Elements {
					if len(el.Key) > kl {
						kl = len(el.Key)
					}
				}
				if n > 0 && kl > (n+3)/4*4 {
					n = kl // concatenation
				}
				if n == 0 {
					n = kl
				}
				s.KeyLen = uint32(n)
				for _, el := range s.Elements {
					if len(el.Key) > n {
						el.Key = el.Key[:n]
					}
					if len(el.KeyEnd) > n {
						el.KeyEnd = el.KeyEnd[:n]
					}
				}
				if x.DReg != nil {
					s.Flags |= ruleset.SetMap
					dl := 0
					for _, el := range s.Elements {
						if len(el.Data) > dl {
							dl = len(el.Data)
						}
					}
					s.DataLen = uint32(dl)
					if *x.DReg != 0 {
						setw(*x.DReg, dl)
						immReg[idx(*x.DReg)] = nil
					}
				}
			}
		case *expr.Nat:
			an := 4
			if x.Family == 10 {
				an = 16
			}
			if x.RegAddrMin != 0 {
				consume(x.RegAddrMin, an)
			}
			if x.RegAddrMax != 0 {
				consume(x.RegAddrMax, an)
			}
			if x.RegProtoMin != 0 {
				consume(x.RegProtoMin, 2)
			}
			if x.RegProtoMax != 0 {
				consume(x.RegProtoMax, 2)
			}
		case *expr.Masq:
			consume(x.RegProtoMin, 2)
			consume(x.RegProtoMax, 2)
		case *expr.Redir:
			consume(x.RegProtoMin, 2)
			consume(x.RegProtoMax, 2)
		case *expr.Tproxy:
			an := 4
			if x.Family == 10 {
				an = 16
			}
			consume(x.RegAddr, an)
			consume(x.RegPort, 2)
		case *expr.Dup:
			consume(x.SRegDev, 4)
		case *expr.Fwd:
			consume(x.SRegDev, 4)
		case *expr.Hash, *expr.Numgen, *expr.Rt, *expr.Socket, *expr.Fib, *expr.Osf, *expr.Xfrm:
			var d uint32
			switch y := e.(type) {
			case *expr.Hash:
				d = y.DReg
			case *expr.Numgen:
				d = y.DReg
			case *expr.Rt:
				d = y.DReg
				setw(d, bytesOf(keyTmpl(types.RtKeys, y.Key).Len))
				continue
			case *expr.Socket:
				d = y.DReg
			case *expr.Fib:
				d = y.DReg
				if y.Result == 2 {
					setw(d, 16)
					continue
				}
			case *expr.Osf:
				setw(y.DReg, 16)
				continue
			case *expr.Xfrm:
				d = y.DReg
				if y.Key == 2 || y.Key == 4 {
					setw(d, 16)
					continue
				}
			}
			setw(d, 4)
		}
	}
	_ = imms
}

type corpusRule struct {
	line     int
	rule     string
	expected string
}

// tTables returns the families the .t file tests and its rules.
func readT(path string) (fams []string, rules []corpusRule, named []*ruleset.Set) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, nil, nil
	}
	for i, line := range strings.Split(string(data), "\n") {
		if line == "" {
			continue
		}
		switch line[0] {
		case '!':
			if s := namedSet(line[1:]); s != nil {
				named = append(named, s)
			}
			continue
		case '*':
			f := strings.Split(line[1:], ";")
			fams = append(fams, f[0])
			continue
		case '#', ':', '?', '%', '-', ' ':
			continue
		}
		f := strings.Split(line, ";")
		if len(f) < 2 || strings.TrimRight(f[1], " ") != "ok" {
			continue
		}
		r := corpusRule{line: i + 1, rule: f[0], expected: f[0]}
		if len(f) >= 3 {
			r.expected = f[2]
		}
		rules = append(rules, r)
	}
	return fams, rules, named
}

// namedSet parses a "!name type T [. T] [timeout X] [flags F];ok" line.
func namedSet(line string) *ruleset.Set {
	body, st, _ := strings.Cut(line, ";")
	if strings.TrimSpace(st) != "ok" {
		return nil
	}
	f := strings.Fields(body)
	if len(f) < 3 || f[1] != "type" {
		return nil
	}
	s := &ruleset.Set{Name: f[0]}
	var id uint32
	klen := 0
	n := 0
	i := 2
	for ; i < len(f); i++ {
		if f[i] == "." {
			continue
		}
		d := types.ByName(f[i])
		if d == nil {
			break
		}
		id = id<<types.TypeBits | d.ID
		klen += (d.Size + 31) / 32 * 4
		if n == 0 {
			klen = (d.Size + 7) / 8
		}
		n++
	}
	if n > 1 {
		klen = 0
		for _, name := range strings.Split(strings.Join(f[2:i], " "), " . ") {
			d := types.ByName(strings.TrimSpace(name))
			klen += (d.Size + 31) / 32 * 4
		}
		s.Flags |= ruleset.SetConcat
	}
	s.KeyType, s.KeyLen = id, uint32(klen)
	for ; i < len(f); i++ {
		switch f[i] {
		case "timeout":
			s.Flags |= ruleset.SetTimeout
		case "flags":
			if i+1 < len(f) && strings.Contains(f[i+1], "interval") {
				s.Flags |= ruleset.SetInterval
			}
		}
	}
	return s
}

var famNum = map[string]ruleset.Family{"ip": 2, "ip6": 10, "inet": 1, "arp": 3, "bridge": 7, "netdev": 5}

// normalize applies the corpus driver's comparison: no space before "}",
// set contents compared as sorted lists without spaces.
func normalize(s string) string {
	s = strings.TrimRight(s, " ")
	s = strings.ReplaceAll(s, " }", "}")
	i := strings.Index(s, "{")
	j := strings.Index(s, "}")
	if i < 0 || j < i {
		return s
	}
	items := strings.Split(strings.ReplaceAll(s[i+1:j], " ", ""), ",")
	sort.Strings(items)
	return s[:i] + "{" + strings.Join(items, ",") + s[j:]
}

func TestCorpus(t *testing.T) {
	t.Setenv("TZ", "UTC-2") // like the upstream driver (meta time/hour)
	if _, err := os.Stat(corpusDir); err != nil {
		t.Skip("corpus not present")
	}
	files, _ := filepath.Glob(filepath.Join(corpusDir, "*", "*.t"))
	only := os.Getenv("CORPUS_ONLY")
	verbose := os.Getenv("CORPUS_VERBOSE") != ""
	total, pass := 0, 0
	var report []string
	for _, tf := range files {
		rel, _ := filepath.Rel(corpusDir, tf)
		if only != "" && !strings.Contains(rel, only) {
			continue
		}
		fams, rules, named := readT(tf)
		generic := readPayloads(tf + ".payload")
		perFam := map[string]map[string]*payloadEntry{}
		ft, fp := 0, 0
		for _, r := range rules {
			for _, fam := range dedupe(fams) {
				ps, ok := perFam[fam]
				if !ok {
					ps = readPayloads(tf + ".payload." + fam)
					perFam[fam] = ps
				}
				ent := ps[strings.TrimSpace(r.rule)]
				if ent == nil {
					ent = generic[strings.TrimSpace(r.rule)]
				}
				if ent == nil {
					continue
				}
				ft++
				got, err := runEntry(famNum[fam], ent, named)
				if err == nil && (got == r.expected || normalize(got) == normalize(r.expected)) {
					fp++
				} else if verbose {
					t.Logf("%s:%d [%s] rule %q\n  want %q\n  got  %q (err %v)", rel, r.line, fam, r.rule, r.expected, got, err)
				}
			}
		}
		total += ft
		pass += fp
		report = append(report, fmt.Sprintf("%-24s %4d/%4d", rel, fp, ft))
	}
	for _, l := range report {
		t.Log(l)
	}
	t.Logf("TOTAL %d/%d", pass, total)
}

func dedupe(s []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, x := range s {
		if !seen[x] {
			seen[x] = true
			out = append(out, x)
		}
	}
	return out
}

func runEntry(fam ruleset.Family, ent *payloadEntry, named []*ruleset.Set) (string, error) {
	var exprs []expr.Expr
	for _, l := range ent.exprs {
		e, err := expr.Parse(l)
		if err != nil {
			return "", err
		}
		exprs = append(exprs, e)
	}
	// fresh copies of sets (fixLengths mutates them)
	var sets []*ruleset.Set
	for _, s := range ent.sets {
		c := *s
		c.Elements = nil
		for _, e := range s.Elements {
			ce := *e
			c.Elements = append(c.Elements, &ce)
		}
		sets = append(sets, &c)
	}
	// give the anonymous sets unique names, in order of use
	n := 0
	for i, s := range sets {
		s.Name = fmt.Sprintf("%s#%d", s.Name, i)
	}
	for _, e := range exprs {
		var name *string
		switch x := e.(type) {
		case *expr.Lookup:
			name = &x.SetName
		case *expr.Dynset:
			name = &x.SetName
		case *expr.Objref:
			name = &x.SetName
		}
		if name != nil && strings.HasPrefix(*name, "__") && n < len(sets) {
			*name = sets[n].Name
			n++
		}
	}
	fixLengths(exprs, sets)
	tbl := &ruleset.Table{Family: fam, Name: "t", Sets: named}
	r := &ruleset.Rule{Exprs: exprs, Sets: sets}
	return Rule(tbl, r, &Options{NumericProto: true, Stateless: true, IfName: func(i int) (string, bool) {
		if i == 1 {
			return "lo", true
		}
		return "", false
	}})
}
