-- The parsed form of each stored declaration (declaration.Stored), kept beside
-- the original bytes so that re-assessing many products (catalog impact) does
-- not parse YAML again. Rows from before it hold '' and are parsed from bytes.
ALTER TABLE declarations ADD COLUMN parsed TEXT NOT NULL DEFAULT '';
