package diff

import (
	"github.com/nfsh/nfsh/core/expr"
	"github.com/nfsh/nfsh/core/ruleset"
)

// KeyCache memoizes the content keys of rules, by rule pointer, so that a
// caller diffing values that share rules again and again (a reconcile
// session keeping the kernel's last state, a script pushing the value it
// keeps growing) pays for each rule's key once. A memoized key is checked
// against the rule's slices (expressions, anonymous sets, userdata, compat:
// same backing arrays and lengths) and recomputed when one was replaced;
// changes made inside those arrays (an expression modified in place) go
// unnoticed, so rules must not be modified that way while cached.
type KeyCache struct {
	m     map[*ruleset.Rule]*keyEntry
	epoch uint32 // advanced by Sweep
	used  int    // entries used since the last Sweep
}

type keyEntry struct {
	fp    ruleFP
	key   string
	id    string // ruleID: "tag:..." or "key:..."
	epoch uint32 // the last epoch the entry was used in
}

// ruleFP is what a memoized key is checked against.
type ruleFP struct {
	e0      *expr.Expr // the expressions' backing array
	ne      int
	s0      *ruleset.Set
	ns      int
	ud0     *byte
	nud     int
	c0      *byte
	ncompat int
}

func fingerprint(r *ruleset.Rule) ruleFP {
	fp := ruleFP{ne: len(r.Exprs), ns: len(r.Sets), nud: len(r.Userdata), ncompat: len(r.Compat)}
	if len(r.Exprs) > 0 {
		fp.e0 = &r.Exprs[0]
	}
	if len(r.Sets) > 0 {
		fp.s0 = r.Sets[0]
	}
	if len(r.Userdata) > 0 {
		fp.ud0 = &r.Userdata[0]
	}
	if len(r.Compat) > 0 {
		fp.c0 = &r.Compat[0]
	}
	return fp
}

// NewKeyCache returns an empty cache.
func NewKeyCache() *KeyCache { return &KeyCache{m: map[*ruleset.Rule]*keyEntry{}} }

// key returns r's key, computing and remembering it on first use. A nil
// cache computes every time.
func (k *KeyCache) key(r *ruleset.Rule) string {
	if k == nil {
		return ruleKey(r)
	}
	return k.entry(r).key
}

// id returns what r is matched on (ruleID), memoized like its key.
func (k *KeyCache) id(r *ruleset.Rule) string {
	if k == nil {
		return ruleID(r, nil)
	}
	return k.entry(r).id
}

func (k *KeyCache) entry(r *ruleset.Rule) *keyEntry {
	fp := fingerprint(r)
	e, ok := k.m[r]
	if !ok || e.fp != fp {
		key := ruleKey(r)
		id := "key:" + key
		if tag := r.Tag(); tag != "" {
			id = "tag:" + tag
		}
		e = &keyEntry{fp: fp, key: key, id: id}
		k.m[r] = e
		k.used++
	} else if e.epoch != k.epoch {
		k.used++
	}
	e.epoch = k.epoch
	return e
}

// Forget drops r's key (r left the value the cache serves).
func (k *KeyCache) Forget(r *ruleset.Rule) {
	if k != nil {
		delete(k.m, r)
	}
}

// Sweep ends an epoch: keys not used in the last keep epochs are dropped
// once the cache holds more than twice what the last epoch used.
func (k *KeyCache) Sweep(keep uint32) {
	if k == nil {
		return
	}
	if len(k.m) > 2*k.used+1024 {
		for r, e := range k.m {
			if k.epoch-e.epoch >= keep {
				delete(k.m, r)
			}
		}
	}
	k.epoch++
	k.used = 0
}

// Len returns how many keys the cache holds.
func (k *KeyCache) Len() int {
	if k == nil {
		return 0
	}
	return len(k.m)
}

// Key returns r's content key (what Diff matches untagged rules on),
// memoized in k when k is not nil.
func (k *KeyCache) Key(r *ruleset.Rule) string { return k.key(r) }
