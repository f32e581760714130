// Package vuln is iotlabel's vulnerability knowledge: one advisory model for
// every source (OSV, the NVD CVE API 2.0, the CISA Known Exploited
// Vulnerabilities catalog, CSAF 2.0 VEX), parsers that detect each input by
// content, version ordering that handles the version strings embedded
// components really use, and the matcher that turns an SBOM component and its
// candidate advisories into findings.
//
// Components without a package URL or CPE — the common case in firmware SBOMs —
// are identified through a curated dictionary of embedded components
// (data/components.yaml) that maps names to the CPE vendor:product NVD uses and
// to OSV packages.
//
// The package holds no storage: store/vulndb keeps advisories in SQLite.
package vuln
