package expr

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/mdlayher/netlink"
)

// wireScript exercises many expression types; nft must accept it.
const wireScript = `
table inet t {
  set s4 { type ipv4_addr; flags dynamic,timeout; }
  ct helper ftph { type "ftp" protocol tcp; }
  map vm { type inet_service : verdict; }
  map om { type inet_service : counter; }
  counter c1 { }
  quota q1 { 100 bytes }
  chain c2 { }
  chain c {
    type filter hook input priority 0;
    tcp dport 22 accept
    tcp dport != 22-25 drop
    ip saddr 10.0.0.0/8 counter
    ip daddr { 1.2.3.4, 5.6.7.8 } jump c2
    tcp flags & (syn | ack) == syn
    meta mark set 0x10
    ct state established,related accept
    ct original bytes > 100
    ct mark set meta mark
    log prefix "hi " level warn flags all
    log group 2 snaplen 30
    limit rate 10/second burst 5 packets
    limit rate over 1 mbytes/second
    quota over 20 mbytes
    ip6 nexthdr ipv6-icmp reject with icmpv6 type admin-prohibited
    reject with tcp reset
    tcp option maxseg size 1400
    tcp option maxseg size set 1360
    exthdr hbh exists
    tcp dport vmap @vm
    counter name tcp dport map @om
    counter name "c1"
    quota name "q1"
    update @s4 { ip saddr timeout 10s counter }
    meta l4proto tcp meta mark set jhash ip saddr . tcp dport mod 4 seed 0xdeadbeef offset 100
    meta mark set symhash mod 2
    meta mark set numgen inc mod 2 offset 5
    fib saddr . iif oif missing drop
    rt classid 10
    socket transparent 1
    ip saddr . tcp dport { 1.1.1.1 . 22 }
    meta hour "10:00"-"12:00"
    tcp dport 22 notrack
    ip dscp set 10
    ip6 flowlabel 1234
    ether saddr 00:11:22:33:44:55
    meta iifname "eth*"
    ip ttl 1-3
    ct helper set "ftph"
    meta nftrace set 1
  }
  chain p { type nat hook prerouting priority 0;
    ip daddr 1.2.3.4 tcp dport 80 dnat ip to 10.0.0.1:8080
    tcp dport 80 redirect to :8080
    ip saddr 1.2.3.4 masquerade
  }
  chain po { type nat hook postrouting priority 0;
    masquerade random,persistent
    snat ip to 1.2.3.4-1.2.3.10
  }
}
table netdev n {
  chain i { type filter hook ingress device lo priority 0;
    fwd to "lo"
    dup to "lo"
  }
}
`

var reAnsi = regexp.MustCompile("\x1b\\[[0-9;]*m")

// mnlMessages rebuilds the netlink messages from `nft --debug=mnl` output.
func mnlMessages(t *testing.T, out []byte) [][]byte {
	t.Helper()
	var (
		msgs [][]byte
		cur  []byte
		typ  uint16
	)
	flush := func() {
		if cur != nil {
			b := make([]byte, 16, 16+len(cur))
			binary.LittleEndian.PutUint32(b, uint32(16+len(cur)))
			binary.LittleEndian.PutUint16(b[4:], typ)
			msgs = append(msgs, append(b, cur...))
		}
		cur = nil
	}
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		l := reAnsi.ReplaceAllString(sc.Text(), "")
		switch {
		case strings.Contains(l, "| message length |"):
			flush()
			cur = []byte{}
		case strings.Contains(l, "|  type | flags  |"):
			f := strings.Split(l, "|")
			v, _ := strconv.Atoi(strings.TrimSpace(f[1]))
			typ = uint16(v)
		case strings.Contains(l, "|len |flags| type|"):
			f := strings.Split(l, "|")
			ln, _ := strconv.Atoi(f[1])
			ty, _ := strconv.Atoi(f[3])
			if strings.Contains(f[2], "N") {
				ty |= int(netlink.Nested)
			}
			if strings.Contains(f[2], "B") {
				ty |= int(netlink.NetByteOrder)
			}
			cur = binary.LittleEndian.AppendUint16(cur, uint16(ln))
			cur = binary.LittleEndian.AppendUint16(cur, uint16(ty))
		case strings.Contains(l, "|      data      |") || strings.Contains(l, "|  extra header  |"):
			for _, h := range strings.Fields(strings.Split(l, "|")[1]) {
				v, _ := strconv.ParseUint(h, 16, 8)
				cur = append(cur, byte(v))
			}
		}
	}
	flush()
	return msgs
}

// TestWireAgainstNft checks, for every rule nft 1.0.6 sends for wireScript,
// that Unmarshal then Marshal reproduces nft's NFTA_RULE_EXPRESSIONS bytes
// exactly, and that the expressions print like nft --debug=netlink.
func TestWireAgainstNft(t *testing.T) {
	if os.Geteuid() != 0 {
		if os.Getenv("CI") == "true" {
			t.Fatal("needs root")
		}
		t.Skip("needs root")
	}
	if _, err := exec.LookPath("nft"); err != nil {
		t.Skip("nft not installed")
	}
	f, err := os.CreateTemp(t.TempDir(), "*.nft")
	if err != nil {
		t.Fatal(err)
	}
	f.WriteString(wireScript)
	f.Close()
	mnlOut, err := exec.Command("unshare", "-n", "nft", "--debug=mnl", "-c", "-f", f.Name()).CombinedOutput()
	if err != nil {
		t.Fatalf("nft --debug=mnl: %v\n%s", err, mnlOut)
	}
	nlOut, err := exec.Command("unshare", "-n", "nft", "--debug=netlink", "-c", "-f", f.Name()).CombinedOutput()
	if err != nil {
		t.Fatalf("nft --debug=netlink: %v\n%s", err, nlOut)
	}
	var want []string
	for _, l := range strings.Split(string(nlOut), "\n") {
		if strings.HasPrefix(l, "  [ ") {
			want = append(want, strings.TrimPrefix(l, "  "))
		}
	}
	var got []string
	rules := 0
	for _, m := range mnlMessages(t, mnlOut) {
		if binary.LittleEndian.Uint16(m[4:]) != 0x0a06 { // NFT_MSG_NEWRULE
			continue
		}
		ad, err := netlink.NewAttributeDecoder(m[20:])
		if err != nil {
			t.Fatal(err)
		}
		for ad.Next() {
			if ad.Type() != 4 { // NFTA_RULE_EXPRESSIONS
				continue
			}
			rules++
			b := ad.Bytes()
			es, err := Unmarshal(b)
			if err != nil {
				t.Fatalf("Unmarshal: %v", err)
			}
			for _, e := range es {
				if _, ok := e.(*Raw); ok {
					t.Errorf("expression kept raw: %s", e)
				}
				got = append(got, Line(e))
			}
			b2, err := Marshal(es)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(b, b2) {
				var s []string
				for _, e := range es {
					s = append(s, e.String())
				}
				t.Errorf("re-encoding differs for rule %q:\nnft:  %x\nnfsh: %x", s, b, b2)
			}
		}
		if err := ad.Err(); err != nil {
			t.Fatal(err)
		}
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("printed expressions differ:\nnft:\n%s\nnfsh:\n%s", strings.Join(want, "\n"), strings.Join(got, "\n"))
	}
	t.Logf("%d rules, %d expressions compared with nft's wire bytes", rules, len(got))
}
