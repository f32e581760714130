package vuln

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Batch is what one input file contributed.
type Batch struct {
	Kind       string // osv, nvd, kev, csaf
	Advisories []Advisory
	KEV        []KEVEntry
	VEX        []VEXStatement
}

// Parse detects the kind of one input by its content — an OSV record (JSON or
// YAML), an NVD CVE API 2.0 record or response page, the CISA KEV catalog, or a
// CSAF 2.0 VEX document — and parses it.
func Parse(name string, data []byte) (Batch, error) {
	trimmed := bytes.TrimSpace(data)
	if len(trimmed) == 0 {
		return Batch{}, fmt.Errorf("%s: empty file", name)
	}
	if trimmed[0] != '{' {
		var r osvRecord
		if err := yaml.Unmarshal(data, &r); err != nil || r.ID == "" {
			return Batch{}, fmt.Errorf("%s: not JSON, and not an OSV record in YAML", name)
		}
		return osvBatch(name, &r)
	}
	var probe map[string]json.RawMessage
	if err := json.Unmarshal(trimmed, &probe); err != nil {
		return Batch{}, fmt.Errorf("%s: invalid JSON: %v", name, err)
	}
	_, hasCatalog := probe["catalogVersion"]
	_, hasDocument := probe["document"]
	_, hasVulns := probe["vulnerabilities"]
	_, hasAffected := probe["affected"]
	_, hasConfig := probe["configurations"]
	_, hasStatus := probe["vulnStatus"]
	switch {
	case hasCatalog && hasVulns:
		var k kevCatalog
		if err := json.Unmarshal(trimmed, &k); err != nil {
			return Batch{}, fmt.Errorf("%s: KEV catalog: %v", name, err)
		}
		e, err := k.entries()
		if err != nil {
			return Batch{}, fmt.Errorf("%s: %v", name, err)
		}
		return Batch{Kind: SourceKEV, KEV: e}, nil
	case hasDocument:
		var d csafDoc
		if err := json.Unmarshal(trimmed, &d); err != nil {
			return Batch{}, fmt.Errorf("%s: CSAF document: %v", name, err)
		}
		st, err := d.statements()
		if err != nil {
			return Batch{}, fmt.Errorf("%s: %v", name, err)
		}
		return Batch{Kind: SourceCSAF, VEX: st}, nil
	case hasVulns:
		var page struct {
			Vulnerabilities []struct {
				CVE nvdCVE `json:"cve"`
			} `json:"vulnerabilities"`
		}
		if err := json.Unmarshal(trimmed, &page); err != nil {
			return Batch{}, fmt.Errorf("%s: NVD response: %v", name, err)
		}
		b := Batch{Kind: SourceNVD}
		for i := range page.Vulnerabilities {
			a, err := page.Vulnerabilities[i].CVE.advisory()
			if err != nil {
				return Batch{}, fmt.Errorf("%s: %v", name, err)
			}
			b.Advisories = append(b.Advisories, a)
		}
		return b, nil
	case hasConfig || hasStatus:
		var r nvdCVE
		if err := json.Unmarshal(trimmed, &r); err != nil {
			return Batch{}, fmt.Errorf("%s: NVD record: %v", name, err)
		}
		a, err := r.advisory()
		if err != nil {
			return Batch{}, fmt.Errorf("%s: %v", name, err)
		}
		return Batch{Kind: SourceNVD, Advisories: []Advisory{a}}, nil
	case hasAffected || probe["id"] != nil:
		var r osvRecord
		if err := json.Unmarshal(trimmed, &r); err != nil {
			return Batch{}, fmt.Errorf("%s: OSV record: %v", name, err)
		}
		return osvBatch(name, &r)
	}
	return Batch{}, fmt.Errorf("%s: not an OSV record, NVD CVE record, KEV catalog or CSAF VEX document", name)
}

func osvBatch(name string, r *osvRecord) (Batch, error) {
	a, err := r.advisory()
	if err != nil {
		return Batch{}, fmt.Errorf("%s: %v", name, err)
	}
	return Batch{Kind: SourceOSV, Advisories: []Advisory{a}}, nil
}

// MaxFile is the largest single input file Walk reads.
const MaxFile = 256 << 20

// Walk parses every input under path — a file, a directory (recursively: .json,
// .yaml, .yml and .zip files) or a zip archive such as an OSV ecosystem dump —
// and calls fn with each batch. It stops at the first error, naming the file.
func Walk(path string, fn func(name string, b Batch) error) error {
	st, err := os.Stat(path)
	if err != nil {
		return err
	}
	if !st.IsDir() {
		return walkFile(path, fn)
	}
	return filepath.WalkDir(path, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() || !inputFile(p) {
			return nil
		}
		return walkFile(p, fn)
	})
}

func inputFile(p string) bool {
	switch strings.ToLower(filepath.Ext(p)) {
	case ".json", ".yaml", ".yml", ".zip":
		return true
	}
	return false
}

func walkFile(p string, fn func(string, Batch) error) error {
	if strings.EqualFold(filepath.Ext(p), ".zip") {
		return walkZip(p, fn)
	}
	data, err := readLimited(p)
	if err != nil {
		return err
	}
	b, err := Parse(p, data)
	if err != nil {
		return err
	}
	return fn(p, b)
}

func walkZip(p string, fn func(string, Batch) error) error {
	z, err := zip.OpenReader(p)
	if err != nil {
		return fmt.Errorf("%s: %w", p, err)
	}
	defer z.Close()
	for _, f := range z.File {
		if f.FileInfo().IsDir() || !inputFile(f.Name) || strings.EqualFold(filepath.Ext(f.Name), ".zip") {
			continue
		}
		name := p + "!" + f.Name
		if f.UncompressedSize64 > MaxFile {
			return fmt.Errorf("%s: larger than %d bytes", name, MaxFile)
		}
		rc, err := f.Open()
		if err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		data, err := io.ReadAll(io.LimitReader(rc, MaxFile+1))
		rc.Close()
		if err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		b, err := Parse(name, data)
		if err != nil {
			return err
		}
		if err := fn(name, b); err != nil {
			return err
		}
	}
	return nil
}

func readLimited(p string) ([]byte, error) {
	f, err := os.Open(p)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, MaxFile+1))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", p, err)
	}
	if len(data) > MaxFile {
		return nil, fmt.Errorf("%s: larger than %d bytes", p, MaxFile)
	}
	return data, nil
}
