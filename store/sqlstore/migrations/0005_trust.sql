-- The registry's trust store: one accredited key per row, as the JSON of its
-- trust-store entry; every change appends an event (kind "trust").
CREATE TABLE trust_entries (
  key_id TEXT PRIMARY KEY,
  entry TEXT NOT NULL,
  updated TEXT NOT NULL
);
