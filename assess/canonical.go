package assess

import (
	"strconv"
	"unicode/utf8"

	"github.com/iotlabel/iotlabel/catalog"
)

// canon appends the RFC 8785 (JCS) canonical JSON of an assessment: object
// members sorted by key, no insignificant white space, strings escaped as
// ECMAScript's JSON.stringify does. It writes exactly the bytes that
// jcs.Transform(json.Marshal(a)) would produce (a test holds it to that), but
// without building and re-parsing an intermediate document. Keys below are
// listed in sorted order; omitempty fields are omitted as encoding/json would.
type canon struct{ b []byte }

// plain marks the bytes a JSON string can hold without escaping: printable
// ASCII other than the quote and the backslash.
var plain = func() (t [256]bool) {
	for c := 0x20; c < utf8.RuneSelf; c++ {
		t[c] = c != '"' && c != '\\'
	}
	return t
}()

func (c *canon) key(k string, first bool) {
	if !first {
		c.b = append(c.b, ',')
	}
	c.b = append(c.b, '"')
	c.b = append(c.b, k...)
	c.b = append(c.b, '"', ':')
}

func (c *canon) str(s string) {
	c.b = append(c.b, '"')
	for i := 0; i < len(s); {
		j := i
		for j < len(s) && plain[s[j]] {
			j++
		}
		c.b = append(c.b, s[i:j]...)
		if i = j; i == len(s) {
			break
		}
		ch := s[i]
		if ch >= utf8.RuneSelf {
			r, size := utf8.DecodeRuneInString(s[i:])
			if r == utf8.RuneError && size == 1 {
				c.b = utf8.AppendRune(c.b, utf8.RuneError)
			} else {
				c.b = append(c.b, s[i:i+size]...)
			}
			i += size
			continue
		}
		switch ch {
		case '"', '\\':
			c.b = append(c.b, '\\', ch)
		case '\b':
			c.b = append(c.b, '\\', 'b')
		case '\f':
			c.b = append(c.b, '\\', 'f')
		case '\n':
			c.b = append(c.b, '\\', 'n')
		case '\r':
			c.b = append(c.b, '\\', 'r')
		case '\t':
			c.b = append(c.b, '\\', 't')
		default:
			const hex = "0123456789abcdef"
			c.b = append(c.b, '\\', 'u', '0', '0', hex[ch>>4], hex[ch&0xf])
		}
		i++
	}
	c.b = append(c.b, '"')
}

func (c *canon) strs(ss []string) {
	if ss == nil {
		c.b = append(c.b, "null"...)
		return
	}
	c.b = append(c.b, '[')
	for i, s := range ss {
		if i > 0 {
			c.b = append(c.b, ',')
		}
		c.str(s)
	}
	c.b = append(c.b, ']')
}

func (c *canon) boolean(v bool) { c.b = strconv.AppendBool(c.b, v) }
func (c *canon) int(v int)      { c.b = strconv.AppendInt(c.b, int64(v), 10) }
func (c *canon) date(d catalog.Date) {
	c.str(d.String())
}

// list appends a JSON array of n elements written by each.
func (c *canon) list(n int, isNil bool, each func(i int)) {
	if isNil {
		c.b = append(c.b, "null"...)
		return
	}
	c.b = append(c.b, '[')
	for i := range n {
		if i > 0 {
			c.b = append(c.b, ',')
		}
		each(i)
	}
	c.b = append(c.b, ']')
}

func (c *canon) assessment(a *Assessment) {
	c.b = append(c.b, '{')
	c.key("as_of", true)
	c.date(a.AsOf)
	c.key("catalog_version", false)
	c.str(a.CatalogVersion)
	c.key("digest", false)
	c.str(a.Digest)
	c.key("evidence", false)
	c.list(len(a.Evidence), a.Evidence == nil, func(i int) { c.evidence(&a.Evidence[i]) })
	c.key("findings", false)
	c.list(len(a.Findings), a.Findings == nil, func(i int) { c.finding(&a.Findings[i]) })
	c.key("gaps", false)
	c.list(len(a.Gaps), a.Gaps == nil, func(i int) { c.gap(&a.Gaps[i]) })
	c.key("markets", false)
	c.list(len(a.Markets), a.Markets == nil, func(i int) { c.market(&a.Markets[i]) })
	c.key("outcomes", false)
	c.list(len(a.Outcomes), a.Outcomes == nil, func(i int) { c.outcome(&a.Outcomes[i]) })
	c.key("product", false)
	c.product(&a.Product)
	c.key("recognitions", false)
	c.list(len(a.Recognitions), a.Recognitions == nil, func(i int) { c.recognition(&a.Recognitions[i]) })
	c.key("schemes", false)
	c.list(len(a.Schemes), a.Schemes == nil, func(i int) { c.scheme(&a.Schemes[i]) })
	c.key("support", false)
	c.support(&a.Support)
	c.key("tier", false)
	c.int(a.Tier)
	c.key("tier_name", false)
	c.str(a.TierName)
	c.b = append(c.b, '}')
}

