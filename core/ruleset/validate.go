package ruleset

import (
	"fmt"

	"github.com/nfsh/nfsh/core/diag"
)

// Kernel limits (include/uapi/linux/netfilter/nf_tables.h).
const (
	NameMaxLen      = 256        // NFT_NAME_MAXLEN, including the terminating NUL
	DataValueMaxLen = 64         // NFT_DATA_VALUE_MAXLEN: longest key or data, in bytes
	UserdataMaxLen  = 256        // NFT_USERDATA_MAXLEN
	VerdictDataType = 0xffffff00 // nft's datatype id for verdict map data (NFT_DATA_VERDICT)
)

// Hook numbers of the inet-style families (NF_INET_*) and netdev (NF_NETDEV_*).
const (
	HookPrerouting    = 0 // NF_INET_PRE_ROUTING
	HookInput         = 1 // NF_INET_LOCAL_IN
	HookForward       = 2 // NF_INET_FORWARD
	HookOutput        = 3 // NF_INET_LOCAL_OUT
	HookPostrouting   = 4 // NF_INET_POST_ROUTING
	HookIngress       = 5 // NF_INET_INGRESS (inet) ; NF_NETDEV_INGRESS is 0
	HookNetdevIngress = 0 // NF_NETDEV_INGRESS
	HookNetdevEgress  = 1 // NF_NETDEV_EGRESS
)

// chainHooks lists, per family and chain type, the hooks a base chain may
// use (what the kernel's chain types register).
var chainHooks = map[Family]map[string][]uint32{
	FamilyIP:     {"filter": {0, 1, 2, 3, 4}, "nat": {0, 1, 3, 4}, "route": {3}},
	FamilyIP6:    {"filter": {0, 1, 2, 3, 4}, "nat": {0, 1, 3, 4}, "route": {3}},
	FamilyInet:   {"filter": {0, 1, 2, 3, 4, 5}, "nat": {0, 1, 3, 4}, "route": {3}},
	FamilyARP:    {"filter": {0, 1}}, // NF_ARP_IN, NF_ARP_OUT
	FamilyBridge: {"filter": {0, 1, 2, 3, 4}},
	FamilyNetdev: {"filter": {0, 1}},
}

// Validate checks the whole value for what the kernel would refuse or what
// makes no sense, and returns the first problem as a *diag.Error naming the
// object and, when known, its source position.
func (rs *Ruleset) Validate() error {
	seen := map[string]bool{}
	for _, t := range rs.Tables {
		k := t.Family.String() + " " + t.Name
		if seen[k] {
			return invalid(t.Pos, "table "+k, "duplicate table")
		}
		seen[k] = true
		if err := t.Validate(); err != nil {
			return err
		}
	}
	return nil
}

func invalid(pos diag.Pos, object, format string, args ...any) error {
	return &diag.Error{Op: "validate", Pos: pos, Object: object, Msg: fmt.Sprintf(format, args...)}
}

func checkName(pos diag.Pos, object, name string) error {
	switch {
	case name == "":
		return invalid(pos, object, "empty name")
	case len(name) >= NameMaxLen:
		return invalid(pos, object, "name too long, %d characters maximum allowed", NameMaxLen-1)
	}
	return nil
}

// Validate checks a table and everything in it.
func (t *Table) Validate() error {
	obj := "table " + t.Family.String() + " " + t.Name
	if _, ok := familyNames[t.Family]; !ok || t.Family == FamilyUnspec {
		return invalid(t.Pos, obj, "unknown family %d", t.Family)
	}
	if err := checkName(t.Pos, obj, t.Name); err != nil {
		return err
	}
	if len(t.Userdata) > UserdataMaxLen {
		return invalid(t.Pos, obj, "userdata of %d bytes, %d maximum", len(t.Userdata), UserdataMaxLen)
	}
	chains := map[string]bool{}
	for _, c := range t.Chains {
		if chains[c.Name] {
			return invalid(c.Pos, obj+" chain "+c.Name, "duplicate chain")
		}
		chains[c.Name] = true
		if err := t.validateChain(c); err != nil {
			return err
		}
	}
	sets := map[string]bool{}
	for _, s := range t.Sets {
		if sets[s.Name] {
			return invalid(s.Pos, obj+" set "+s.Name, "duplicate set")
		}
		sets[s.Name] = true
		if err := s.validate(obj + " set " + s.Name); err != nil {
			return err
		}
	}
	objs := map[string]bool{}
	for _, o := range t.Objects {
		k := fmt.Sprintf("%d/%s", o.Type, o.Name)
		if objs[k] {
			return invalid(o.Pos, obj+" object "+o.Name, "duplicate object")
		}
		objs[k] = true
		if err := checkName(o.Pos, obj+" object", o.Name); err != nil {
			return err
		}
	}
	for _, f := range t.Flowtables {
		if err := checkName(f.Pos, obj+" flowtable", f.Name); err != nil {
			return err
		}
	}
	return nil
}

