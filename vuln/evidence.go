package vuln

import (
	"fmt"
	"strings"
	"time"

	"github.com/iotlabel/iotlabel/catalog"
	"github.com/iotlabel/iotlabel/evidence"
)

// maxNamedGaps bounds how many unchecked components evidence names.
const maxNamedGaps = 20

// EvidenceInput describes the scan for the evidence it produces.
type EvidenceInput struct {
	Source  evidence.Source
	Time    time.Time
	Subject evidence.Subject
	// SBOM describes the document scanned, e.g. "CycloneDX 1.4 XML".
	SBOM string
	// KEVCatalog is the KEV catalog version in the database, or "" if none.
	KEVCatalog string
	// DataAge is how old each source's newest data was, in days; the
	// vulnerability checks' items carry it.
	DataAge map[string]int
}

// Evidence turns a scan report into the evidence items the assessment engine
// reads: sbom-present, known-exploited-vulnerability and known-vulnerability
// (which fails on critical findings). A check that could not be decided — no
// component identified, or no KEV catalog imported — is reported as "error",
// never as a pass.
func (r *Report) Evidence(in EvidenceInput) []evidence.Item {
	item := func(check, result, detail string, data map[string]any) evidence.Item {
		return evidence.Item{Kind: catalog.Tool, Source: in.Source, Time: in.Time.UTC(), Subject: in.Subject,
			Check: check, Result: result, Detail: detail, Data: data}
	}
	checked := r.Components - len(r.NotChecked)
	coverage := fmt.Sprintf("%d of %d components checked", checked, r.Components)
	items := []evidence.Item{item("sbom-present", evidence.Pass,
		fmt.Sprintf("%s SBOM with %d components read", in.SBOM, r.Components), map[string]any{"components": r.Components})}
	all, exploited, critical := r.Counts()
	data := map[string]any{"checked": checked, "not_checked": len(r.NotChecked), "findings": all}
	if len(in.DataAge) > 0 {
		data["data_age_days"] = in.DataAge
	}
	if len(r.NotChecked) > 0 {
		// The first components left unchecked, so that a gap can name them.
		var names []string
		for _, g := range r.NotChecked[:min(len(r.NotChecked), maxNamedGaps)] {
			names = append(names, strings.TrimSpace(g.Component+" "+g.Version))
		}
		data["not_checked_components"] = names
	}
	var kevIDs, critIDs []string
	for _, f := range r.Findings {
		label := f.Vulnerability + " in " + f.Component + " " + f.Version
		if f.KnownExploited {
			kevIDs = append(kevIDs, label)
		}
		if f.Severity.Level == "critical" {
			critIDs = append(critIDs, label)
		}
	}
	switch {
	case checked == 0:
		items = append(items, item("known-exploited-vulnerability", evidence.Error, "no component could be identified for matching", data),
			item("known-vulnerability", evidence.Error, "no component could be identified for matching", data))
		return items
	case in.KEVCatalog == "":
		items = append(items, item("known-exploited-vulnerability", evidence.Error, "the vulnerability database holds no KEV catalog; import it to decide this check", data))
	case exploited > 0:
		items = append(items, item("known-exploited-vulnerability", evidence.Fail,
			fmt.Sprintf("%d known exploited: %s (KEV catalog %s; %s)", exploited, strings.Join(kevIDs, ", "), in.KEVCatalog, coverage), data))
	default:
		items = append(items, item("known-exploited-vulnerability", evidence.Pass,
			fmt.Sprintf("no known exploited vulnerability (KEV catalog %s; %s)", in.KEVCatalog, coverage), data))
	}
	if critical > 0 {
		items = append(items, item("known-vulnerability", evidence.Fail,
			fmt.Sprintf("%d critical: %s (%d findings in all; %s)", critical, strings.Join(critIDs, ", "), all, coverage), data))
	} else {
		items = append(items, item("known-vulnerability", evidence.Pass,
			fmt.Sprintf("no critical vulnerability; %d findings of lower or unknown severity (%s)", all, coverage), data))
	}
	return items
}
