package sbom

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	cdx "github.com/CycloneDX/cyclonedx-go"
)

// MaxWhole is the default limit on an SBOM that has to be read whole: every
// format but CycloneDX JSON, which is read as a stream at any size.
const MaxWhole = 64 << 20

// Each reads the SBOM at path and calls fn with each of its components, in
// document order; the Document it returns has no Components. A CycloneDX
// JSON SBOM is decoded as a stream, one component at a time, so memory
// stays bounded whatever its size; the other formats are read whole, and
// refused above limit bytes (0 means MaxWhole) with an error that names it.
func Each(path string, limit int64, fn func(Component) error) (*Document, error) {
	if limit <= 0 {
		limit = MaxWhole
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	br := bufio.NewReaderSize(f, 64<<10)
	head, _ := br.Peek(4096)
	if t := bytes.TrimSpace(bytes.TrimPrefix(head, []byte("\xef\xbb\xbf"))); len(t) > 0 && t[0] == '{' {
		if bytes.HasPrefix(head, []byte("\xef\xbb\xbf")) {
			br.Discard(3) // a byte-order mark, which encoding/json refuses
		}
		doc, err := streamCycloneDX(br, fn)
		if !errors.Is(err, errNotCycloneDX) {
			if err != nil {
				return nil, fmt.Errorf("%s: %w", path, err)
			}
			return doc, nil
		}
		if _, err := f.Seek(0, io.SeekStart); err != nil {
			return nil, err
		}
		br.Reset(f)
	}
	tooBig := func() error {
		return fmt.Errorf("%s: larger than %d MiB, the limit for SBOMs that are read whole (all but CycloneDX JSON); raise it with --max-sbom-size, or convert the SBOM to CycloneDX JSON, which is read as a stream", path, limit>>20)
	}
	if st, err := f.Stat(); err == nil && st.Size() > limit {
		return nil, tooBig()
	}
	data, err := io.ReadAll(io.LimitReader(br, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > limit {
		return nil, tooBig()
	}
	doc, err := Parse(path, data)
	if err != nil {
		return nil, err
	}
	for _, c := range doc.Components {
		if err := fn(c); err != nil {
			return nil, err
		}
	}
	doc.Components = nil
	return doc, nil
}

// errTruncated is the error for a document that stops part-way.
var errTruncated = errors.New("the document ends part-way (truncated?)")

// errNotCycloneDX says a JSON document turned out to be another format.
var errNotCycloneDX = errors.New("not CycloneDX")

// streamCycloneDX decodes a CycloneDX JSON BOM from r, handing each software
// component to fn as it is read and skipping the rest of the document token
// by token. It returns errNotCycloneDX, before any component reaches fn,
// when the document shows itself to be SPDX.
func streamCycloneDX(r io.Reader, fn func(Component) error) (*Document, error) {
	dec := json.NewDecoder(r)
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return nil, fmt.Errorf("invalid JSON: %v", firstErr(err, "not an object"))
	}
	doc := &Document{Format: "cyclonedx", Encoding: "json"}
	var format string
	seen := false
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return nil, fmt.Errorf("invalid JSON: %v", err)
		}
		key, _ := t.(string)
		switch key {
		case "spdxVersion", "@context":
			if !seen {
				return nil, errNotCycloneDX
			}
			err = skipValue(dec)
		case "bomFormat":
			err = dec.Decode(&format)
		case "specVersion":
			err = dec.Decode(&doc.SpecVersion)
		case "serialNumber":
			err = dec.Decode(&doc.SerialNumber)
		case "version":
			err = dec.Decode(&doc.BOMVersion)
		case "metadata":
			var m cdx.Metadata
			if err = dec.Decode(&m); err == nil && m.Component != nil {
				doc.Subject = strings.TrimSpace(m.Component.Name + " " + m.Component.Version)
			}
		case "components":
			seen = true
			err = eachComponent(dec, fn)
		default:
			err = skipValue(dec)
		}
		if errors.Is(err, io.EOF) {
			err = errTruncated
		}
		if err != nil {
			return nil, fmt.Errorf("CycloneDX JSON: %s: %w", key, err)
		}
	}
	if _, err := dec.Token(); err != nil {
		if errors.Is(err, io.EOF) {
			err = errTruncated
		}
		return nil, fmt.Errorf("invalid JSON: %v", err)
	}
	switch {
	case format == "" && !seen:
		return nil, errNotCycloneDX
	case format != "CycloneDX":
		return nil, fmt.Errorf("CycloneDX JSON: bomFormat is %q, not CycloneDX", format)
	}
	return doc, nil
}

// eachComponent decodes a components array one element at a time.
func eachComponent(dec *json.Decoder, fn func(Component) error) error {
	if t, err := dec.Token(); err != nil || t != json.Delim('[') {
		return fmt.Errorf("not an array: %v", firstErr(err, fmt.Sprint(t)))
	}
	var flat []Component
	for i := 0; dec.More(); i++ {
		var c cdx.Component
		if err := dec.Decode(&c); err != nil {
			return fmt.Errorf("component %d: %w", i+1, err)
		}
		flat = flat[:0]
		walkCDX([]cdx.Component{c}, &flat)
		for _, x := range flat {
			if err := fn(x); err != nil {
				return err
			}
		}
	}
	_, err := dec.Token()
	return err
}

// skipValue reads past one JSON value token by token, holding no more than
// one token at a time.
func skipValue(dec *json.Decoder) error {
	depth := 0
	for {
		t, err := dec.Token()
		if err != nil {
			return err
		}
		if d, ok := t.(json.Delim); ok {
			if d == '{' || d == '[' {
				depth++
			} else {
				depth--
			}
		}
		if depth == 0 {
			return nil
		}
	}
}

func firstErr(err error, otherwise string) string {
	if err != nil {
		return err.Error()
	}
	return otherwise
}
