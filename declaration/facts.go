package declaration

import "strconv"

// Tri is a three-valued truth: a fact may be true, false or not declared.
type Tri int8

// Truth values.
const (
	Unknown Tri = iota
	False
	True
)

func triOf(b bool) Tri {
	if b {
		return True
	}
	return False
}

func triPtr(b *bool) Tri {
	if b == nil {
		return Unknown
	}
	return triOf(*b)
}

func (t Tri) String() string {
	switch t {
	case True:
		return "true"
	case False:
		return "false"
	}
	return "unknown"
}

// FactValue is the value of a fact and the declared fields it follows from.
type FactValue struct {
	Value   Tri
	Because string
}

// FactIDs lists every fact a declaration can establish; the catalog's facts must
// be among them.
var FactIDs = []string{
	"uses_passwords", "preinstalled_passwords", "not_updateable", "constrained", "not_constrained",
	"telemetry", "consent_basis", "user_authentication", "automatic_updates_or_notifications",
	"hardcoded_identity", "network_updates", "update_mechanism", "debug_interface", "radio",
	"radio_in_scope", "radio_personal_data", "personal_data", "handles_money", "internet_authentication",
}

// Fact evaluates the fact id; ok is false for an unknown fact ID.
func (d *Declaration) Fact(id string) (v FactValue, ok bool) {
	pw := d.Passwords.Scheme
	switch id {
	case "uses_passwords":
		return FactValue{triOf(pw != PasswordsNone), "passwords.scheme is " + pw}, true
	case "preinstalled_passwords":
		// EN 303 645 5.1-2 concerns pre-installed passwords unique per device;
		// a universal default is a failure of 5.1-1, not a case of 5.1-2.
		return FactValue{triOf(pw == PasswordsUnique), "passwords.scheme is " + pw}, true
	case "not_updateable":
		return FactValue{triOf(!d.Updates.Updatable), "updates.updatable is " + strconv.FormatBool(d.Updates.Updatable)}, true
	case "update_mechanism":
		return FactValue{triOf(d.Updates.Updatable), "updates.updatable is " + strconv.FormatBool(d.Updates.Updatable)}, true
	case "constrained":
		return FactValue{triOf(d.Product.Constrained), "product.constrained is " + strconv.FormatBool(d.Product.Constrained)}, true
	case "not_constrained":
		return FactValue{triOf(!d.Product.Constrained), "product.constrained is " + strconv.FormatBool(d.Product.Constrained)}, true
	case "telemetry":
		return FactValue{triOf(d.Data.Telemetry), "data.telemetry is " + strconv.FormatBool(d.Data.Telemetry)}, true
	case "personal_data":
		return FactValue{triOf(d.Data.PersonalData), "data.personal_data is " + strconv.FormatBool(d.Data.PersonalData)}, true
	case "consent_basis":
		if !d.Data.PersonalData {
			return FactValue{False, "data.personal_data is false"}, true
		}
		return FactValue{triPtr(d.Data.ConsentBasis), declared("data.consent_basis", d.Data.ConsentBasis)}, true
	case "handles_money":
		return FactValue{triPtr(d.Data.HandlesMoney), declared("data.handles_money", d.Data.HandlesMoney)}, true
	case "user_authentication":
		if d.Interfaces.UserAuthentication != nil {
			return FactValue{triPtr(d.Interfaces.UserAuthentication), declared("interfaces.user_authentication", d.Interfaces.UserAuthentication)}, true
		}
		if pw != PasswordsNone {
			return FactValue{True, "passwords.scheme is " + pw}, true
		}
		return FactValue{Unknown, "interfaces.user_authentication is not declared"}, true
	case "automatic_updates_or_notifications":
		if !d.Updates.Updatable {
			return FactValue{False, "updates.updatable is false"}, true
		}
		a, n := triPtr(d.Updates.Automatic), triPtr(d.Updates.Notifications)
		switch {
		case a == True || n == True:
			return FactValue{True, "updates.automatic or updates.notifications is true"}, true
		case a == False && n == False:
			return FactValue{False, "updates.automatic and updates.notifications are false"}, true
		}
		return FactValue{Unknown, "updates.automatic or updates.notifications is not declared"}, true
	case "hardcoded_identity":
		return FactValue{triPtr(d.Interfaces.HardcodedIdentity), declared("interfaces.hardcoded_identity", d.Interfaces.HardcodedIdentity)}, true
	case "network_updates":
		if !d.Updates.Updatable {
			return FactValue{False, "updates.updatable is false"}, true
		}
		if d.Updates.Delivery == "" {
			return FactValue{Unknown, "updates.delivery is not declared"}, true
		}
		return FactValue{triOf(d.Updates.Delivery == "network"), "updates.delivery is " + d.Updates.Delivery}, true
	case "debug_interface":
		return FactValue{triPtr(d.Interfaces.DebugPortAccessible), declared("interfaces.debug_port_accessible", d.Interfaces.DebugPortAccessible)}, true
	case "radio":
		return FactValue{triOf(d.Product.Radio), "product.radio is " + strconv.FormatBool(d.Product.Radio)}, true
	case "radio_personal_data":
		return FactValue{triOf(d.Product.Radio && d.Data.PersonalData), "product.radio is " + strconv.FormatBool(d.Product.Radio) + ", data.personal_data is " + strconv.FormatBool(d.Data.PersonalData)}, true
	case "radio_in_scope":
		if !d.Product.Radio {
			return FactValue{False, "product.radio is false"}, true
		}
		if d.Product.InternetConnected || d.Data.PersonalData || isTrue(d.Data.HandlesMoney) {
			return FactValue{True, "radio equipment that is internet-connected, processes personal data or handles money"}, true
		}
		return FactValue{False, "radio equipment without internet, personal data or money"}, true
	case "internet_authentication":
		if !d.Product.InternetConnected {
			return FactValue{False, "product.internet_connected is false"}, true
		}
		return FactValue{triPtr(d.Interfaces.RemoteAccess), declared("interfaces.remote_access", d.Interfaces.RemoteAccess)}, true
	}
	return FactValue{}, false
}

func declared(field string, b *bool) string {
	if b == nil {
		return field + " is not declared"
	}
	return field + " is " + strconv.FormatBool(*b)
}
