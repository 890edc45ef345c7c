// Command embed shows how a Go program embeds nfsh: it creates a shell
// session in a network namespace, gives its scripts an extra Lua module
// (here "app", carrying the program's configuration), runs a Lua chunk
// that builds and pushes a firewall with the stdlib, and closes the
// session, which removes the session's owner tables.
//
// Run:  go run ./scripts/examples/embed                 (current netns: needs root)
//
//	go run ./scripts/examples/embed -netns new      (a throwaway netns)
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"time"

	"github.com/nfsh/nfsh/lua/shell"
	glua "github.com/yuin/gopher-lua"
)

// script is the Lua run by the program; app.ports comes from Go.
const script = `
local hostfw = require "hostfw"
local app = require "app"
local rs = hostfw.build({ services = { "ssh" }, tcp = app.ports, table = "embedded" })
assert(nft.push(rs))
print(nft.pull("inet", "embedded"))
`

func main() {
	netns := flag.String("netns", "", `network namespace: "", "new", "pid:N" or a path`)
	flag.Parse()
	if err := run(context.Background(), *netns, []int{8080, 8443}); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

// run executes the script in one session and closes it.
func run(ctx context.Context, netns string, ports []int) error {
	sh, err := shell.New(shell.Options{
		Netns:  netns,
		Stdout: os.Stdout, Stderr: os.Stderr,
		Modules: map[string]glua.LGFunction{"app": func(L *glua.LState) int {
			t := L.NewTable()
			p := L.NewTable()
			for _, n := range ports {
				p.Append(glua.LNumber(n))
			}
			t.RawSetString("ports", p)
			L.Push(t)
			return 1
		}},
	})
	if err != nil {
		return err
	}
	defer sh.Close() // the owner table "embedded" goes with the session
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	return sh.RunString(ctx, "embed", script)
}
