package main

import (
	"context"
	"os"
	"testing"
)

// TestRun runs the embedded script in a throwaway network namespace.
func TestRun(t *testing.T) {
	if os.Geteuid() != 0 {
		if os.Getenv("CI") == "true" {
			t.Fatal("needs root (CAP_NET_ADMIN) to create a network namespace")
		}
		t.Skip("needs root")
	}
	if err := run(context.Background(), "new", []int{8080}); err != nil {
		t.Fatal(err)
	}
}
