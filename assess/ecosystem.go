package assess

import (
	"slices"
	"strconv"
	"strings"

	"github.com/iotlabel/iotlabel/catalog"
	"github.com/iotlabel/iotlabel/declaration"
	"github.com/iotlabel/iotlabel/evidence"
)

// Rules over the declaration's ecosystem block: the companion app and the cloud
// services are part of the product. They are decisive checks in the catalog:
// when the declaration leaves the ecosystem out they return an error result,
// and what they settle stays unknown.

// undecided is an error result: the declaration does not give the facts.
func undecided(detail string, refs ...string) ruleResult {
	return ruleResult{evidence.Error, detail, refs}
}

const noEcosystem = "the declaration does not say which companion app and cloud services the product uses; " +
	"list them under ecosystem (app, cloud) or declare ecosystem.standalone: true"

// ruleServiceEncryption: every connection of the app and of each cloud service
// is declared encrypted.
func ruleServiceEncryption(d *declaration.Declaration, _ catalog.Date) ruleResult {
	e := d.Ecosystem
	switch {
	case !e.Declared():
		return undecided(noEcosystem, "declaration:ecosystem")
	case e.Standalone:
		return pass("no companion app or cloud service: no data is sent to associated services (declared standalone)", "declaration:ecosystem.standalone")
	}
	var plain, unsaid, names, refs []string
	look := func(name string, enc *bool, ref string) {
		refs = append(refs, ref)
		switch {
		case enc == nil:
			unsaid = append(unsaid, name+" ("+strings.TrimPrefix(ref, "declaration:")+")")
		case !*enc:
			plain = append(plain, name)
		default:
			names = append(names, name)
		}
	}
	if e.App != nil {
		look("app "+q(e.App.Name), e.App.EncryptedInTransit, "declaration:ecosystem.app.encrypted_in_transit")
	}
	for i, c := range e.Cloud {
		look("cloud service "+q(c.Name), c.EncryptedInTransit, "declaration:ecosystem.cloud."+strconv.Itoa(i)+".encrypted_in_transit")
	}
	switch {
	case len(plain) > 0:
		return fail("declared unencrypted in transit: "+strings.Join(plain, ", "), refs...)
	case len(unsaid) > 0:
		return undecided("the declaration does not say whether traffic is encrypted for "+strings.Join(unsaid, ", "), refs...)
	}
	return pass("declared encrypted in transit: "+strings.Join(names, ", "), refs...)
}

// ruleAppAuthentication: the companion app acts only for a signed-in or
// paired user. Products without an app have nothing to settle.
func ruleAppAuthentication(d *declaration.Declaration, _ catalog.Date) ruleResult {
	e := d.Ecosystem
	switch {
	case !e.Declared():
		return undecided(noEcosystem, "declaration:ecosystem")
	case e.App == nil:
		return pass("no companion app controls the product", "declaration:ecosystem")
	}
	ref := "declaration:ecosystem.app.authenticated"
	switch a := e.App.Authenticated; {
	case a == nil:
		return undecided("the declaration does not say whether app "+q(e.App.Name)+" needs the user to sign in or pair (ecosystem.app.authenticated)", ref)
	case !*a:
		return fail("app "+q(e.App.Name)+" controls the product without the user signing in or pairing", ref)
	}
	return pass("app "+q(e.App.Name)+" controls the product only for a signed-in or paired user", ref)
}

// ruleServiceDeletion: each cloud service that keeps personal data lets the
// user delete it.
func ruleServiceDeletion(d *declaration.Declaration, _ catalog.Date) ruleResult {
	e := d.Ecosystem
	switch {
	case !e.Declared():
		return undecided(noEcosystem, "declaration:ecosystem")
	case len(e.Cloud) == 0:
		return pass("no cloud service keeps the user's data", "declaration:ecosystem")
	}
	var kept, unsaid, refs []string
	holders := 0
	for i, c := range e.Cloud {
		field := "ecosystem.cloud." + strconv.Itoa(i) + ".user_deletion"
		if c.PersonalData == nil || !*c.PersonalData {
			field = "ecosystem.cloud." + strconv.Itoa(i) + ".personal_data"
		} else {
			holders++
		}
		refs = append(refs, "declaration:"+field)
		switch {
		case c.PersonalData == nil, *c.PersonalData && c.UserDeletion == nil:
			unsaid = append(unsaid, q(c.Name)+" ("+field+")")
		case *c.PersonalData && !*c.UserDeletion:
			kept = append(kept, q(c.Name))
		}
	}
	switch {
	case len(kept) > 0:
		return fail("personal data kept by cloud service "+strings.Join(kept, ", ")+" cannot be deleted by the user", refs...)
	case len(unsaid) > 0:
		return undecided("the declaration does not say for cloud service "+strings.Join(unsaid, ", ")+" whether it keeps personal data the user can delete", refs...)
	case holders == 0:
		return pass("no cloud service keeps personal data", refs...)
	}
	return pass("the user can delete their personal data from every cloud service that keeps it", refs...)
}

// describeEcosystem writes the ecosystem in plain words, a line per part, for
// reports, labels and the consumer page.
func describeEcosystem(e declaration.Ecosystem) []string {
	if e.Standalone {
		return []string{"works on its own: no companion app and no cloud service"}
	}
	var out []string
	if a := e.App; a != nil {
		line := "app " + a.Name
		if len(a.Platforms) > 0 {
			line += " (" + strings.Join(a.Platforms, ", ") + ")"
		}
		out = append(out, line+says(a.Authenticated, "; needs you to sign in or pair", "; works without signing in")+
			says(a.EncryptedInTransit, "; its traffic is encrypted", "; its traffic is NOT encrypted"))
	}
	for _, c := range e.Cloud {
		line := "cloud service " + c.Name
		if where := strings.Join(slices.DeleteFunc([]string{c.Provider, c.Region}, func(s string) bool { return s == "" }), ", "); where != "" {
			line += " (" + where + ")"
		}
		line += says(c.EncryptedInTransit, "; traffic encrypted", "; traffic NOT encrypted")
		if c.PersonalData != nil && *c.PersonalData {
			line += says(c.UserDeletion, "; keeps personal data, which you can delete", "; keeps personal data you cannot delete")
		} else if c.PersonalData != nil {
			line += "; keeps no personal data"
		}
		out = append(out, line)
	}
	return out
}

// says returns yes or no for a declared fact, "" when it is not declared.
func says(b *bool, yes, no string) string {
	switch {
	case b == nil:
		return ""
	case *b:
		return yes
	}
	return no
}
