package report

import (
	"fmt"
	"io"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"

	cdx "github.com/CycloneDX/cyclonedx-go"
	"github.com/iotlabel/iotlabel/evidence"
	"github.com/iotlabel/iotlabel/sbom"
	"github.com/iotlabel/iotlabel/vuln"
)

// ScanText writes a scan report for people: known-exploited findings first,
// then the rest, the suppressed ones with their VEX justification, and the
// components that could not be checked.
func ScanText(w io.Writer, doc *sbom.Document, r *vuln.Report) error {
	p := &printer{w: w}
	all, exploited, critical := r.Counts()
	p.f("%s %s SBOM%s: %d components, %d vulnerabilities (%d known exploited, %d critical), %d suppressed by VEX, %d not checked\n",
		doc.Format, doc.SpecVersion, subjectSuffix(doc.Subject), r.Components, all, exploited, critical, len(r.Suppressed), len(r.NotChecked))
	for _, f := range r.Findings {
		kev := ""
		if f.KnownExploited {
			kev = " KNOWN EXPLOITED (" + f.KEV.Says() + ")"
		}
		fixed := ""
		if f.FixedIn != "" {
			fixed = ", fixed in " + f.FixedIn
		}
		p.f("\n  %s%s  %s %s  severity %s%s%s\n", f.Vulnerability, aliasSuffix(f.Aliases), f.Component, f.Version, severityText(f.Severity), fixed, kev)
		if f.Summary != "" {
			p.f("    %s\n", f.Summary)
		}
		p.f("    why: %s\n", f.Reason)
	}
	if len(r.Suppressed) > 0 {
		p.f("\nSUPPRESSED BY VEX\n")
		for _, s := range r.Suppressed {
			p.f("  %s in %s %s: not affected (%s, %s)\n", s.Finding.Vulnerability, s.Finding.Component, s.Finding.Version, orDash(s.Statement.Justification), s.Statement.Document)
		}
	}
	if len(r.NotChecked) > 0 {
		p.f("\nNOT CHECKED (no finding here proves nothing)\n")
		for _, g := range r.NotChecked {
			p.f("  %s %s: %s\n", g.Component, g.Version, g.Reason)
		}
	}
	return p.err
}

func subjectSuffix(s string) string {
	if s == "" {
		return ""
	}
	return " of " + s
}

func aliasSuffix(a []string) string {
	if len(a) == 0 {
		return ""
	}
	return " (" + strings.Join(a, ", ") + ")"
}

func severityText(s vuln.Severity) string {
	if s.Score > 0 {
		return fmt.Sprintf("%s %.1f", s.Level, s.Score)
	}
	return s.Level
}

// sarif* are the parts of SARIF 2.1.0 a vulnerability report needs.
type sarifLog struct {
	Schema  string     `json:"$schema"`
	Version string     `json:"version"`
	Runs    []sarifRun `json:"runs"`
}

type sarifRun struct {
	Tool    sarifTool     `json:"tool"`
	Results []sarifResult `json:"results"`
}

type sarifTool struct {
	Driver sarifDriver `json:"driver"`
}

type sarifDriver struct {
	Name           string      `json:"name"`
	Version        string      `json:"version"`
	InformationURI string      `json:"informationUri"`
	Rules          []sarifRule `json:"rules"`
}

type sarifText struct {
	Text string `json:"text"`
}

type sarifRule struct {
	ID               string            `json:"id"`
	ShortDescription sarifText         `json:"shortDescription"`
	HelpURI          string            `json:"helpUri,omitempty"`
	Properties       map[string]string `json:"properties,omitempty"`
}

type sarifResult struct {
	RuleID    string          `json:"ruleId"`
	Level     string          `json:"level"`
	Message   sarifText       `json:"message"`
	Locations []sarifLocation `json:"locations"`
}

type sarifLocation struct {
	PhysicalLocation struct {
		ArtifactLocation struct {
			URI string `json:"uri"`
		} `json:"artifactLocation"`
		Region struct {
			StartLine int `json:"startLine"`
		} `json:"region"`
	} `json:"physicalLocation"`
	LogicalLocations []struct {
		Name string `json:"name"`
		Kind string `json:"kind"`
	} `json:"logicalLocations"`
}

