package delinearize

import (
	"bufio"
	"fmt"
	"io"
	"strings"

	"github.com/nfsh/nfsh/core/ruleset"
	"github.com/nfsh/nfsh/core/types"
)

// SetDecl returns the listing block of a named set or map ("\tset NAME {
// ... }\n"), with its elements in nft's order and line wrapping.
func SetDecl(t *ruleset.Table, s *ruleset.Set, o *Options) string {
	var sb strings.Builder
	writeSetDecl(&sb, t, s, o)
	return sb.String()
}

// WriteSetDecl writes the listing block of a named set or map to w like
// SetDecl; the elements go to w as they are printed.
func WriteSetDecl(w io.Writer, t *ruleset.Table, s *ruleset.Set, o *Options) error {
	sw, ok := w.(stringWriter)
	var bw *bufio.Writer
	if !ok {
		bw = bufio.NewWriterSize(w, 64<<10)
		sw = bw
	}
	writeSetDecl(sw, t, s, o)
	if bw != nil {
		return bw.Flush()
	}
	return nil
}

// stringWriter is what the declaration is written to: a strings.Builder
// or a bufio.Writer.
type stringWriter interface {
	io.Writer
	io.StringWriter
}

func writeSetDecl(sb stringWriter, t *ruleset.Table, s *ruleset.Set, o *Options) {
	si := SetInfo(t, s, o)
	kind := "set"
	if s.Flags&(ruleset.SetMap|ruleset.SetObject) != 0 {
		kind = "map"
	}
	if s.Flags&ruleset.SetAnonymous != 0 && s.Flags&ruleset.SetEval != 0 {
		kind = "meter"
	}
	fmt.Fprintf(sb, "\t%s %s {", kind, s.Name)
	if o != nil && o.Handles {
		fmt.Fprintf(sb, " # handle %d", s.Handle)
	}
	sb.WriteString("\n\t\t")
	if si.typeofKey != nil {
		sb.WriteString("typeof " + si.typeofKey.print(o))
	} else {
		sb.WriteString("type " + typeName(si.key.t))
	}
	if s.Flags&ruleset.SetMap != 0 {
		sb.WriteString(" : ")
		if si.data != nil && si.data.extra != nil && si.data.extra["interval"] != 0 {
			sb.WriteString("interval ")
		}
		if si.typeofKey != nil && si.typeofData != nil {
			sb.WriteString(si.typeofData.print(o))
		} else if si.dataIsVerdict {
			sb.WriteString("verdict")
		} else if si.data != nil {
			sb.WriteString(typeName(si.data.t))
		}
	} else if s.Flags&ruleset.SetObject != 0 {
		sb.WriteString(" : " + objTypeName(s.ObjType))
	}
	sb.WriteString("\n")
	if s.Flags&ruleset.SetConstant == 0 {
		if s.Policy != nil && *s.Policy != 0 {
			pol := "unknown"
			if *s.Policy == 1 {
				pol = "memory"
			}
			sb.WriteString("\t\tpolicy " + pol + "\n")
		}
		if s.Size != nil && *s.Size > 0 {
			fmt.Fprintf(sb, "\t\tsize %d\n", *s.Size)
		}
	}
	flags := s.Flags
	if s.Timeout != nil && *s.Timeout != 0 {
		flags &^= ruleset.SetTimeout
	}
	if flags&(ruleset.SetConstant|ruleset.SetInterval|ruleset.SetTimeout|ruleset.SetEval) != 0 {
		// the line is left out when only the redundant timeout flag is
		// set, but its items come from the unstripped flags (like nft)
		flags := s.Flags
		var fl []string
		if flags&ruleset.SetConstant != 0 {
			fl = append(fl, "constant")
		}
		if flags&ruleset.SetEval != 0 {
			fl = append(fl, "dynamic")
		}
		if flags&ruleset.SetInterval != 0 {
			fl = append(fl, "interval")
		}
		if flags&ruleset.SetTimeout != 0 {
			fl = append(fl, "timeout")
		}
		sb.WriteString("\t\tflags " + strings.Join(fl, ",") + "\n")
	}
	if len(s.Exprs) > 0 {
		so := statelessOpts(o)
		var parts []string
		for _, st := range Stmts(uint8(t.Family), s.Exprs, nil) {
			parts = append(parts, st.print(so))
		}
		sb.WriteString("\t\t" + strings.Join(parts, " ") + "\n")
	}
	if v, ok := udataU32(s.Userdata, ruleset.UdataSetMergeElements); ok && v != 0 {
		sb.WriteString("\t\tauto-merge\n")
	}
	if s.Timeout != nil && *s.Timeout != 0 {
		sb.WriteString("\t\ttimeout " + timeString(*s.Timeout) + "\n")
	}
	if s.GCInterval != nil && *s.GCInterval != 0 {
		sb.WriteString("\t\tgc-interval " + timeString(uint64(*s.GCInterval)) + "\n")
	}
	if c := s.Comment(); c != "" {
		fmt.Fprintf(sb, "\t\tcomment \"%s\"\n", c)
	}
	if !(o != nil && o.Stateless && kind == "meter") {
		si.writeElements(sb, o)
	}
	sb.WriteString("\t}\n")
}

func typeName(t *types.Datatype) string {
	if t == nil {
		return "invalid"
	}
	return t.Name
}

// ObjTypeName returns nft's keyword for an NFT_OBJECT_* type.
func ObjTypeName(t uint32) string { return objTypeName(t) }

// TimeUnit returns nft's name of a limit unit in seconds.
func TimeUnit(u uint64) string { return timeUnit(u) }

// RateUnit splits a byte count into nft's value and unit ("bytes", "kbytes", "mbytes").
func RateUnit(b uint64) (uint64, string) { return rateUnit(b) }

// writeElements writes the "elements = { ... }" line of a set declaration
// (nothing for an empty set). A named set's elements are printed as they
// are built and dropped right after, never held as one list.
func (si *setInfo) writeElements(sb io.StringWriter, o *Options) {
	set := si.init
	if set == nil {
		set = &node{k: kSet, t: si.key.t, set: si}
	}
	count := 0
	d := ""
	put := func(n *node) {
		if d == "" {
			sb.WriteString("\t\telements = { ")
		} else {
			sb.WriteString(d)
		}
		n.write(sb, o)
		if si.reuse != nil {
			si.reuse.n = 0 // the element's nodes are free again
		}
		count++
		d = set.setDelim(&count)
	}
	if si.init == nil && si.src != nil {
		if g, ok := sb.(interface{ Grow(int) }); ok {
			g.Grow(len(si.src.Elements) * 20)
		}
		si.reuse = &scratch{}
		eachElement(si.src, si, si.opts, put)
		si.reuse = nil
	} else {
		for _, n := range set.args {
			put(n)
		}
	}
	if d != "" {
		sb.WriteString(" }\n")
	}
}
