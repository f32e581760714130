package declaration

import (
	"github.com/iotlabel/iotlabel/catalog"
	"go.yaml.in/yaml/v3"
)

// SchemaID is the value of the "schema" field of every version-1 declaration.
const SchemaID = "iotlabel/declaration/v1"

// Password schemes.
const (
	PasswordsNone      = "none"
	PasswordsUnique    = "unique-per-device"
	PasswordsUser      = "user-defined"
	PasswordsUniversal = "universal-default"
)

// Answer values.
const (
	Yes = "yes"
	No  = "no"
	NA  = "n/a"
)

// Declaration is what a manufacturer states about one product. Optional
// booleans are pointers: nil means "not declared".
type Declaration struct {
	Schema         string            `yaml:"schema" json:"schema"`
	Manufacturer   Manufacturer      `yaml:"manufacturer" json:"manufacturer"`
	Product        Product           `yaml:"product" json:"product"`
	Markets        []string          `yaml:"markets" json:"markets"`
	Support        Support           `yaml:"support" json:"support"`
	Disclosure     Disclosure        `yaml:"disclosure" json:"disclosure"`
	Passwords      Passwords         `yaml:"passwords" json:"passwords"`
	Updates        Updates           `yaml:"updates" json:"updates"`
	Interfaces     Interfaces        `yaml:"interfaces" json:"interfaces"`
	Data           Data              `yaml:"data" json:"data"`
	Ecosystem      Ecosystem         `yaml:"ecosystem" json:"ecosystem"`
	SBOM           *SBOM             `yaml:"sbom" json:"sbom,omitempty"`
	Compliance     Compliance        `yaml:"compliance" json:"compliance"`
	Certifications []Certification   `yaml:"certifications" json:"certifications,omitempty"`
	Answers        map[string]Answer `yaml:"answers" json:"answers,omitempty"`

	// File is the name the declaration was read from.
	File string `yaml:"-" json:"-"`
	// nodes maps field paths to their YAML nodes, for positioned errors.
	nodes map[string]*yaml.Node
}

// Manufacturer identifies who makes the product.
type Manufacturer struct {
	Name         string `yaml:"name" json:"name"`
	Address      string `yaml:"address" json:"address,omitempty"`
	Country      string `yaml:"country" json:"country,omitempty"`
	Website      string `yaml:"website" json:"website,omitempty"`
	ContactEmail string `yaml:"contact_email" json:"contact_email,omitempty"`
}

// Product identifies the product and the facts that decide which requirements apply.
type Product struct {
	Name              string       `yaml:"name" json:"name"`
	Model             string       `yaml:"model" json:"model"`
	HardwareVersion   string       `yaml:"hardware_version" json:"hardware_version,omitempty"`
	FirmwareVersions  []string     `yaml:"firmware_versions" json:"firmware_versions"`
	Category          string       `yaml:"category" json:"category"`
	Description       string       `yaml:"description" json:"description,omitempty"`
	Constrained       bool         `yaml:"constrained" json:"constrained"`
	Radio             bool         `yaml:"radio" json:"radio"`
	InternetConnected bool         `yaml:"internet_connected" json:"internet_connected"`
	ReleaseDate       catalog.Date `yaml:"release_date" json:"release_date,omitzero"`
	Checks            []string     `yaml:"checks" json:"checks,omitempty"`
}

// Support is the defined support period.
type Support struct {
	EndDate     catalog.Date `yaml:"end_date" json:"end_date"`
	PublishedAt string       `yaml:"published_at" json:"published_at,omitempty"`
	Notes       string       `yaml:"notes" json:"notes,omitempty"`
}

// Disclosure is the vulnerability disclosure policy.
type Disclosure struct {
	Contact             string `yaml:"contact" json:"contact"`
	PolicyURL           string `yaml:"policy_url" json:"policy_url,omitempty"`
	AcknowledgementDays *int   `yaml:"acknowledgement_days" json:"acknowledgement_days,omitempty"`
	StatusUpdateDays    *int   `yaml:"status_update_days" json:"status_update_days,omitempty"`
	SecurityTxt         *bool  `yaml:"security_txt" json:"security_txt,omitempty"`
}

// Passwords describes how the product's passwords are set.
type Passwords struct {
	Scheme                string `yaml:"scheme" json:"scheme"`
	DerivedFromIdentifier *bool  `yaml:"derived_from_identifier" json:"derived_from_identifier,omitempty"`
	BruteForceProtection  *bool  `yaml:"brute_force_protection" json:"brute_force_protection,omitempty"`
	ChangeMethod          string `yaml:"change_method" json:"change_method,omitempty"`
}

// Updates describes the software update mechanism.
type Updates struct {
	Updatable           bool   `yaml:"updatable" json:"updatable"`
	Delivery            string `yaml:"delivery" json:"delivery,omitempty"`
	Automatic           *bool  `yaml:"automatic" json:"automatic,omitempty"`
	EnabledByDefault    *bool  `yaml:"enabled_by_default" json:"enabled_by_default,omitempty"`
	Notifications       *bool  `yaml:"notifications" json:"notifications,omitempty"`
	Signed              *bool  `yaml:"signed" json:"signed,omitempty"`
	SecurityUpdateDays  *int   `yaml:"security_update_days" json:"security_update_days,omitempty"`
	NonUpdateableReason string `yaml:"non_updateable_reason" json:"non_updateable_reason,omitempty"`
}

