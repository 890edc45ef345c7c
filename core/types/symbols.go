package types

import (
	"errors"
	"os"
	"strconv"
	"strings"
)

// Symbol is one named constant of a datatype.
type Symbol struct {
	Name  string
	Value uint64
}

// SymbolTable maps names of constants to values and back. The first name
// of a value is the one printed.
type SymbolTable struct {
	Syms []Symbol
}

// Lookup returns the value named s.
func (t *SymbolTable) Lookup(s string) (uint64, bool) {
	for _, y := range t.Syms {
		if y.Name == s {
			return y.Value, true
		}
	}
	return 0, false
}

// Name returns the first name of v.
func (t *SymbolTable) Name(v uint64) (string, bool) {
	for _, y := range t.Syms {
		if y.Value == v {
			return y.Name, true
		}
	}
	return "", false
}

func syms(kv ...any) *SymbolTable {
	t := &SymbolTable{}
	for i := 0; i+1 < len(kv); i += 2 {
		var v uint64
		switch x := kv[i+1].(type) {
		case int:
			v = uint64(x)
		case uint64:
			v = x
		}
		t.Syms = append(t.Syms, Symbol{Name: kv[i].(string), Value: v})
	}
	return t
}

var errNoMatch = errors.New("no match")

// Symbol tables of nft's datatypes.
var (
	CtStateSymbols  = syms("invalid", 1, "new", 8, "established", 2, "related", 4, "untracked", 64)
	CtDirSymbols    = syms("original", 0, "reply", 1)
	CtStatusSymbols = syms("expected", 1, "seen-reply", 2, "assured", 4, "confirmed", 8,
		"snat", 16, "dnat", 32, "dying", 512)
	CtEventSymbols = syms("new", 1, "related", 2, "destroy", 4, "reply", 8, "assured", 16,
		"protoinfo", 32, "helper", 64, "mark", 128, "seqadj", 256, "secmark", 512, "label", 1024)
	NFProtoSymbols     = syms("ipv4", 2, "ipv6", 10)
	ICMPCodeSymbols    = syms("net-unreachable", 0, "host-unreachable", 1, "prot-unreachable", 2, "port-unreachable", 3, "net-prohibited", 9, "host-prohibited", 10, "admin-prohibited", 13, "frag-needed", 4)
	ICMPv6CodeSymbols  = syms("no-route", 0, "admin-prohibited", 1, "addr-unreachable", 3, "port-unreachable", 4, "policy-fail", 5, "reject-route", 6)
	ICMPXCodeSymbols   = syms("port-unreachable", 1, "admin-prohibited", 3, "no-route", 0, "host-unreachable", 2)
	BooleanSymbols     = syms("exists", 1, "missing", 0)
	MHTypeSymbols      = syms("binding-refresh-request", 0, "home-test-init", 1, "careof-test-init", 2, "home-test", 3, "careof-test", 4, "binding-update", 5, "binding-acknowledgement", 6, "binding-error", 7, "fast-binding-update", 8, "fast-binding-acknowledgement", 9, "fast-binding-advertisement", 10, "experimental-mobility-header", 11, "home-agent-switch-message", 12)
	FibAddrSymbols     = syms("unspec", 0, "unicast", 1, "local", 2, "broadcast", 3, "anycast", 4, "multicast", 5, "blackhole", 6, "unreachable", 7, "prohibit", 8)
	ARPHRDSymbols      = syms("ether", 1, "ppp", 512, "ipip", 768, "ipip6", 769, "loopback", 772, "sit", 776, "ipgre", 778)
	PktTypeSymbols     = syms("host", 0, "unicast", 0, "broadcast", 1, "multicast", 2, "other", 3)
	DaySymbols         = syms("Sunday", 0, "Monday", 1, "Tuesday", 2, "Wednesday", 3, "Thursday", 4, "Friday", 5, "Saturday", 6)
	ICMPTypeSymbols    = syms("echo-reply", 0, "destination-unreachable", 3, "source-quench", 4, "redirect", 5, "echo-request", 8, "router-advertisement", 9, "router-solicitation", 10, "time-exceeded", 11, "parameter-problem", 12, "timestamp-request", 13, "timestamp-reply", 14, "info-request", 15, "info-reply", 16, "address-mask-request", 17, "address-mask-reply", 18)
	IGMPTypeSymbols    = syms("membership-query", 0x11, "membership-report-v1", 0x12, "membership-report-v2", 0x16, "membership-report-v3", 0x22, "leave-group", 0x17)
	TCPFlagSymbols     = syms("fin", 1, "syn", 2, "rst", 4, "psh", 8, "ack", 16, "urg", 32, "ecn", 64, "cwr", 128)
	DCCPPktTypeSymbols = syms("request", 0, "response", 1, "data", 2, "ack", 3, "dataack", 4, "closereq", 5, "close", 6, "reset", 7, "sync", 8, "syncack", 9)
	DSCPSymbols        = syms("cs0", 0, "cs1", 8, "cs2", 0x10, "cs3", 0x18, "cs4", 0x20, "cs5", 0x28, "cs6", 0x30, "cs7", 0x38, "df", 0, "be", 0, "lephb", 1, "af11", 0x0a, "af12", 0x0c, "af13", 0x0e, "af21", 0x12, "af22", 0x14, "af23", 0x16, "af31", 0x1a, "af32", 0x1c, "af33", 0x1e, "af41", 0x22, "af42", 0x24, "af43", 0x26, "va", 0x2c, "ef", 0x2e)
	ECNSymbols         = syms("not-ect", 0, "ect1", 1, "ect0", 2, "ce", 3)
	ICMP6TypeSymbols   = syms("destination-unreachable", 1, "packet-too-big", 2, "time-exceeded", 3, "parameter-problem", 4, "echo-request", 128, "echo-reply", 129, "mld-listener-query", 130, "mld-listener-report", 131, "mld-listener-done", 132, "mld-listener-reduction", 132, "nd-router-solicit", 133, "nd-router-advert", 134, "nd-neighbor-solicit", 135, "nd-neighbor-advert", 136, "nd-redirect", 137, "router-renumbering", 138, "ind-neighbor-solicit", 141, "ind-neighbor-advert", 142, "mld2-listener-report", 143)
	ARPOpSymbols       = syms("request", 1, "reply", 2, "rrequest", 3, "rreply", 4, "inrequest", 8, "inreply", 9, "nak", 10)
	EtherTypeSymbols   = syms("ip", 0x0800, "arp", 0x0806, "ip6", 0x86dd, "8021q", 0x8100, "8021ad", 0x88a8, "vlan", 0x8100)
	// The iproute2 tables nft reads at startup (rt_symbol_table_init); the
	// realm and group tables fall back to iproute2's shipped default entry
	// when the file is missing.
	DevGroupSymbols = rtTable("/etc/iproute2/group", syms("default", 0))
	RealmSymbols    = rtTable("/etc/iproute2/rt_realms", syms("cosmos", 0))
	MarkSymbols     = rtTable("/etc/iproute2/rt_marks", nil)
	// CtLabelSymbols names conntrack label bits (/etc/connlabel.conf).
	CtLabelSymbols = rtTable("/etc/connlabel.conf", nil)
)

// rtTable reads an iproute2-style table ("VALUE NAME" lines, decimal or
// 0x hexadecimal, # comments); def is used when the file cannot be read.
func rtTable(path string, def *SymbolTable) *SymbolTable {
	data, err := os.ReadFile(path)
	if err != nil {
		return def
	}
	t := &SymbolTable{}
	for _, line := range strings.Split(string(data), "\n") {
		f := strings.Fields(line)
		if len(f) < 2 || f[0][0] == '#' {
			continue
		}
		v, err := strconv.ParseUint(f[0], 10, 32)
		if h, ok := strings.CutPrefix(f[0], "0x"); ok {
			v, err = strconv.ParseUint(h, 16, 32)
		}
		if err != nil {
			continue
		}
		t.Syms = append(t.Syms, Symbol{Name: f[1], Value: v})
	}
	return t
}
