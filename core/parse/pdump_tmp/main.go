package main

import (
	"bufio"
	"fmt"
	"os"

	"github.com/nfsh/nfsh/core/diag"
	"github.com/nfsh/nfsh/core/parse"
)

func main() {
	sc := bufio.NewScanner(os.Stdin)
	for sc.Scan() {
		_, err := parse.Rule([]byte(sc.Text()), diag.Pos{File: "x", Line: 1, Col: 1}, nil)
		if err != nil {
			fmt.Printf("REJ|%s\n", sc.Text())
		} else {
			fmt.Printf("ACC|%s\n", sc.Text())
		}
	}
}
