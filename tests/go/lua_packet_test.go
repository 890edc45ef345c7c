package gotests

import (
	"io"
	"net"
	"testing"
	"time"

	"github.com/nfsh/nfsh/tests/go/nstest"
)

// serve listens on addr inside ns; every connection gets reply written.
func serve(t *testing.T, ns *nstest.NS, addr, reply string) {
	t.Helper()
	var l net.Listener
	if err := ns.Do(func() (err error) { l, err = net.Listen("tcp", addr); return err }); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			io.WriteString(c, reply)
			c.Close()
		}
	}()
}

// dial connects from ns to addr and returns what the server wrote, or
// the error (a dropped SYN times out after one second).
func dial(ns *nstest.NS, addr string) (string, error) {
	var got string
	err := ns.Do(func() error {
		c, err := net.DialTimeout("tcp", addr, time.Second)
		if err != nil {
			return err
		}
		defer c.Close()
		c.SetDeadline(time.Now().Add(2 * time.Second))
		b, err := io.ReadAll(c)
		got = string(b)
		return err
	})
	return got, err
}

func pushLua(t *testing.T, ns *nstest.NS, chunk string) {
	t.Helper()
	if out, err := ns.Run(t, nfshBin, "-e", chunk); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
}

// TestLuaHostFirewallPackets proves the stdlib host firewall with real
// connections over a veth pair: ssh (allowed) connects, telnet (not
// listed, but listening) does not.
func TestLuaHostFirewallPackets(t *testing.T) {
	nstest.Require(t)
	srv, cli := nstest.New(t), nstest.New(t)
	nstest.Veth(t, srv, "s0", cli, "c0")
	srv.Addr(t, "s0", "10.9.0.1/24")
	cli.Addr(t, "c0", "10.9.0.2/24")
	serve(t, srv, "10.9.0.1:22", "ssh")
	serve(t, srv, "10.9.0.1:23", "telnet")
	if got, err := dial(cli, "10.9.0.1:23"); err != nil || got != "telnet" {
		t.Fatalf("before the firewall port 23 must connect: %q, %v", got, err)
	}
	pushLua(t, srv, `local rs = (require "hostfw").build({ services = { "ssh" }, persist = true }); assert(nft.push(rs))`)
	if got, err := dial(cli, "10.9.0.1:22"); err != nil || got != "ssh" {
		t.Errorf("allowed port 22: got %q, %v", got, err)
	}
	if got, err := dial(cli, "10.9.0.1:23"); err == nil {
		t.Errorf("blocked port 23 connected: %q", got)
	}
}

// TestLuaRouterPackets proves the stdlib router between three
// namespaces: client (WAN) — router — inner host (LAN). The port forward
// 8080 → inner:80 reaches the inner host, ssh on the router is open from
// the WAN, telnet on the router is not, and the WAN cannot reach the LAN
// directly.
func TestLuaRouterPackets(t *testing.T) {
	nstest.Require(t)
	cli, rtr, inner := nstest.New(t), nstest.New(t), nstest.New(t)
	nstest.Veth(t, cli, "c0", rtr, "w0")
	nstest.Veth(t, rtr, "l0", inner, "i0")
	cli.Addr(t, "c0", "10.9.0.2/24")
	rtr.Addr(t, "w0", "10.9.0.1/24")
	rtr.Addr(t, "l0", "10.9.1.1/24")
	inner.Addr(t, "i0", "10.9.1.2/24")
	for _, c := range [][]string{
		{"ip", "route", "add", "default", "via", "10.9.1.1"},
	} {
		if _, err := inner.Run(t, c[0], c[1:]...); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := cli.Run(t, "ip", "route", "add", "10.9.1.0/24", "via", "10.9.0.1"); err != nil {
		t.Fatal(err)
	}
	if _, err := rtr.Run(t, "sysctl", "-qw", "net.ipv4.ip_forward=1"); err != nil {
		t.Fatal(err)
	}
	serve(t, inner, "10.9.1.2:80", "inner")
	serve(t, rtr, "10.9.0.1:22", "router-ssh")
	serve(t, rtr, "10.9.0.1:23", "router-telnet")
	if got, err := dial(cli, "10.9.1.2:80"); err != nil || got != "inner" {
		t.Fatalf("before the firewall the LAN host must be reachable: %q, %v", got, err)
	}
	pushLua(t, rtr, `
local rs = (require "router").build({
  wan = "w0", lan = { "l0" }, lan_net = "10.9.1.0/24", services = { "ssh" },
  forwards = { { proto = "tcp", port = 8080, to = "10.9.1.2", to_port = 80 } },
  persist = true,
})
assert(nft.push(rs))`)
	if got, err := dial(cli, "10.9.0.1:8080"); err != nil || got != "inner" {
		t.Errorf("port forward 8080 -> 10.9.1.2:80: got %q, %v", got, err)
	}
	if got, err := dial(cli, "10.9.0.1:22"); err != nil || got != "router-ssh" {
		t.Errorf("router ssh from the WAN: got %q, %v", got, err)
	}
	if got, err := dial(cli, "10.9.0.1:23"); err == nil {
		t.Errorf("router telnet from the WAN connected: %q", got)
	}
	if got, err := dial(cli, "10.9.1.2:80"); err == nil {
		t.Errorf("WAN reached the LAN host directly: %q", got)
	}
	if got, err := dial(inner, "10.9.0.1:23"); err != nil || got != "router-telnet" {
		t.Errorf("the LAN may use the router: got %q, %v", got, err)
	}
}
