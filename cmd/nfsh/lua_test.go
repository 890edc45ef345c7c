package main

import (
	"bytes"
	"errors"
	"fmt"
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

// TestLuaLongBracketLines runs scripts whose nft text is a long string:
// when `[[` ends the line Lua drops the newline after it, and an error in
// the text is still reported at its own line of the script; text starting
// on the call's line keeps that line.
func TestLuaLongBracketLines(t *testing.T) {
	dir := t.TempDir()
	cases := []struct{ name, script, want string }{
		{"newline after [[", "local x = 1\nlocal rs = nft [[\ntable ip t {\n  chain c {\n    ip ttl 300 accept\n  }\n}\n]] {}\n", ":5:12: error: eval: Value 300 exceeds valid range 0-255"},
		{"text on the call line", "local x = 1\nlocal rs = nft [[table ip t {\n  chain c {\n    ip ttl 300 accept\n  }\n}\n]] {}\n", ":4:12: error: eval: Value 300 exceeds valid range 0-255"},
		{"level-2 bracket, nft.parse", "local rs = nft.parse [==[\r\ntable ip t {\r\n  chain c {\r\n    ip ttl 300 accept\r\n  }\r\n}\r\n]==]\r\n", ":4:12: error: eval: Value 300 exceeds valid range 0-255"},
		{"chain:rule", "local c = nft.ruleset():table('ip', 't'):chain('c')\nc:rule [[\nip ttl 300 accept]]\n", ":3:8: error: eval: Value 300 exceeds valid range 0-255"},
	}
	for i, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			path := filepath.Join(dir, fmt.Sprintf("s%d.lua", i))
			if err := os.WriteFile(path, []byte(c.script), 0o644); err != nil {
				t.Fatal(err)
			}
			var out, errb bytes.Buffer
			if _, err := luaDispatch([]string{path}, strings.NewReader(""), &out, &errb); err == nil {
				t.Fatal("the script ran without error")
			}
			if got := errb.String(); !strings.HasPrefix(got, path+c.want) {
				t.Errorf("stderr\n%s\nwant it to start with\n%s%s", got, path, c.want)
			}
		})
	}
}