// SARIF writes the findings as a SARIF 2.1.0 log for code-scanning dashboards:
// one rule per vulnerability, one result per affected component, and one
// rule and result per failed check of failed, located in the scanned file
// (an SBOM, or a firmware image).
func SARIF(w io.Writer, toolVersion, sbomPath string, r *vuln.Report, failed ...evidence.Item) error {
	run := sarifRun{Tool: sarifTool{Driver: sarifDriver{Name: "iotlabel", Version: toolVersion,
		InformationURI: "https://github.com/iotlabel/iotlabel", Rules: []sarifRule{}}}, Results: []sarifResult{}}
	seen := map[string]bool{}
	for _, f := range r.Findings {
		if !seen[f.Vulnerability] {
			seen[f.Vulnerability] = true
			rule := sarifRule{ID: f.Vulnerability, ShortDescription: sarifText{orDash(f.Summary)}, Properties: map[string]string{}}
			if strings.HasPrefix(f.Vulnerability, "CVE-") {
				rule.HelpURI = "https://nvd.nist.gov/vuln/detail/" + f.Vulnerability
			}
			if f.Severity.Score > 0 {
				rule.Properties["security-severity"] = strconv.FormatFloat(f.Severity.Score, 'f', 1, 64)
			}
			if f.KnownExploited {
				rule.Properties["known-exploited"] = "true"
			}
			run.Tool.Driver.Rules = append(run.Tool.Driver.Rules, rule)
		}
		loc := sarifLocationOf(sbomPath)
		loc.LogicalLocations = append(loc.LogicalLocations, struct {
			Name string `json:"name"`
			Kind string `json:"kind"`
		}{f.Component + "@" + f.Version, "module"})
		run.Results = append(run.Results, sarifResult{RuleID: f.Vulnerability, Level: sarifLevel(f),
			Message:   sarifText{fmt.Sprintf("%s %s is affected by %s: %s", f.Component, f.Version, f.Vulnerability, f.Reason)},
			Locations: []sarifLocation{loc}})
	}
	// Failed checks (a firmware image's default password, private key, ...)
	// are results too, one rule per check.
	for _, it := range failed {
		if it.Result != evidence.Fail {
			continue
		}
		if !seen[it.Check] {
			seen[it.Check] = true
			run.Tool.Driver.Rules = append(run.Tool.Driver.Rules, sarifRule{ID: it.Check, ShortDescription: sarifText{it.Check}, Properties: map[string]string{}})
		}
		loc := sarifLocationOf(sbomPath)
		run.Results = append(run.Results, sarifResult{RuleID: it.Check, Level: "error", Message: sarifText{it.Detail}, Locations: []sarifLocation{loc}})
	}
	return writeJSON(w, sarifLog{Schema: "https://json.schemastore.org/sarif-2.1.0.json", Version: "2.1.0", Runs: []sarifRun{run}})
}

// sarifLocationOf locates a result in the scanned file: an absolute
// file:// URI (SARIF reads a bare path as a relative reference) and its
// first line, the whole file being the finding's place.
func sarifLocationOf(path string) sarifLocation {
	var loc sarifLocation
	uri := path
	if abs, err := filepath.Abs(path); err == nil {
		uri = (&url.URL{Scheme: "file", Path: filepath.ToSlash(abs)}).String()
	}
	loc.PhysicalLocation.ArtifactLocation.URI = uri
	loc.PhysicalLocation.Region.StartLine = 1
	return loc
}

func sarifLevel(f vuln.Finding) string {
	switch {
	case f.KnownExploited || f.Severity.Level == "critical" || f.Severity.Level == "high":
		return "error"
	case f.Severity.Level == "medium" || f.Severity.Level == "unknown":
		return "warning"
	}
	return "note"
}

