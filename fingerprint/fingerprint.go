// Package fingerprint names what a service banner shows — vendor, product,
// firmware — with Rapid7 Recog's fingerprint databases (BSD-2-Clause, kept in
// recog/ as published): a banner is matched against a protocol's
// fingerprints in their order, and the first that matches gives its
// parameters (hw.vendor, hw.product, os.version…).
package fingerprint

import (
	"bytes"
	"embed"
	"encoding/base64"
	"encoding/xml"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
)

//go:embed recog/*.xml
var files embed.FS

// Kinds of banner, by the Recog database that reads them.
const (
	Telnet = "telnet_banners" // the text a telnet service sends first
	FTP    = "ftp_banners"    // an FTP greeting without its 220 code
	SSH    = "ssh_banners"    // an SSH version string after "SSH-2.0-"
	SNMP   = "snmp_sysdescr"  // SNMP sysDescr
	// HTTP and RTSP servers: the Server header, the WWW-Authenticate
	// header, the page's <title>.
	HTTPServer = "http_servers"
	HTTPAuth   = "http_wwwauth"
	HTMLTitle  = "html_title"
	RTSPServer = "rtsp_servers"
)

// kinds are the databases embedded.
var kinds = []string{Telnet, FTP, SSH, SNMP, HTTPServer, HTTPAuth, HTMLTitle, RTSPServer}

// Kinds returns the kinds of banner the embedded databases read.
func Kinds() []string { return slices.Clone(kinds) }

// Fingerprint is one Recog fingerprint.
type Fingerprint struct {
	Description string
	re          *regexp.Regexp
	params      []param
	// Examples are the banners the database says the fingerprint matches,
	// each with the parameters it must give.
	Examples []Example
}

type param struct {
	pos         int
	name, value string
}

// Example is one example banner of a fingerprint.
type Example struct {
	Text   string
	Expect map[string]string
}

// DB holds the fingerprints of each kind, in database order.
type DB struct {
	kinds map[string][]*Fingerprint
	// Skipped counts fingerprints whose pattern Go's regexp cannot compile
	// (Recog patterns are written for several engines).
	Skipped int

	// seen remembers what recent texts matched: a fleet repeats the same
	// banners (one model, one firmware), and a match runs every pattern of
	// a kind until one fits. At most cacheSize texts are kept.
	mu   sync.Mutex
	seen map[[2]string]match
}

type match struct {
	params      map[string]string
	description string
	ok          bool
}

const cacheSize = 4096

var builtin = sync.OnceValues(func() (*DB, error) {
	db := &DB{kinds: map[string][]*Fingerprint{}}
	for _, kind := range kinds {
		b, err := files.ReadFile("recog/" + kind + ".xml")
		if err != nil {
			return nil, err
		}
		fps, skipped, err := Parse(b)
		if err != nil {
			return nil, fmt.Errorf("recog/%s.xml: %w", kind, err)
		}
		db.kinds[kind], db.Skipped = fps, db.Skipped+skipped
	}
	return db, nil
})

// Builtin returns the embedded databases, parsed once.
func Builtin() (*DB, error) { return builtin() }

// Fingerprints returns the fingerprints of a kind.
func (db *DB) Fingerprints(kind string) []*Fingerprint { return db.kinds[kind] }

type xmlDB struct {
	Fingerprints []struct {
		Pattern     string `xml:"pattern,attr"`
		Flags       string `xml:"flags,attr"`
		Description string `xml:"description"`
		Examples    []struct {
			Encoding string     `xml:"_encoding,attr"`
			Attrs    []xml.Attr `xml:",any,attr"`
			Text     string     `xml:",chardata"`
		} `xml:"example"`
		Params []struct {
			Pos   string `xml:"pos,attr"`
			Name  string `xml:"name,attr"`
			Value string `xml:"value,attr"`
		} `xml:"param"`
	} `xml:"fingerprint"`
}

// Parse reads one Recog XML database; skipped counts the fingerprints whose
// pattern does not compile in Go.
func Parse(b []byte) (fps []*Fingerprint, skipped int, err error) {
	var x xmlDB
	if err := xml.NewDecoder(bytes.NewReader(b)).Decode(&x); err != nil {
		return nil, 0, err
	}
	for _, f := range x.Fingerprints {
		// Recog's patterns are Ruby's: ^ and $ match at every line, and its
		// multi-line flags let . match a newline.
		flags := "m"
		for _, fl := range strings.FieldsFunc(f.Flags, func(r rune) bool { return r == '|' || r == ',' }) {
			switch strings.TrimSpace(fl) {
			case "REG_ICASE":
				flags += "i"
			case "REG_MULTILINE", "REG_DOT_NEWLINE":
				flags += "s"
			}
		}
		pattern := "(?" + flags + ")" + f.Pattern
		re, err := regexp.Compile(pattern)
		if err != nil {
			skipped++
			continue
		}
		fp := &Fingerprint{Description: strings.TrimSpace(f.Description), re: re}
		for _, p := range f.Params {
			pos, err := strconv.Atoi(p.Pos)
			if err != nil || pos < 0 || pos > re.NumSubexp() {
				return nil, 0, fmt.Errorf("fingerprint %q: param %s has position %q", fp.Description, p.Name, p.Pos)
			}
			fp.params = append(fp.params, param{pos, p.Name, p.Value})
		}
		for _, e := range f.Examples {
			text := e.Text
			if e.Encoding == "base64" {
				raw, err := base64.StdEncoding.DecodeString(strings.Join(strings.Fields(text), ""))
				if err != nil {
					return nil, 0, fmt.Errorf("fingerprint %q: example: %w", fp.Description, err)
				}
				text = string(raw)
			}
			ex := Example{Text: text, Expect: map[string]string{}}
			for _, a := range e.Attrs {
				if a.Name.Local != "_encoding" {
					ex.Expect[a.Name.Local] = a.Value
				}
			}
			fp.Examples = append(fp.Examples, ex)
		}
		fps = append(fps, fp)
	}
	return fps, skipped, nil
}

// Params returns the fingerprint's parameters for text, or false when its
// pattern does not match. Values name capture groups by position; fixed
// values may refer to others as {name}.
func (fp *Fingerprint) Params(text string) (map[string]string, bool) {
	m := fp.re.FindStringSubmatch(text)
	if m == nil {
		return nil, false
	}
	out := map[string]string{}
	for _, p := range fp.params {
		if p.pos > 0 {
			if v := m[p.pos]; v != "" {
				out[p.name] = v
			}
		} else {
			out[p.name] = p.value
		}
	}
	for k, v := range out {
		if strings.Contains(v, "{") {
			for name, val := range out {
				v = strings.ReplaceAll(v, "{"+name+"}", val)
			}
			out[k] = v
		}
	}
	return out, true
}

// Match returns the parameters of the first fingerprint of kind that
// matches text, and its description.
func (db *DB) Match(kind, text string) (params map[string]string, description string, ok bool) {
	text = strings.TrimSpace(text)
	key := [2]string{kind, text}
	db.mu.Lock()
	m, hit := db.seen[key]
	db.mu.Unlock()
	if !hit {
		for _, fp := range db.kinds[kind] {
			if p, ok := fp.Params(text); ok {
				m = match{p, fp.Description, true}
				break
			}
		}
		db.mu.Lock()
		if db.seen == nil {
			db.seen = map[[2]string]match{}
		}
		if len(db.seen) < cacheSize {
			db.seen[key] = m
		}
		db.mu.Unlock()
	}
	return maps.Clone(m.params), m.description, m.ok
}
