package vuln

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
)

// streamAbove is the size from which a JSON input is tried as a stream of NVD
// records (a CVE API 2.0 page or an NVD JSON 2.0 feed, which run to hundreds
// of megabytes) before it is read whole.
const streamAbove = 8 << 20

// nvdBatchSize is how many streamed NVD records go to fn at a time.
const nvdBatchSize = 500

// errNotNVD says a large input is not an NVD page; it is then read whole.
var errNotNVD = errors.New("not an NVD page")

// streamNVD reads an NVD page or feed from f one record at a time, handing
// them to fn in batches, so that memory does not grow with the file. It
// returns errNotNVD, having called fn with nothing, when the document turns
// out to be another kind (the KEV catalog has a "vulnerabilities" list too).
func streamNVD(name string, f *os.File, fn func(string, Batch) error) error {
	dec := json.NewDecoder(bufio.NewReaderSize(f, 64<<10))
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return errNotNVD
	}
	seen := false
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return fmt.Errorf("%s: invalid JSON: %v", name, err)
		}
		switch t {
		case "vulnerabilities":
			if seen, err = nvdRecords(name, dec, fn); err != nil {
				return err
			}
		case "catalogVersion", "document", "affected", "items":
			if !seen {
				return errNotNVD
			}
			fallthrough
		default:
			var skip json.RawMessage // header fields: small
			if err := dec.Decode(&skip); err != nil {
				return fmt.Errorf("%s: invalid JSON: %v", name, err)
			}
		}
	}
	if !seen {
		return errNotNVD
	}
	return nil
}

// nvdRecords decodes the vulnerabilities array; seen reports whether any
// record was handed on (a first element without "cve" is errNotNVD).
func nvdRecords(name string, dec *json.Decoder, fn func(string, Batch) error) (seen bool, err error) {
	if t, err := dec.Token(); err != nil || t != json.Delim('[') {
		return false, fmt.Errorf("%s: vulnerabilities is not a list", name)
	}
	b := Batch{Kind: SourceNVD}
	for i := 0; dec.More(); i++ {
		var v struct {
			CVE *nvdCVE `json:"cve"`
		}
		if err := dec.Decode(&v); err != nil {
			if errors.Is(err, io.EOF) {
				err = io.ErrUnexpectedEOF
			}
			return seen, fmt.Errorf("%s: NVD record %d: %v", name, i+1, err)
		}
		if v.CVE == nil {
			if i == 0 {
				return false, errNotNVD
			}
			return seen, fmt.Errorf("%s: NVD record %d has no cve", name, i+1)
		}
		a, err := v.CVE.advisory()
		if err != nil {
			return seen, fmt.Errorf("%s: %v", name, err)
		}
		b.Advisories = append(b.Advisories, a)
		if len(b.Advisories) == nvdBatchSize {
			if err := fn(name, b); err != nil {
				return true, err
			}
			b.Advisories, seen = nil, true
		}
	}
	if len(b.Advisories) > 0 {
		if err := fn(name, b); err != nil {
			return true, err
		}
	}
	_, err = dec.Token()
	return true, err
}
