-- The component list of each label's product, as JSON, for re-matching
-- against the vulnerability database.
CREATE TABLE label_sboms (
  label_id TEXT PRIMARY KEY REFERENCES labels(id),
  components TEXT NOT NULL,
  updated TEXT NOT NULL
);
