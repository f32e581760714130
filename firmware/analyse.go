package firmware

import (
	"context"
	"fmt"
	"time"

	"github.com/iotlabel/iotlabel/catalog"
	"github.com/iotlabel/iotlabel/evidence"
	"github.com/iotlabel/iotlabel/sbom"
	"github.com/iotlabel/iotlabel/vuln"
)

// Report is what analysis found in one image.
type Report struct {
	Image           Image           `json:"image"`
	Layers          []Layer         `json:"layers"`
	Files           int             `json:"files"`
	Components      []Component     `json:"components"`
	Vulnerabilities []vuln.Finding  `json:"vulnerabilities"`
	NotChecked      []vuln.Gap      `json:"not_checked,omitempty"`
	Credentials     []Credential    `json:"credentials"`
	Keys            []Key           `json:"keys"`
	Services        []Service       `json:"services"`
	Binaries        []Binary        `json:"binaries"`
	Hardening       Hardening       `json:"hardening"`
	Reconciliation  *Reconciliation `json:"sbom_reconciliation,omitempty"`
	Warnings        []string        `json:"warnings,omitempty"`
	Findings        []evidence.Item `json:"findings"`
	scan            *vuln.Report
}

// Analysis says what to analyse with.
type Analysis struct {
	Rules    *Rules
	Cracking Cracking
	// Vulns and Dict, when set, match the components against the
	// vulnerability database.
	Vulns vuln.Source
	Dict  *vuln.Dictionary
	// KEVCatalog is the KEV catalog version the database holds ("": none).
	KEVCatalog string
	// DataAge is how old each vulnerability source's data is, in days.
	DataAge map[string]int
	// Declared, when set, is the product's declared SBOM (named
	// DeclaredName) to reconcile the found components with.
	Declared     *sbom.Document
	DeclaredName string
	// Lab adds the lab check binary-analysis (the binaries analysed against
	// the declared SBOM), for a scan a lab signs: unsigned, or signed by a
	// key the trust store does not accredit for it, it counts for nothing.
	Lab bool
	// Source, Time and Subject go into the evidence items.
	Source  evidence.Source
	Time    time.Time
	Subject evidence.Subject
}

// Analyse reads an unpacked tree.
func Analyse(ctx context.Context, t *Tree, a Analysis) (*Report, error) {
	r := &Report{Image: t.Image, Layers: t.Layers, Warnings: t.Warnings}
	for _, f := range t.Files {
		if f.Kind == KindFile {
			r.Files++
		}
	}
	var err error
	if r.Components, err = a.Rules.Components(ctx, t); err != nil {
		return nil, err
	}
	if r.Credentials, err = Credentials(ctx, t, a.Cracking); err != nil {
		return nil, err
	}
	if r.Keys, err = Keys(ctx, t); err != nil {
		return nil, err
	}
	if r.Services, err = Services(ctx, t); err != nil {
		return nil, err
	}
	if r.Binaries, err = Binaries(ctx, t); err != nil {
		return nil, err
	}
	r.Hardening = Summarise(r.Binaries)
	if a.Declared != nil {
		r.Reconciliation = a.Rules.Reconcile(a.DeclaredName, r.Components, a.Declared.Components)
	}
	r.Vulnerabilities = []vuln.Finding{}
	if a.Vulns != nil && a.Dict != nil {
		if r.scan, err = vuln.Scan(ctx, a.Vulns, a.Dict, r.SBOMComponents()); err != nil {
			return nil, err
		}
		r.Vulnerabilities, r.NotChecked = r.scan.Findings, r.scan.NotChecked
	}
	r.Findings = r.evidence(a)
	return r, nil
}

// SBOMComponents are the components as an SBOM lists them: one per name
// and version, with every file it was found in.
func (r *Report) SBOMComponents() []sbom.Component {
	var out []sbom.Component
	at := map[string]int{}
	for _, c := range r.Components {
		k := c.Name + "\x00" + c.Version
		i, ok := at[k]
		if !ok {
			i = len(out)
			at[k] = i
			out = append(out, sbom.Component{Name: c.Name, Version: c.Version, PURL: c.PURL, CPE: c.CPE, Type: "application"})
		}
		out[i].Found = append(out[i].Found, sbom.Occurrence{Path: c.Path, Offset: c.Offset, SHA256: c.SHA256, Evidence: c.Evidence})
	}
	return out
}

