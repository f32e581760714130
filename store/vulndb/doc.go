// Package vulndb keeps iotlabel's vulnerability database in a local SQLite file
// (pure Go, no cgo): advisories from OSV and the NVD indexed by OSV package and
// by CPE vendor:product, the CISA KEV catalog and CSAF VEX statements, each row
// with its provenance. Advisories are upserted by ID and modification time, so
// importing the same or older data again changes nothing.
//
// *DB implements vuln.Source for scans.
package vulndb
