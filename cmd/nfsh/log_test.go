package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/nfsh/nfsh/tests/go/nstest"
)

// waitGroupBound waits until NFLOG group g has a listener in ns, by
// reading the kernel's instance table (/proc/net/netfilter/nfnetlink_log).
func waitGroupBound(t *testing.T, ns *nstest.NS, g int) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		out, _ := ns.Run(t, "cat", "/proc/net/netfilter/nfnetlink_log")
		for _, line := range strings.Split(out, "\n") {
			if f := strings.Fields(line); len(f) > 0 && f[0] == fmt.Sprint(g) {
				return
			}
		}
		time.Sleep(10 * time.Millisecond) // polling a kernel table, not synchronizing
	}
	t.Fatalf("group %d never bound in %s", g, ns.Name())
}

func TestLogCommand(t *testing.T) {
	nstest.Require(t)
	ns := nstest.New(t)
	ns.NftScript(t, `table inet t {
	chain out {
		type filter hook output priority 0;
		udp dport 7777 meta mark set 5 log group 3 prefix "cli"
	}
}`)
	for _, tc := range []struct {
		name string
		args []string
	}{
		{"text", []string{"--group", "3", "--count", "2"}},
		{"json", []string{"--group=3", "--json", "--copy", "packet", "--count", "2"}},
		{"meta", []string{"--group", "3", "--copy", "meta", "--count", "2"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			done := make(chan error, 1)
			go func() { done <- ns.Do(func() error { return cmdLog(tc.args, &stdout, &stderr) }) }()
			waitGroupBound(t, ns, 3)
			if err := ns.Do(func() error {
				// Unconnected, so the port-unreachable reply fails nothing.
				c, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 41000})
				if err != nil {
					return err
				}
				defer c.Close()
				for range 2 {
					if _, err := c.WriteToUDP([]byte("hi"), &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 7777}); err != nil {
						return err
					}
				}
				return nil
			}); err != nil {
				t.Fatal(err)
			}
			select {
			case err := <-done:
				if err != nil {
					t.Fatalf("nfsh log: %v; stderr %s", err, stderr.String())
				}
			case <-time.After(10 * time.Second):
				t.Fatalf("nfsh log did not stop after 2 packets; output %q", stdout.String())
			}
			lines := strings.Split(strings.TrimSuffix(stdout.String(), "\n"), "\n")
			if len(lines) != 2 {
				t.Fatalf("%d lines, want 2:\n%s", len(lines), stdout.String())
			}
			for _, line := range lines {
				switch tc.name {
				case "text":
					if !strings.Contains(line, `"cli" in= out=lo udp 127.0.0.1:41000 > 127.0.0.1:7777 len=30 ttl=64 mark=0x5 uid=0 gid=0`) {
						t.Errorf("line %q", line)
					}
				case "meta":
					if !strings.Contains(line, `"cli" in= out=lo ip mark=0x5 uid=0`) {
						t.Errorf("line %q", line)
					}
				case "json":
					var m map[string]any
					if err := json.Unmarshal([]byte(line), &m); err != nil {
						t.Fatalf("%q: %v", line, err)
					}
					want := map[string]any{"prefix": "cli", "saddr": "127.0.0.1", "daddr": "127.0.0.1", "sport": 41000.0,
						"dport": 7777.0, "protocol": "udp", "oifname": "lo", "mark": 5.0, "hook": "output", "family": "ip", "uid": 0.0}
					for k, v := range want {
						if m[k] != v {
							t.Errorf("%s = %v, want %v (line %s)", k, m[k], v, line)
						}
					}
				}
			}
		})
	}
}

func TestLogCommandUsage(t *testing.T) {
	for _, args := range [][]string{{}, {"--group"}, {"--group", "70000"}, {"--group", "1", "--copy", "all"}, {"--bogus"}} {
		if err := cmdLog(args, &bytes.Buffer{}, &bytes.Buffer{}); err == nil {
			t.Errorf("nfsh log %q: no error", args)
		}
	}
}
