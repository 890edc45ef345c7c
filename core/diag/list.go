package diag

import (
	"errors"
	"strings"
)

// MaxErrors is how many errors a compilation reports before it stops, as
// nft stops after ten.
const MaxErrors = 10

// List is every error found in one input, in source order. It renders as
// the errors one after another (each with its caret), and errors.As finds
// its first *Error.
type List []*Error

// Error renders each error on its own lines.
func (l List) Error() string {
	s := make([]string, len(l))
	for i, e := range l {
		s[i] = e.Error()
	}
	return strings.Join(s, "\n")
}

// Unwrap returns the errors of the list.
func (l List) Unwrap() []error {
	out := make([]error, len(l))
	for i, e := range l {
		out[i] = e
	}
	return out
}

// Errors returns the *Error values err holds: each error of a List, the
// *Error err is or wraps, or nil.
func Errors(err error) []*Error {
	var l List
	if errors.As(err, &l) {
		return l
	}
	var de *Error
	if errors.As(err, &de) {
		return []*Error{de}
	}
	return nil
}

// Join returns nil for no errors, the error itself for one, and a List
// for several.
func Join(errs []*Error) error {
	switch len(errs) {
	case 0:
		return nil
	case 1:
		return errs[0]
	}
	return List(errs)
}
