package sbom

import (
	"bytes"
	"fmt"
	"regexp"
	"strings"

	spdxjson "github.com/spdx/tools-golang/json"
	"github.com/spdx/tools-golang/spdx"
	"github.com/spdx/tools-golang/tagvalue"
)

var spdxVersionLine = regexp.MustCompile(`(?m)"?[sS][pP][dD][xX][vV]ersion"?\s*:\s*"?(SPDX-[0-9.]+)`)

func parseSPDX(t []byte, encoding string) (*Document, error) {
	var d *spdx.Document
	var err error
	if encoding == "json" {
		d, err = spdxjson.Read(bytes.NewReader(t))
	} else {
		d, err = tagvalue.Read(bytes.NewReader(t))
	}
	if err != nil {
		return nil, fmt.Errorf("SPDX %s: %v", encoding, err)
	}
	// The library upgrades 2.2 documents to its 2.3 model; report the version
	// the file states.
	version := d.SPDXVersion
	if m := spdxVersionLine.FindSubmatch(t); m != nil {
		version = string(m[1])
	}
	doc := &Document{Format: "spdx", Encoding: encoding, SpecVersion: version, Subject: d.DocumentName, Components: []Component{}}
	for _, p := range d.Packages {
		if p == nil {
			continue
		}
		c := Component{Ref: string(p.PackageSPDXIdentifier), Name: p.PackageName, Version: p.PackageVersion}
		if p.PackageSupplier != nil {
			c.Supplier = p.PackageSupplier.Supplier
		}
		if lic := p.PackageLicenseConcluded; lic != "" && lic != "NOASSERTION" {
			c.License = lic
		} else if lic := p.PackageLicenseDeclared; lic != "NOASSERTION" {
			c.License = lic
		}
		for _, r := range p.PackageExternalReferences {
			if r == nil {
				continue
			}
			switch strings.ToLower(r.RefType) {
			case "purl":
				c.PURL = r.Locator
			case "cpe23type", "cpe22type":
				if c.CPE == "" || strings.EqualFold(r.RefType, "cpe23Type") {
					c.CPE = r.Locator
				}
			}
		}
		doc.Components = append(doc.Components, c)
	}
	return doc, nil
}
