package catalog

// LoadSnapshotForBenchmark loads the embedded snapshot without the process-wide cache.
var LoadSnapshotForBenchmark = loadSnapshot
