package vuln

import (
	"context"
	"fmt"
	"strings"
)

var _ Source = (*Memory)(nil)

// Memory is a Source held in memory for one scan, loaded straight from
// advisory files (see [Load]): nothing is written, and only the advisories
// that can match the scan's components are kept.
type Memory struct {
	want   *Want
	adv    map[string]Advisory // by source+"/"+id
	byPkg  map[PackageKey][]Candidate
	byCPE  map[ProductKey][]Candidate
	ecos   map[string]bool
	kev    map[string]KEVEntry // the CISA catalog
	euvd   map[string]KEVEntry // EUVD records marked exploited
	vex    map[string][]VEXStatement
	status map[string]*SourceStatus
}

// Load reads every input under paths (as [Walk] does: OSV, NVD, KEV and CSAF
// files, directories and zip archives) into a Memory that keeps what can
// match what want names, with the KEV catalog and VEX statements whole.
// OSV records that name no wanted package are skipped unparsed.
func Load(ctx context.Context, paths []string, want *Want) (*Memory, error) {
	m := &Memory{want: want, adv: map[string]Advisory{}, ecos: map[string]bool{}, kev: map[string]KEVEntry{}, euvd: map[string]KEVEntry{},
		vex: map[string][]VEXStatement{}, status: map[string]*SourceStatus{}}
	for _, p := range paths {
		if err := Walk(ctx, p, m.want.Mentions, func(_ string, b Batch) error { return m.add(b) }); err != nil {
			return nil, err
		}
	}
	m.index()
	m.want.mu.Lock()
	defer m.want.mu.Unlock()
	for eco := range m.want.ecos {
		m.ecos[eco] = true
	}
	if m.want.skipped > 0 {
		s := m.source(SourceOSV)
		s.Records += m.want.skipped
		if m.want.newest.After(s.Newest) {
			s.Newest = m.want.newest
		}
	}
	return m, nil
}

func (m *Memory) source(name string) *SourceStatus {
	s, ok := m.status[name]
	if !ok {
		s = &SourceStatus{Source: name}
		m.status[name] = s
	}
	return s
}

func (m *Memory) add(b Batch) error {
	for _, a := range b.Advisories {
		s := m.source(a.Source)
		s.Records++
		if a.Modified.After(s.Newest) {
			s.Newest = a.Modified
		}
		for _, af := range a.Affected {
			if af.Package != "" {
				m.ecos[af.Ecosystem] = true
			}
		}
		key := a.Source + "/" + a.ID
		if old, ok := m.adv[key]; (ok && !a.Modified.After(old.Modified)) || !m.want.matches(&a) {
			continue
		}
		m.adv[key] = a
	}
	if !b.Newest.IsZero() {
		if s := m.source(b.Kind); b.Newest.After(s.Newest) {
			s.Newest = b.Newest
		}
	}
	for _, k := range b.KEV {
		if k.Source == SourceEUVD {
			if old, ok := m.euvd[k.CVE]; !ok || !old.Updated.After(k.Updated) {
				m.euvd[k.CVE] = k
			}
			s := m.source(SourceEUVD)
			s.Records++
			if k.Updated.After(s.Newest) {
				s.Newest = k.Updated
			}
			continue
		}
		m.kev[k.CVE] = k
		s := m.source(SourceKEV)
		s.Records++
		s.Catalog = max(s.Catalog, k.CatalogVersion)
		s.Newest = CatalogDate(s.Catalog)
	}
	for _, v := range b.VEX {
		m.vex[v.Vulnerability] = append(m.vex[v.Vulnerability], v)
		m.source(SourceCSAF).Records++
	}
	return nil
}

// index builds the candidate maps once everything is loaded, from the newest
// version of each advisory; candidates share the advisories' version lists.
func (m *Memory) index() {
	m.byPkg, m.byCPE = map[PackageKey][]Candidate{}, map[ProductKey][]Candidate{}
	for _, a := range m.adv {
		for _, af := range a.Affected {
			c := Candidate{ID: a.ID, Source: a.Source, Affected: Affected{Versions: af.Versions, Ranges: af.Ranges, Bounds: af.Bounds}}
			if af.Package != "" {
				k := PackageKey{af.Ecosystem, strings.ToLower(af.Package)}
				m.byPkg[k] = append(m.byPkg[k], c)
			}
			if af.Vendor != "" {
				k := ProductKey{af.Vendor, af.Product}
				m.byCPE[k] = append(m.byCPE[k], c)
			}
		}
	}
}

// Held is the number of advisories kept: those that can match a component.
func (m *Memory) Held() int { return len(m.adv) }

// Candidates returns the index hits for the target's keys.
func (m *Memory) Candidates(_ context.Context, t Target) ([]Candidate, error) {
	var out []Candidate
	for _, p := range t.Packages {
		for _, c := range m.byPkg[PackageKey{p.Ecosystem, strings.ToLower(p.Name)}] {
			c.Affected.Ecosystem, c.Affected.Package = p.Ecosystem, p.Name
			out = append(out, c)
		}
	}
	for _, p := range t.Products {
		for _, c := range m.byCPE[p] {
			c.Affected.Vendor, c.Affected.Product = p.Vendor, p.Product
			out = append(out, c)
		}
	}
	return out, nil
}

// Advisory returns one full advisory.
func (m *Memory) Advisory(_ context.Context, id, source string) (Advisory, error) {
	a, ok := m.adv[source+"/"+id]
	if !ok {
		return Advisory{}, fmt.Errorf("advisory %s (%s) is not loaded", id, source)
	}
	return a, nil
}

// KEV returns the exploitation entry of a CVE: the CISA KEV catalog's, else
// EUVD's.
func (m *Memory) KEV(_ context.Context, cve string) (KEVEntry, bool, error) {
	return Exploited(m.kev, m.euvd, cve)
}

// VEX returns the statements about any of ids.
func (m *Memory) VEX(_ context.Context, ids []string) ([]VEXStatement, error) {
	var out []VEXStatement
	for _, id := range ids {
		out = append(out, m.vex[id]...)
	}
	return out, nil
}

// HasEcosystem reports whether the inputs held any advisory for an OSV
// ecosystem, including the records skipped because they named no component.
func (m *Memory) HasEcosystem(_ context.Context, eco string) (bool, error) { return m.ecos[eco], nil }

// Status reports, per source, how many records the inputs held and how new
// the newest was; nothing was imported, so there is no import time.
func (m *Memory) Status(context.Context) ([]SourceStatus, error) {
	var out []SourceStatus
	for _, name := range []string{SourceCSAF, SourceEUVD, SourceKEV, SourceNVD, SourceOSV} {
		if s, ok := m.status[name]; ok {
			out = append(out, *s)
		}
	}
	return out, nil
}

// Exploited looks a CVE up in the CISA KEV catalog, then in the EUVD
// records marked exploited.
func Exploited(kev, euvd map[string]KEVEntry, cve string) (KEVEntry, bool, error) {
	if k, ok := kev[cve]; ok {
		return k, true, nil
	}
	k, ok := euvd[cve]
	return k, ok, nil
}
