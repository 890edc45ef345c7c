package main

// `nfsh apply --json FILE` (and `nfsh -j apply FILE`): the script is
// libnftables JSON, as `nft -j -f FILE` reads it (core/parse.JSON).

import (
	"errors"
	"io"

	"github.com/nfsh/nfsh/core/ast"
	"github.com/nfsh/nfsh/core/diag"
	"github.com/nfsh/nfsh/core/parse"
)

// maxCaretLine is the longest source line an error quotes: nft's JSON
// listings are one line, too long to print under a message (the error
// still names LINE:COL).
const maxCaretLine = 240

// applyJSON commits (or checks) the JSON script sc like applySource and
// applyEcho do for nft text.
func applyJSON(sc *script, check, reconcile, echo, handles bool, stdout io.Writer) error {
	var err error
	if echo {
		err = applyEcho(sc, check, handles, stdout)
	} else {
		err = applySource(sc, check, reconcile)
	}
	return trimSources(err)
}

// parseJSON parses the script as JSON. Like nft, a file that is not
// well-formed JSON is read as nft text instead; when that fails too, the
// JSON error is reported.
func (sc *script) parseJSON() (*ast.File, error) {
	f, err := parse.JSON(sc.name, sc.src, &parse.Options{})
	if err == nil || !errors.Is(err, parse.ErrJSONSyntax) {
		return f, err
	}
	if tf, terr := parse.File(sc.name, sc.src, &parse.Options{}); terr == nil {
		sc.json = false
		return tf, nil
	}
	return nil, err
}

// trimSources drops the quoted source line (and so the caret) of errors
// whose line is too long to print.
func trimSources(err error) error {
	for _, de := range diag.Errors(err) {
		if len(de.Source) > maxCaretLine {
			de.Source = ""
		}
	}
	var top *diag.Error
	if errors.As(err, &top) && len(top.Source) > maxCaretLine {
		top.Source = ""
	}
	return err
}
