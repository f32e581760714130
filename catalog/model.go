package catalog

import (
	"fmt"
	"slices"
	"strings"
)

// Phase is a stage of the product lifecycle.
type Phase string

// The six lifecycle phases, in order.
const (
	Design      Phase = "design"
	Development Phase = "development"
	Sale        Phase = "sale"
	Setup       Phase = "setup"
	Maintenance Phase = "maintenance"
	Sunsetting  Phase = "sunsetting"
)

// Phases lists the lifecycle phases in lifecycle order.
var Phases = []Phase{Design, Development, Sale, Setup, Maintenance, Sunsetting}

// Strength says whether a requirement must be met ("shall") or is recommended ("should").
type Strength string

// Requirement strengths.
const (
	Mandatory   Strength = "mandatory"
	Recommended Strength = "recommended"
)

// EvidenceKind is where an evidence item comes from. Kinds are ordered:
// a lab attestation outranks a tool observation, which outranks a declaration.
type EvidenceKind string

// Evidence kinds, weakest first.
const (
	Declared EvidenceKind = "declared"
	Tool     EvidenceKind = "tool"
	Lab      EvidenceKind = "lab"
)

// Rank orders evidence kinds: 1 declared, 2 tool, 3 lab, 0 for anything else.
func (k EvidenceKind) Rank() int {
	switch k {
	case Declared:
		return 1
	case Tool:
		return 2
	case Lab:
		return 3
	}
	return 0
}

// Fact is a property of a product that a declaration establishes and that
// requirement conditions refer to, such as "uses_passwords".
type Fact struct {
	ID    string `yaml:"id" json:"id"`
	Title string `yaml:"title" json:"title"`
}

// Category is a product category; schemes and markets scope rules by category.
type Category struct {
	ID    string `yaml:"id" json:"id"`
	Title string `yaml:"title" json:"title"`
}

// Outcome is a harmonized, scheme-neutral security outcome.
type Outcome struct {
	ID          string   `yaml:"id" json:"id"`
	Title       string   `yaml:"title" json:"title"`
	Phase       Phase    `yaml:"phase" json:"phase"`
	Consumer    string   `yaml:"consumer" json:"consumer"`
	Remediation string   `yaml:"remediation" json:"remediation"`
	Verify      []string `yaml:"verify" json:"verify"`

	pos pos
}

// Check is a named source of evidence: a declaration rule, a tool check or a lab
// attestation. A failing check fails its outcome (or, if Scoped, only the
// requirements in Covers); a passing check vouches only for the requirements
// listed in Covers.
type Check struct {
	ID            string       `yaml:"id" json:"id"`
	Kind          EvidenceKind `yaml:"kind" json:"kind"`
	Outcome       string       `yaml:"outcome" json:"outcome"`
	Title         string       `yaml:"title" json:"title"`
	Covers        []string     `yaml:"covers" json:"covers"`
	Informational bool         `yaml:"informational,omitempty" json:"informational,omitempty"`
	// Scoped checks affect only the requirements in Covers, failing or passing;
	// they never fail the whole outcome.
	Scoped bool `yaml:"scoped,omitempty" json:"scoped,omitempty"`
	// AlsoFails names other outcomes that a failure of this check fails too,
	// because they cannot hold while it fails (a default login accepted means
	// authentication is not resistant to guessing). A pass of the check says
	// nothing about them.
	AlsoFails []string `yaml:"also_fails,omitempty" json:"also_fails,omitempty"`
	// Decisive checks settle what they are about: when one cannot decide
	// (result error, e.g. the declaration leaves the facts out), its outcome
	// and the requirements in Covers are unknown, whatever answers say.
	Decisive bool `yaml:"decisive,omitempty" json:"decisive,omitempty"`

	pos pos
}

// Scheme is a standard, law, label programme or guidance document.
type Scheme struct {
	ID                 string   `yaml:"id" json:"id"`
	Title              string   `yaml:"title" json:"title"`
	Short              string   `yaml:"short" json:"short"`
	Version            string   `yaml:"version" json:"version"`
	Publisher          string   `yaml:"publisher" json:"publisher"`
	Jurisdiction       string   `yaml:"jurisdiction" json:"jurisdiction"`
	Kind               string   `yaml:"kind" json:"kind"`
	Status             string   `yaml:"status" json:"status"`
	Published          Date     `yaml:"published,omitempty" json:"published,omitzero"`
	Effective          Date     `yaml:"effective,omitempty" json:"effective,omitzero"`
	LabelValidityYears int      `yaml:"label_validity_years,omitempty" json:"label_validity_years,omitempty"`
	Condition          []string `yaml:"condition,omitempty" json:"condition,omitempty"`
	ExcludedCategories []string `yaml:"excluded_categories,omitempty" json:"excluded_categories,omitempty"`
	// Categories, when set, are the only product categories the scheme
	// covers (NIST IR 8425A: routers).
	Categories     []string `yaml:"categories,omitempty" json:"categories,omitempty"`
	ExclusionNotes string   `yaml:"exclusion_notes,omitempty" json:"exclusion_notes,omitempty"`
	Scope          string   `yaml:"scope,omitempty" json:"scope,omitempty"`
	Notes          string   `yaml:"notes,omitempty" json:"notes,omitempty"`
	Unverified     string   `yaml:"unverified,omitempty" json:"unverified,omitempty"`
	// Availability is the programme's history, oldest first: whether a
	// product could obtain the label from each date (a scheme without it
	// is taken to be open from its effective date).
	Availability []Availability `yaml:"availability,omitempty" json:"availability,omitempty"`
	Conditions   []Condition    `yaml:"conditions,omitempty" json:"conditions,omitempty"`
	Levels       []Level        `yaml:"levels,omitempty" json:"levels,omitempty"`
	Requirements []*Requirement `yaml:"requirements" json:"requirements"`

	file string
	pos  pos
}

