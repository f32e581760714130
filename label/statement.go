package label

import (
	"crypto/sha256"
	"encoding/base32"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/iotlabel/iotlabel/assess"
	"github.com/iotlabel/iotlabel/catalog"
)

// Types of the signed statement.
const (
	StatementType = "https://in-toto.io/Statement/v1"
	PredicateType = "https://github.com/iotlabel/iotlabel/label/v1"
	// PayloadType is the DSSE payload type of an in-toto statement.
	PayloadType = "application/vnd.in-toto+json"
)

// Statement is an in-toto Statement v1 carrying a label predicate.
type Statement struct {
	Type          string    `json:"_type"`
	Subject       []Subject `json:"subject"`
	PredicateType string    `json:"predicateType"`
	Predicate     Predicate `json:"predicate"`
}

// Subject names what the label is about: one product model at one firmware
// version. Its digest is the SHA-256 of the firmware image when one was
// analysed (and named in signed evidence); otherwise the SHA-256 of the name,
// which binds the product identity but no file.
type Subject struct {
	Name   string            `json:"name"`
	Digest map[string]string `json:"digest"`
}

// Predicate is the label itself.
type Predicate struct {
	LabelID          string         `json:"label_id"`
	Manufacturer     string         `json:"manufacturer"`
	Product          string         `json:"product"`
	Model            string         `json:"model"`
	FirmwareVersions []string       `json:"firmware_versions"`
	Tier             int            `json:"tier"`
	TierName         string         `json:"tier_name"`
	Schemes          []SchemeMet    `json:"schemes"`
	Markets          []string       `json:"markets"`
	SupportEnd       catalog.Date   `json:"support_end_date"`
	Outcomes         map[string]int `json:"outcomes"`
	CatalogVersion   string         `json:"catalog_version"`
	AssessmentDigest string         `json:"assessment_digest"`
	AssessedAsOf     catalog.Date   `json:"assessed_as_of"`
	// Inputs name the digests of what the assessment was computed from, so
	// that anyone holding them can recompute it and get the same digest.
	Inputs      Inputs    `json:"inputs"`
	Issuer      Issuer    `json:"issuer"`
	Issued      time.Time `json:"issued"`
	Expires     time.Time `json:"expires"`
	RegistryURL string    `json:"registry_url,omitempty"`
	// What the owner should know, as the manufacturer declared it.
	PersonalData         bool     `json:"personal_data,omitempty"`
	Telemetry            bool     `json:"telemetry,omitempty"`
	Sensors              []string `json:"sensors,omitempty"`
	PrivacyNoticeURL     string   `json:"privacy_notice_url,omitempty"`
	VulnerabilityContact string   `json:"vulnerability_contact,omitempty"`
	// Ecosystem is the companion app and cloud services, a line each.
	Ecosystem []string `json:"ecosystem,omitempty"`
}

// Inputs are the SHA-256 digests ("sha256:<hex>") of an assessment's inputs:
// the declaration file and each evidence file (JSONL or signed attestation).
type Inputs struct {
	Declaration string   `json:"declaration"`
	Evidence    []string `json:"evidence"`
}

// SchemeMet is a scheme the assessment found met, at its highest level.
type SchemeMet struct {
	ID    string `json:"id"`
	Level string `json:"level,omitempty"`
}

// Issuer names who signed the label.
type Issuer struct {
	Name  string `json:"name"`
	KeyID string `json:"key_id"`
}

// Options are the issuer's choices for one label.
type Options struct {
	Issuer      string
	KeyID       string
	RegistryURL string
	Now         time.Time
	// ValidUntil shortens the label's validity; zero means the support end
	// date, capped at MaxValidity after issue.
	ValidUntil catalog.Date
	// Inputs are the digests of the assessment's inputs.
	Inputs Inputs
	// Images maps a firmware version to the SHA-256 (hex) of its image, when
	// an image was analysed; that version's subject digest is then the
	// image's rather than the hash of the subject's name.
	Images map[string]string
}

// MaxValidity is the longest a label is valid: three years, the longest any
// scheme in the catalog grants (Singapore CLS).
const MaxValidity = 3

