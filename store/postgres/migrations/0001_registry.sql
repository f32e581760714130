CREATE TABLE labels (
  id TEXT PRIMARY KEY,
  manufacturer TEXT NOT NULL,
  model TEXT NOT NULL,
  firmware TEXT NOT NULL,      -- JSON array
  tier INTEGER NOT NULL,
  markets TEXT NOT NULL,       -- JSON array
  support_end TEXT NOT NULL,
  issued TEXT NOT NULL,
  expires TEXT NOT NULL,
  key_id TEXT NOT NULL,
  status TEXT NOT NULL,
  status_reason TEXT NOT NULL DEFAULT '',
  updated TEXT NOT NULL,
  envelope BYTEA NOT NULL,
  compact TEXT NOT NULL
);
CREATE INDEX labels_model ON labels(model);
CREATE INDEX labels_manufacturer ON labels(manufacturer);
CREATE INDEX labels_support_end ON labels(support_end);
CREATE TABLE label_firmware (label_id TEXT NOT NULL REFERENCES labels(id), firmware TEXT NOT NULL, PRIMARY KEY (firmware, label_id));
CREATE TABLE events (
  seq BIGSERIAL PRIMARY KEY,
  time TEXT NOT NULL,
  label_id TEXT NOT NULL,
  kind TEXT NOT NULL,
  status TEXT NOT NULL,
  reason TEXT NOT NULL DEFAULT '',
  actor TEXT NOT NULL DEFAULT ''
);
CREATE TABLE tokens (
  id TEXT PRIMARY KEY,
  hash BYTEA NOT NULL UNIQUE,
  role TEXT NOT NULL,
  org TEXT NOT NULL,
  name TEXT NOT NULL,
  created TEXT NOT NULL,
  revoked TEXT NOT NULL DEFAULT ''
);
