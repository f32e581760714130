package trust

import (
	"bytes"
	"crypto/ed25519"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// Roles a key may hold.
const (
	RoleLab          = "lab"
	RoleSchemeOwner  = "scheme_owner"
	RoleManufacturer = "manufacturer"
	RoleToolOperator = "tool_operator"
)

// Any in Checks or Schemes grants every check or scheme.
const Any = "*"

// MaxSize bounds a trust store file.
const MaxSize = 4 << 20

// ErrUntrusted is wrapped by every refusal of a key.
var ErrUntrusted = errors.New("not trusted")

// Entry is one accredited key.
type Entry struct {
	// KeyID is the key's ID (first 16 hex digits of the SHA-256 of its PKIX
	// DER), computed on load.
	KeyID string `yaml:"-" json:"key_id"`
	// Key is the Ed25519 public key as PKIX PEM.
	Key string `yaml:"key" json:"key"`
	// Holder is the organisation that holds the private key.
	Holder string `yaml:"holder" json:"holder"`
	// Role is lab, scheme_owner, manufacturer or tool_operator.
	Role string `yaml:"role" json:"role"`
	// Checks are the check IDs the key may attest ("*" for all).
	Checks []string `yaml:"checks,omitempty" json:"checks,omitempty"`
	// Schemes are the schemes the key may issue labels for ("*" for all);
	// a key with no schemes may not issue labels.
	Schemes []string `yaml:"schemes,omitempty" json:"schemes,omitempty"`
	// ValidFrom and ValidUntil bound the accreditation (dates, inclusive).
	ValidFrom  string `yaml:"valid_from" json:"valid_from"`
	ValidUntil string `yaml:"valid_until" json:"valid_until"`
	// Revoked, when set, is the date from which the key is no longer trusted,
	// and RevokedReason says why.
	Revoked       string `yaml:"revoked,omitempty" json:"revoked,omitempty"`
	RevokedReason string `yaml:"revoked_reason,omitempty" json:"revoked_reason,omitempty"`

	pub              ed25519.PublicKey
	from, until, rev time.Time
}

// PublicKey returns the entry's key.
func (e *Entry) PublicKey() ed25519.PublicKey { return e.pub }

// Store is a loaded trust store.
type Store struct {
	Entries []*Entry `json:"entries"`
	byID    map[string]*Entry
}

// KeyID identifies a public key: the first 16 hex digits of the SHA-256 of
// its PKIX DER encoding (the same ID labels name their issuer by).
func KeyID(pub ed25519.PublicKey) string {
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		panic(err) // an Ed25519 key always marshals
	}
	sum := sha256.Sum256(der)
	return hex.EncodeToString(sum[:8])
}

// Load reads a trust store from a YAML file, or from every *.yaml and *.yml
// file of a directory (in name order). Errors name the file and the entry.
func Load(path string) (*Store, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("trust store: %w", err)
	}
	files := []string{path}
	if fi.IsDir() {
		files = nil
		for _, pat := range []string{"*.yaml", "*.yml"} {
			m, _ := filepath.Glob(filepath.Join(path, pat))
			files = append(files, m...)
		}
		sort.Strings(files)
		if len(files) == 0 {
			return nil, fmt.Errorf("trust store: %s holds no *.yaml file", path)
		}
	}
	s := &Store{byID: map[string]*Entry{}}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			return nil, fmt.Errorf("trust store: %w", err)
		}
		if len(b) > MaxSize {
			return nil, fmt.Errorf("trust store %s: larger than %d bytes", f, MaxSize)
		}
		if err := s.add(f, b); err != nil {
			return nil, err
		}
	}
	return s, nil
}

// Parse reads a trust store from the YAML text of one file named name.
func Parse(name string, data []byte) (*Store, error) {
	s := &Store{byID: map[string]*Entry{}}
	if err := s.add(name, data); err != nil {
		return nil, err
	}
	return s, nil
}

func (s *Store) add(name string, data []byte) error {
	var doc struct {
		Entries []*Entry `yaml:"entries"`
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&doc); err != nil {
		return fmt.Errorf("trust store %s: %v (expected `entries:` with key, holder, role, checks, schemes, valid_from, valid_until)", name, err)
	}
	for i, e := range doc.Entries {
		if e == nil {
			return fmt.Errorf("trust store %s: entry %d is empty", name, i+1)
		}
		if err := e.init(); err != nil {
			return fmt.Errorf("trust store %s: entry %d (%s): %v", name, i+1, e.Holder, err)
		}
		if _, dup := s.byID[e.KeyID]; dup {
			return fmt.Errorf("trust store %s: entry %d: key %s is listed twice; one key has one entry", name, i+1, e.KeyID)
		}
		s.byID[e.KeyID] = e
		s.Entries = append(s.Entries, e)
	}
	return nil
}

// Validate checks an entry as Load does and computes its key ID.
func (e *Entry) Validate() error { return e.init() }

// Revoke marks the entry revoked from day on, with a reason.
func (e *Entry) Revoke(day time.Time, reason string) {
	e.Revoked, e.RevokedReason, e.rev = day.UTC().Format(time.DateOnly), reason, day.UTC().Truncate(24*time.Hour)
}

// IsRevoked reports whether the entry carries a revocation.
func (e *Entry) IsRevoked() bool { return e.Revoked != "" }

