// Package report renders assessments for people and machines: plain text with
// the summary first, Markdown, a self-contained HTML page, canonical JSON and
// OSCAL assessment-results; and, from a declaration, the EN 303 645 Annex B
// implementation conformance statement (ICS) and a UK PSTI statement of
// compliance draft. It also exports catalogs as OSCAL catalogs.
//
// Renderers never look at the clock: everything they print, including OSCAL
// timestamps and UUIDs, is derived from their inputs, so the same assessment
// always renders the same bytes.
package report