// Interfaces describes authentication, debug access and network services.
type Interfaces struct {
	UserAuthentication  *bool     `yaml:"user_authentication" json:"user_authentication,omitempty"`
	RemoteAccess        *bool     `yaml:"remote_access" json:"remote_access,omitempty"`
	DebugPortAccessible *bool     `yaml:"debug_port_accessible" json:"debug_port_accessible,omitempty"`
	HardcodedIdentity   *bool     `yaml:"hardcoded_identity" json:"hardcoded_identity,omitempty"`
	Services            []Service `yaml:"services" json:"services,omitempty"`
}

// Service is one network service the product exposes.
type Service struct {
	Name             string `yaml:"name" json:"name"`
	Port             int    `yaml:"port" json:"port,omitempty"`
	Transport        string `yaml:"transport" json:"transport,omitempty"`
	Protocol         string `yaml:"protocol" json:"protocol"`
	Authenticated    *bool  `yaml:"authenticated" json:"authenticated,omitempty"`
	Encrypted        *bool  `yaml:"encrypted" json:"encrypted,omitempty"`
	EnabledByDefault *bool  `yaml:"enabled_by_default" json:"enabled_by_default,omitempty"`
	Purpose          string `yaml:"purpose" json:"purpose,omitempty"`
}

// Data describes personal data, telemetry and sensors.
type Data struct {
	PersonalData     bool     `yaml:"personal_data" json:"personal_data"`
	ConsentBasis     *bool    `yaml:"consent_basis" json:"consent_basis,omitempty"`
	Telemetry        bool     `yaml:"telemetry" json:"telemetry"`
	HandlesMoney     *bool    `yaml:"handles_money" json:"handles_money,omitempty"`
	Sensors          []string `yaml:"sensors" json:"sensors,omitempty"`
	PrivacyNoticeURL string   `yaml:"privacy_notice_url" json:"privacy_notice_url,omitempty"`
}

// Ecosystem lists the companion app and cloud services: the parts of the
// product that do not run on the device. A declaration that lists none and does
// not say Standalone leaves the requirements about them undecided.
type Ecosystem struct {
	// Standalone says the product works with no companion app and no cloud
	// service of the manufacturer's.
	Standalone bool    `yaml:"standalone" json:"standalone,omitempty"`
	App        *App    `yaml:"app" json:"app,omitempty"`
	Cloud      []Cloud `yaml:"cloud" json:"cloud,omitempty"`
}

// Declared reports whether the declaration says what the ecosystem is.
func (e Ecosystem) Declared() bool { return e.Standalone || e.App != nil || len(e.Cloud) > 0 }

// App is the companion app.
type App struct {
	Name      string   `yaml:"name" json:"name"`
	Platforms []string `yaml:"platforms" json:"platforms,omitempty"`
	// Authenticated: the app controls the product only for a user who has
	// signed in or paired it.
	Authenticated *bool `yaml:"authenticated" json:"authenticated,omitempty"`
	// EncryptedInTransit: the app's traffic to the device and to the cloud is
	// encrypted.
	EncryptedInTransit *bool `yaml:"encrypted_in_transit" json:"encrypted_in_transit,omitempty"`
}

// Cloud is one associated cloud service.
type Cloud struct {
	Name     string `yaml:"name" json:"name"`
	Provider string `yaml:"provider" json:"provider,omitempty"`
	Region   string `yaml:"region" json:"region,omitempty"`
	// EncryptedInTransit: traffic between the service and the device or app is
	// encrypted.
	EncryptedInTransit *bool `yaml:"encrypted_in_transit" json:"encrypted_in_transit,omitempty"`
	// PersonalData: the service keeps personal data of the user.
	PersonalData *bool `yaml:"personal_data" json:"personal_data,omitempty"`
	// UserDeletion: the user can delete their personal data from the service
	// themselves.
	UserDeletion *bool `yaml:"user_deletion" json:"user_deletion,omitempty"`
}

// SBOM says whether a software bill of materials is kept.
type SBOM struct {
	Provided bool   `yaml:"provided" json:"provided"`
	Format   string `yaml:"format" json:"format,omitempty"`
	URL      string `yaml:"url" json:"url,omitempty"`
}

// Compliance points to the statement of compliance.
type Compliance struct {
	StatementURL  string       `yaml:"statement_url" json:"statement_url,omitempty"`
	StatementDate catalog.Date `yaml:"statement_date" json:"statement_date,omitzero"`
}

// Certification is a label or certificate the product already holds.
type Certification struct {
	Scheme     string       `yaml:"scheme" json:"scheme"`
	Level      string       `yaml:"level" json:"level,omitempty"`
	ID         string       `yaml:"id" json:"id,omitempty"`
	Issued     catalog.Date `yaml:"issued" json:"issued,omitzero"`
	ValidUntil catalog.Date `yaml:"valid_until" json:"valid_until,omitzero"`
}

// Answer is the manufacturer's answer for one requirement.
type Answer struct {
	Support string `yaml:"support" json:"support"`
	Detail  string `yaml:"detail" json:"detail,omitempty"`
}

// AnswerKey returns the catalog reference an answer key stands for: keys without
// a scheme prefix are EN 303 645 provisions.
func AnswerKey(key string) string {
	for i := 0; i < len(key); i++ {
		if key[i] == ':' {
			return key
		}
	}
	return "etsi-en-303-645:" + key
}
