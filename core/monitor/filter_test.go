package monitor

import "testing"

func TestFilter(t *testing.T) {
	add := func(k Kind) *Event { return &Event{Op: OpNew, Kind: k} }
	del := func(k Kind) *Event { return &Event{Op: OpDelete, Kind: k} }
	cases := []struct {
		words []string
		keep  []*Event
		drop  []*Event
	}{
		{nil, []*Event{add(KindTable), del(KindObject), add(KindFlowtable)}, nil},
		{[]string{"ruleset"}, []*Event{add(KindObject), del(KindRule)}, nil},
		{[]string{"new"}, []*Event{add(KindTable), add(KindElement)}, []*Event{del(KindTable), add(KindObject)}},
		{[]string{"destroy", "rules"}, []*Event{del(KindRule)}, []*Event{add(KindRule), del(KindChain)}},
		{[]string{"sets"}, []*Event{add(KindSet), del(KindSet)}, []*Event{add(KindElement)}},
	}
	for _, tc := range cases {
		f, rest, err := ParseFilter(tc.words)
		if err != nil || len(rest) != 0 {
			t.Fatalf("ParseFilter(%q) = rest %q, %v", tc.words, rest, err)
		}
		if f.Given != (len(tc.words) > 0) {
			t.Errorf("ParseFilter(%q).Given = %v", tc.words, f.Given)
		}
		for _, e := range tc.keep {
			if !f.Keep(e) {
				t.Errorf("filter %q drops %v %v", tc.words, e.Op, e.Kind)
			}
		}
		for _, e := range tc.drop {
			if f.Keep(e) {
				t.Errorf("filter %q keeps %v %v", tc.words, e.Op, e.Kind)
			}
		}
	}
	if _, _, err := ParseFilter([]string{"bogus"}); err == nil {
		t.Error("ParseFilter(bogus) succeeded")
	}
}