// Availability is one change in whether a scheme's label can be obtained.
type Availability struct {
	From      Date   `yaml:"from" json:"from"`
	Available bool   `yaml:"available" json:"available"`
	Note      string `yaml:"note" json:"note"`
}

// AvailableOn returns the latest change of availability on or before d;
// ok is false when the scheme records none by then.
func (s *Scheme) AvailableOn(d Date) (a Availability, ok bool) {
	for _, x := range s.Availability {
		if x.From.After(d) {
			break
		}
		a, ok = x, true
	}
	return a, ok
}

// Condition is a numbered applicability condition of a scheme (EN 303 645 Table B.1),
// established by one fact.
type Condition struct {
	ID   string `yaml:"id" json:"id"`
	Fact string `yaml:"fact" json:"fact"`
}

// Level is one level of a levelled scheme, lowest first.
type Level struct {
	ID    string `yaml:"id" json:"id"`
	Title string `yaml:"title" json:"title"`
}

// Requirement is one provision of one scheme, numbered as the scheme numbers it.
type Requirement struct {
	ID                  string       `yaml:"id" json:"id"`
	Title               string       `yaml:"title" json:"title"`
	Strength            Strength     `yaml:"strength" json:"strength"`
	Condition           []string     `yaml:"condition,omitempty" json:"condition,omitempty"`
	Phase               Phase        `yaml:"phase" json:"phase"`
	Phases              []Phase      `yaml:"phases,omitempty" json:"phases,omitempty"`
	Level               string       `yaml:"level,omitempty" json:"level,omitempty"`
	Outcomes            []string     `yaml:"outcomes" json:"outcomes"`
	Includes            []string     `yaml:"includes,omitempty" json:"includes,omitempty"`
	IncludesMandatoryOf string       `yaml:"includes_mandatory_of,omitempty" json:"includes_mandatory_of,omitempty"`
	Evidence            EvidenceKind `yaml:"evidence,omitempty" json:"evidence,omitempty"`
	DeemedBy            []string     `yaml:"deemed_by,omitempty" json:"deemed_by,omitempty"`
	Effective           Date         `yaml:"effective,omitempty" json:"effective,omitzero"`
	Notes               string       `yaml:"notes,omitempty" json:"notes,omitempty"`
	Unverified          string       `yaml:"unverified,omitempty" json:"unverified,omitempty"`

	// Scheme is the scheme this requirement belongs to; set by the loader.
	Scheme *Scheme `yaml:"-" json:"-"`
	// Facts are the facts that must all hold for the requirement to apply,
	// resolved from Condition by the loader.
	Facts []string `yaml:"-" json:"-"`

	pos pos
}

// Ref returns the catalog-wide reference of the requirement, "scheme:id".
func (r *Requirement) Ref() string { return r.Scheme.ID + ":" + r.ID }

// Conditional reports whether the requirement applies only under a condition.
func (r *Requirement) Conditional() bool { return len(r.Facts) > 0 }

// Tier is a named, cumulative set of outcomes and schemes with the weakest
// evidence each accepts.
type Tier struct {
	Level    int           `yaml:"level" json:"level"`
	Name     string        `yaml:"name" json:"name"`
	Summary  string        `yaml:"summary" json:"summary"`
	Schemes  []string      `yaml:"schemes,omitempty" json:"schemes,omitempty"`
	Outcomes []TierOutcome `yaml:"outcomes" json:"outcomes"`
	// Effective is when the tier took its present form; ReviewBy when the
	// catalog's maintainers have promised to look at it again.
	Effective Date `yaml:"effective" json:"effective"`
	ReviewBy  Date `yaml:"review_by" json:"review_by"`

	pos pos
}

// TierOutcome is one outcome a tier needs, with the weakest evidence accepted and
// the checks that must have been run and passed.
type TierOutcome struct {
	ID       string       `yaml:"id" json:"id"`
	Evidence EvidenceKind `yaml:"evidence" json:"evidence"`
	Checks   []string     `yaml:"checks,omitempty" json:"checks,omitempty"`
	// MinCoverage, when set, is the share (0 to 1) of the product's SBOM
	// components that the passing evidence of Checks must have identified and
	// checked (evidence data "checked" and "not_checked").
	MinCoverage float64 `yaml:"min_coverage,omitempty" json:"min_coverage,omitempty"`
}