func (t *Table) validateChain(c *Chain) error {
	obj := "chain " + t.Family.String() + " " + t.Name + " " + c.Name
	if err := checkName(c.Pos, obj, c.Name); err != nil {
		return err
	}
	if len(c.Userdata) > UserdataMaxLen {
		return invalid(c.Pos, obj, "userdata of %d bytes, %d maximum", len(c.Userdata), UserdataMaxLen)
	}
	if h := c.Hook; h != nil {
		return t.validateHook(c.Pos, obj, h)
	}
	for _, r := range c.Rules {
		for _, s := range r.Sets {
			if err := s.validate(obj + " anonymous set"); err != nil {
				return err
			}
		}
	}
	return nil
}

func (t *Table) validateHook(pos diag.Pos, obj string, h *Hook) error {
	types, ok := chainHooks[t.Family]
	if !ok {
		return invalid(pos, obj, "family %s has no base chains", t.Family)
	}
	hooks, ok := types[h.Type]
	if !ok {
		return invalid(pos, obj, "chain type %q is not available in family %s", h.Type, t.Family)
	}
	found := false
	for _, n := range hooks {
		found = found || n == h.Num
	}
	if !found {
		return invalid(pos, obj, "hook %d is not available to %s chains in family %s", h.Num, h.Type, t.Family)
	}
	netdevIngress := t.Family == FamilyNetdev || (t.Family == FamilyInet && h.Num == HookIngress)
	if netdevIngress && len(h.Devices) == 0 {
		return invalid(pos, obj, "a %s chain on this hook needs a device", t.Family)
	}
	if !netdevIngress && len(h.Devices) > 0 {
		return invalid(pos, obj, "devices are only for netdev chains and inet ingress")
	}
	if h.Policy != nil && *h.Policy != 0 && *h.Policy != 1 { // NF_DROP, NF_ACCEPT
		return invalid(pos, obj, "policy must be accept or drop")
	}
	return nil
}

func (s *Set) validate(obj string) error {
	if !s.Anonymous() {
		if err := checkName(s.Pos, obj, s.Name); err != nil {
			return err
		}
	}
	if s.KeyLen == 0 || s.KeyLen > DataValueMaxLen {
		return invalid(s.Pos, obj, "key length %d out of range 1..%d", s.KeyLen, DataValueMaxLen)
	}
	isMap := s.Flags&SetMap != 0
	isObj := s.Flags&SetObject != 0
	switch {
	case isMap && isObj:
		return invalid(s.Pos, obj, "a set cannot be both a map and an object map")
	case isMap && s.DataType == 0:
		return invalid(s.Pos, obj, "a map needs a data type")
	case !isMap && s.DataType != 0:
		return invalid(s.Pos, obj, "data type given for a set that is not a map")
	case isMap && s.DataType != VerdictDataType && (s.DataLen == 0 || s.DataLen > DataValueMaxLen):
		return invalid(s.Pos, obj, "map data length %d out of range 1..%d", s.DataLen, DataValueMaxLen)
	case isObj && s.ObjType == 0:
		return invalid(s.Pos, obj, "an object map needs an object type")
	case s.Timeout != nil && s.Flags&SetTimeout == 0:
		return invalid(s.Pos, obj, "timeout given but the set lacks the timeout flag")
	case len(s.Userdata) > UserdataMaxLen:
		return invalid(s.Pos, obj, "userdata of %d bytes, %d maximum", len(s.Userdata), UserdataMaxLen)
	}
	for _, e := range s.Elements {
		if err := s.validateElement(obj, e); err != nil {
			return err
		}
	}
	return nil
}

func (s *Set) validateElement(obj string, e *Element) error {
	isMap := s.Flags&SetMap != 0
	catchall := e.Flags&ElemCatchall != 0
	switch {
	case !catchall && len(e.Key) == 0:
		return invalid(e.Pos, obj, "element without a key")
	case !catchall && s.Flags&SetConcat == 0 && len(e.Key) != int(s.KeyLen):
		return invalid(e.Pos, obj, "element key of %d bytes in a set with %d-byte keys", len(e.Key), s.KeyLen)
	case len(e.KeyEnd) > 0 && s.Flags&SetInterval == 0:
		return invalid(e.Pos, obj, "element range in a set without the interval flag")
	case e.Flags&ElemIntervalEnd != 0 && s.Flags&SetInterval == 0:
		return invalid(e.Pos, obj, "interval end element in a set without the interval flag")
	case e.Timeout != nil && s.Flags&SetTimeout == 0:
		return invalid(e.Pos, obj, "element timeout in a set without the timeout flag")
	case !isMap && (len(e.Data) > 0 || e.Verdict != nil):
		return invalid(e.Pos, obj, "element data in a set that is not a map")
	case isMap && e.Flags&ElemIntervalEnd == 0 && len(e.Data) == 0 && e.Verdict == nil:
		return invalid(e.Pos, obj, "map element without data")
	case isMap && s.DataType == VerdictDataType && len(e.Data) > 0:
		return invalid(e.Pos, obj, "verdict map element with plain data")
	case s.Flags&SetObject != 0 && e.Flags&ElemIntervalEnd == 0 && e.ObjRef == "":
		return invalid(e.Pos, obj, "object map element without an object")
	case len(e.Userdata) > UserdataMaxLen:
		return invalid(e.Pos, obj, "element userdata of %d bytes, %d maximum", len(e.Userdata), UserdataMaxLen)
	}
	return nil
}
