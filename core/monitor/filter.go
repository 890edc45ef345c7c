package monitor

import "fmt"

// Filter selects events the way `nft monitor`'s arguments do:
// [new | destroy] [tables | chains | sets | rules | elements | ruleset].
// The zero Filter keeps everything.
type Filter struct {
	// Given is set when any argument was given; nft then prints no
	// generation lines.
	Given bool
	// New and Destroy keep additions and deletions; both when the
	// arguments named neither.
	New, Destroy bool
	// Kinds are the kinds kept; nil keeps every kind.
	Kinds map[Kind]bool
}

// nftKinds are what nft 1.0.6 keeps when the arguments name an event but
// no object kind: no stateful objects or flowtables.
var nftKinds = map[Kind]bool{KindTable: true, KindChain: true, KindSet: true, KindRule: true, KindElement: true}

// filterKinds are the object words of nft monitor and their kinds (nil:
// every kind).
var filterKinds = map[string]map[Kind]bool{
	"tables":   {KindTable: true},
	"chains":   {KindChain: true},
	"sets":     {KindSet: true},
	"rules":    {KindRule: true},
	"elements": {KindElement: true},
	"ruleset":  nil,
}

// ParseFilter reads nft monitor's filter words from the front of args and
// returns the filter and the arguments after them.
func ParseFilter(args []string) (Filter, []string, error) {
	f := Filter{New: true, Destroy: true}
	if len(args) > 0 && (args[0] == "new" || args[0] == "destroy") {
		f.Given, f.New, f.Destroy = true, args[0] == "new", args[0] == "destroy"
		f.Kinds = nftKinds
		args = args[1:]
	}
	if len(args) > 0 {
		if k, ok := filterKinds[args[0]]; ok {
			f.Given, f.Kinds = true, k
			args = args[1:]
		} else if len(args[0]) > 0 && args[0][0] != '-' {
			return f, args, fmt.Errorf("unknown monitor filter %q (nft's are new, destroy, tables, chains, sets, rules, elements, ruleset)", args[0])
		}
	}
	return f, args, nil
}

// Keep reports whether the filter keeps e.
func (f Filter) Keep(e *Event) bool {
	if !f.Given {
		return true
	}
	if e.Op == OpDelete && !f.Destroy || e.Op != OpDelete && !f.New {
		return false
	}
	return f.Kinds == nil || f.Kinds[e.Kind]
}
