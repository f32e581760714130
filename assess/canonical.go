package assess

import (
	"strconv"
	"unicode/utf8"

	"github.com/iotlabel/iotlabel/internal/jsonesc"
)

// This file writes the RFC 8785 (JCS) canonical JSON of an assessment: object
// members sorted by key, no insignificant white space, strings escaped as
// ECMAScript's JSON.stringify does. It writes exactly the bytes that
// jcs.Transform(json.Marshal(a)) would produce (a test holds it to that), but
// without building and re-parsing an intermediate document. Keys below are
// listed in sorted order, each written with its punctuation; omitempty fields
// are omitted as encoding/json would. Every function appends to b and returns
// the extended slice, as strconv's Append functions do.
// appendAssessment is the entry point.

// plain marks the bytes a JSON string can hold without escaping: printable
// ASCII other than the quote and the backslash.
var plain = func() (t [256]bool) {
	for c := 0x20; c < utf8.RuneSelf; c++ {
		t[c] = c != '"' && c != '\\'
	}
	return t
}()

func appendStr(b []byte, s string) []byte {
	b = append(b, '"')
	for i := 0; i < len(s); {
		j := i + plainPrefix(s[i:])
		b = append(b, s[i:j]...)
		if i = j; i == len(s) {
			break
		}
		ch := s[i]
		if ch >= utf8.RuneSelf {
			r, size := utf8.DecodeRuneInString(s[i:])
			if r == utf8.RuneError && size == 1 {
				b = utf8.AppendRune(b, utf8.RuneError)
			} else {
				b = append(b, s[i:i+size]...)
			}
			i += size
			continue
		}
		b = jsonesc.AppendASCII(b, ch)
		i++
	}
	return append(b, '"')
}

// plainPrefix returns the length of the longest prefix of s that needs no
// escaping. It tests eight bytes at a time: a word passes when none of its
// bytes is a control character, a quote, a backslash or non-ASCII.
func plainPrefix(s string) int {
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	t := s
	for len(t) >= 8 {
		_ = t[7]
		x := uint64(t[0]) | uint64(t[1])<<8 | uint64(t[2])<<16 | uint64(t[3])<<24 |
			uint64(t[4])<<32 | uint64(t[5])<<40 | uint64(t[6])<<48 | uint64(t[7])<<56
		q := x ^ ('"' * ones)
		bs := x ^ ('\\' * ones)
		// (v - ones) &^ v has a high bit set where a byte of v is zero; the
		// first term also flags bytes below 0x20.
		if ((x-0x20*ones)&^x|(q-ones)&^q|(bs-ones)&^bs|x)&highs != 0 {
			break
		}
		t = t[8:]
	}
	i := len(s) - len(t)
	for i < len(s) && plain[s[i]] {
		i++
	}
	return i
}

func appendStrs(b []byte, ss []string) []byte {
	if ss == nil {
		return append(b, "null"...)
	}
	b = append(b, '[')
	for i, s := range ss {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendStr(b, s)
	}
	return append(b, ']')
}

// appendField appends key (already written with its punctuation) and the
// string s.
func appendField(b []byte, key, s string) []byte { return appendStr(append(b, key...), s) }

func appendBool(b []byte, key string, v bool) []byte {
	return strconv.AppendBool(append(b, key...), v)
}

func appendInt(b []byte, key string, v int) []byte {
	return strconv.AppendInt(append(b, key...), int64(v), 10)
}

// appendList appends key (with its punctuation) and a JSON array holding each
// element as written by each; a nil slice is null, as encoding/json has it.
func appendList[T any](b []byte, key string, xs []T, each func([]byte, *T) []byte) []byte {
	b = append(b, key...)
	if xs == nil {
		return append(b, "null"...)
	}
	b = append(b, '[')
	for i := range xs {
		if i > 0 {
			b = append(b, ',')
		}
		b = each(b, &xs[i])
	}
	return append(b, ']')
}

func appendAssessment(b []byte, a *Assessment) []byte {
	b = appendField(b, `{"as_of":`, a.AsOf.String())
	b = appendField(b, `,"catalog_version":`, a.CatalogVersion)
	b = appendField(b, `,"digest":`, a.Digest)
	b = appendList(b, `,"evidence":`, a.Evidence, appendEvidence)
	b = appendList(b, `,"findings":`, a.Findings, appendFinding)
	b = appendList(b, `,"gaps":`, a.Gaps, appendGap)
	b = appendList(b, `,"markets":`, a.Markets, appendMarket)
	b = appendList(b, `,"outcomes":`, a.Outcomes, appendOutcome)
	b = appendProduct(append(b, `,"product":`...), &a.Product)
	b = appendList(b, `,"recognitions":`, a.Recognitions, appendRecognition)
	b = appendList(b, `,"schemes":`, a.Schemes, appendScheme)
	b = appendSupport(append(b, `,"support":`...), &a.Support)
	b = appendInt(b, `,"tier":`, a.Tier)
	b = appendField(b, `,"tier_name":`, a.TierName)
	return append(b, '}')
}

