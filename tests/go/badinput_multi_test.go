package gotests

import (
	"fmt"
	"strings"
)

// kernelStmtRows are rules only the kernel refuses, at one of their
// statements: nfsh must point at that statement (where nft does), not
// at the whole rule.
var kernelStmtRows = []badInput{
	{
		// this kernel has no nft_queue: the kernel refuses the expression
		name:   "queue_no_module",
		unless: "queue num 3",
		src:    "table ip t {\n\tchain c {\n\t\ttcp dport 22 queue num 3\n\t}\n}\n",
		want: "bad.nft:3:16: error: add rule: Could not process rule: No such file or directory [rule in ip t c]; kernel rejected expression 5 (queue)\n" +
			"\t\ttcp dport 22 queue num 3\n\t\t             ^~~~~\n",
	},
	{
		// the counter exists while the script is compiled, but an earlier
		// command of the same batch deletes it; nft points at the name
		name: "counter_deleted_in_batch",
		src:  "table ip t {\n\tcounter cnt {\n\t}\n\tchain c {\n\t}\n}\ndelete counter ip t cnt\nadd rule ip t c tcp dport 22 counter name cnt accept\n",
		want: "bad.nft:8:43: error: add rule: Could not process rule: No such file or directory [rule in ip t c]; kernel rejected expression 5 (objref)\n" +
			"add rule ip t c tcp dport 22 counter name cnt accept\n" +
			"                                          ^~~\n",
	},
	{
		// the name is quoted: the caret covers the quotes, as nft's does
		name: "quota_deleted_in_batch",
		src:  "table ip t {\n\tquota q {\n\t\t100 bytes\n\t}\n\tchain c {\n\t}\n}\ndelete quota ip t q\nadd rule ip t c ip saddr 192.0.2.1 quota name \"q\" drop\n",
		want: "bad.nft:9:47: error: add rule: Could not process rule: No such file or directory [rule in ip t c]; kernel rejected expression 3 (objref)\n" +
			"add rule ip t c ip saddr 192.0.2.1 quota name \"q\" drop\n" +
			"                                              ^~~\n",
	},
	{
		// a rule written over several lines: the caret is on the
		// statement's own line
		name: "counter_deleted_multiline",
		src:  "table ip t {\n\tcounter cnt {\n\t}\n\tchain c {\n\t}\n}\ndelete counter ip t cnt\nadd rule ip t c tcp dport 22 \\\n\tcounter name cnt accept\n",
		want: "bad.nft:9:15: error: add rule: Could not process rule: No such file or directory [rule in ip t c]; kernel rejected expression 5 (objref)\n" +
			"\tcounter name cnt accept\n" +
			"\t             ^~~\n",
	},
}

