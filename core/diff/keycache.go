package diff

import "github.com/nfsh/nfsh/core/ruleset"

// KeyCache memoizes the content keys of rules, by rule pointer, so that a
// caller diffing the same from value again and again (a reconcile session
// keeping the kernel's last state) pays for each rule's key once. The rules
// whose keys it holds must not be modified while it is in use.
type KeyCache struct {
	m map[*ruleset.Rule]string
}

// NewKeyCache returns an empty cache.
func NewKeyCache() *KeyCache { return &KeyCache{m: map[*ruleset.Rule]string{}} }

// key returns r's key, computing and remembering it on first use. A nil
// cache computes every time.
func (k *KeyCache) key(r *ruleset.Rule) string {
	if k == nil {
		return ruleKey(r)
	}
	if s, ok := k.m[r]; ok {
		return s
	}
	s := ruleKey(r)
	k.m[r] = s
	return s
}

// Forget drops r's key (r left the value the cache serves).
func (k *KeyCache) Forget(r *ruleset.Rule) {
	if k != nil {
		delete(k.m, r)
	}
}

// Len returns how many keys the cache holds.
func (k *KeyCache) Len() int {
	if k == nil {
		return 0
	}
	return len(k.m)
}

// Same reports whether the rule cached (whose key k memoizes) and the rule
// r do the same thing, as Diff would judge them.
func (k *KeyCache) Same(cached, r *ruleset.Rule) bool {
	return k.key(cached) == ruleKey(r)
}