// Errors that stop a label from being issued.
var (
	ErrDigest     = errors.New("the assessment's digest does not match its content")
	ErrNoTier     = errors.New("the product does not reach Tier 1")
	ErrSupportEnd = errors.New("support has ended")
)

// NewStatement builds the label statement from a verified assessment. It
// refuses an assessment whose digest does not verify, a product below Tier 1,
// a product whose support has ended, and a validity beyond the support end.
func NewStatement(a *assess.Assessment, opt Options) (*Statement, error) {
	if !assess.VerifyDigest(a) {
		return nil, ErrDigest
	}
	if a.Tier < 1 {
		return nil, fmt.Errorf("%w (tier %d); no label is issued", ErrNoTier, a.Tier)
	}
	today := catalog.DateOf(opt.Now)
	if a.Support.EndDate.Before(today) {
		return nil, fmt.Errorf("%w on %s", ErrSupportEnd, a.Support.EndDate)
	}
	expires := a.Support.EndDate
	if limit := today.AddYears(MaxValidity); limit.Before(expires) {
		expires = limit
	}
	if !opt.ValidUntil.IsZero() {
		if opt.ValidUntil.After(a.Support.EndDate) {
			return nil, fmt.Errorf("--valid-until %s is after the end of support (%s); a label cannot outlive the support period", opt.ValidUntil, a.Support.EndDate)
		}
		if opt.ValidUntil.Before(expires) {
			expires = opt.ValidUntil
		}
	}
	p := Predicate{
		Manufacturer: a.Product.Manufacturer, Product: a.Product.Name, Model: a.Product.Model,
		FirmwareVersions: a.Product.FirmwareVersions, Tier: a.Tier, TierName: a.TierName,
		SupportEnd: a.Support.EndDate, Outcomes: map[string]int{}, CatalogVersion: a.CatalogVersion,
		AssessmentDigest: a.Digest, AssessedAsOf: a.AsOf, Inputs: opt.Inputs, Issuer: Issuer{Name: opt.Issuer, KeyID: opt.KeyID},
		Issued: opt.Now.UTC().Truncate(time.Second), Expires: expires.Time().Add(24*time.Hour - time.Second),
		RegistryURL: strings.TrimRight(opt.RegistryURL, "/"), Schemes: []SchemeMet{}, Markets: []string{},
		PersonalData: a.Product.PersonalData, Telemetry: a.Product.Telemetry, Sensors: a.Product.Sensors,
		PrivacyNoticeURL: a.Product.PrivacyNoticeURL, VulnerabilityContact: a.Product.VulnerabilityContact,
		Ecosystem: a.Product.Ecosystem,
	}
	for _, s := range a.Schemes {
		if s.Met {
			p.Schemes = append(p.Schemes, SchemeMet{ID: s.ID, Level: s.Level})
		}
	}
	for _, m := range a.Markets {
		if m.Targeted && m.Allowed {
			p.Markets = append(p.Markets, m.ID)
		}
	}
	for _, o := range a.Outcomes {
		p.Outcomes[string(o.Verdict)]++
	}
	if p.Inputs.Evidence == nil {
		p.Inputs.Evidence = []string{}
	}
	p.LabelID = labelID(a.Digest, opt.KeyID, p.Issued)
	st := &Statement{Type: StatementType, PredicateType: PredicateType, Predicate: p}
	for _, fw := range a.Product.FirmwareVersions {
		name := fmt.Sprintf("iotlabel:product/%s/%s@%s", a.Product.Manufacturer, a.Product.Model, fw)
		d := opt.Images[fw]
		if d == "" {
			sum := sha256.Sum256([]byte(name))
			d = hex.EncodeToString(sum[:])
		}
		st.Subject = append(st.Subject, Subject{Name: name, Digest: map[string]string{"sha256": d}})
	}
	return st, nil
}

// labelID derives a short, unambiguous label ID from what makes the label
// unique: the assessment, the signing key and the time of issue.
func labelID(digest, keyID string, issued time.Time) string {
	sum := sha256.Sum256([]byte(digest + "|" + keyID + "|" + issued.Format(time.RFC3339)))
	enc := base32.NewEncoding("0123456789ABCDEFGHJKMNPQRSTVWXYZ").WithPadding(base32.NoPadding)
	return "IL-" + enc.EncodeToString(sum[:])[:12]
}
