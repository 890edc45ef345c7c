package gotests

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/nfsh/nfsh/tests/go/nstest"
)

// genBenchRuleset writes the benchmark ruleset: 10,000 rules across 100
// chains (jumped to from one base chain) and a 100,000-element interval set.
func genBenchRuleset(chains, rulesPerChain, elements int) string {
	var b strings.Builder
	b.WriteString("table inet bench {\n")
	b.WriteString("\tset big {\n\t\ttype ipv4_addr\n\t\tflags interval\n\t\telements = { ")
	for i := 0; i < elements; i++ {
		if i > 0 {
			b.WriteString(", ")
		}
		// Disjoint /31 ranges starting at 10.0.0.0: two addresses each.
		n := uint32(10<<24) + uint32(i)*4
		fmt.Fprintf(&b, "%d.%d.%d.%d/31", n>>24, n>>16&255, n>>8&255, n&255)
	}
	b.WriteString(" }\n\t}\n\n")
	b.WriteString("\tchain input {\n\t\ttype filter hook input priority filter; policy accept;\n")
	b.WriteString("\t\tip saddr @big drop\n")
	for c := 0; c < chains; c++ {
		fmt.Fprintf(&b, "\t\tmeta mark %d jump c%d\n", c+1, c)
	}
	b.WriteString("\t}\n")
	for c := 0; c < chains; c++ {
		fmt.Fprintf(&b, "\n\tchain c%d {\n", c)
		for r := 0; r < rulesPerChain; r++ {
			switch r % 4 {
			case 0:
				fmt.Fprintf(&b, "\t\tip saddr 192.168.%d.%d tcp dport %d counter accept\n", c, r, 1000+r)
			case 1:
				fmt.Fprintf(&b, "\t\tip daddr 10.%d.%d.0/24 udp dport { 53, %d } drop\n", c, r, 2000+r)
			case 2:
				fmt.Fprintf(&b, "\t\tiifname \"eth%d\" ct state established,related accept\n", r)
			case 3:
				fmt.Fprintf(&b, "\t\ttcp dport %d log prefix \"c%d-r%d \" drop comment \"rule %d\"\n", 3000+r, c, r, r)
			}
		}
		b.WriteString("\t}\n")
	}
	b.WriteString("}\n")
	return b.String()
}

// run1 runs one command in ns, returning wall time, peak RSS and output.
// The CPU time (user+sys) of the command goes to *cpu when cpu is not nil.
func run1(ns *nstest.NS, stdout *bytes.Buffer, name string, args ...string) (time.Duration, int64, string, error) {
	return run1CPU(ns, stdout, nil, name, args...)
}

func run1CPU(ns *nstest.NS, stdout *bytes.Buffer, cpu *[]time.Duration, name string, args ...string) (time.Duration, int64, string, error) {
	cmd := ns.Command(name, args...)
	var stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = stdout, &stderr
	cmd.Env = append(os.Environ(), "NFSH_STATS=1")
	t0 := time.Now()
	err := cmd.Run()
	d := time.Since(t0)
	var rss int64
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		rss = ru.Maxrss // KiB; of the largest child (ip netns exec execs the tool)
	}
	if cpu != nil {
		*cpu = append(*cpu, cmd.ProcessState.UserTime()+cmd.ProcessState.SystemTime())
	}
	if err != nil {
		return d, rss, stderr.String(), fmt.Errorf("%s: %v: %s", name, err, stderr.String())
	}
	return d, rss, stderr.String(), nil
}

var statRE = regexp.MustCompile(`(\w+)=([0-9.]+)ms`)

// parseStats reads nfsh's NFSH_STATS line ("nfsh-stats: sendmsg=12.3ms ...").
func parseStats(stderr string) map[string]float64 {
	m := map[string]float64{}
	for _, line := range strings.Split(stderr, "\n") {
		if !strings.HasPrefix(line, "nfsh-stats:") {
			continue
		}
		for _, x := range statRE.FindAllStringSubmatch(line, -1) {
			v, _ := strconv.ParseFloat(x[2], 64)
			m[x[1]] += v
		}
	}
	return m
}