// New builds a store from validated entries; a later entry for the same
// key replaces an earlier one.
func New(entries ...*Entry) *Store {
	s := &Store{byID: map[string]*Entry{}}
	for _, e := range entries {
		if old, ok := s.byID[e.KeyID]; ok {
			i := slices.Index(s.Entries, old)
			s.Entries[i] = e
		} else {
			s.Entries = append(s.Entries, e)
		}
		s.byID[e.KeyID] = e
	}
	return s
}

// YAML writes the store in the file format Load reads.
func (s *Store) YAML() ([]byte, error) {
	var buf bytes.Buffer
	buf.WriteString("# iotlabel trust store: who may attest which checks and issue labels for which schemes\n")
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(struct {
		Entries []*Entry `yaml:"entries"`
	}{s.Entries}); err != nil {
		return nil, err
	}
	return buf.Bytes(), enc.Close()
}

func (e *Entry) init() error {
	b, _ := pem.Decode([]byte(e.Key))
	if b == nil || b.Type != "PUBLIC KEY" {
		return errors.New("key: not a PEM \"PUBLIC KEY\" block (use the .pub file of iotlabel keys generate)")
	}
	k, err := x509.ParsePKIXPublicKey(b.Bytes)
	if err != nil {
		return fmt.Errorf("key: %v", err)
	}
	pub, ok := k.(ed25519.PublicKey)
	if !ok {
		return fmt.Errorf("key: %T is not an Ed25519 key", k)
	}
	e.pub, e.KeyID = pub, KeyID(pub)
	if strings.TrimSpace(e.Holder) == "" {
		return errors.New("holder: missing (the organisation that holds the key)")
	}
	switch e.Role {
	case RoleLab, RoleSchemeOwner, RoleManufacturer, RoleToolOperator:
	default:
		return fmt.Errorf("role: %q is not one of lab, scheme_owner, manufacturer, tool_operator", e.Role)
	}
	for _, d := range []struct {
		field, v string
		t        *time.Time
		need     bool
	}{{"valid_from", e.ValidFrom, &e.from, true}, {"valid_until", e.ValidUntil, &e.until, true}, {"revoked", e.Revoked, &e.rev, false}} {
		if d.v == "" && !d.need {
			continue
		}
		t, err := time.Parse(time.DateOnly, d.v)
		if err != nil {
			return fmt.Errorf("%s: %q is not a date YYYY-MM-DD", d.field, d.v)
		}
		*d.t = t
	}
	if e.until.Before(e.from) {
		return fmt.Errorf("valid_until %s is before valid_from %s", e.ValidUntil, e.ValidFrom)
	}
	return nil
}

// Entry returns the entry of a key ID, or nil.
func (s *Store) Entry(keyID string) *Entry {
	if s == nil {
		return nil
	}
	return s.byID[keyID]
}

// valid says why the entry is not in force at t, or "".
func (e *Entry) valid(at time.Time) string {
	day := at.UTC().Truncate(24 * time.Hour)
	switch {
	case !e.rev.IsZero() && !day.Before(e.rev):
		return "was revoked on " + e.Revoked + reasonSuffix(e.RevokedReason)
	case day.Before(e.from):
		return "is accredited only from " + e.ValidFrom
	case day.After(e.until):
		return "was accredited only until " + e.ValidUntil
	}
	return ""
}

func reasonSuffix(r string) string {
	if r == "" {
		return ""
	}
	return " (" + r + ")"
}

// Attester returns the entry of keyID if it may attest check at time at;
// otherwise an error, wrapping ErrUntrusted, that says why.
func (s *Store) Attester(keyID, check string, at time.Time) (*Entry, error) {
	e := s.Entry(keyID)
	if e == nil {
		return nil, fmt.Errorf("%w: key %s is not in the trust store", ErrUntrusted, keyID)
	}
	if why := e.valid(at); why != "" {
		return e, fmt.Errorf("%w: key %s of %s %s", ErrUntrusted, keyID, e.Holder, why)
	}
	if !slices.Contains(e.Checks, Any) && !slices.Contains(e.Checks, check) {
		return e, fmt.Errorf("%w: %s (key %s) is not accredited for check %q", ErrUntrusted, e.Holder, keyID, check)
	}
	return e, nil
}

// Issuer returns the entry of keyID if it may issue, at time at, a label
// that claims the given schemes; otherwise an error wrapping ErrUntrusted.
func (s *Store) Issuer(keyID string, schemes []string, at time.Time) (*Entry, error) {
	e := s.Entry(keyID)
	if e == nil {
		return nil, fmt.Errorf("%w: key %s is not in the trust store", ErrUntrusted, keyID)
	}
	if why := e.valid(at); why != "" {
		return e, fmt.Errorf("%w: key %s of %s %s", ErrUntrusted, keyID, e.Holder, why)
	}
	if len(e.Schemes) == 0 {
		return e, fmt.Errorf("%w: %s (key %s) may not issue labels (its entry lists no schemes)", ErrUntrusted, e.Holder, keyID)
	}
	for _, sc := range schemes {
		if !slices.Contains(e.Schemes, Any) && !slices.Contains(e.Schemes, sc) {
			return e, fmt.Errorf("%w: %s (key %s) may not issue labels for scheme %s", ErrUntrusted, e.Holder, keyID, sc)
		}
	}
	return e, nil
}
