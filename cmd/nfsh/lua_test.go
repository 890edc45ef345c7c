package main

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestLuaDispatch(t *testing.T) {
	dir := t.TempDir()
	script := filepath.Join(dir, "s.lua")
	if err := os.WriteFile(script, []byte("print(arg[0] ~= nil, ...)\nnfsh.after(1, function() print('timer') end)\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name       string
		args       []string
		stdin      string
		wantOut    string
		wantErr    string
		wantStatus int
	}{
		{name: "eval", args: []string{"-e", "print(1 + 1, arg[1])", "x"}, wantOut: "2\tx\n"},
		{name: "script with args and loop", args: []string{script, "a", "b"}, wantOut: "true\ta\tb\ntimer\n"},
		{name: "stdin script", args: nil, stdin: "print('from stdin')", wantOut: "from stdin\n"},
		{name: "exit code", args: []string{"-e", "nfsh.exit(3)"}, wantStatus: 3},
		{name: "lua error", args: []string{"-e", "\nerror('bad')"}, wantErr: "-e:2: error: bad\nstack traceback:", wantStatus: 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var out, errb bytes.Buffer
			ok, err := luaDispatch(tc.args, strings.NewReader(tc.stdin), &out, &errb)
			if !ok {
				t.Fatal("not dispatched")
			}
			status := 0
			var ee exitError
			if errors.As(err, &ee) {
				status = ee.code
			} else if err != nil {
				t.Fatal(err)
			}
			if status != tc.wantStatus || out.String() != tc.wantOut || !strings.HasPrefix(errb.String(), tc.wantErr) {
				t.Errorf("status %d out %q err %q", status, out.String(), errb.String())
			}
		})
	}
	if ok, _ := luaDispatch([]string{"list"}, nil, nil, nil); ok {
		t.Error("verb list dispatched to Lua")
	}
}

// TestLuaTextErrors checks that nft text with several errors, given to
// nft.parse, reports each of them at its line of the Lua script, with
// its caret.
func TestLuaTextErrors(t *testing.T) {
	chunk := "\nnft.parse(\"table ip t {\\n\\tchain c {\\n\\t\\tip ttl 300 accept\\n\\t\\tip ttl 301 accept\\n\\t}\\n}\")"
	var out, errb bytes.Buffer
	if _, err := luaDispatch([]string{"-e", chunk}, strings.NewReader(""), &out, &errb); err == nil {
		t.Fatal("nft.parse took the text")
	}
	want := "-e:4:10: error: eval: Value 300 exceeds valid range 0-255\n\t\tip ttl 300 accept\n\t\t       ^~~\n" +
		"-e:5:10: error: eval: Value 301 exceeds valid range 0-255\n\t\tip ttl 301 accept\n\t\t       ^~~\nstack traceback:\n"
	if got := errb.String(); !strings.HasPrefix(got, want) {
		t.Errorf("stderr\n%s\nwant it to start with\n%s", got, want)
	}
}