// EvidenceRule says what an evidence item of one kind must carry to count as
// that kind. An item that does not meet the rule of its kind counts as a
// declaration, and the assessment reports the demotion as a finding.
type EvidenceRule struct {
	Kind EvidenceKind `yaml:"kind" json:"kind"`
	// SignedBy lists the trust-store roles whose signature the item needs;
	// empty means no signature is needed.
	SignedBy []string `yaml:"signed_by,omitempty" json:"signed_by,omitempty"`
	// Accredited means the signing key must be accredited for the item's
	// check at the time of the observation.
	Accredited bool `yaml:"accredited,omitempty" json:"accredited,omitempty"`
}

// RiskRule says which vulnerability findings in a labelled product's SBOM
// put its label at risk: findings of a kind ("known_exploited" or
// "critical") for labels of at least FromTier.
type RiskRule struct {
	Finding  string `yaml:"finding" json:"finding"`
	FromTier int    `yaml:"from_tier" json:"from_tier"`
}

// Market is a jurisdiction with the schemes that are mandatory to sell there.
type Market struct {
	ID       string       `yaml:"id" json:"id"`
	Name     string       `yaml:"name" json:"name"`
	Includes []string     `yaml:"includes,omitempty" json:"includes,omitempty"`
	Rules    []MarketRule `yaml:"rules,omitempty" json:"rules,omitempty"`
	Notes    string       `yaml:"notes,omitempty" json:"notes,omitempty"`

	pos pos
}

// MarketRule makes a scheme (at a level, for levelled schemes) mandatory in a
// market from a date, optionally only for some product categories.
type MarketRule struct {
	Scheme     string   `yaml:"scheme" json:"scheme"`
	Level      string   `yaml:"level,omitempty" json:"level,omitempty"`
	From       Date     `yaml:"from,omitempty" json:"from,omitzero"`
	Categories []string `yaml:"categories,omitempty" json:"categories,omitempty"`
	Note       string   `yaml:"note,omitempty" json:"note,omitempty"`
	Unverified string   `yaml:"unverified,omitempty" json:"unverified,omitempty"`
}

// Recognition is a mutual-recognition agreement between schemes.
type Recognition struct {
	ID            string   `yaml:"id" json:"id"`
	Title         string   `yaml:"title" json:"title"`
	Signed        Date     `yaml:"signed,omitempty" json:"signed,omitzero"`
	Effective     Date     `yaml:"effective" json:"effective"`
	ScopeExcludes []string `yaml:"scope_excludes,omitempty" json:"scope_excludes,omitempty"`
	Notes         string   `yaml:"notes,omitempty" json:"notes,omitempty"`
	Unverified    string   `yaml:"unverified,omitempty" json:"unverified,omitempty"`
	Grants        []Grant  `yaml:"grants" json:"grants"`

	pos pos
}

// Grant says that a product holding one scheme (at least at a level) earns another.
type Grant struct {
	Holder SchemeLevel `yaml:"holder" json:"holder"`
	Earns  SchemeLevel `yaml:"earns" json:"earns"`
	Note   string      `yaml:"note,omitempty" json:"note,omitempty"`
	// Effective, when set, is when this grant applies, if it differs from
	// the agreement's date (a grant made by law before or after the
	// agreement itself).
	Effective Date `yaml:"effective,omitempty" json:"effective,omitzero"`
	// Source names the instrument the grant rests on.
	Source string `yaml:"source,omitempty" json:"source,omitempty"`
}

// From is the date the grant applies from: its own, else the agreement's.
func (g Grant) From(r *Recognition) Date {
	if !g.Effective.IsZero() {
		return g.Effective
	}
	return r.Effective
}

// SchemeLevel names a scheme and, for levelled schemes, a level.
type SchemeLevel struct {
	Scheme string `yaml:"scheme" json:"scheme"`
	Level  string `yaml:"level,omitempty" json:"level,omitempty"`
}

// String renders "scheme" or "scheme level".
func (s SchemeLevel) String() string {
	if s.Level == "" {
		return s.Scheme
	}
	return s.Scheme + " level " + s.Level
}

// LevelIndex returns the position of level id among the scheme's levels, or -1.
func (s *Scheme) LevelIndex(id string) int {
	return slices.IndexFunc(s.Levels, func(l Level) bool { return l.ID == id })
}

// Requirement returns the scheme's requirement with the given ID, or nil.
func (s *Scheme) Requirement(id string) *Requirement {
	for _, r := range s.Requirements {
		if r.ID == id {
			return r
		}
	}
	return nil
}

// SplitRef splits "scheme:id" into its parts. The requirement ID may itself
// contain colons; the scheme ID never does.
func SplitRef(ref string) (scheme, id string, err error) {
	scheme, id, ok := strings.Cut(ref, ":")
	if !ok || scheme == "" || id == "" {
		return "", "", fmt.Errorf("requirement reference %q is not of the form scheme:id", ref)
	}
	return scheme, id, nil
}
