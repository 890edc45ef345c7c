// Package format prints a kernel-level ruleset (core/ruleset) as nft text,
// byte-identical to what `nft list ruleset` / `nft list table` of nft 1.0.6
// print for the same kernel state. Rule bodies are produced by
// core/delinearize.
package format

import (
	"bufio"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/nfsh/nfsh/core/delinearize"
	"github.com/nfsh/nfsh/core/ruleset"
)

// Options selects nft's output flags; the zero value is `nft list`.
type Options = delinearize.Options

// Ruleset writes rs like `nft list ruleset`.
func Ruleset(w io.Writer, rs *ruleset.Ruleset) error {
	return RulesetOpts(w, rs, nil)
}

// RulesetOpts writes rs like `nft list ruleset` with output options o.
func RulesetOpts(w io.Writer, rs *ruleset.Ruleset, o *Options) error {
	if rs == nil {
		return nil
	}
	for _, t := range rs.Tables {
		if err := TableOpts(w, t, o); err != nil {
			return err
		}
	}
	return nil
}

// Table writes t like `nft list table FAMILY NAME`.
func Table(w io.Writer, t *ruleset.Table) error { return TableOpts(w, t, nil) }

// TableOpts writes t like `nft list table FAMILY NAME` with options o.
// The listing goes to w piece by piece (through a bufio.Writer unless w
// is one), never built as one string.
func TableOpts(w io.Writer, t *ruleset.Table, o *Options) error {
	bw, ok := w.(*bufio.Writer)
	if !ok {
		bw = bufio.NewWriterSize(w, 64<<10)
	}
	if err := writeTable(bw, t, o); err != nil {
		return err
	}
	if !ok {
		return bw.Flush()
	}
	return nil
}

const tableFlagOwner = 0x2 // NFT_TABLE_F_OWNER

// TableString returns the listing of table t.
func TableString(t *ruleset.Table, o *Options) string {
	var sb strings.Builder
	writeTable(&sb, t, o)
	return sb.String()
}

// tableWriter is where a listing is written: a strings.Builder or a
// bufio.Writer.
type tableWriter interface {
	io.Writer
	io.StringWriter
}

func writeTable(sb tableWriter, t *ruleset.Table, o *Options) error {
	fam := t.Family.String()
	fmt.Fprintf(sb, "table %s %s {", fam, t.Name)
	handles := o != nil && o.Handles
	if handles || t.Flags&tableFlagOwner != 0 {
		sb.WriteString(" #")
	}
	if handles {
		fmt.Fprintf(sb, " handle %d", t.Handle)
	}
	if t.Flags&tableFlagOwner != 0 {
		sb.WriteString(" progname " + progName(t.Owner))
	}
	sb.WriteString("\n")
	delim := ""
	if t.Flags != 0 {
		sb.WriteString("\tflags ")
		comma := false
		for i, n := range []string{"dormant", "owner"} {
			if t.Flags&(1<<i) != 0 {
				if comma {
					sb.WriteString(",")
				}
				sb.WriteString(n)
				comma = true
			}
		}
		sb.WriteString("\n")
		delim = "\n"
	}
	if c := t.Comment(); c != "" {
		fmt.Fprintf(sb, "\tcomment \"%s\"\n", c)
	}
	for _, ob := range t.Objects {
		sb.WriteString(delim)
		sb.WriteString(ObjectString(ob, o))
		delim = "\n"
	}
	for _, s := range t.Sets {
		if s.Anonymous() {
			continue
		}
		sb.WriteString(delim)
		if err := delinearize.WriteSetDecl(sb, t, s, o); err != nil {
			return err
		}
		delim = "\n"
	}
	for _, ft := range t.Flowtables {
		sb.WriteString(delim)
		sb.WriteString(FlowtableString(ft, o))
		delim = "\n"
	}
	for _, c := range t.Chains {
		if c.Flags&chainBinding != 0 {
			continue
		}
		sb.WriteString(delim)
		writeChain(sb, t, c, o)
		delim = "\n"
	}
	_, err := sb.WriteString("}\n")
	return err
}

const (
	chainHWOffload = 0x2 // NFT_CHAIN_HW_OFFLOAD
	chainBinding   = 0x4 // NFT_CHAIN_BINDING
)

// Rule returns the text of one rule as printed inside its chain.
func Rule(t *ruleset.Table, r *ruleset.Rule) (string, error) {
	return delinearize.Rule(t, r, nil)
}

// RuleOpts is Rule with output options.
func RuleOpts(t *ruleset.Table, r *ruleset.Rule, o *Options) (string, error) {
	return delinearize.Rule(t, r, o)
}

// ChainString returns the listing block of chain c of table t.
func ChainString(t *ruleset.Table, c *ruleset.Chain, o *Options) string {
	var sb strings.Builder
	writeChain(&sb, t, c, o)
	return sb.String()
}

