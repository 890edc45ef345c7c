package kernel

import "testing"

func TestReleaseAtLeast(t *testing.T) {
	tests := []struct {
		rel  string
		want bool
	}{
		{"6.9.0", true},
		{"6.9", true},
		{"6.18.0-1-amd64", true},
		{"6.10.3", true},
		{"7.0.0", true},
		{"6.8.12-generic", false},
		{"5.15.0-105-generic", false},
		{"4.19.0", false},
		{"", false},
		{"6", false},
		{"6.", false},
		{"x.y", false},
		{"60000000.1", false},
	}
	for _, tt := range tests {
		if got := releaseAtLeast(tt.rel, persistRelease); got != tt.want {
			t.Errorf("releaseAtLeast(%q, 6.9) = %v, want %v", tt.rel, got, tt.want)
		}
	}
}
