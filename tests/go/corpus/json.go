// Package corpus reads the nftables test corpus files (see FORMAT.md
// beside the corpus) for the tests of several packages.
package corpus

import (
	"os"
	"strings"
)

// Dir is where the corpus's rule files are; tests skip when it is absent.
const Dir = "/work/shared/nftables-tests/tests/py"

// JSONEntries parses a .t.json (or .t.json.output) file: "# RULE"
// headers, each followed by a JSON array up to a blank line, returned by
// rule with the lines trimmed and joined; the first entry of a rule wins.
// A file that cannot be read gives nil.
func JSONEntries(path string) map[string]string {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil
	}
	out := map[string]string{}
	var key string
	var body strings.Builder
	in := false
	flush := func() {
		if in {
			if _, ok := out[key]; !ok {
				out[key] = body.String()
			}
		}
		in = false
		body.Reset()
	}
	for _, line := range strings.Split(string(data), "\n") {
		switch {
		case strings.HasPrefix(line, "# "):
			flush()
			key, in = strings.TrimSpace(line[2:]), true
		case strings.TrimSpace(line) == "":
			flush()
		case in:
			body.WriteString(strings.TrimSpace(line))
		}
	}
	flush()
	return out
}
