// Package sbom reads software bills of materials into one component model:
// CycloneDX 1.2–1.6 (JSON and XML, with CycloneDX's own Go library), SPDX 2.2
// and 2.3 (JSON and tag-value, with SPDX's own Go library), and Buildroot's
// legal-info manifest (manifest.csv), which is how many embedded Linux
// products list their components. It also writes a component list as a
// CycloneDX 1.6 SBOM.
//
// The format is detected from the content, not the file name. A document that
// cannot be read fails with an error that names the file and says why.
package sbom
