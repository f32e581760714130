package declaration

import (
	"fmt"
	"sort"
	"strconv"

	"github.com/iotlabel/iotlabel/catalog"
)

// checkConsistency finds statements that contradict each other.
func (d *Declaration) checkConsistency(inv *Invalid) {
	if !d.Product.ReleaseDate.IsZero() && !d.Support.EndDate.After(d.Product.ReleaseDate) {
		d.problem(inv, fmt.Sprintf("support ends on %s, not after the release date %s", d.Support.EndDate, d.Product.ReleaseDate),
			"the end date is the last day of security updates", "support", "end_date")
	}
	u := d.Updates
	if !u.Updatable {
		for name, set := range map[string]bool{"automatic": isTrue(u.Automatic), "signed": isTrue(u.Signed), "notifications": isTrue(u.Notifications)} {
			if set {
				d.problem(inv, fmt.Sprintf("updates.%s is true but updates.updatable is false", name),
					"a product that cannot be updated cannot have this property", "updates", name)
			}
		}
		if u.Delivery != "" && u.Delivery != "none" {
			d.problem(inv, fmt.Sprintf("delivery %q contradicts updatable: false", u.Delivery), `use "none" or set updatable: true`, "updates", "delivery")
		}
	} else if u.Delivery == "none" {
		d.problem(inv, `delivery "none" contradicts updatable: true`, "say how updates arrive: network or local", "updates", "delivery")
	}
	if d.Passwords.DerivedFromIdentifier != nil && d.Passwords.Scheme != PasswordsUnique {
		d.problem(inv, "derived_from_identifier only applies to unique-per-device passwords", "remove it or change passwords.scheme", "passwords", "derived_from_identifier")
	}
	if !d.Data.PersonalData && d.Data.ConsentBasis != nil && *d.Data.ConsentBasis {
		d.problem(inv, "consent_basis is true but personal_data is false", "consent is a basis for processing personal data", "data", "consent_basis")
	}
	if e := d.Ecosystem; e.Standalone && (e.App != nil || len(e.Cloud) > 0) {
		d.problem(inv, "ecosystem.standalone is true but a companion app or cloud service is listed",
			"remove standalone, or the app and cloud entries", "ecosystem", "standalone")
	}
	for i, c := range d.Ecosystem.Cloud {
		if isFalse(c.PersonalData) && c.UserDeletion != nil {
			d.problem(inv, fmt.Sprintf("cloud service %q keeps no personal data, so user_deletion does not apply", c.Name),
				"remove user_deletion, or set personal_data: true", "ecosystem", "cloud", strconv.Itoa(i), "user_deletion")
		}
	}
	for i, c := range d.Certifications {
		if !c.Issued.IsZero() && !c.ValidUntil.IsZero() && !c.ValidUntil.After(c.Issued) {
			d.problem(inv, "valid_until is not after issued", "", "certifications", strconv.Itoa(i), "valid_until")
		}
	}
}

// Check validates the declaration against a catalog: markets, category, check
// IDs, certification schemes and levels, and answer keys must all exist there,
// and n/a may only answer conditional requirements. It returns nil or an *Invalid.
func (d *Declaration) Check(c *catalog.Catalog) error {
	inv := &Invalid{File: d.File}
	var markets []string
	for _, m := range c.Markets {
		markets = append(markets, m.ID)
	}
	for i, m := range d.Markets {
		if c.Market(m) == nil {
			d.problem(inv, fmt.Sprintf("market %q is not in catalog %s", m, c.Version), didYouMean(m, markets), "markets", strconv.Itoa(i))
		}
	}
	if !c.HasCategory(d.Product.Category) {
		d.problem(inv, fmt.Sprintf("category %q is not in catalog %s", d.Product.Category, c.Version), "", "product", "category")
	}
	var checks []string
	for _, k := range c.Checks {
		checks = append(checks, k.ID)
	}
	for i, k := range d.Product.Checks {
		if ck := c.Check(k); ck == nil || ck.Kind == catalog.Declared {
			d.problem(inv, fmt.Sprintf("%q is not a tool or lab check", k), didYouMean(k, checks), "product", "checks", strconv.Itoa(i))
		}
	}
	var schemes []string
	for _, s := range c.Schemes {
		schemes = append(schemes, s.ID)
	}
	for i, cert := range d.Certifications {
		s := c.Scheme(cert.Scheme)
		switch {
		case s == nil:
			d.problem(inv, fmt.Sprintf("scheme %q is not in the catalog", cert.Scheme), didYouMean(cert.Scheme, schemes), "certifications", strconv.Itoa(i), "scheme")
		case len(s.Levels) > 0 && s.LevelIndex(cert.Level) < 0:
			d.problem(inv, fmt.Sprintf("%s has no level %q", s.ID, cert.Level), fmt.Sprintf("levels are %s", levelList(s)), "certifications", strconv.Itoa(i), "level")
		case len(s.Levels) == 0 && cert.Level != "":
			d.problem(inv, fmt.Sprintf("%s has no levels", s.ID), "remove level", "certifications", strconv.Itoa(i), "level")
		}
	}
	keys := make([]string, 0, len(d.Answers))
	for k := range d.Answers {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		a := d.Answers[k]
		r := c.Requirement(AnswerKey(k))
		if r == nil {
			hint := "keys are EN 303 645 provision IDs such as 5.1-4, or scheme:id such as eu-cra:I(2)(a)"
			if s := closestRequirement(c, k); s != "" {
				hint = fmt.Sprintf("did you mean %q?", s)
			}
			d.problem(inv, fmt.Sprintf("%q is not a requirement in catalog %s", k, c.Version), hint, "answers", k)
			continue
		}
		if a.Support == NA && !r.Conditional() {
			d.problem(inv, fmt.Sprintf("%s applies unconditionally, so it cannot be n/a", r.Ref()),
				"answer yes or no; explain a no in detail", "answers", k, "support")
		}
	}
	if len(inv.Problems) == 0 {
		return nil
	}
	inv.sort()
	return inv
}

func closestRequirement(c *catalog.Catalog, key string) string {
	var refs []string
	for _, r := range c.Requirements() {
		if r.Scheme.ID == "etsi-en-303-645" {
			refs = append(refs, r.ID)
		} else {
			refs = append(refs, r.Ref())
		}
	}
	return catalog.Closest(key, refs)
}

func didYouMean(s string, known []string) string {
	if c := catalog.Closest(s, known); c != "" {
		return fmt.Sprintf("did you mean %q?", c)
	}
	return ""
}

func levelList(s *catalog.Scheme) string {
	out := ""
	for i, l := range s.Levels {
		if i > 0 {
			out += ", "
		}
		out += l.ID
	}
	return out
}

func isTrue(b *bool) bool  { return b != nil && *b }
func isFalse(b *bool) bool { return b != nil && !*b }