func median(ds []time.Duration) time.Duration {
	s := append([]time.Duration(nil), ds...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	return s[len(s)/2]
}

// BenchmarkPushPull pushes and pulls the generated ruleset with nft and with
// nfsh side by side in one fresh namespace and reports nfsh/nft ratios,
// peak RSS and the kernel floors (time inside the batch sendmsg and the dump
// recvmsg calls, as nfsh measures them).
func BenchmarkPushPull(b *testing.B) {
	nstest.Require(b)
	ns := nstest.New(b)
	file := filepath.Join(b.TempDir(), "bench.nft")
	if err := os.WriteFile(file, []byte(genBenchRuleset(100, 100, 100000)), 0o644); err != nil {
		b.Fatal(err)
	}
	const rounds = 3
	var nftPush, nftPull, nfshPush, nfshPull []time.Duration
	// CPU time (user+sys) of each run: on a loaded machine wall time is
	// mostly waiting for a CPU, so the CPU ratios are the steadier ones.
	var cNftPush, cNftPull, cPush, cPull []time.Duration
	var rssNftPush, rssNftPull, rssPush, rssPull int64
	var sendms, recvms []float64
	var nftList string
	for i := 0; i < rounds; i++ {
		ns.Nft(b, "flush", "ruleset")
		d, rss, _, err := run1CPU(ns, &bytes.Buffer{}, &cNftPush, "nft", "-f", file)
		if err != nil {
			b.Fatal(err)
		}
		nftPush, rssNftPush = append(nftPush, d), max(rssNftPush, rss)
		var out bytes.Buffer
		d, rss, _, err = run1CPU(ns, &out, &cNftPull, "nft", "list", "ruleset")
		if err != nil {
			b.Fatal(err)
		}
		nftPull, rssNftPull, nftList = append(nftPull, d), max(rssNftPull, rss), out.String()

		var got bytes.Buffer
		d, rss, se, err := run1CPU(ns, &got, &cPull, nfshBin, "list")
		if err != nil {
			b.Fatal(err)
		}
		nfshPull, rssPull = append(nfshPull, d), max(rssPull, rss)
		if got.String() != nftList {
			b.Errorf("nfsh list differs from nft list ruleset on the benchmark ruleset")
		}
		// The kernel fills the first part of every dump inside the
		// request's sendmsg, the rest inside recvmsg: both are its share.
		if st := parseStats(se); st["recvmsg"] > 0 {
			recvms = append(recvms, st["recvmsg"]+st["sendmsg"])
		}

		ns.Nft(b, "flush", "ruleset")
		d, rss, se, err = run1CPU(ns, &bytes.Buffer{}, &cPush, nfshBin, "apply", file)
		if err != nil {
			b.Fatal(err)
		}
		nfshPush, rssPush = append(nfshPush, d), max(rssPush, rss)
		if st := parseStats(se); st["sendmsg"] > 0 {
			sendms = append(sendms, st["sendmsg"])
		}
		if i == 0 && ns.Nft(b, "list", "ruleset") != nftList {
			b.Errorf("after nfsh apply the kernel lists differently than after nft -f")
		}
	}
	np, nl, sp, sl := median(nftPush), median(nftPull), median(nfshPush), median(nfshPull)
	b.ReportMetric(float64(sp)/float64(np), "push-ratio")
	b.ReportMetric(float64(sl)/float64(nl), "pull-ratio")
	fmt.Printf("bench ruleset: 10000 rules in 100 chains + 100000-element interval set (median of %d)\n", rounds)
	fmt.Printf("push: nft -f %v, nfsh apply %v, ratio %.2fx; peak RSS nft %d MiB, nfsh %d MiB\n",
		np.Round(time.Millisecond), sp.Round(time.Millisecond), float64(sp)/float64(np), rssNftPush>>10, rssPush>>10)
	fmt.Printf("pull: nft list %v, nfsh list %v, ratio %.2fx; peak RSS nft %d MiB, nfsh %d MiB\n",
		nl.Round(time.Millisecond), sl.Round(time.Millisecond), float64(sl)/float64(nl), rssNftPull>>10, rssPull>>10)
	fmt.Printf("cpu (user+sys): push nft %v, nfsh %v, ratio %.2fx; pull nft %v, nfsh %v, ratio %.2fx\n",
		median(cNftPush).Round(time.Millisecond), median(cPush).Round(time.Millisecond), float64(median(cPush))/float64(median(cNftPush)),
		median(cNftPull).Round(time.Millisecond), median(cPull).Round(time.Millisecond), float64(median(cPull))/float64(median(cNftPull)))
	if len(sendms) > 0 {
		f := sendms[len(sendms)/2]
		fmt.Printf("push floor (kernel commit, batch sendmsg): %.0fms; nfsh push is %.2fx of it\n", f, float64(sp.Milliseconds())/f)
	}
	if len(recvms) > 0 {
		f := recvms[len(recvms)/2]
		fmt.Printf("pull floor (kernel dumps: sendmsg+recvmsg, summed over nfsh's two dump sockets): %.0fms; nfsh pull is %.2fx of it\n", f, float64(sl.Milliseconds())/f)
	}
}
