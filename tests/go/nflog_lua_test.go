package gotests

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	glua "github.com/yuin/gopher-lua"
	"golang.org/x/net/icmp"
	"golang.org/x/net/ipv4"

	"github.com/nfsh/nfsh/bindings"
	"github.com/nfsh/nfsh/lua"
	"github.com/nfsh/nfsh/tests/go/nstest"
)

// vethPair returns two fresh namespaces joined by a veth pair:
// srv (va0, 10.0.0.1/24) and cli (vb0, 10.0.0.2/24).
func vethPair(t *testing.T) (srv, cli *nstest.NS) {
	srv, cli = nstest.New(t), nstest.New(t)
	nstest.Veth(t, srv, "va0", cli, "vb0")
	srv.Addr(t, "va0", "10.0.0.1/24")
	cli.Addr(t, "vb0", "10.0.0.2/24")
	// Skip duplicate address detection delays for the IPv4-only tests:
	// the addresses are usable as soon as the links are up.
	return srv, cli
}

// luaHost returns a Lua host with the nft module (no compiler or kernel:
// the tests load rules with nft and only listen from Lua).
func luaHost(t *testing.T) (*lua.Host, *strings.Builder) {
	var errs strings.Builder
	h := lua.New(lua.Options{
		Stdout:  io.Discard,
		Stderr:  &errs,
		Modules: map[string]glua.LGFunction{"nft": bindings.Loader(bindings.Core{})},
		Globals: []string{"nft"},
	})
	t.Cleanup(h.Close)
	return h, &errs
}

// TestNFLOGLuaFields sends real TCP, UDP and ICMP packets from one
// namespace to another over a veth pair, logs them in the receiver's input
// hook (with a mark and a tagged prefix) and its output hook, and checks
// that the Lua callback's event tables hold exactly what was sent, in each
// copy mode. A callback error on the first event is reported with the
// script's file:line and the listener goes on.
func TestNFLOGLuaFields(t *testing.T) {
	nstest.Require(t)
	for _, copyMode := range []string{"packet", "meta", "none"} {
		t.Run(copyMode, func(t *testing.T) { testNFLOGLuaFields(t, copyMode) })
	}
}