// evidence turns the report into evidence items: hard-coded-credentials,
// private-key-in-image, insecure-boot-service, and, with a vulnerability
// database, the SBOM checks of package vuln.
func (r *Report) evidence(a Analysis) []evidence.Item {
	item := func(check, result, detail string, data map[string]any) evidence.Item {
		return evidence.Item{Kind: catalog.Tool, Source: a.Source, Time: a.Time.UTC(), Subject: a.Subject,
			Check: check, Result: result, Detail: detail, Data: data}
	}
	image := map[string]any{"image_sha256": r.Image.SHA256}
	var items []evidence.Item
	if r.Files == 0 {
		// Nothing was unpacked: absence of findings would prove nothing.
		for _, c := range []string{"hard-coded-credentials", "private-key-in-image", "insecure-boot-service"} {
			items = append(items, item(c, evidence.Error, "no file system could be unpacked from the image", image))
		}
		return items
	}
	var weak []string
	for _, c := range r.Credentials {
		switch {
		case c.Empty:
			weak = append(weak, fmt.Sprintf("%s has no password (%s)", c.User, c.Source))
		case c.Cracked && c.HashType == "plain":
			weak = append(weak, fmt.Sprintf("a password for %s is written in clear text (%s)", c.User, c.Source))
		case c.Cracked:
			weak = append(weak, fmt.Sprintf("%s's %s hash is a known default password (%s)", c.User, c.HashType, c.Source))
		}
	}
	if len(weak) > 0 {
		items = append(items, item("hard-coded-credentials", evidence.Fail,
			"the image ships accounts whose password is empty or a known default, the same on every unit: "+join(weak), image))
	} else {
		items = append(items, item("hard-coded-credentials", evidence.Pass,
			fmt.Sprintf("%d account entries read; none has an empty or known default password", len(r.Credentials)), image))
	}
	var priv []string
	for _, k := range r.Keys {
		if k.Private {
			enc := ""
			if k.Encrypted {
				enc = ", encrypted"
			}
			priv = append(priv, fmt.Sprintf("%s (%s%s)", k.Path, k.Type, enc))
		}
	}
	if len(priv) > 0 {
		items = append(items, item("private-key-in-image", evidence.Fail,
			"private keys baked into the image are shared by every unit: "+join(priv), image))
	} else {
		items = append(items, item("private-key-in-image", evidence.Pass, "no private key in the image", image))
	}
	var bad []string
	for _, s := range r.Services {
		if s.Insecure {
			bad = append(bad, fmt.Sprintf("%s:%d %s", s.Path, s.Line, s.Detail))
		}
	}
	if len(bad) > 0 {
		items = append(items, item("insecure-boot-service", evidence.Fail, "started at boot: "+join(bad), image))
	} else {
		items = append(items, item("insecure-boot-service", evidence.Pass,
			fmt.Sprintf("%d boot-time services read; none is telnet, a shell without login, a debug listener or open UPnP", len(r.Services)), image))
	}
	if rc := r.Reconciliation; rc != nil {
		data := map[string]any{"image_sha256": r.Image.SHA256, "sbom": rc.SBOM, "matched": len(rc.Matched), "undeclared": rc.Undeclared,
			"mismatched": rc.Mismatched, "missing": rc.Missing, "unknown": rc.Unknown}
		if bad := append(append([]string{}, rc.Undeclared...), rc.Mismatched...); len(bad) > 0 {
			items = append(items, item("sbom-reconciliation", evidence.Fail,
				fmt.Sprintf("the SBOM does not list what the image ships: %s (%d matched)", join(bad), len(rc.Matched)), data))
		} else {
			detail := fmt.Sprintf("every component found in the image is declared in %s at its version (%d matched)", rc.SBOM, len(rc.Matched))
			if len(rc.Missing) > 0 {
				detail += "; declared but not found: " + join(rc.Missing)
			}
			items = append(items, item("sbom-reconciliation", evidence.Pass, detail, data))
		}
	}
	if a.Lab {
		lab := item("binary-analysis", evidence.Error, "no declared SBOM was given to analyse the binaries against (--sbom)", image)
		lab.Kind = catalog.Lab
		if rc := r.Reconciliation; rc != nil {
			lab.Data = map[string]any{"image_sha256": r.Image.SHA256, "sbom": rc.SBOM, "files": r.Files, "components": len(r.Components),
				"binaries": r.Hardening.Binaries}
			if len(rc.Undeclared)+len(rc.Mismatched) > 0 {
				lab.Result, lab.Detail = evidence.Fail, fmt.Sprintf("%d files and %d ELF binaries analysed; the SBOM leaves out or misstates %d components",
					r.Files, r.Hardening.Binaries, len(rc.Undeclared)+len(rc.Mismatched))
			} else {
				lab.Result, lab.Detail = evidence.Pass, fmt.Sprintf("%d files and %d ELF binaries analysed; the %d components found match %s",
					r.Files, r.Hardening.Binaries, len(rc.Matched), rc.SBOM)
			}
		}
		items = append(items, lab)
	}
	if r.scan != nil {
		items = append(items, r.scan.Evidence(vuln.EvidenceInput{Source: a.Source, Time: a.Time, Subject: a.Subject,
			SBOM: "firmware analysis", KEVCatalog: a.KEVCatalog, DataAge: a.DataAge})...)
	}
	return items
}

// join lists up to five things and says how many more.
func join(xs []string) string {
	const n = 5
	s := ""
	for i, x := range xs[:min(len(xs), n)] {
		if i > 0 {
			s += "; "
		}
		s += x
	}
	if len(xs) > n {
		s += fmt.Sprintf("; and %d more", len(xs)-n)
	}
	return s
}
