package vuln

import (
	"encoding/json"
	"fmt"
	"strings"
)

// Candidate is an index hit: the advisory it points to and the one affected
// entry filed under the key that was looked up. Matching needs only this; the
// full advisory is read only for candidates that match.
type Candidate struct {
	ID       string
	Source   string
	Affected Affected
}

// EncodeMatch writes the matching part of an affected entry (versions, OSV
// ranges, NVD bounds) in a compact line format that decodes far faster than
// JSON: "v" lines hold versions, "r" lines a range type and its events, "b"
// lines bounds; fields are separated by 0x1F. Values that contain a separator
// fall back to JSON, prefixed "J".
func EncodeMatch(af Affected) string {
	var b strings.Builder
	bad := false
	w := func(parts ...string) {
		for i, p := range parts {
			if strings.ContainsAny(p, "\n\x1f") {
				bad = true
			}
			if i > 0 {
				b.WriteByte(0x1f)
			}
			b.WriteString(p)
		}
		b.WriteByte('\n')
	}
	for _, v := range af.Versions {
		w("v", v)
	}
	for _, r := range af.Ranges {
		parts := []string{"r", r.Type}
		for _, e := range r.Events {
			switch {
			case e.Introduced != "":
				parts = append(parts, "i"+e.Introduced)
			case e.Fixed != "":
				parts = append(parts, "f"+e.Fixed)
			case e.LastAffected != "":
				parts = append(parts, "l"+e.LastAffected)
			case e.Limit != "":
				parts = append(parts, "L"+e.Limit)
			}
		}
		w(parts...)
	}
	for _, x := range af.Bounds {
		w("b", x.Exact, x.StartIncluding, x.StartExcluding, x.EndIncluding, x.EndExcluding)
	}
	if bad {
		j, _ := json.Marshal(af)
		return "J" + string(j)
	}
	return b.String()
}

// DecodeMatch reads what EncodeMatch wrote into af's Versions, Ranges and Bounds.
func DecodeMatch(s string, af *Affected) error {
	if strings.HasPrefix(s, "J") {
		return json.Unmarshal([]byte(s[1:]), af)
	}
	for line := range strings.SplitSeq(s, "\n") {
		if line == "" {
			continue
		}
		f := strings.Split(line, "\x1f")
		switch f[0] {
		case "v":
			af.Versions = append(af.Versions, f[1])
		case "r":
			r := Range{Type: f[1]}
			for _, e := range f[2:] {
				if e == "" {
					continue
				}
				switch v := e[1:]; e[0] {
				case 'i':
					r.Events = append(r.Events, Event{Introduced: v})
				case 'f':
					r.Events = append(r.Events, Event{Fixed: v})
				case 'l':
					r.Events = append(r.Events, Event{LastAffected: v})
				case 'L':
					r.Events = append(r.Events, Event{Limit: v})
				}
			}
			af.Ranges = append(af.Ranges, r)
		case "b":
			if len(f) != 6 {
				return fmt.Errorf("match data: bounds line has %d fields", len(f))
			}
			af.Bounds = append(af.Bounds, Bounds{Exact: f[1], StartIncluding: f[2], StartExcluding: f[3], EndIncluding: f[4], EndExcluding: f[5]})
		default:
			return fmt.Errorf("match data: unknown line kind %q", f[0])
		}
	}
	return nil
}
