package sbom

import (
	"bytes"
	"crypto/sha256"
	"fmt"
	"io"
	"strings"

	cdx "github.com/CycloneDX/cyclonedx-go"
	"github.com/google/uuid"
	packageurl "github.com/package-url/packageurl-go"
)

// parseCycloneDXXML reads a CycloneDX XML BOM (JSON is read as a stream,
// see streamCycloneDX).
func parseCycloneDXXML(t []byte) (*Document, error) {
	var bom cdx.BOM
	if err := cdx.NewBOMDecoder(bytes.NewReader(t), cdx.BOMFileFormatXML).Decode(&bom); err != nil {
		return nil, fmt.Errorf("CycloneDX XML: %v", err)
	}
	doc := &Document{Format: "cyclonedx", Encoding: "xml", SpecVersion: bom.SpecVersion.String(), Components: []Component{},
		SerialNumber: bom.SerialNumber, BOMVersion: bom.Version}
	if bom.Metadata != nil && bom.Metadata.Component != nil {
		m := bom.Metadata.Component
		doc.Subject = strings.TrimSpace(m.Name + " " + m.Version)
	}
	if bom.Components != nil {
		walkCDX(*bom.Components, &doc.Components)
	}
	return doc, nil
}

// walkCDX flattens nested components, keeping only software (libraries,
// applications, frameworks, firmware, operating systems and containers).
func walkCDX(cs []cdx.Component, out *[]Component) {
	for _, c := range cs {
		switch c.Type {
		case cdx.ComponentTypeDevice, cdx.ComponentTypeData, cdx.ComponentTypeFile, cdx.ComponentTypeMachineLearningModel,
			cdx.ComponentTypeCryptographicAsset:
		default:
			comp := Component{Ref: c.BOMRef, Name: c.Name, Version: c.Version, Group: c.Group, PURL: c.PackageURL, CPE: c.CPE, Type: string(c.Type)}
			if comp.Name == "" {
				comp.Name = nameFromRefs(c.PackageURL, c.BOMRef)
			}
			if c.Supplier != nil {
				comp.Supplier = c.Supplier.Name
			}
			if c.Licenses != nil && len(*c.Licenses) > 0 {
				l := (*c.Licenses)[0]
				switch {
				case l.License != nil && l.License.ID != "":
					comp.License = l.License.ID
				case l.License != nil:
					comp.License = l.License.Name
				default:
					comp.License = l.Expression
				}
			}
			*out = append(*out, comp)
		}
		if c.Components != nil {
			walkCDX(*c.Components, out)
		}
	}
}

// nameFromRefs recovers a missing component name from its package URL or a
// purl-shaped bom-ref; failing that it names the component by its reference,
// so that a scan reports it as unidentified instead of silently dropping it.
func nameFromRefs(purl, ref string) string {
	for _, s := range []string{purl, ref} {
		if p, err := packageurl.FromString(s); err == nil && p.Name != "" {
			return p.Name
		}
	}
	if ref != "" {
		return "unnamed component " + ref
	}
	return "unnamed component"
}

// WriteCycloneDX writes components as a CycloneDX 1.6 JSON SBOM describing subject.
func WriteCycloneDX(w io.Writer, subject, version string, comps []Component) error {
	bom := cdx.NewBOM()
	bom.Metadata = &cdx.Metadata{Component: &cdx.Component{Type: cdx.ComponentTypeFirmware, Name: subject, Version: version, BOMRef: "subject"},
		Tools: &cdx.ToolsChoice{Components: &[]cdx.Component{{Type: cdx.ComponentTypeApplication, Name: "iotlabel"}}}}
	list := make([]cdx.Component, 0, len(comps))
	for i, c := range comps {
		ref := c.Ref
		if ref == "" {
			ref = fmt.Sprintf("component-%d", i+1)
		}
		cc := cdx.Component{BOMRef: ref, Type: cdx.ComponentTypeLibrary, Name: c.Name, Version: c.Version, PackageURL: c.PURL, CPE: c.CPE}
		if expr, ok := SPDXExpression(c.License); ok {
			cc.Licenses = &cdx.Licenses{{Expression: expr}}
		} else if c.License != "" {
			// Not an SPDX expression: kept as the license's name, as CycloneDX asks.
			cc.Licenses = &cdx.Licenses{{License: &cdx.License{Name: c.License}}}
		}
		if len(c.Found) > 0 {
			var occ []cdx.EvidenceOccurrence
			for _, o := range c.Found {
				e := cdx.EvidenceOccurrence{Location: o.Path, AdditionalContext: o.Evidence}
				if o.SHA256 != "" {
					e.AdditionalContext = strings.TrimSpace("sha256:" + o.SHA256 + " " + o.Evidence)
				}
				if o.Offset >= 0 {
					off := int(o.Offset)
					e.Offset = &off
				}
				occ = append(occ, e)
			}
			cc.Evidence = &cdx.Evidence{Occurrences: &occ}
		}
		list = append(list, cc)
	}
	bom.Components = &list
	bom.SerialNumber = serialNumber(subject, version, comps)
	enc := cdx.NewBOMEncoder(w, cdx.BOMFileFormatJSON)
	enc.SetPretty(true)
	return enc.EncodeVersion(bom, cdx.SpecVersion1_6)
}

// serialNumber is a name-based (version 5) UUID URN of the document's
// content, so the same input always gets the same serial number.
func serialNumber(subject, version string, comps []Component) string {
	h := sha256.New()
	fmt.Fprintf(h, "%q %q\n", subject, version)
	for _, c := range comps {
		fmt.Fprintf(h, "%q %q %q %q %q\n", c.Name, c.Version, c.PURL, c.CPE, c.License)
	}
	return "urn:uuid:" + uuid.NewSHA1(uuid.NameSpaceURL, h.Sum(nil)).String()
}