func testNFLOGLuaFields(t *testing.T, copyMode string) {
	srv, cli := vethPair(t)
	srv.NftScript(t, `table inet t {
	chain in {
		type filter hook input priority filter;
		tcp dport 2222 ct state new meta mark set 0x2a log prefix "nfsh:ssh: new" group 11
		udp dport 5353 log prefix "nfsh:udp: " group 11
		icmp type echo-request log prefix "nfsh:ping: " group 11
	}
	chain out {
		type filter hook output priority filter;
		udp dport 6000 log prefix "plain" group 11
	}
}`)
	h, errs := luaHost(t)
	script := fmt.Sprintf(`
got = {}
local first = true
listener = assert(nft.log_listen({ group = 11, copy = %q, netns = %q, keep = true }, function(ev)
	if first then first = false; error("first event") end
	got[#got + 1] = ev
	if #got == 4 then listener:close() end
end))
`, copyMode, srv.Path())
	if err := h.DoString(context.Background(), "fields.lua", script); err != nil {
		t.Fatal(err)
	}
	// A TCP server so the SYN is answered (not required for the log).
	var ln net.Listener
	if err := srv.Do(func() (err error) { ln, err = net.Listen("tcp4", "10.0.0.1:2222"); return }); err != nil {
		t.Fatal(err)
	}
	defer ln.Close()

	// The first packet is a throwaway UDP datagram whose event the callback
	// rejects with an error.
	var tcpSport, udpSport int
	send := func() error {
		return cli.Do(func() error {
			// Unconnected, so the port unreachable answer does not fail
			// the second write.
			u, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(10, 0, 0, 2)})
			if err != nil {
				return err
			}
			defer u.Close()
			dst := &net.UDPAddr{IP: net.IPv4(10, 0, 0, 1), Port: 5353}
			for _, msg := range []string{"first", "hello"} {
				if _, err := u.WriteTo([]byte(msg), dst); err != nil {
					return err
				}
			}
			udpSport = u.LocalAddr().(*net.UDPAddr).Port
			c, err := net.DialTimeout("tcp4", "10.0.0.1:2222", 3*time.Second)
			if err != nil {
				return err
			}
			tcpSport = c.LocalAddr().(*net.TCPAddr).Port
			c.Close()
			pc, err := icmp.ListenPacket("ip4:icmp", "10.0.0.2")
			if err != nil {
				return err
			}
			defer pc.Close()
			m := icmp.Message{Type: ipv4.ICMPTypeEcho, Body: &icmp.Echo{ID: 77, Seq: 5, Data: []byte("ping")}}
			b, _ := m.Marshal(nil)
			_, err = pc.WriteTo(b, &net.IPAddr{IP: net.IPv4(10, 0, 0, 1)})
			return err
		})
	}
	if err := send(); err != nil {
		t.Fatal(err)
	}
	// The server's answer to the UDP datagram goes out through the output
	// hook (a locally generated packet: uid is the socket owner's).
	if err := srv.Do(func() error {
		u, err := net.DialUDP("udp4", &net.UDPAddr{IP: net.IPv4(10, 0, 0, 1), Port: 6001}, &net.UDPAddr{IP: net.IPv4(10, 0, 0, 2), Port: 6000})
		if err != nil {
			return err
		}
		defer u.Close()
		_, err = u.Write([]byte("reply"))
		return err
	}); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := h.Run(ctx); err != nil {
		t.Fatalf("event loop: %v (events so far: %s)", err, luaGot(t, h))
	}
	if !strings.Contains(errs.String(), "fields.lua:5: error: first event") {
		t.Errorf("callback error report: %q, want fields.lua:5: error: first event", errs.String())
	}
	keys := []string{"kind", "tag", "prefix", "family", "hook", "saddr", "daddr", "protocol", "sport", "dport",
		"tcp_flags", "syn", "mark", "iifname", "oifname", "icmp_type", "icmp_code", "icmp_id", "icmp_seq", "uid", "ttl"}
	got := luaEvents(t, h, keys)
	full := copyMode == "packet"
	ip := func(m map[string]any) map[string]any {
		if !full {
			for _, k := range []string{"saddr", "daddr", "protocol", "sport", "dport", "tcp_flags", "syn", "icmp_type", "icmp_code", "icmp_id", "icmp_seq", "ttl"} {
				delete(m, k)
			}
		}
		return m
	}
	want := []map[string]any{
		ip(map[string]any{"kind": "packet", "tag": "udp", "prefix": "nfsh:udp: ", "family": "ip", "hook": "input",
			"saddr": "10.0.0.2", "daddr": "10.0.0.1", "protocol": "udp", "sport": float64(udpSport), "dport": float64(5353),
			"iifname": "va0", "ttl": float64(64)}),
		ip(map[string]any{"kind": "packet", "tag": "ssh", "prefix": "nfsh:ssh: new", "family": "ip", "hook": "input",
			"saddr": "10.0.0.2", "daddr": "10.0.0.1", "protocol": "tcp", "sport": float64(tcpSport), "dport": float64(2222),
			"tcp_flags": "syn", "syn": true, "mark": float64(0x2a), "iifname": "va0", "ttl": float64(64)}),
		ip(map[string]any{"kind": "packet", "tag": "ping", "prefix": "nfsh:ping: ", "family": "ip", "hook": "input",
			"saddr": "10.0.0.2", "daddr": "10.0.0.1", "protocol": "icmp", "icmp_type": float64(8), "icmp_code": float64(0),
			"icmp_id": float64(77), "icmp_seq": float64(5), "iifname": "va0", "ttl": float64(64)}),
		ip(map[string]any{"kind": "packet", "prefix": "plain", "family": "ip", "hook": "output",
			"saddr": "10.0.0.1", "daddr": "10.0.0.2", "protocol": "udp", "sport": float64(6001), "dport": float64(6000),
			"oifname": "va0", "uid": float64(0), "ttl": float64(64)}),
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("Lua events (-want +got):\n%s", d)
	}
}

