package diff

import (
	"github.com/mdlayher/netlink"
	"github.com/nfsh/nfsh/core/ruleset"
)

// stateAttrs lists, per object type, the NFTA_OBJ_DATA attributes that hold
// run-time state rather than configuration.
var stateAttrs = map[uint32]map[uint16]bool{
	1: {1: true, 2: true}, // NFT_OBJECT_COUNTER: NFTA_COUNTER_BYTES, NFTA_COUNTER_PACKETS
	2: {3: true},          // NFT_OBJECT_QUOTA: NFTA_QUOTA_CONSUMED
}

// sameObject compares two objects' configuration, ignoring their state.
func sameObject(a, b *ruleset.Object) bool {
	if a.Type != b.Type || string(a.Userdata) != string(b.Userdata) {
		return false
	}
	return configOf(a) == configOf(b)
}

// configOf returns the object's data without its state attributes, or the
// raw data when it does not decode.
func configOf(o *ruleset.Object) string {
	skip := stateAttrs[o.Type]
	if skip == nil {
		return string(o.Data)
	}
	ad, err := netlink.NewAttributeDecoder(o.Data)
	if err != nil {
		return string(o.Data)
	}
	var out []byte
	for ad.Next() {
		if skip[ad.Type()] {
			continue
		}
		out = append(out, byte(ad.Type()), byte(ad.Type()>>8))
		out = append(out, ad.Bytes()...)
	}
	if ad.Err() != nil {
		return string(o.Data)
	}
	return string(out)
}
