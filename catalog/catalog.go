package catalog

// Catalog is a loaded, validated catalog. It is read-only after loading.
type Catalog struct {
	Version      string         `json:"version"`
	Title        string         `json:"title"`
	Facts        []Fact         `json:"facts"`
	Categories   []Category     `json:"categories"`
	Outcomes     []*Outcome     `json:"outcomes"`
	Checks       []*Check       `json:"checks"`
	Schemes      []*Scheme      `json:"schemes"`
	Tiers        []*Tier        `json:"tiers"`
	Markets      []*Market      `json:"markets"`
	Recognitions []*Recognition `json:"recognitions"`
	// EvidenceRules say what an evidence item needs to count as its kind.
	EvidenceRules []EvidenceRule `json:"evidence_rules,omitempty"`
	// AtRisk says which SBOM findings put a published label at risk.
	AtRisk []RiskRule `json:"at_risk,omitempty"`

	outcomes     map[string]*Outcome
	checks       map[string]*Check
	schemes      map[string]*Scheme
	requirements map[string]*Requirement
	markets      map[string]*Market
	facts        map[string]bool
	categories   map[string]bool
}

// Outcome returns the outcome with the given ID, or nil.
func (c *Catalog) Outcome(id string) *Outcome { return c.outcomes[id] }

// Check returns the check with the given ID, or nil.
func (c *Catalog) Check(id string) *Check { return c.checks[id] }

// Scheme returns the scheme with the given ID, or nil.
func (c *Catalog) Scheme(id string) *Scheme { return c.schemes[id] }

// Market returns the market with the given ID, or nil.
func (c *Catalog) Market(id string) *Market { return c.markets[id] }

// EvidenceRule returns the rule for evidence of kind k, or nil (no rule:
// the kind counts as written).
func (c *Catalog) EvidenceRule(k EvidenceKind) *EvidenceRule {
	for i := range c.EvidenceRules {
		if c.EvidenceRules[i].Kind == k {
			return &c.EvidenceRules[i]
		}
	}
	return nil
}

// Recognition returns the recognition agreement with the given ID, or nil.
func (c *Catalog) Recognition(id string) *Recognition {
	for _, r := range c.Recognitions {
		if r.ID == id {
			return r
		}
	}
	return nil
}

// Requirement returns the requirement for a "scheme:id" reference, or nil.
func (c *Catalog) Requirement(ref string) *Requirement { return c.requirements[ref] }

// HasFact reports whether id is a fact the catalog defines.
func (c *Catalog) HasFact(id string) bool { return c.facts[id] }

// HasCategory reports whether id is a product category the catalog defines.
func (c *Catalog) HasCategory(id string) bool { return c.categories[id] }

// Requirements returns every requirement of every scheme, in scheme order.
func (c *Catalog) Requirements() []*Requirement {
	var all []*Requirement
	for _, s := range c.Schemes {
		all = append(all, s.Requirements...)
	}
	return all
}

// MappedRequirements returns the requirements that map directly to outcome id.
func (c *Catalog) MappedRequirements(outcome string) []*Requirement {
	var out []*Requirement
	for _, r := range c.Requirements() {
		for _, o := range r.Outcomes {
			if o == outcome {
				out = append(out, r)
				break
			}
		}
	}
	return out
}

// MarketRules returns the rules of market id including those of the markets it
// includes, so "DE" yields the EU rules.
func (c *Catalog) MarketRules(id string) []MarketRule {
	m := c.markets[id]
	if m == nil {
		return nil
	}
	var rules []MarketRule
	for _, inc := range m.Includes {
		rules = append(rules, c.MarketRules(inc)...)
	}
	return append(rules, m.Rules...)
}