// luaEvents reads the global list got of event tables, keeping keys. It
// reads each field as a script does (ev[k], decoded on first access), then
// fills every field with nft.log_fields and checks that the raw table holds
// the same values.
func luaEvents(t *testing.T, h *lua.Host, keys []string) []map[string]any {
	t.Helper()
	list, ok := h.L.GetGlobal("got").(*glua.LTable)
	if !ok {
		t.Fatal("no global got")
	}
	conv := func(v glua.LValue) any {
		switch v := v.(type) {
		case glua.LString:
			return string(v)
		case glua.LNumber:
			return float64(v)
		case glua.LBool:
			return bool(v)
		}
		return nil
	}
	var out []map[string]any
	for i := 1; i <= list.Len(); i++ {
		ev, ok := list.RawGetInt(i).(*glua.LTable)
		if !ok {
			t.Fatalf("got[%d] is not a table", i)
		}
		m := map[string]any{}
		for _, k := range keys {
			if v := conv(h.L.GetField(ev, k)); v != nil {
				m[k] = v
			}
		}
		out = append(out, m)
	}
	if _, err := h.Eval(context.Background(), "fill", `for _, ev in ipairs(got) do nft.log_fields(ev) end`); err != nil {
		t.Fatal(err)
	}
	for i, m := range out {
		ev := list.RawGetInt(i + 1).(*glua.LTable)
		raw := map[string]any{}
		ev.ForEach(func(k, v glua.LValue) {
			ks, ok := k.(glua.LString)
			if !ok || !slices.Contains(keys, string(ks)) {
				if !ok || !slices.Contains(allEventKeys, string(ks)) {
					t.Errorf("got[%d]: unexpected key %q after nft.log_fields", i+1, k)
				}
				return
			}
			raw[string(ks)] = conv(v)
		})
		if d := cmp.Diff(m, raw); d != "" {
			t.Errorf("got[%d]: fields read vs nft.log_fields (-read +filled):\n%s", i+1, d)
		}
	}
	return out
}

// allEventKeys are the keys a packet event may hold.
var allEventKeys = []string{"kind", "group", "family", "time", "hook", "hw_protocol", "prefix", "tag", "mark",
	"iif", "iifname", "oif", "oifname", "physiif", "physiifname", "physoif", "physoifname",
	"hwaddr", "hwtype", "uid", "gid", "seq", "seq_global", "vlan_id", "vlan_proto", "ct_state", "ct_direction",
	"payload_len", "payload", "ip_version", "saddr", "daddr", "protocol", "ttl", "length", "frag_offset", "truncated",
	"sport", "dport", "tcp_flags", "syn", "ack", "fin", "rst", "icmp_type", "icmp_code", "icmp_id", "icmp_seq"}

func luaGot(t *testing.T, h *lua.Host) string {
	if list, ok := h.L.GetGlobal("got").(*glua.LTable); ok {
		return fmt.Sprint(list.Len())
	}
	return "none"
}

