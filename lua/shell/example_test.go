package shell_test

import (
	"context"
	"fmt"
	"os"

	"github.com/nfsh/nfsh/lua/shell"
)

// An embedded session builds a ruleset with the chainable DSL and prints
// it as nft text. (nft.push would commit it in the session's netns.)
func Example() {
	sh, err := shell.New(shell.Options{Stdout: os.Stdout, Stderr: os.Stderr})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer sh.Close()
	err = sh.RunString(context.Background(), "embed.lua", `
		local rs = nft.ruleset()
		rs:table("inet", "filter")
		  :chain("input", { type = "filter", hook = "input", priority = 0, policy = "drop" })
		  :rule("iif lo accept")
		  :rule("tcp dport $ports accept", { ports = { 22, 443 } })
		print(rs)
	`)
	if err != nil {
		fmt.Println(err)
	}
	// Output:
	// table inet filter {
	// 	chain input {
	// 		type filter hook input priority filter; policy drop;
	// 		iif "lo" accept
	// 		tcp dport { 22, 443 } accept
	// 	}
	// }
}