// CycloneDXVEX writes the SBOM's components with their vulnerabilities as a
// CycloneDX 1.6 VDR: every finding with the components it affects, and every
// VEX-suppressed finding with analysis state not_affected and its justification.
func CycloneDXVEX(w io.Writer, doc *sbom.Document, r *vuln.Report) error {
	bom := cdx.NewBOM()
	bom.Metadata = &cdx.Metadata{Tools: &cdx.ToolsChoice{Components: &[]cdx.Component{{Type: cdx.ComponentTypeApplication, Name: "iotlabel"}}}}
	if doc.Subject != "" {
		bom.Metadata.Component = &cdx.Component{Type: cdx.ComponentTypeFirmware, Name: doc.Subject, BOMRef: "subject"}
	}
	comps := make([]cdx.Component, 0, len(doc.Components))
	for _, c := range doc.Components {
		comps = append(comps, cdx.Component{BOMRef: c.Ref, Type: cdx.ComponentTypeLibrary, Name: c.Name, Version: c.Version, PackageURL: c.PURL, CPE: c.CPE})
	}
	bom.Components = &comps
	// Affected components are named by BOM-Link in the input SBOM when it
	// has a serial number and the component its own bom-ref.
	ref := func(r string) string {
		if doc.SerialNumber == "" || strings.HasPrefix(r, sbom.LocalRefPrefix) || r == "" {
			return r
		}
		link, err := cdx.NewBOMLink(doc.SerialNumber, max(doc.BOMVersion, 1), &cdx.Component{BOMRef: r})
		if err != nil {
			return r
		}
		return link.String()
	}
	var vulns []cdx.Vulnerability
	for _, f := range r.Findings {
		f.Ref = ref(f.Ref)
		vulns = append(vulns, cdxVuln(f, nil))
	}
	for _, s := range r.Suppressed {
		s.Finding.Ref = ref(s.Finding.Ref)
		vulns = append(vulns, cdxVuln(s.Finding, &s.Statement))
	}
	bom.Vulnerabilities = &vulns
	enc := cdx.NewBOMEncoder(w, cdx.BOMFileFormatJSON)
	enc.SetPretty(true)
	return enc.EncodeVersion(bom, cdx.SpecVersion1_6)
}

func cdxVuln(f vuln.Finding, st *vuln.VEXStatement) cdx.Vulnerability {
	v := cdx.Vulnerability{ID: f.Vulnerability, Description: f.Summary, Detail: f.Reason,
		Affects: &[]cdx.Affects{{Ref: f.Ref}}}
	if strings.HasPrefix(f.Vulnerability, "CVE-") {
		v.Source = &cdx.Source{Name: "NVD", URL: "https://nvd.nist.gov/vuln/detail/" + f.Vulnerability}
	}
	if f.Severity.Level != "unknown" {
		score := f.Severity.Score
		r := cdx.VulnerabilityRating{Severity: cdx.Severity(f.Severity.Level), Vector: f.Severity.Vector}
		if score > 0 {
			r.Score = &score
		}
		if strings.HasPrefix(f.Severity.Vector, "CVSS:3.1") {
			r.Method = cdx.ScoringMethodCVSSv31
		} else if strings.HasPrefix(f.Severity.Vector, "CVSS:3.0") {
			r.Method = cdx.ScoringMethodCVSSv3
		}
		v.Ratings = &[]cdx.VulnerabilityRating{r}
	}
	if f.FixedIn != "" {
		v.Recommendation = "upgrade " + f.Component + " to " + f.FixedIn + " or later"
	}
	// Every entry has an analysis state: a match by version range is in
	// triage until someone assesses it; a VEX statement says not affected.
	v.Analysis = &cdx.VulnerabilityAnalysis{State: cdx.IASInTriage, Detail: "matched by component version; not assessed for exploitability"}
	if st != nil {
		a := &cdx.VulnerabilityAnalysis{State: cdx.IASNotAffected, Detail: st.Justification + " (" + st.Document + ")"}
		if j, ok := cdxJustification(st.Justification); ok {
			a.Justification = j
		}
		v.Analysis = a
	}
	return v
}

// cdxJustification maps a VEX justification — CycloneDX's own values or CSAF's
// flag labels — to CycloneDX's enumeration.
func cdxJustification(s string) (cdx.ImpactAnalysisJustification, bool) {
	switch j := cdx.ImpactAnalysisJustification(s); j {
	case cdx.IAJCodeNotPresent, cdx.IAJCodeNotReachable, cdx.IAJRequiresConfiguration, cdx.IAJRequiresDependency,
		cdx.IAJRequiresEnvironment, cdx.IAJProtectedByCompiler, cdx.IAJProtectedAtRuntime, cdx.IAJProtectedAtPerimeter,
		cdx.IAJProtectedByMitigatingControl:
		return j, true
	}
	switch s { // CSAF 2.0 flag labels
	case "component_not_present", "vulnerable_code_not_present":
		return cdx.IAJCodeNotPresent, true
	case "vulnerable_code_not_in_execute_path":
		return cdx.IAJCodeNotReachable, true
	case "vulnerable_code_cannot_be_controlled_by_adversary":
		return cdx.IAJRequiresEnvironment, true
	case "inline_mitigations_already_exist":
		return cdx.IAJProtectedByMitigatingControl, true
	}
	return "", false
}
