package vuln

import (
	"bytes"
	"encoding/json"
	"fmt"
	"time"

	"go.yaml.in/yaml/v3"
)

// Batch is what one input file contributed.
type Batch struct {
	Kind       string // osv, nvd, kev, csaf, euvd
	Advisories []Advisory
	// Newest is the newest update among records that contributed nothing
	// else (EUVD records not marked exploited), for the data's age.
	Newest time.Time
	KEV    []KEVEntry
	VEX    []VEXStatement
}

// Parse detects the kind of one input by its content — an OSV record (JSON or
// YAML), an NVD CVE API 2.0 record or response page, the CISA KEV catalog, a
// CSAF 2.0 document (VEX or security advisory), or EUVD records (one, a list,
// or an API page of items) — and parses it.
func Parse(name string, data []byte) (Batch, error) {
	trimmed := bytes.TrimSpace(data)
	if len(trimmed) == 0 {
		return Batch{}, fmt.Errorf("%s: empty file", name)
	}
	if trimmed[0] == '[' {
		var list []euvdRecord
		if err := json.Unmarshal(trimmed, &list); err != nil {
			return Batch{}, fmt.Errorf("%s: a JSON list, but not of EUVD records: %v", name, err)
		}
		b, err := euvdBatch(list)
		if err != nil {
			return Batch{}, fmt.Errorf("%s: %v", name, err)
		}
		return b, nil
	}
	if trimmed[0] != '{' {
		var r osvRecord
		if err := yaml.Unmarshal(data, &r); err != nil || r.ID == "" {
			return Batch{}, fmt.Errorf("%s: not JSON, and not an OSV record in YAML", name)
		}
		return osvBatch(name, &r)
	}
	var probe map[string]json.RawMessage
	err := json.Unmarshal(trimmed, &probe)
	if err != nil {
		return Batch{}, fmt.Errorf("%s: invalid JSON: %v", name, err)
	}
	_, hasCatalog := probe["catalogVersion"]
	_, hasDocument := probe["document"]
	_, hasVulns := probe["vulnerabilities"]
	_, hasAffected := probe["affected"]
	_, hasConfig := probe["configurations"]
	_, hasStatus := probe["vulnStatus"]
	_, hasItems := probe["items"]
	switch {
	case isEUVD(probe["id"]) || hasItems:
		var page struct {
			Items []euvdRecord `json:"items"`
		}
		if hasItems {
			err = json.Unmarshal(trimmed, &page)
		} else {
			page.Items = make([]euvdRecord, 1)
			err = json.Unmarshal(trimmed, &page.Items[0])
		}
		if err != nil {
			return Batch{}, fmt.Errorf("%s: EUVD: %v", name, err)
		}
		b, err := euvdBatch(page.Items)
		if err != nil {
			return Batch{}, fmt.Errorf("%s: %v", name, err)
		}
		return b, nil
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
		advs, err := d.advisories()
		if err != nil {
			return Batch{}, fmt.Errorf("%s: %v", name, err)
		}
		return Batch{Kind: SourceCSAF, VEX: st, Advisories: advs}, nil
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