// TestAutobanExample runs scripts/examples/autoban.lua with the nfsh
// binary in a server namespace and connects from a client namespace over
// a veth pair: the first HITS connection attempts succeed, the HITS-th
// puts the client's address into the set inet autoban banned4 (checked
// with `nft list set`), and the next attempt is dropped.
func TestAutobanExample(t *testing.T) {
	nstest.Require(t)
	const hits = 3
	srv, cli := vethPair(t)
	var ln net.Listener
	if err := srv.Do(func() (err error) { ln, err = net.Listen("tcp4", "10.0.0.1:2222"); return }); err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			c.Close()
		}
	}()

	cmd := srv.Command(nfshBin, repoFile("scripts/examples/autoban.lua"), "2222", fmt.Sprint(hits), "60", "600", "4243")
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() {
		cmd.Process.Kill()
		cmd.Wait()
	}()
	lines := make(chan string, 100)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
	}()
	expect := func(substr string) {
		t.Helper()
		timeout := time.After(10 * time.Second)
		for {
			select {
			case l, ok := <-lines:
				if !ok {
					t.Fatalf("autoban exited before printing %q; stderr: %s", substr, stderr.String())
				}
				t.Logf("autoban: %s", l)
				if strings.Contains(l, substr) {
					return
				}
			case <-timeout:
				t.Fatalf("autoban did not print %q in 10 s; stderr: %s", substr, stderr.String())
			}
		}
	}
	expect("watching tcp port 2222")
	dial := func(timeout time.Duration) error {
		return cli.Do(func() error {
			c, err := net.DialTimeout("tcp4", "10.0.0.1:2222", timeout)
			if err == nil {
				c.Close()
			}
			return err
		})
	}
	for i := 1; i <= hits; i++ {
		if err := dial(3 * time.Second); err != nil {
			t.Fatalf("connection %d/%d before the ban: %v", i, hits, err)
		}
		expect(fmt.Sprintf("10.0.0.2 new connection %d/%d", i, hits))
	}
	expect("banned 10.0.0.2")
	set := srv.Nft(t, "list", "set", "inet", "autoban", "banned4")
	if !strings.Contains(set, "10.0.0.2") {
		t.Fatalf("10.0.0.2 not in the set after %d connections:\n%s", hits, set)
	}
	err = dial(time.Second)
	var ne net.Error
	if err == nil || !errors.As(err, &ne) || !ne.Timeout() {
		t.Fatalf("connection after the ban: %v, want a timeout (dropped)", err)
	}
	// The banned address's attempt was dropped before the log rule.
	select {
	case l := <-lines:
		t.Errorf("autoban printed %q for a banned address", l)
	default:
	}
}

// TestNFLOGLuaBatches floods a logging rule and counts with two Lua
// listeners: one taking the listener's kernel batches whole (the default)
// and one with batch = 3, whose batches are cut to three events per loop
// turn. Both see every packet once, in sequence order.
func TestNFLOGLuaBatches(t *testing.T) {
	nstest.Require(t)
	ns := nstest.New(t)
	ns.NftScript(t, `table inet t {
	chain out {
		type filter hook output priority filter;
		udp dport 9 log group 12 log group 13
	}
}`)
	h, errs := luaHost(t)
	const n = 500
	script := fmt.Sprintf(`
count, bad = { [12] = 0, [13] = 0 }, {}
local open = 2
local function counter(g)
	local nxt
	local l
	l = assert(nft.log_listen({ group = g, netns = %q, qthreshold = 50, timeout = 10, batch = g == 13 and 3 or nil }, function(ev)
		if ev.kind ~= "packet" then bad[#bad + 1] = g .. ": " .. ev.kind; return end
		if nxt and ev.seq ~= nxt then bad[#bad + 1] = g .. ": seq " .. ev.seq .. " after " .. (nxt - 1) end
		nxt = ev.seq + 1
		count[g] = count[g] + 1
		if count[g] == %d then l:close() end
	end))
end
counter(12)
counter(13)
`, ns.Path(), n)
	if err := h.DoString(context.Background(), "batches.lua", script); err != nil {
		t.Fatal(err)
	}
	sendAndRun(t, ns, h, errs, n)
	vals, err := h.Eval(context.Background(), "result", `return count[12] .. " " .. count[13] .. " " .. table.concat(bad, "; ")`)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := strings.TrimSpace(vals[0].String()), fmt.Sprintf("%d %d", n, n); got != want {
		t.Errorf("counts and errors: %q, want %q", got, want)
	}
	if errs.Len() > 0 {
		t.Errorf("stderr: %s", errs.String())
	}
}

