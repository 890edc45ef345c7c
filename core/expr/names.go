package expr

// Kernel expression names (NFTA_EXPR_NAME) of the expression types.

// Name returns "payload".
func (*Payload) Name() string { return "payload" }

// Name returns "cmp".
func (*Cmp) Name() string { return "cmp" }

// Name returns "meta".
func (*Meta) Name() string { return "meta" }

// Name returns "immediate".
func (*Immediate) Name() string { return "immediate" }

// Name returns "lookup".
func (*Lookup) Name() string { return "lookup" }

// Name returns "bitwise".
func (*Bitwise) Name() string { return "bitwise" }

// Name returns "byteorder".
func (*Byteorder) Name() string { return "byteorder" }

// Name returns "range".
func (*Range) Name() string { return "range" }

// Name returns "ct".
func (*Ct) Name() string { return "ct" }

// Name returns "exthdr".
func (*Exthdr) Name() string { return "exthdr" }

// Name returns "counter".
func (*Counter) Name() string { return "counter" }

// Name returns "log".
func (*Log) Name() string { return "log" }

// Name returns "limit".
func (*Limit) Name() string { return "limit" }

// Name returns "quota".
func (*Quota) Name() string { return "quota" }

// Name returns "nat".
func (*Nat) Name() string { return "nat" }

// Name returns "masq".
func (*Masq) Name() string { return "masq" }

// Name returns "redir".
func (*Redir) Name() string { return "redir" }

// Name returns "reject".
func (*Reject) Name() string { return "reject" }

// Name returns "dynset".
func (*Dynset) Name() string { return "dynset" }

// Name returns "objref".
func (*Objref) Name() string { return "objref" }

// Name returns "hash".
func (*Hash) Name() string { return "hash" }

// Name returns "numgen".
func (*Numgen) Name() string { return "numgen" }

// Name returns "fib".
func (*Fib) Name() string { return "fib" }

// Name returns "rt".
func (*Rt) Name() string { return "rt" }

// Name returns "socket".
func (*Socket) Name() string { return "socket" }

// Name returns "osf".
func (*Osf) Name() string { return "osf" }

// Name returns "xfrm".
func (*Xfrm) Name() string { return "xfrm" }

// Name returns "tproxy".
func (*Tproxy) Name() string { return "tproxy" }

// Name returns "queue".
func (*Queue) Name() string { return "queue" }

// Name returns "dup".
func (*Dup) Name() string { return "dup" }

// Name returns "fwd".
func (*Fwd) Name() string { return "fwd" }

// Name returns "synproxy".
func (*Synproxy) Name() string { return "synproxy" }

// Name returns "connlimit".
func (*Connlimit) Name() string { return "connlimit" }

// Name returns "notrack".
func (*Notrack) Name() string { return "notrack" }

// Name returns "flow_offload".
func (*FlowOffload) Name() string { return "flow_offload" }

// Name returns "last".
func (*Last) Name() string { return "last" }

// Name returns "tunnel".
func (*Tunnel) Name() string { return "tunnel" }

// Name returns "match".
func (*Match) Name() string { return "match" }

// Name returns "target".
func (*Target) Name() string { return "target" }

// Name returns the kernel expression name kept from the wire.
func (e *Raw) Name() string { return e.ExprName }
