package kernel

import (
	"encoding/binary"
	"errors"
	"fmt"
	"strings"
	"syscall"

	"github.com/nfsh/nfsh/core/diag"
	"github.com/nfsh/nfsh/core/expr"
	"github.com/nfsh/nfsh/core/nfnl"
	"github.com/nfsh/nfsh/core/ruleset"
)

// Errors holds every error of a refused batch, each mapped to the
// command (and source position) it came from. The *diag.Error Apply and
// Push return is the first of them, with Err pointing here.
type Errors struct {
	All   []*diag.Error
	Batch *nfnl.BatchError
}

// Error renders the first error and the number of others.
func (e *Errors) Error() string {
	if len(e.All) == 0 {
		return e.Batch.Error()
	}
	s := e.All[0].Error()
	if len(e.All) > 1 {
		s += fmt.Sprintf(" (and %d more)", len(e.All)-1)
	}
	return s
}

// Unwrap returns the batch error.
func (e *Errors) Unwrap() error { return e.Batch }

// AllErrors returns every error of a refused batch returned by Apply or
// Push, each error of a diag.List, or just err when it is neither.
func AllErrors(err error) []*diag.Error {
	var e *Errors
	if errors.As(err, &e) && len(e.All) > 0 {
		return e.All
	}
	if des := diag.Errors(err); des != nil {
		return des
	}
	if err == nil {
		return nil
	}
	return []*diag.Error{{Err: err}}
}

func batchError(err error) (*nfnl.BatchError, bool) {
	var be *nfnl.BatchError
	if errors.As(err, &be) {
		return be, true
	}
	return nil, false
}

// tag ties a batch message to the command that produced it.
type tag struct {
	cmd    int // index in the command list, -1 for none
	op     string
	object string
	pos    diag.Pos
	text   string
	rule   *ruleset.Rule      // for NEWRULE
	elems  []*ruleset.Element // for set element messages: the message's elements
}

// mapErrors turns a refused batch into a *diag.Error per message error,
// naming the command, its source position and the kernel's reason.
func mapErrors(err error, b *nfnl.Batch, tags []tag) error {
	be, ok := batchError(err)
	if !ok {
		return err
	}
	all := &Errors{Batch: be}
	for _, me := range be.Errors {
		de := &diag.Error{Errno: me.Errno, Extack: me.Extack, Err: be}
		if me.Index < 0 || me.Index >= len(tags) {
			de.Op = "commit"
			if be.Check {
				de.Op = "check"
			}
			de.Msg = "batch refused"
			all.All = append(all.All, de)
			continue
		}
		tg := tags[me.Index]
		de.Op, de.Object, de.Pos = tg.op, tg.object, tg.pos
		de.Msg = "Could not process " + objectWord(tg.op)
		if me.HasOffset {
			refineByOffset(de, b.Msg(me.Index), int(me.Offset), tg)
		}
		if h := causeHint(me.Errno, tg); h != "" {
			de.Hint = h
		}
		all.All = append(all.All, de)
	}
	first := *all.All[0]
	first.Err = all
	if n := len(all.All) - 1; n > 0 {
		first.Hint = fmt.Sprintf("%d more error(s) in the same batch", n)
	}
	return &first
}

// refineByOffset uses the extack offset to point at the rule expression
// or set element the kernel rejected.
func refineByOffset(de *diag.Error, msg []byte, off int, tg tag) {
	const hdr = 20 // nlmsghdr + nfgenmsg
	if off < hdr || off >= len(msg) {
		return
	}
	var listType uint16
	switch {
	case tg.rule != nil:
		listType = 4 // NFTA_RULE_EXPRESSIONS
	case tg.elems != nil:
		listType = 3 // NFTA_SET_ELEM_LIST_ELEMENTS
	default:
		return
	}
	a, aend, ok := findAttr(msg, hdr, listType, off)
	if !ok {
		return
	}
	// Walk the list entries to find the one containing off.
	k := 0
	for p := a + 4; p+4 <= aend; k++ {
		l := int(binary.NativeEndian.Uint16(msg[p:]))
		if l < 4 {
			return
		}
		if off >= p && off < p+l {
			switch {
			case tg.rule != nil && k < len(tg.rule.Exprs):
				e := tg.rule.Exprs[k]
				de.Hint = fmt.Sprintf("kernel rejected expression %d (%s)", k+1, e.Name())
				// point at the statement that produced it, as nft does,
				// unless the rule was placed elsewhere (a Lua call site)
				if len(tg.rule.ExprPos) == len(tg.rule.Exprs) {
					if p := tg.rule.ExprPos[k]; p.IsValid() && p.File == de.Pos.File {
						de.Pos = p
					}
				}
			case tg.elems != nil && k < len(tg.elems):
				el := tg.elems[k]
				if el.Pos.IsValid() {
					de.Pos = el.Pos
				}
				de.Hint = fmt.Sprintf("kernel rejected element %d of this message", k+1)
			}
			return
		}
		p += (l + 3) &^ 3
	}
}

// findAttr finds the top-level attribute of type typ in msg (attributes
// starting at from) and reports whether off lies inside it.
func findAttr(msg []byte, from int, typ uint16, off int) (start, end int, ok bool) {
	for p := from; p+4 <= len(msg); {
		l := int(binary.NativeEndian.Uint16(msg[p:]))
		t := binary.NativeEndian.Uint16(msg[p+2:]) & 0x3fff
		if l < 4 || p+l > len(msg) {
			return 0, 0, false
		}
		if t == typ && off >= p && off < p+l {
			return p, p + l, true
		}
		p += (l + 3) &^ 3
	}
	return 0, 0, false
}

// objectWord returns the object an operation acts on, as nft's messages
// name it ("rule" for "add rule").
func objectWord(op string) string {
	if i := strings.LastIndexByte(op, ' '); i >= 0 {
		return op[i+1:]
	}
	return op
}

// causeHint names the likely cause of an errno whose text alone says
// little about the command it refused, or returns "".
func causeHint(errno syscall.Errno, tg tag) string {
	switch {
	case errno == syscall.ELOOP && tg.rule != nil:
		return "the jump closes a chain loop"
	case errno == syscall.EOPNOTSUPP && tg.rule != nil:
		for _, x := range tg.rule.Exprs {
			switch e := x.(type) {
			case *expr.Nat:
				if e.Type == 0 { // NFT_NAT_SNAT
					return "snat needs a chain of type nat at hook postrouting or input"
				}
				return "dnat needs a chain of type nat at hook prerouting or output"
			case *expr.Masq:
				return "masquerade needs a chain of type nat at hook postrouting"
			case *expr.Redir:
				return "redirect needs a chain of type nat at hook prerouting or output"
			}
		}
	case errno == syscall.EOPNOTSUPP && strings.HasSuffix(tg.op, " chain"):
		return "the chain type does not support this hook (route: output only; nat: prerouting, input, output, postrouting), " +
			"or the chain exists with another type or hook, which cannot change"
	case errno == syscall.EINVAL && tg.elems != nil:
		for _, el := range tg.elems {
			if el.Timeout != nil || el.Expiration != nil {
				set := tg.object[strings.LastIndexByte(tg.object, ' ')+1:]
				return "set " + set + " has no timeout flag: elements with a timeout need 'flags timeout'"
			}
		}
	}
	return ""
}