func writeChain(sb tableWriter, t *ruleset.Table, c *ruleset.Chain, o *Options) {
	fmt.Fprintf(sb, "\tchain %s {", c.Name)
	if o != nil && o.Handles {
		fmt.Fprintf(sb, " # handle %d", c.Handle)
	}
	if cm := c.Comment(); cm != "" {
		fmt.Fprintf(sb, "\n\t\tcomment \"%s\"", cm)
	}
	sb.WriteString("\n")
	if h := c.Hook; h != nil {
		fmt.Fprintf(sb, "\t\ttype %s hook %s", h.Type, hookName(uint8(t.Family), h.Num))
		devs := uniqueDevices(h.Devices)
		if len(devs) == 1 {
			fmt.Fprintf(sb, " device \"%s\"", devs[0])
		} else if len(devs) > 1 {
			sb.WriteString(" devices = { " + strings.Join(devs, ", ") + " }")
		}
		fmt.Fprintf(sb, " priority %s;", PriorityString(uint8(t.Family), h.Num, h.Priority))
		pol := uint32(1)
		if h.Policy != nil {
			pol = *h.Policy
		}
		fmt.Fprintf(sb, " policy %s;", policyName(pol))
		if c.Flags&chainHWOffload != 0 {
			sb.WriteString(" flags offload;")
		}
		sb.WriteString("\n")
	}
	for _, r := range c.Rules {
		txt, err := delinearize.Rule(t, r, o)
		if err != nil {
			txt = "unknown"
		}
		sb.WriteString("\t\t")
		sb.WriteString(txt)
		sb.WriteString("\n")
	}
	sb.WriteString("\t}\n")
}

func policyName(p uint32) string {
	switch p {
	case 0:
		return "drop"
	case 1:
		return "accept"
	}
	return "unknown"
}

func hookName(fam uint8, num uint32) string {
	switch fam {
	case 2, 7, 10, 1:
		switch num {
		case 0:
			return "prerouting"
		case 1:
			return "input"
		case 2:
			return "forward"
		case 3:
			return "output"
		case 4:
			return "postrouting"
		case 5:
			return "ingress"
		}
	case 3:
		switch num {
		case 0:
			return "input"
		case 1:
			return "output"
		case 2:
			return "forward"
		case 3:
			return "ingress"
		}
	case 5:
		switch num {
		case 0:
			return "ingress"
		case 1:
			return "egress"
		}
	}
	return "unknown"
}

type prioTag struct {
	val  int32
	name string
}

var stdPrios = []prioTag{{-300, "raw"}, {-150, "mangle"}, {-100, "dstnat"}, {0, "filter"}, {50, "security"}, {100, "srcnat"}}
var bridgePrios = []prioTag{{-300, "dstnat"}, {-200, "filter"}, {100, "out"}, {300, "srcnat"}}

func prioCompat(prio int32, fam uint8, hook uint32) bool {
	if fam == 7 {
		switch prio {
		case -300:
			return hook == 0
		case -200:
			return true
		case 100:
			return hook == 3
		case 300:
			return hook == 4
		}
		return false
	}
	switch prio {
	case 0:
		switch fam {
		case 1, 2, 10, 3, 5:
			return true
		}
	case -300, -150, 50:
		switch fam {
		case 1, 2, 10:
			return true
		}
	case -100:
		switch fam {
		case 1, 2, 10:
			return hook == 0
		}
	case 100:
		switch fam {
		case 1, 2, 10:
			return hook == 4
		}
	}
	return false
}

// PriorityString prints a hook priority symbolically like nft
// ("filter", "dstnat - 5", "raw + 10") or as a number.
func PriorityString(fam uint8, hook uint32, prio int32) string {
	tags := stdPrios
	if fam == 7 {
		tags = bridgePrios
	}
	for _, t := range tags {
		d := prio - t.val
		if d >= -10 && d <= 10 {
			if !prioCompat(t.val, fam, hook) {
				break
			}
			switch {
			case d > 0:
				return fmt.Sprintf("%s + %d", t.name, d)
			case d < 0:
				return fmt.Sprintf("%s - %d", t.name, -d)
			}
			return t.name
		}
	}
	return fmt.Sprint(prio)
}

// FlowtableString returns the listing block of a flowtable.
func FlowtableString(ft *ruleset.Flowtable, o *Options) string {
	var sb strings.Builder
	fmt.Fprintf(&sb, "\tflowtable %s {", ft.Name)
	if o != nil && o.Handles {
		fmt.Fprintf(&sb, " # handle %d", ft.Handle)
	}
	sb.WriteString("\n")
	fmt.Fprintf(&sb, "\t\thook %s priority %s\n", hookName(5, ft.Hook), PriorityString(5, ft.Hook, ft.Priority))
	if devs := uniqueDevices(ft.Devices); len(devs) > 0 {
		sb.WriteString("\t\tdevices = { " + strings.Join(devs, ", ") + " }\n")
	}
	if ft.Flags&0x1 != 0 {
		sb.WriteString("\t\tflags offload\n")
	}
	if ft.Flags&0x2 != 0 {
		sb.WriteString("\t\tcounter\n")
	}
	sb.WriteString("\t}\n")
	return sb.String()
}

// uniqueDevices drops repeated device names and sorts them like nft. Newer kernels dump a
// single-device hook both as NFTA_HOOK_DEV and inside NFTA_HOOK_DEVS, and a
// decoder that keeps both lists the device twice; nft shows it once.
func uniqueDevices(devs []string) []string {
	if len(devs) < 2 {
		return devs
	}
	out := make([]string, 0, len(devs))
	seen := make(map[string]bool, len(devs))
	for _, d := range devs {
		if !seen[d] {
			seen[d] = true
			out = append(out, d)
		}
	}
	sort.Strings(out) // nft sorts hook devices (qsort_device_cmp: strcmp)
	return out
}
