// Package gotests holds nfsh's kernel integration tests, differential tests
// against the real nft, and benchmarks. Every test that touches the kernel
// runs in a fresh network namespace it creates (tests/go/nstest).
package gotests

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// nfshBin is the nfsh binary under test, built once by TestMain.
var nfshBin string

func TestMain(m *testing.M) {
	if ran, code := helperProcess(); ran {
		os.Exit(code)
	}
	dir, err := os.MkdirTemp("", "nfsh-test-bin")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	nfshBin = filepath.Join(dir, "nfsh")
	if b := os.Getenv("NFSH_BIN"); b != "" {
		nfshBin = b
	} else if out, err := exec.Command("go", "build", "-o", nfshBin, "../../cmd/nfsh").CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "building nfsh: %v\n%s", err, out)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// repoFile returns the path of a file relative to the repository root.
func repoFile(rel string) string { return filepath.Join("..", "..", rel) }
