package assess

import "github.com/iotlabel/iotlabel/catalog"

// Verdict is the result for one outcome or requirement.
type Verdict string

// Verdicts.
const (
	Pass          Verdict = "pass"
	Fail          Verdict = "fail"
	NotApplicable Verdict = "not_applicable"
	Unknown       Verdict = "unknown"
)

// Assessment is the complete result of assessing one product. It shares
// slices of text with the Engine that made it and with other assessments, so
// it is read-only: copy a slice before changing it.
type Assessment struct {
	Product        Product             `json:"product"`
	CatalogVersion string              `json:"catalog_version"`
	AsOf           catalog.Date        `json:"as_of"`
	Digest         string              `json:"digest"`
	Tier           int                 `json:"tier"`
	TierName       string              `json:"tier_name"`
	Support        Support             `json:"support"`
	Outcomes       []OutcomeResult     `json:"outcomes"`
	Schemes        []SchemeResult      `json:"schemes"`
	Markets        []MarketResult      `json:"markets"`
	Recognitions   []RecognitionResult `json:"recognitions"`
	Gaps           []Gap               `json:"gaps"`
	Findings       []Finding           `json:"findings"`
	Evidence       []EvidenceSummary   `json:"evidence"`
}

// Product identifies the assessed product.
type Product struct {
	Manufacturer     string   `json:"manufacturer"`
	Name             string   `json:"name"`
	Model            string   `json:"model"`
	HardwareVersion  string   `json:"hardware_version,omitempty"`
	FirmwareVersions []string `json:"firmware_versions"`
	Category         string   `json:"category"`
	Markets          []string `json:"markets"`
	// What the owner should know, as declared: the data the product
	// collects and where to report a vulnerability.
	PersonalData         bool     `json:"personal_data"`
	Telemetry            bool     `json:"telemetry"`
	Sensors              []string `json:"sensors,omitempty"`
	PrivacyNoticeURL     string   `json:"privacy_notice_url,omitempty"`
	VulnerabilityContact string   `json:"vulnerability_contact,omitempty"`
	// Ecosystem describes, one line each, the companion app and cloud
	// services as declared; empty when the declaration does not say.
	Ecosystem []string `json:"ecosystem,omitempty"`
}

// Support summarises the defined support period on the as-of date.
type Support struct {
	EndDate       catalog.Date `json:"end_date"`
	PublishedAt   string       `json:"published_at,omitempty"`
	DaysRemaining int          `json:"days_remaining"`
	Ended         bool         `json:"ended"`
}

// OutcomeResult is the verdict for one harmonized outcome. Strength is the kind
// of the strongest evidence the verdict rests on.
type OutcomeResult struct {
	ID       string               `json:"id"`
	Verdict  Verdict              `json:"verdict"`
	Strength catalog.EvidenceKind `json:"strength,omitempty"`
	Reason   string               `json:"reason"`
	Evidence []string             `json:"evidence"`
}

// SchemeResult is the verdict for one scheme.
type SchemeResult struct {
	ID         string `json:"id"`
	Applicable bool   `json:"applicable"`
	Met        bool   `json:"met"`
	// Level is the highest level met, for levelled schemes.
	Level        string              `json:"level,omitempty"`
	Reason       string              `json:"reason"`
	Unverified   bool                `json:"unverified,omitempty"`
	Requirements []RequirementResult `json:"requirements"`
}

// RequirementResult is the verdict for one requirement of a scheme.
type RequirementResult struct {
	ID         string               `json:"id"`
	Verdict    Verdict              `json:"verdict"`
	Strength   catalog.EvidenceKind `json:"strength,omitempty"`
	Reason     string               `json:"reason"`
	Evidence   []string             `json:"evidence"`
	Unverified bool                 `json:"unverified,omitempty"`
}

// MarketResult says whether the product may be sold in a market on the as-of date.
type MarketResult struct {
	ID       string   `json:"id"`
	Targeted bool     `json:"targeted"`
	Allowed  bool     `json:"allowed"`
	Reasons  []string `json:"reasons"`
	Upcoming []string `json:"upcoming,omitempty"`
}

// Held is a label a product holds: the scheme (and level) it shows met, and
// the label's ID. The caller has verified it.
type Held struct {
	Scheme, Level, LabelID string
}

// Recognition statuses.
const (
	// RecognitionEarned: the product holds a verified label of the holder
	// scheme; the recognition counts for markets.
	RecognitionEarned = "earned"
	// RecognitionEligible: the self-assessment meets the holder scheme; the
	// product would earn the recognition once it holds that label.
	RecognitionEligible = "eligible"
	// RecognitionDeclared: the declaration names a certificate of the holder
	// scheme, but no verified label shows it; it counts for no market.
	RecognitionDeclared = "declared_unverified"
)

// RecognitionResult is one recognition under an agreement, with whether the
// product earns it (Status earned) or only could (eligible, declared).
type RecognitionResult struct {
	Agreement string `json:"agreement"`
	Holds     string `json:"holds"`
	Earns     string `json:"earns"`
	Status    string `json:"status"`
	Basis     string `json:"basis"`
	Note      string `json:"note,omitempty"`
	// Unverified is set when the agreement or the held scheme rests on facts
	// our sources could not confirm.
	Unverified bool `json:"unverified,omitempty"`
}

// Gap is one thing missing for the next tier, with its remediation.
type Gap struct {
	Tier        int    `json:"tier"`
	Outcome     string `json:"outcome,omitempty"`
	Scheme      string `json:"scheme,omitempty"`
	Problem     string `json:"problem"`
	Remediation string `json:"remediation"`
}

// Finding kinds.
const (
	FindingContradiction = "contradiction"
	FindingIgnored       = "ignored-evidence"
	FindingDemoted       = "demoted-evidence"
	FindingSupport       = "support"
	FindingUnverified    = "unverified"
)

// Finding is something the assessor should know that is not a verdict: a
// contradiction between declaration and evidence, ignored evidence, support
// ending soon, or reliance on unverified catalog facts.
type Finding struct {
	Kind     string   `json:"kind"`
	Message  string   `json:"message"`
	Evidence []string `json:"evidence,omitempty"`
}

// EvidenceSummary lists one evidence item the assessment considered.
type EvidenceSummary struct {
	Ref    string               `json:"ref"`
	Kind   catalog.EvidenceKind `json:"kind"`
	Source string               `json:"source"`
	Check  string               `json:"check"`
	Result string               `json:"result"`
	Target string               `json:"target,omitempty"`
	Detail string               `json:"detail"`
	// Signer is the verified signer ("holder (key ID)") of a signed item.
	Signer string `json:"signer,omitempty"`
}

// Outcome returns the result for outcome id, or nil.
func (a *Assessment) Outcome(id string) *OutcomeResult {
	for i := range a.Outcomes {
		if a.Outcomes[i].ID == id {
			return &a.Outcomes[i]
		}
	}
	return nil
}

// Scheme returns the result for scheme id, or nil.
func (a *Assessment) Scheme(id string) *SchemeResult {
	for i := range a.Schemes {
		if a.Schemes[i].ID == id {
			return &a.Schemes[i]
		}
	}
	return nil
}

// Market returns the result for market id, or nil.
func (a *Assessment) Market(id string) *MarketResult {
	for i := range a.Markets {
		if a.Markets[i].ID == id {
			return &a.Markets[i]
		}
	}
	return nil
}

// Requirement returns the result for requirement id of scheme, or nil.
func (s *SchemeResult) Requirement(id string) *RequirementResult {
	for i := range s.Requirements {
		if s.Requirements[i].ID == id {
			return &s.Requirements[i]
		}
	}
	return nil
}
