package expr

import (
	"errors"

	"github.com/mdlayher/netlink"
)

// String is a placeholder.
func (e *Payload) String() string { return e.Name() }

func (e *Payload) marshal(ae *netlink.AttributeEncoder) error { return errors.New("todo") }

// String is a placeholder.
func (e *Cmp) String() string { return e.Name() }

func (e *Cmp) marshal(ae *netlink.AttributeEncoder) error { return errors.New("todo") }

// String is a placeholder.
func (e *Meta) String() string { return e.Name() }

func (e *Meta) marshal(ae *netlink.AttributeEncoder) error { return errors.New("todo") }

// String is a placeholder.
func (e *Immediate) String() string { return e.Name() }

func (e *Immediate) marshal(ae *netlink.AttributeEncoder) error { return errors.New("todo") }

// String is a placeholder.
func (e *Lookup) String() string { return e.Name() }

func (e *Lookup) marshal(ae *netlink.AttributeEncoder) error { return errors.New("todo") }

// String is a placeholder.
func (e *Bitwise) String() string { return e.Name() }

func (e *Bitwise) marshal(ae *netlink.AttributeEncoder) error { return errors.New("todo") }

// String is a placeholder.
func (e *Byteorder) String() string { return e.Name() }

func (e *Byteorder) marshal(ae *netlink.AttributeEncoder) error { return errors.New("todo") }

// String is a placeholder.
func (e *Range) String() string { return e.Name() }

func (e *Range) marshal(ae *netlink.AttributeEncoder) error { return errors.New("todo") }

// String is a placeholder.
func (e *Ct) String() string { return e.Name() }

func (e *Ct) marshal(ae *netlink.AttributeEncoder) error { return errors.New("todo") }

// String is a placeholder.
func (e *Exthdr) String() string { return e.Name() }

func (e *Exthdr) marshal(ae *netlink.AttributeEncoder) error { return errors.New("todo") }

// String is a placeholder.
func (e *Counter) String() string { return e.Name() }

func (e *Counter) marshal(ae *netlink.AttributeEncoder) error { return errors.New("todo") }

// String is a placeholder.
func (e *Log) String() string { return e.Name() }

func (e *Log) marshal(ae *netlink.AttributeEncoder) error { return errors.New("todo") }

// String is a placeholder.
func (e *Limit) String() string { return e.Name() }

func (e *Limit) marshal(ae *netlink.AttributeEncoder) error { return errors.New("todo") }

// String is a placeholder.
func (e *Quota) String() string { return e.Name() }

func (e *Quota) marshal(ae *netlink.AttributeEncoder) error { return errors.New("todo") }

// String is a placeholder.
func (e *Nat) String() string { return e.Name() }

func (e *Nat) marshal(ae *netlink.AttributeEncoder) error { return errors.New("todo") }

// String is a placeholder.
func (e *Masq) String() string { return e.Name() }

func (e *Masq) marshal(ae *netlink.AttributeEncoder) error { return errors.New("todo") }

// String is a placeholder.
func (e *Redir) String() string { return e.Name() }

func (e *Redir) marshal(ae *netlink.AttributeEncoder) error { return errors.New("todo") }

// String is a placeholder.
func (e *Reject) String() string { return e.Name() }

func (e *Reject) marshal(ae *netlink.AttributeEncoder) error { return errors.New("todo") }

// String is a placeholder.
func (e *Dynset) String() string { return e.Name() }

func (e *Dynset) marshal(ae *netlink.AttributeEncoder) error { return errors.New("todo") }

// String is a placeholder.
func (e *Objref) String() string { return e.Name() }

func (e *Objref) marshal(ae *netlink.AttributeEncoder) error { return errors.New("todo") }

// String is a placeholder.
func (e *Hash) String() string { return e.Name() }

func (e *Hash) marshal(ae *netlink.AttributeEncoder) error { return errors.New("todo") }

// String is a placeholder.
func (e *Numgen) String() string { return e.Name() }

func (e *Numgen) marshal(ae *netlink.AttributeEncoder) error { return errors.New("todo") }

// String is a placeholder.
func (e *Fib) String() string { return e.Name() }

func (e *Fib) marshal(ae *netlink.AttributeEncoder) error { return errors.New("todo") }

// String is a placeholder.
func (e *Rt) String() string { return e.Name() }

func (e *Rt) marshal(ae *netlink.AttributeEncoder) error { return errors.New("todo") }

// String is a placeholder.
func (e *Socket) String() string { return e.Name() }

func (e *Socket) marshal(ae *netlink.AttributeEncoder) error { return errors.New("todo") }

// String is a placeholder.
func (e *Osf) String() string { return e.Name() }

func (e *Osf) marshal(ae *netlink.AttributeEncoder) error { return errors.New("todo") }

// String is a placeholder.
func (e *Xfrm) String() string { return e.Name() }

func (e *Xfrm) marshal(ae *netlink.AttributeEncoder) error { return errors.New("todo") }

// String is a placeholder.
func (e *Tproxy) String() string { return e.Name() }

func (e *Tproxy) marshal(ae *netlink.AttributeEncoder) error { return errors.New("todo") }

// String is a placeholder.
func (e *Queue) String() string { return e.Name() }

func (e *Queue) marshal(ae *netlink.AttributeEncoder) error { return errors.New("todo") }

// String is a placeholder.
func (e *Dup) String() string { return e.Name() }

func (e *Dup) marshal(ae *netlink.AttributeEncoder) error { return errors.New("todo") }

// String is a placeholder.
func (e *Fwd) String() string { return e.Name() }

func (e *Fwd) marshal(ae *netlink.AttributeEncoder) error { return errors.New("todo") }

// String is a placeholder.
func (e *Synproxy) String() string { return e.Name() }

func (e *Synproxy) marshal(ae *netlink.AttributeEncoder) error { return errors.New("todo") }

// String is a placeholder.
func (e *Connlimit) String() string { return e.Name() }

func (e *Connlimit) marshal(ae *netlink.AttributeEncoder) error { return errors.New("todo") }

// String is a placeholder.
func (e *Notrack) String() string { return e.Name() }

func (e *Notrack) marshal(ae *netlink.AttributeEncoder) error { return errors.New("todo") }

// String is a placeholder.
func (e *FlowOffload) String() string { return e.Name() }

func (e *FlowOffload) marshal(ae *netlink.AttributeEncoder) error { return errors.New("todo") }

// String is a placeholder.
func (e *Last) String() string { return e.Name() }

func (e *Last) marshal(ae *netlink.AttributeEncoder) error { return errors.New("todo") }

// String is a placeholder.
func (e *Tunnel) String() string { return e.Name() }

func (e *Tunnel) marshal(ae *netlink.AttributeEncoder) error { return errors.New("todo") }

// String is a placeholder.
func (e *Match) String() string { return e.Name() }

func (e *Match) marshal(ae *netlink.AttributeEncoder) error { return errors.New("todo") }

// String is a placeholder.
func (e *Target) String() string { return e.Name() }

func (e *Target) marshal(ae *netlink.AttributeEncoder) error { return errors.New("todo") }

// String is a placeholder.
func (e *Raw) String() string { return e.Name() }

func (e *Raw) marshal(ae *netlink.AttributeEncoder) error { return errors.New("todo") }
