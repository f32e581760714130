package sbom

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
)

// Component is one software component of a product.
type Component struct {
	// Ref is the component's identifier inside its document (bom-ref, SPDXID).
	Ref      string `json:"ref,omitempty"`
	Name     string `json:"name"`
	Version  string `json:"version,omitempty"`
	Group    string `json:"group,omitempty"`
	PURL     string `json:"purl,omitempty"`
	CPE      string `json:"cpe,omitempty"`
	Supplier string `json:"supplier,omitempty"`
	Type     string `json:"type,omitempty"`
	License  string `json:"license,omitempty"`
	// Found, for a component found by firmware analysis, is where: each
	// file, its offset and its SHA-256 (written as CycloneDX evidence).
	Found []Occurrence `json:"found,omitempty"`
}

// Occurrence is a place a component was found in a firmware image.
type Occurrence struct {
	Path     string `json:"path"`
	Offset   int64  `json:"offset"`
	SHA256   string `json:"sha256,omitempty"`
	Evidence string `json:"evidence,omitempty"`
}

// Document is a parsed SBOM.
type Document struct {
	// Format is cyclonedx, spdx or buildroot; Encoding is json, xml, tag-value or csv.
	Format   string `json:"format"`
	Encoding string `json:"encoding"`
	// SpecVersion is the format's version as the document states it.
	SpecVersion string `json:"spec_version,omitempty"`
	// Subject names what the SBOM describes, where the document says.
	Subject    string      `json:"subject,omitempty"`
	Components []Component `json:"components"`
	// SerialNumber and BOMVersion identify a CycloneDX input, for BOM-Links
	// back to its components.
	SerialNumber string `json:"serial_number,omitempty"`
	BOMVersion   int    `json:"bom_version,omitempty"`
}

// LocalRefPrefix starts the refs that iotlabel gives components an SBOM
// left without one; they name nothing in the input.
const LocalRefPrefix = "iotlabel-component-"

// MaxSize is the largest SBOM ReadFile reads whole; CycloneDX JSON is read
// as a stream at any size (see [Each]).
const MaxSize = 256 << 20

// ReadFile reads and parses the SBOM at path.
func ReadFile(path string) (*Document, error) {
	var comps []Component
	doc, err := Each(path, MaxSize, func(c Component) error { comps = append(comps, c); return nil })
	if err != nil {
		return nil, err
	}
	if comps == nil {
		comps = []Component{}
	}
	doc.Components = comps
	return doc, nil
}

// Parse detects the SBOM format of data and parses it; name is used in errors.
func Parse(name string, data []byte) (*Document, error) {
	t := bytes.TrimSpace(bytes.TrimPrefix(data, []byte("\xef\xbb\xbf")))
	var doc *Document
	var err error
	switch {
	case len(t) == 0:
		return nil, fmt.Errorf("%s: empty file", name)
	case t[0] == '{':
		doc, err = parseJSON(t)
	case t[0] == '<':
		if !bytes.Contains(t[:min(len(t), 4096)], []byte("cyclonedx")) {
			return nil, fmt.Errorf("%s: XML, but not a CycloneDX BOM (no CycloneDX namespace)", name)
		}
		doc, err = parseCycloneDXXML(t)
	case bytes.HasPrefix(t, []byte("SPDXVersion:")) || bytes.Contains(t[:min(len(t), 4096)], []byte("\nSPDXVersion:")):
		doc, err = parseSPDX(t, "tag-value")
	case isBuildrootManifest(t):
		doc, err = parseBuildroot(t)
	default:
		return nil, fmt.Errorf("%s: not a CycloneDX or SPDX document or a Buildroot manifest", name)
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return doc, nil
}

func parseJSON(t []byte) (*Document, error) {
	doc := &Document{Components: []Component{}}
	d, err := streamCycloneDX(bytes.NewReader(t), func(c Component) error { doc.Components = append(doc.Components, c); return nil })
	if !errors.Is(err, errNotCycloneDX) {
		if err != nil {
			return nil, err
		}
		d.Components = doc.Components
		return d, nil
	}
	var probe map[string]json.RawMessage
	if err := json.Unmarshal(t, &probe); err != nil {
		return nil, fmt.Errorf("invalid JSON: %v", err)
	}
	switch {
	case probe["spdxVersion"] != nil:
		return parseSPDX(t, "json")
	case probe["@context"] != nil && strings.Contains(string(probe["@context"]), "spdx.org/rdf/3"):
		return nil, fmt.Errorf("SPDX 3.0 JSON-LD is not supported yet; export SPDX 2.3 JSON or CycloneDX instead")
	}
	return nil, fmt.Errorf("JSON, but neither CycloneDX (no bomFormat) nor SPDX (no spdxVersion)")
}