// multiErrorRows are scripts with several errors: like nft, nfsh reports
// each (in source order, at most ten), and sends nothing.
func multiErrorRows() []badInput {
	var many strings.Builder
	many.WriteString("table ip t {\n\tchain c {\n")
	for i := range 12 {
		fmt.Fprintf(&many, "\t\tip ttl %d accept\n", 300+i)
	}
	many.WriteString("\t}\n}\n")
	var manyWant strings.Builder
	for i := range 10 {
		fmt.Fprintf(&manyWant, "bad.nft:%d:10: error: eval: Value %d exceeds valid range 0-255\n\t\tip ttl %d accept\n\t\t       ^~~\n", 3+i, 300+i, 300+i)
	}
	manyWant.WriteString("bad.nft:13: error: eval: too many errors\n")
	return []badInput{
		{
			// nft 1.0.6 leaves both to the kernel; nfsh knows the objects
			name: "two_unknown_objects",
			src:  "table ip t {\n\tchain c {\n\t\ttcp dport 22 counter name nosuch accept\n\t\tip saddr 1.2.3.4 quota name q2 drop\n\t}\n}\n",
			want: "bad.nft:3:29: error: eval: unknown counter 'nosuch' in table ip t\n\t\ttcp dport 22 counter name nosuch accept\n\t\t                          ^~~~~~\n" +
				"bad.nft:4:31: error: eval: unknown quota 'q2' in table ip t\n\t\tip saddr 1.2.3.4 quota name q2 drop\n\t\t                            ^~\n",
		},
		{
			// errors in rules of two chains and in two commands
			name: "errors_across_commands",
			src: "table ip t {\n\tchain c {\n\t\ttcp dport 70000 accept\n\t\tip saddr @nope drop\n\t}\n\tchain d {\n\t\tip ttl 300 accept\n\t}\n}\n" +
				"add rule ip t c ip ttl 400\nadd rule ip t c meta mark 0x100000000\n",
			want: "bad.nft:3:13: error: eval: Value 70000 exceeds valid range 0-65535\n\t\ttcp dport 70000 accept\n\t\t          ^~~~~\n" +
				"bad.nft:4:12: error: eval: unknown set 'nope' in table ip t\n\t\tip saddr @nope drop\n\t\t         ^~~~~\n" +
				"bad.nft:7:10: error: eval: Value 300 exceeds valid range 0-255\n\t\tip ttl 300 accept\n\t\t       ^~~\n" +
				"bad.nft:10:24: error: eval: Value 400 exceeds valid range 0-255\nadd rule ip t c ip ttl 400\n                       ^~~\n" +
				"bad.nft:11:27: error: eval: Value 0x100000000 exceeds valid range 0-4294967295\nadd rule ip t c meta mark 0x100000000\n                          ^~~~~~~~~~~\n",
		},
		{
			// nfsh compiles a block's sets before its rules; the report is
			// still in source order
			name: "errors_source_order",
			src:  "table ip t {\n\tchain c {\n\t\tip ttl 300 accept\n\t}\n\tset s {\n\t\ttype ipv5_addr\n\t}\n}\n",
			want: "bad.nft:3:10: error: eval: Value 300 exceeds valid range 0-255\n\t\tip ttl 300 accept\n\t\t       ^~~\n" +
				"bad.nft:6:8: error: eval: unknown datatype ipv5_addr\n\t\ttype ipv5_addr\n\t\t     ^~~~~~~~~\n",
		},
		{
			// both rules reach the kernel, which refuses each: both reported
			name: "kernel_two_rules",
			src: "table ip t {\n\tcounter cnt {\n\t}\n\tquota q {\n\t\t100 bytes\n\t}\n\tchain c {\n\t}\n}\n" +
				"delete counter ip t cnt\ndelete quota ip t q\nadd rule ip t c tcp dport 22 counter name cnt accept\nadd rule ip t c quota name \"q\" drop\n",
			want: "bad.nft:12:43: error: add rule: Could not process rule: No such file or directory [rule in ip t c]; kernel rejected expression 5 (objref)\n" +
				"add rule ip t c tcp dport 22 counter name cnt accept\n                                          ^~~\n" +
				"bad.nft:13:28: error: add rule: Could not process rule: No such file or directory [rule in ip t c]; kernel rejected expression 1 (objref)\n" +
				"add rule ip t c quota name \"q\" drop\n                           ^~~\n",
		},
		{
			// an evaluation error: nothing is sent, so the kernel never
			// sees (and refuses) the deleted counter
			name: "eval_error_sends_nothing",
			src:  "table ip t {\n\tcounter cnt {\n\t}\n\tchain c {\n\t}\n}\ndelete counter ip t cnt\nadd rule ip t c counter name cnt accept\nadd rule ip t c ip ttl 300\n",
			want: "bad.nft:9:24: error: eval: Value 300 exceeds valid range 0-255\nadd rule ip t c ip ttl 300\n                       ^~~\n",
		},
		{
			// ten errors, then nfsh stops
			name: "too_many_errors",
			src:  many.String(),
			want: manyWant.String(),
		},
	}
}
