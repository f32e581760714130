// Package registry holds the rules that keep labels true after products ship:
// a label is active while it is valid, flagged at risk when support ends soon
// or a component gains a known exploited vulnerability (or, for Tier 3 and up,
// a critical one), and expired at its end. The same rules serve the offline
// `iotlabel monitor` and the registry service.
package registry