func (c *canon) product(p *Product) {
	c.b = append(c.b, '{')
	c.key("category", true)
	c.str(p.Category)
	c.key("firmware_versions", false)
	c.strs(p.FirmwareVersions)
	if p.HardwareVersion != "" {
		c.key("hardware_version", false)
		c.str(p.HardwareVersion)
	}
	c.key("manufacturer", false)
	c.str(p.Manufacturer)
	c.key("markets", false)
	c.strs(p.Markets)
	c.key("model", false)
	c.str(p.Model)
	c.key("name", false)
	c.str(p.Name)
	c.key("personal_data", false)
	c.boolean(p.PersonalData)
	if p.PrivacyNoticeURL != "" {
		c.key("privacy_notice_url", false)
		c.str(p.PrivacyNoticeURL)
	}
	if len(p.Sensors) > 0 {
		c.key("sensors", false)
		c.strs(p.Sensors)
	}
	c.key("telemetry", false)
	c.boolean(p.Telemetry)
	if p.VulnerabilityContact != "" {
		c.key("vulnerability_contact", false)
		c.str(p.VulnerabilityContact)
	}
	c.b = append(c.b, '}')
}

func (c *canon) support(s *Support) {
	c.b = append(c.b, '{')
	c.key("days_remaining", true)
	c.int(s.DaysRemaining)
	c.key("end_date", false)
	c.date(s.EndDate)
	c.key("ended", false)
	c.boolean(s.Ended)
	if s.PublishedAt != "" {
		c.key("published_at", false)
		c.str(s.PublishedAt)
	}
	c.b = append(c.b, '}')
}

func (c *canon) outcome(o *OutcomeResult) {
	c.b = append(c.b, '{')
	c.key("evidence", true)
	c.strs(o.Evidence)
	c.key("id", false)
	c.str(o.ID)
	c.key("reason", false)
	c.str(o.Reason)
	if o.Strength != "" {
		c.key("strength", false)
		c.str(string(o.Strength))
	}
	c.key("verdict", false)
	c.str(string(o.Verdict))
	c.b = append(c.b, '}')
}

func (c *canon) scheme(s *SchemeResult) {
	c.b = append(c.b, '{')
	c.key("applicable", true)
	c.boolean(s.Applicable)
	c.key("id", false)
	c.str(s.ID)
	if s.Level != "" {
		c.key("level", false)
		c.str(s.Level)
	}
	c.key("met", false)
	c.boolean(s.Met)
	c.key("reason", false)
	c.str(s.Reason)
	c.key("requirements", false)
	c.list(len(s.Requirements), s.Requirements == nil, func(i int) { c.requirement(&s.Requirements[i]) })
	if s.Unverified {
		c.key("unverified", false)
		c.boolean(true)
	}
	c.b = append(c.b, '}')
}

func (c *canon) requirement(r *RequirementResult) {
	c.b = append(c.b, '{')
	c.key("evidence", true)
	c.strs(r.Evidence)
	c.key("id", false)
	c.str(r.ID)
	c.key("reason", false)
	c.str(r.Reason)
	if r.Strength != "" {
		c.key("strength", false)
		c.str(string(r.Strength))
	}
	if r.Unverified {
		c.key("unverified", false)
		c.boolean(true)
	}
	c.key("verdict", false)
	c.str(string(r.Verdict))
	c.b = append(c.b, '}')
}

func (c *canon) market(m *MarketResult) {
	c.b = append(c.b, '{')
	c.key("allowed", true)
	c.boolean(m.Allowed)
	c.key("id", false)
	c.str(m.ID)
	c.key("reasons", false)
	c.strs(m.Reasons)
	c.key("targeted", false)
	c.boolean(m.Targeted)
	if len(m.Upcoming) > 0 {
		c.key("upcoming", false)
		c.strs(m.Upcoming)
	}
	c.b = append(c.b, '}')
}

func (c *canon) recognition(r *RecognitionResult) {
	c.b = append(c.b, '{')
	c.key("agreement", true)
	c.str(r.Agreement)
	c.key("basis", false)
	c.str(r.Basis)
	c.key("earns", false)
	c.str(r.Earns)
	c.key("holds", false)
	c.str(r.Holds)
	if r.Note != "" {
		c.key("note", false)
		c.str(r.Note)
	}
	if r.Unverified {
		c.key("unverified", false)
		c.boolean(true)
	}
	c.b = append(c.b, '}')
}

func (c *canon) gap(g *Gap) {
	c.b = append(c.b, '{')
	first := true
	if g.Outcome != "" {
		c.key("outcome", true)
		c.str(g.Outcome)
		first = false
	}
	c.key("problem", first)
	c.str(g.Problem)
	c.key("remediation", false)
	c.str(g.Remediation)
	if g.Scheme != "" {
		c.key("scheme", false)
		c.str(g.Scheme)
	}
	c.key("tier", false)
	c.int(g.Tier)
	c.b = append(c.b, '}')
}

func (c *canon) finding(f *Finding) {
	c.b = append(c.b, '{')
	first := true
	if len(f.Evidence) > 0 {
		c.key("evidence", true)
		c.strs(f.Evidence)
		first = false
	}
	c.key("kind", first)
	c.str(f.Kind)
	c.key("message", false)
	c.str(f.Message)
	c.b = append(c.b, '}')
}

func (c *canon) evidence(e *EvidenceSummary) {
	c.b = append(c.b, '{')
	c.key("check", true)
	c.str(e.Check)
	c.key("detail", false)
	c.str(e.Detail)
	c.key("kind", false)
	c.str(string(e.Kind))
	c.key("ref", false)
	c.str(e.Ref)
	c.key("result", false)
	c.str(e.Result)
	c.key("source", false)
	c.str(e.Source)
	if e.Target != "" {
		c.key("target", false)
		c.str(e.Target)
	}
	c.b = append(c.b, '}')
}
