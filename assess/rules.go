package assess

import (
	"strconv"
	"strings"

	"github.com/iotlabel/iotlabel/catalog"
	"github.com/iotlabel/iotlabel/declaration"
)

// ruleResult is what a declaration rule concludes. An empty result means the
// declaration says nothing either way.
type ruleResult struct {
	result string // evidence.Pass, evidence.Fail, evidence.Error (the facts are missing) or ""
	detail string
	refs   []string // "declaration:" and the fields it rests on
}

type rule func(d *declaration.Declaration, asOf catalog.Date) ruleResult

// rules implements the catalog's declaration checks, by check ID.
var rules = map[string]rule{
	"declared-password-scheme":      rulePasswords,
	"declared-disclosure-policy":    ruleDisclosure,
	"declared-support-period":       ruleSupport,
	"declared-update-mechanism":     ruleUpdates,
	"declared-automatic-updates":    ruleAutomaticUpdates,
	"declared-update-method":        ruleUpdateMethod,
	"declared-sensors":              ruleSensors,
	"declared-sbom":                 ruleSBOM,
	"declared-compliance-statement": ruleCompliance,
	"declared-cra-support-length":   ruleCRASupportLength,
	"declared-service-encryption":   ruleServiceEncryption,
	"declared-app-authentication":   ruleAppAuthentication,
	"declared-service-deletion":     ruleServiceDeletion,
}

func pass(detail string, refs ...string) ruleResult { return ruleResult{"pass", detail, refs} }
func fail(detail string, refs ...string) ruleResult { return ruleResult{"fail", detail, refs} }
func silent() ruleResult                            { return ruleResult{} }

func rulePasswords(d *declaration.Declaration, _ catalog.Date) ruleResult {
	p := d.Passwords
	switch p.Scheme {
	case declaration.PasswordsUniversal:
		return fail("the declaration says every unit ships with the same default password", "declaration:passwords.scheme")
	case declaration.PasswordsUnique:
		if p.DerivedFromIdentifier != nil && *p.DerivedFromIdentifier {
			return fail("unique passwords are derived from a device identifier, so they can be guessed", "declaration:passwords.scheme", "declaration:passwords.derived_from_identifier")
		}
		return pass("each unit gets its own password, not derived from an identifier", "declaration:passwords.scheme", "declaration:passwords.derived_from_identifier")
	case declaration.PasswordsUser:
		return pass("the user sets the password at setup", "declaration:passwords.scheme")
	}
	return pass("the product uses no passwords", "declaration:passwords.scheme")
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
		return fail("a reporting contact is published but not "+joinAnd(missing), "declaration:disclosure")
	}
	return pass("reports go to "+x.Contact+", acknowledged within "+strconv.Itoa(*x.AcknowledgementDays)+
		" days, status updates every "+strconv.Itoa(*x.StatusUpdateDays)+" days", "declaration:disclosure.contact", "declaration:disclosure.acknowledgement_days", "declaration:disclosure.status_update_days")
}

func ruleSupport(d *declaration.Declaration, _ catalog.Date) ruleResult {
	if d.Support.PublishedAt == "" {
		return fail("support ends "+d.Support.EndDate.String()+" but the period is not published (no support.published_at)", "declaration:support")
	}
	return pass("security updates until "+d.Support.EndDate.String()+", published at "+d.Support.PublishedAt, "declaration:support.end_date", "declaration:support.published_at")
}

func ruleUpdates(d *declaration.Declaration, _ catalog.Date) ruleResult {
	u := d.Updates
	switch {
	case !u.Updatable && d.Product.Constrained:
		return silent() // EN 303 645 accepts non-updateable constrained devices (5.3-14, 5.3-15)
	case !u.Updatable:
		return fail("the software cannot be updated, although the device is not constrained", "declaration:updates.updatable", "declaration:product.constrained")
	case u.Signed == nil:
		return silent()
	case !*u.Signed:
		return fail("updates are not signed, so the device cannot tell genuine updates from forged ones", "declaration:updates.signed")
	}
	return pass("updates are signed and verified on the device", "declaration:updates.signed")
}

func ruleAutomaticUpdates(d *declaration.Declaration, _ catalog.Date) ruleResult {
	u := d.Updates
	if !u.Updatable || u.Automatic == nil {
		return silent()
	}
	if !*u.Automatic {
		return fail("updates are not installed automatically", "declaration:updates.automatic")
	}
	if u.EnabledByDefault == nil || !*u.EnabledByDefault {
		return fail("automatic updates exist but are not switched on by default", "declaration:updates.enabled_by_default")
	}
	return pass("automatic updates are on by default", "declaration:updates.automatic", "declaration:updates.enabled_by_default")
}

// ruleUpdateMethod: a disclosure duty (the Cyber Trust Mark's registry says
// whether updates are automatic) is met by saying it, whichever the answer.
func ruleUpdateMethod(d *declaration.Declaration, _ catalog.Date) ruleResult {
	u := d.Updates
	switch {
	case !u.Updatable:
		return pass("the declaration says the product cannot be updated", "declaration:updates.updatable")
	case u.Automatic == nil:
		return fail("the declaration does not say whether updates install automatically (updates.automatic)", "declaration:updates.automatic")
	case *u.Automatic:
		return pass("the declaration says updates install automatically", "declaration:updates.automatic")
	}
	return pass("the declaration says updates do not install automatically, which buyers can be told", "declaration:updates.automatic")
}

func ruleSensors(d *declaration.Declaration, _ catalog.Date) ruleResult {
	x := d.Data
	if !x.PersonalData && len(x.Sensors) == 0 {
		return pass("no personal data and no sensors are declared", "declaration:data.personal_data", "declaration:data.sensors")
	}
	if x.PrivacyNoticeURL == "" {
		return fail("personal data or sensors are declared but no privacy notice is published (data.privacy_notice_url)", "declaration:data")
	}
	return pass("sensors ["+strings.Join(x.Sensors, " ")+"] and personal-data use are documented at "+x.PrivacyNoticeURL, "declaration:data.sensors", "declaration:data.privacy_notice_url")
}

func ruleSBOM(d *declaration.Declaration, _ catalog.Date) ruleResult {
	switch {
	case d.SBOM == nil:
		return silent()
	case d.SBOM.Provided:
		return pass("the manufacturer declares an SBOM", "declaration:sbom.provided")
	}
	return fail("the manufacturer declares it keeps no SBOM", "declaration:sbom.provided")
}

func ruleCompliance(d *declaration.Declaration, _ catalog.Date) ruleResult {
	if d.Compliance.StatementURL == "" {
		return silent()
	}
	return pass("a statement of compliance is published at "+d.Compliance.StatementURL, "declaration:compliance.statement_url")
}

func ruleCRASupportLength(d *declaration.Declaration, _ catalog.Date) ruleResult {
	rel := d.Product.ReleaseDate
	if rel.IsZero() {
		return silent()
	}
	if d.Support.EndDate.Before(rel.AddYears(5)) {
		return fail("support runs from "+rel.String()+" to "+d.Support.EndDate.String()+", less than five years", "declaration:product.release_date", "declaration:support.end_date")
	}
	return pass("support runs from "+rel.String()+" to "+d.Support.EndDate.String()+", at least five years", "declaration:product.release_date", "declaration:support.end_date")
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
