package delinearize

import (
	"testing"
	"time"
)

func TestPosixTZ(t *testing.T) {
	for _, tc := range []struct {
		tz   string
		ok   bool
		secs int
	}{
		{"UTC-2", true, 7200},
		{"EST5", true, -5 * 3600},
		{"<+0530>-5:30", true, 5*3600 + 1800},
		{"UTC", false, 0},
		{"Europe/Berlin", false, 0},
		{"EST5EDT,M3.2.0,M11.1.0", false, 0},
		{":UTC", false, 0},
		{"", false, 0},
	} {
		loc, ok := posixTZ(tc.tz)
		if ok != tc.ok {
			t.Errorf("posixTZ(%q) ok = %v, want %v", tc.tz, ok, tc.ok)
			continue
		}
		if ok {
			if _, off := time.Unix(0, 0).In(loc).Zone(); off != tc.secs {
				t.Errorf("posixTZ(%q) offset = %d, want %d", tc.tz, off, tc.secs)
			}
		}
	}
}
