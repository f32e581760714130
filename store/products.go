package store

import "time"

// Org is an organisation: a manufacturer, a test lab or a scheme owner.
// API tokens act for an organisation by its name.
type Org struct {
	ID      string    `json:"id"`
	Name    string    `json:"name"`
	Kind    string    `json:"kind"`
	Created time.Time `json:"created"`
}

// Product is a product model of a manufacturer's.
type Product struct {
	ID           string    `json:"id"`
	OrgID        string    `json:"org_id"`
	Manufacturer string    `json:"manufacturer"`
	Model        string    `json:"model"`
	Name         string    `json:"name"`
	Created      time.Time `json:"created"`
}

// Declaration is one version of a product's declaration with its evidence
// and the assessment the registry computed from them.
type Declaration struct {
	ProductID   string    `json:"product_id"`
	Version     int       `json:"version"`
	Digest      string    `json:"assessment_digest"`
	Tier        int       `json:"tier"`
	By          string    `json:"submitted_by"`
	Created     time.Time `json:"created"`
	Declaration []byte    `json:"-"`
	Evidence    []byte    `json:"-"`
	Assessment  []byte    `json:"-"`
	// Parsed is the declaration as declaration.Stored wrote it when the
	// version was submitted, or empty for versions stored before it was kept.
	Parsed []byte `json:"-"`
}
