// Package cli implements the iotlabel command line: one file per subcommand,
// each with its own flag.FlagSet. It is the only package that knows about flags,
// output formats and exit codes.
//
// Exit codes: 0 success; 1 the product fails what was asked (--require-tier,
// --market) or a verification failed; 2 bad input or usage; 3 an internal or
// I/O failure.
package cli
