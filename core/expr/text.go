package expr

import (
	"fmt"
	"strings"
)

// render joins an expression name and its libnftnl output the way
// nftnl_rule_snprintf does ("[ NAME OUTPUT]"), minus the one blank that
// the " ]" of the caller supplies.
func render(name, body string) string {
	return strings.TrimSuffix(name+" "+body, " ")
}

// Line returns the expression as one line of `nft --debug=netlink` rule
// output, without the two-blank indent: "[ " + name + " " + output + "]".
func Line(e Expr) string {
	if b, ok := e.(interface{ body() string }); ok {
		return "[ " + e.Name() + " " + b.body() + "]"
	}
	return "[ " + e.String() + " ]"
}

// cmpOpNames are libnftnl's names of NFT_CMP_*.
var cmpOpNames = []string{"eq", "neq", "lt", "lte", "gt", "gte"}

func cmpOpStr(op uint32) string {
	if op < uint32(len(cmpOpNames)) {
		return cmpOpNames[op]
	}
	return "unknown"
}

func rangeOpStr(op uint32) string {
	if op <= RangeNeq {
		return cmpOpNames[op]
	}
	return "unknown"
}

var baseNames = []string{"link", "network", "transport", "inner"}

func baseStr(b uint32) string {
	if b < uint32(len(baseNames)) {
		return baseNames[b]
	}
	return "unknown"
}

// metaKeyNames are libnftnl's names of NFT_META_* ("unknown" above).
var metaKeyNames = []string{
	"len", "protocol", "priority", "mark", "iif", "oif", "iifname", "oifname",
	"iiftype", "oiftype", "skuid", "skgid", "nftrace", "rtclassid", "secmark",
	"nfproto", "l4proto", "bri_iifname", "bri_oifname", "pkttype", "cpu",
	"iifgroup", "oifgroup", "cgroup", "prandom", "secpath", "iifkind",
	"oifkind", "bri_iifpvid", "bri_iifvproto", "time", "day", "hour", "sdif",
	"sdifname",
}

func metaKeyStr(k uint32) string {
	k &= 0xff // libnftnl takes the key as uint8_t
	if k < uint32(len(metaKeyNames)) {
		return metaKeyNames[k]
	}
	return "unknown"
}

// ctKeyNames are libnftnl's names of NFT_CT_* (key 23, id, and above print
// "unknown" in libnftnl 1.2.4).
var ctKeyNames = []string{
	"state", "direction", "status", "mark", "secmark", "expiration", "helper",
	"l3protocol", "src", "dst", "protocol", "proto_src", "proto_dst", "label",
	"packets", "bytes", "avgpkt", "zone", "event", "src_ip", "dst_ip",
	"src_ip6", "dst_ip6",
}

func ctKeyStr(k uint32) string {
	if k < uint32(len(ctKeyNames)) {
		return ctKeyNames[k]
	}
	return "unknown"
}

func ctDirStr(d uint8) string {
	switch d {
	case 0:
		return "original"
	case 1:
		return "reply"
	}
	return "unknown"
}

var rtKeyNames = []string{"classid", "nexthop4", "nexthop6", "tcpmss", "ipsec"}

func rtKeyStr(k uint32) string {
	k &= 0xff
	if k < uint32(len(rtKeyNames)) {
		return rtKeyNames[k]
	}
	return "unknown"
}

var socketKeyNames = []string{"transparent", "mark", "wildcard", "cgroupv2"}

func socketKeyStr(k uint32) string {
	k &= 0xff
	if k < uint32(len(socketKeyNames)) {
		return socketKeyNames[k]
	}
	return "unknown"
}

var xfrmKeyNames = []string{"(null)", "daddr4", "daddr6", "saddr4", "saddr6", "reqid", "spi"} // by NFT_XFRM_KEY_* number

func xfrmKeyStr(k uint32) string {
	if k < uint32(len(xfrmKeyNames)) {
		return xfrmKeyNames[k]
	}
	return "unknown"
}

func xfrmDirStr(d uint8) string {
	switch d {
	case 0:
		return "in"
	case 1:
		return "out"
	}
	return "unknown"
}

var fibResultNames = []string{"(null)", "oif", "oifname", "type"}

func fibResultStr(r uint32) string {
	if r < uint32(len(fibResultNames)) {
		return fibResultNames[r]
	}
	return "unknown"
}

// familyStr is libnftnl's nftnl_family2str.
func familyStr(f uint32) string {
	switch f {
	case 1:
		return "inet"
	case 2:
		return "ip"
	case 3:
		return "arp"
	case 5:
		return "netdev"
	case 7:
		return "bridge"
	case 10:
		return "ip6"
	}
	return "unknown"
}

// verdictStr is libnftnl's nftnl_verdict2str.
func verdictStr(code int32) string {
	switch code {
	case VerdictAccept:
		return "accept"
	case VerdictDrop:
		return "drop"
	case VerdictStolen:
		return "stolen"
	case VerdictQueue:
		return "queue"
	case VerdictRepeat:
		return "repeat"
	case VerdictStop:
		return "stop"
	case VerdictReturn:
		return "return"
	case VerdictJump:
		return "jump"
	case VerdictGoto:
		return "goto"
	case VerdictContinue:
		return "continue"
	case VerdictBreak:
		return "break"
	}
	return "unknown"
}

// String renders the verdict as libnftnl prints it: "accept", "jump -> c".
func (v Verdict) String() string {
	s := verdictStr(v.Code)
	if v.Chain != "" {
		s += " -> " + v.Chain
	}
	return s
}

// verdictBody is the verdict text with libnftnl's trailing blanks.
func verdictBody(v *Verdict) string {
	s := verdictStr(v.Code) + " "
	if v.Chain != "" {
		s += "-> " + v.Chain + " "
	}
	return s
}

func limitUnitStr(u uint64) string {
	switch u {
	case 1:
		return "second"
	case 60:
		return "minute"
	case 3600:
		return "hour"
	case 86400:
		return "day"
	case 604800:
		return "week"
	}
	return "error"
}

func dynsetOpStr(op uint32) string {
	switch op {
	case DynsetOpAdd:
		return "add"
	case DynsetOpUpdate:
		return "update"
	case DynsetOpDelete:
		return "delete"
	}
	return "unknown"
}

func exthdrOpStr(op uint32) string {
	switch op & 0xff {
	case ExthdrOpTCPOpt:
		return " tcpopt"
	case ExthdrOpIPv6:
		return " ipv6"
	case ExthdrOpIPv4:
		return " ipv4"
	}
	return ""
}

// sprintf is fmt.Sprintf, named for brevity in the body methods.
var sprintf = fmt.Sprintf
