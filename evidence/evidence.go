package evidence

import (
	"time"

	"github.com/iotlabel/iotlabel/catalog"
)

// Results of a check.
const (
	// Pass means the check ran and the weakness is absent.
	Pass = "pass"
	// Fail means the weakness is present.
	Fail = "fail"
	// Error means the check could not decide.
	Error = "error"
	// Info records an observation that is neither good nor bad.
	Info = "info"
)

// Item is one piece of evidence.
type Item struct {
	// ID identifies the item; when empty, [Item.Ref] derives one from its content.
	ID string `json:"id,omitempty"`
	// Kind is declared, tool or lab.
	Kind catalog.EvidenceKind `json:"kind"`
	// Source is the tool (and version) or the signer that produced the item.
	Source Source `json:"source"`
	// Time is when the observation was made.
	Time time.Time `json:"time"`
	// Subject is what was observed.
	Subject Subject `json:"subject"`
	// Check is the catalog check ID, e.g. default-credentials.
	Check string `json:"check"`
	// Result is pass, fail, error or info.
	Result string `json:"result"`
	// Target is the network endpoint checked ("ip:port"), for probe evidence;
	// the same as Subject.Target.
	Target string `json:"target,omitempty"`
	// Protocol is the network protocol checked, for probe evidence.
	Protocol string `json:"protocol,omitempty"`
	// Username is the account a credential check logged in with.
	Username string `json:"username,omitempty"`
	// PasswordHint is a masked form of the password that worked, or the
	// password itself when the prober was asked to reveal it.
	PasswordHint string `json:"password_hint,omitempty"`
	// Detail explains the result in one sentence.
	Detail string `json:"detail"`
	// Data holds check-specific structured details.
	Data map[string]any `json:"data,omitempty"`
	// TranscriptDigest is "sha256:<hex>" of the raw transcript, if one was kept.
	TranscriptDigest string `json:"transcript_digest,omitempty"`
	// Attestation is who signed the item, set only by verifying a signed
	// attestation (package attest); it is never read from the item's JSON,
	// so a line cannot claim to be signed.
	Attestation *Attestation `json:"-"`
}

// Attestation records the verified signer of an evidence item.
type Attestation struct {
	// KeyID is the signing key's ID (as labels name issuers).
	KeyID string
	// Holder and Role are the key's trust-store entry, "" when the key is
	// not in the trust store.
	Holder, Role string
	// Accredited means the trust store accredits the key for the item's
	// check at the item's time; Reason says why not, when it does not.
	Accredited bool
	Reason     string
	// Envelope is "sha256:<hex>" of the DSSE envelope the item came in.
	Envelope string
}

// Source names who or what produced an item.
type Source struct {
	Tool    string `json:"tool,omitempty"`
	Version string `json:"version,omitempty"`
	Signer  string `json:"signer,omitempty"`
}

// String renders "tool version" or the signer.
func (s Source) String() string {
	switch {
	case s.Tool != "" && s.Version != "":
		return s.Tool + " " + s.Version
	case s.Tool != "":
		return s.Tool
	}
	return s.Signer
}

// Subject is the product, firmware and endpoint an item is about.
type Subject struct {
	Product  string `json:"product,omitempty"`
	Firmware string `json:"firmware,omitempty"`
	Target   string `json:"target,omitempty"`
}
