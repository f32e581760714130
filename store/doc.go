// Package store defines the registry's storage contract: labels with their
// status, an append-only event log, and API tokens. Implementations live in
// store/sqlite (the default, pure Go) and, next, store/postgres; every
// implementation must pass the conformance suite in store/storetest.
package store
