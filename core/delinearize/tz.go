package delinearize

import (
	"os"
	"strings"
	"sync"
	"time"
)

// localZone is the time zone meta time/hour/day values print in. nft uses
// the C library's localtime, which understands POSIX TZ strings such as
// "UTC-2" (the corpus driver's setting); Go only loads zoneinfo files, so a
// TZ of the form std offset (no daylight-saving part) is parsed here.
func localZone() *time.Location {
	tz := os.Getenv("TZ")
	zoneMu.Lock()
	defer zoneMu.Unlock()
	if zoneLoc == nil || zoneTZ != tz {
		zoneTZ, zoneLoc = tz, time.Local
		if loc, ok := posixTZ(tz); ok {
			zoneLoc = loc
		}
	}
	return zoneLoc
}

var (
	zoneMu  sync.Mutex
	zoneTZ  string
	zoneLoc *time.Location
)

// posixTZ parses "NAME[+-]hh[:mm[:ss]]" (NAME alphabetic of three or more
// letters, or <...>); the sign is POSIX's: west of Greenwich is positive.
func posixTZ(tz string) (*time.Location, bool) {
	if tz == "" || tz[0] == ':' {
		return nil, false
	}
	var name, rest string
	if tz[0] == '<' {
		i := strings.IndexByte(tz, '>')
		if i < 0 {
			return nil, false
		}
		name, rest = tz[1:i], tz[i+1:]
	} else {
		i := 0
		for i < len(tz) && (tz[i] >= 'a' && tz[i] <= 'z' || tz[i] >= 'A' && tz[i] <= 'Z') {
			i++
		}
		if i < 3 {
			return nil, false
		}
		name, rest = tz[:i], tz[i:]
	}
	if rest == "" {
		return nil, false
	}
	sign := 1
	switch rest[0] {
	case '+':
		rest = rest[1:]
	case '-':
		sign, rest = -1, rest[1:]
	}
	secs := 0
	mult := 3600
	for part, field := range strings.Split(rest, ":") {
		if part > 2 || field == "" || len(field) > 2 {
			return nil, false
		}
		n := 0
		for _, c := range field {
			if c < '0' || c > '9' {
				return nil, false
			}
			n = n*10 + int(c-'0')
		}
		secs += n * mult
		mult /= 60
	}
	return time.FixedZone(name, -sign*secs), true
}