func appendProduct(b []byte, p *Product) []byte {
	b = appendField(b, `{"category":`, p.Category)
	if len(p.Ecosystem) > 0 {
		b = appendStrs(append(b, `,"ecosystem":`...), p.Ecosystem)
	}
	b = appendStrs(append(b, `,"firmware_versions":`...), p.FirmwareVersions)
	if p.HardwareVersion != "" {
		b = appendField(b, `,"hardware_version":`, p.HardwareVersion)
	}
	b = appendField(b, `,"manufacturer":`, p.Manufacturer)
	b = appendStrs(append(b, `,"markets":`...), p.Markets)
	b = appendField(b, `,"model":`, p.Model)
	b = appendField(b, `,"name":`, p.Name)
	b = appendBool(b, `,"personal_data":`, p.PersonalData)
	if p.PrivacyNoticeURL != "" {
		b = appendField(b, `,"privacy_notice_url":`, p.PrivacyNoticeURL)
	}
	if len(p.Sensors) > 0 {
		b = appendStrs(append(b, `,"sensors":`...), p.Sensors)
	}
	b = appendBool(b, `,"telemetry":`, p.Telemetry)
	if p.VulnerabilityContact != "" {
		b = appendField(b, `,"vulnerability_contact":`, p.VulnerabilityContact)
	}
	return append(b, '}')
}

func appendSupport(b []byte, s *Support) []byte {
	b = appendInt(b, `{"days_remaining":`, s.DaysRemaining)
	b = appendField(b, `,"end_date":`, s.EndDate.String())
	b = appendBool(b, `,"ended":`, s.Ended)
	if s.PublishedAt != "" {
		b = appendField(b, `,"published_at":`, s.PublishedAt)
	}
	return append(b, '}')
}

func appendOutcome(b []byte, o *OutcomeResult) []byte {
	b = appendStrs(append(b, `{"evidence":`...), o.Evidence)
	b = appendField(b, `,"id":`, o.ID)
	b = appendField(b, `,"reason":`, o.Reason)
	if o.Strength != "" {
		b = appendField(b, `,"strength":`, string(o.Strength))
	}
	b = appendField(b, `,"verdict":`, string(o.Verdict))
	return append(b, '}')
}

func appendScheme(b []byte, s *SchemeResult) []byte {
	b = appendBool(b, `{"applicable":`, s.Applicable)
	b = appendField(b, `,"id":`, s.ID)
	if s.Level != "" {
		b = appendField(b, `,"level":`, s.Level)
	}
	b = appendBool(b, `,"met":`, s.Met)
	b = appendField(b, `,"reason":`, s.Reason)
	b = appendList(b, `,"requirements":`, s.Requirements, appendRequirement)
	if s.Unverified {
		b = append(b, `,"unverified":true`...)
	}
	return append(b, '}')
}

func appendRequirement(b []byte, r *RequirementResult) []byte {
	b = appendStrs(append(b, `{"evidence":`...), r.Evidence)
	b = appendField(b, `,"id":`, r.ID)
	b = appendField(b, `,"reason":`, r.Reason)
	if r.Strength != "" {
		b = appendField(b, `,"strength":`, string(r.Strength))
	}
	if r.Unverified {
		b = append(b, `,"unverified":true`...)
	}
	b = appendField(b, `,"verdict":`, string(r.Verdict))
	return append(b, '}')
}

func appendMarket(b []byte, m *MarketResult) []byte {
	b = appendBool(b, `{"allowed":`, m.Allowed)
	b = appendField(b, `,"id":`, m.ID)
	b = appendStrs(append(b, `,"reasons":`...), m.Reasons)
	b = appendBool(b, `,"targeted":`, m.Targeted)
	if len(m.Upcoming) > 0 {
		b = appendStrs(append(b, `,"upcoming":`...), m.Upcoming)
	}
	return append(b, '}')
}

func appendRecognition(b []byte, r *RecognitionResult) []byte {
	b = appendField(b, `{"agreement":`, r.Agreement)
	b = appendField(b, `,"basis":`, r.Basis)
	b = appendField(b, `,"earns":`, r.Earns)
	b = appendField(b, `,"holds":`, r.Holds)
	if r.Note != "" {
		b = appendField(b, `,"note":`, r.Note)
	}
	b = appendField(b, `,"status":`, r.Status)
	if r.Unverified {
		b = append(b, `,"unverified":true`...)
	}
	return append(b, '}')
}

func appendGap(b []byte, g *Gap) []byte {
	key := `{"problem":`
	if g.Outcome != "" {
		b = appendField(b, `{"outcome":`, g.Outcome)
		key = `,"problem":`
	}
	b = appendField(b, key, g.Problem)
	b = appendField(b, `,"remediation":`, g.Remediation)
	if g.Scheme != "" {
		b = appendField(b, `,"scheme":`, g.Scheme)
	}
	b = appendInt(b, `,"tier":`, g.Tier)
	return append(b, '}')
}

func appendFinding(b []byte, f *Finding) []byte {
	key := `{"kind":`
	if len(f.Evidence) > 0 {
		b = appendStrs(append(b, `{"evidence":`...), f.Evidence)
		key = `,"kind":`
	}
	b = appendField(b, key, f.Kind)
	b = appendField(b, `,"message":`, f.Message)
	return append(b, '}')
}

func appendEvidence(b []byte, e *EvidenceSummary) []byte {
	b = appendField(b, `{"check":`, e.Check)
	b = appendField(b, `,"detail":`, e.Detail)
	b = appendField(b, `,"kind":`, string(e.Kind))
	b = appendField(b, `,"ref":`, e.Ref)
	b = appendField(b, `,"result":`, e.Result)
	if e.Signer != "" {
		b = appendField(b, `,"signer":`, e.Signer)
	}
	b = appendField(b, `,"source":`, e.Source)
	if e.Target != "" {
		b = appendField(b, `,"target":`, e.Target)
	}
	return append(b, '}')
}
