package sqlstore

// SetBeforeCommit installs a hook that runs after a write transaction's
// event is appended and before it commits (tests only).
func SetBeforeCommit(d *DB, f func()) { d.beforeCommit = f }
