package vuln

import (
	"bytes"
	"encoding/json"
	"fmt"

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
