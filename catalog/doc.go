// Package catalog holds iotlabel's harmonized catalog of consumer-IoT security
// requirements: the outcome-based security outcomes, every scheme's own
// requirements mapped onto them, the tiers, the markets and the mutual-recognition
// agreements between schemes.
//
// The catalog is data. The default catalog is embedded from data/*.yaml and
// versioned (see [Catalog.Version]); scheme owners can load a changed copy from a
// directory with [LoadDir] and compare two catalogs with [Diff].
//
// Loading always validates integrity: IDs are unique, every reference resolves,
// every requirement has a phase and a strength. A catalog that fails validation
// is never returned.
//
// Facts that come from standards (requirement IDs, dates, levels) are recorded as
// such; titles and explanations are iotlabel's own words. Facts our sources could
// not confirm carry an Unverified note, which every output repeats.
package catalog
