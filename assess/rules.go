package assess

import (
	"fmt"

	"github.com/iotlabel/iotlabel/catalog"
	"github.com/iotlabel/iotlabel/declaration"
)

// ruleResult is what a declaration rule concludes. An empty result means the
// declaration says nothing either way.
type ruleResult struct {
	result string // evidence.Pass, evidence.Fail or ""
	detail string
	fields []string
}

type rule func(d *declaration.Declaration, asOf catalog.Date) ruleResult

// rules implements the catalog's declaration checks, by check ID.
var rules = map[string]rule{
	"declared-password-scheme":      rulePasswords,
	"declared-disclosure-policy":    ruleDisclosure,
	"declared-support-period":       ruleSupport,
	"declared-update-mechanism":     ruleUpdates,
	"declared-automatic-updates":    ruleAutomaticUpdates,
	"declared-sensors":              ruleSensors,
	"declared-sbom":                 ruleSBOM,
	"declared-compliance-statement": ruleCompliance,
	"declared-cra-support-length":   ruleCRASupportLength,
}

func pass(detail string, fields ...string) ruleResult { return ruleResult{"pass", detail, fields} }
func fail(detail string, fields ...string) ruleResult { return ruleResult{"fail", detail, fields} }
func silent() ruleResult                              { return ruleResult{} }

func rulePasswords(d *declaration.Declaration, _ catalog.Date) ruleResult {
	p := d.Passwords
	switch p.Scheme {
	case declaration.PasswordsUniversal:
		return fail("the declaration says every unit ships with the same default password", "passwords.scheme")
	case declaration.PasswordsUnique:
		if p.DerivedFromIdentifier != nil && *p.DerivedFromIdentifier {
			return fail("unique passwords are derived from a device identifier, so they can be guessed", "passwords.scheme", "passwords.derived_from_identifier")
		}
		return pass("each unit gets its own password, not derived from an identifier", "passwords.scheme", "passwords.derived_from_identifier")
	case declaration.PasswordsUser:
		return pass("the user sets the password at setup", "passwords.scheme")
	}
	return pass("the product uses no passwords", "passwords.scheme")
}

func ruleDisclosure(d *declaration.Declaration, _ catalog.Date) ruleResult {
	x := d.Disclosure
	var missing []string
	if x.AcknowledgementDays == nil {
		missing = append(missing, "an acknowledgement timescale (disclosure.acknowledgement_days)")
	}
	if x.StatusUpdateDays == nil {
		missing = append(missing, "a status-update timescale (disclosure.status_update_days)")
	}
	if len(missing) > 0 {
		return fail(fmt.Sprintf("a reporting contact is published but not %s", joinAnd(missing)), "disclosure")
	}
	return pass(fmt.Sprintf("reports go to %s, acknowledged within %d days, status updates every %d days",
		x.Contact, *x.AcknowledgementDays, *x.StatusUpdateDays), "disclosure.contact", "disclosure.acknowledgement_days", "disclosure.status_update_days")
}

func ruleSupport(d *declaration.Declaration, _ catalog.Date) ruleResult {
	if d.Support.PublishedAt == "" {
		return fail(fmt.Sprintf("support ends %s but the period is not published (no support.published_at)", d.Support.EndDate), "support")
	}
	return pass(fmt.Sprintf("security updates until %s, published at %s", d.Support.EndDate, d.Support.PublishedAt), "support.end_date", "support.published_at")
}

func ruleUpdates(d *declaration.Declaration, _ catalog.Date) ruleResult {
	u := d.Updates
	switch {
	case !u.Updatable && d.Product.Constrained:
		return silent() // EN 303 645 accepts non-updateable constrained devices (5.3-14, 5.3-15)
	case !u.Updatable:
		return fail("the software cannot be updated, although the device is not constrained", "updates.updatable", "product.constrained")
	case u.Signed == nil:
		return silent()
	case !*u.Signed:
		return fail("updates are not signed, so the device cannot tell genuine updates from forged ones", "updates.signed")
	}
	return pass("updates are signed and verified on the device", "updates.signed")
}

func ruleAutomaticUpdates(d *declaration.Declaration, _ catalog.Date) ruleResult {
	u := d.Updates
	if !u.Updatable || u.Automatic == nil {
		return silent()
	}
	if !*u.Automatic {
		return fail("updates are not installed automatically", "updates.automatic")
	}
	if u.EnabledByDefault == nil || !*u.EnabledByDefault {
		return fail("automatic updates exist but are not switched on by default", "updates.enabled_by_default")
	}
	return pass("automatic updates are on by default", "updates.automatic", "updates.enabled_by_default")
}

func ruleSensors(d *declaration.Declaration, _ catalog.Date) ruleResult {
	x := d.Data
	if !x.PersonalData && len(x.Sensors) == 0 {
		return pass("no personal data and no sensors are declared", "data.personal_data", "data.sensors")
	}
	if x.PrivacyNoticeURL == "" {
		return fail("personal data or sensors are declared but no privacy notice is published (data.privacy_notice_url)", "data")
	}
	return pass(fmt.Sprintf("sensors %v and personal-data use are documented at %s", x.Sensors, x.PrivacyNoticeURL), "data.sensors", "data.privacy_notice_url")
}

func ruleSBOM(d *declaration.Declaration, _ catalog.Date) ruleResult {
	switch {
	case d.SBOM == nil:
		return silent()
	case d.SBOM.Provided:
		return pass("the manufacturer declares an SBOM", "sbom.provided")
	}
	return fail("the manufacturer declares it keeps no SBOM", "sbom.provided")
}

func ruleCompliance(d *declaration.Declaration, _ catalog.Date) ruleResult {
	if d.Compliance.StatementURL == "" {
		return silent()
	}
	return pass("a statement of compliance is published at "+d.Compliance.StatementURL, "compliance.statement_url")
}

func ruleCRASupportLength(d *declaration.Declaration, _ catalog.Date) ruleResult {
	rel := d.Product.ReleaseDate
	if rel.IsZero() {
		return silent()
	}
	if d.Support.EndDate.Before(rel.AddYears(5)) {
		return fail(fmt.Sprintf("support runs from %s to %s, less than five years", rel, d.Support.EndDate), "product.release_date", "support.end_date")
	}
	return pass(fmt.Sprintf("support runs from %s to %s, at least five years", rel, d.Support.EndDate), "product.release_date", "support.end_date")
}

func joinAnd(s []string) string {
	switch len(s) {
	case 0:
		return ""
	case 1:
		return s[0]
	}
	out := s[0]
	for _, x := range s[1 : len(s)-1] {
		out += ", " + x
	}
	return out + " and " + s[len(s)-1]
}