// TestNFLOGLuaEventLifetime floods two Lua listeners in batches of 50:
// by default the listener reuses a batch's packets after its callbacks,
// so an event kept raw is an error to read later while one filled with
// nft.log_fields in its callback keeps its own values; with keep = true
// every event stays readable with its own values.
func TestNFLOGLuaEventLifetime(t *testing.T) {
	nstest.Require(t)
	ns := nstest.New(t)
	ns.NftScript(t, `table inet t {
	chain out {
		type filter hook output priority filter;
		udp dport 9 log group 14 log group 15
	}
}`)
	h, errs := luaHost(t)
	const n = 300
	script := fmt.Sprintf(`
raw, filled, kept = {}, {}, {}
local open = 2
local function listen(g, keep, fn)
	local l, count = nil, 0
	l = assert(nft.log_listen({ group = g, netns = %q, qthreshold = 50, timeout = 10, keep = keep }, function(ev)
		fn(ev)
		count = count + 1
		if count == %d then l:close() end
	end))
end
listen(14, false, function(ev)
	if #raw == #filled then raw[#raw + 1] = ev else filled[#filled + 1] = nft.log_fields(ev) end
end)
listen(15, true, function(ev) kept[#kept + 1] = ev end)
`, ns.Path(), n)
	if err := h.DoString(context.Background(), "lifetime.lua", script); err != nil {
		t.Fatal(err)
	}
	sendAndRun(t, ns, h, errs, n)
	vals, err := h.Eval(context.Background(), "check", `
local function seqs(list)
	local out, prev = {}, nil
	for i, ev in ipairs(list) do
		if ev.dport ~= 9 or ev.kind ~= "packet" then return "event " .. i .. ": dport " .. tostring(ev.dport) end
		if prev and ev.seq <= prev then return "event " .. i .. ": seq " .. ev.seq .. " after " .. prev end
		prev = ev.seq
	end
	return #list .. " ordered"
end
local ok, err = pcall(function() return raw[1].saddr end)
local rawErrors = 0
for _, ev in ipairs(raw) do
	if not pcall(function() return ev.dport end) then rawErrors = rawErrors + 1 end
end
return seqs(filled), seqs(kept), tostring(ok), tostring(err), rawErrors`)
	if err != nil {
		t.Fatal(err)
	}
	got := make([]string, len(vals))
	for i, v := range vals {
		got[i] = v.String()
	}
	if got[0] != "150 ordered" || got[1] != fmt.Sprintf("%d ordered", n) || got[2] != "false" || got[4] != "150" {
		t.Errorf("filled %s; kept %s; raw read ok=%s (%s); raw errors %s of 150", got[0], got[1], got[2], got[3], got[4])
	}
	if !strings.Contains(got[3], `field "saddr" of a packet event read after its callback returned`) || !strings.Contains(got[3], "nft.log_fields(ev)") {
		t.Errorf("error reading an expired event: %s", got[3])
	}
	if errs.Len() > 0 {
		t.Errorf("stderr: %s", errs.String())
	}
}

// sendAndRun sends n one-byte UDP datagrams to 127.0.0.1:9 inside ns,
// then runs the Lua host's event loop until its listeners close (at most
// 10 s).
func sendAndRun(t *testing.T, ns *nstest.NS, h *lua.Host, errs *strings.Builder, n int) {
	t.Helper()
	if err := ns.Do(func() error {
		c, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
		if err != nil {
			return err
		}
		defer c.Close()
		dst := &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 9}
		for i := 0; i < n; i++ {
			if _, err := c.WriteToUDP([]byte("x"), dst); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := h.Run(ctx); err != nil {
		t.Fatalf("run: %v (stderr %s)", err, errs.String())
	}
}
