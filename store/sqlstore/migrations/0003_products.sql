-- Organisations, their products, and each product's declaration versions
-- with the assessment the registry computed from them.
CREATE TABLE orgs (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  kind TEXT NOT NULL,
  created TEXT NOT NULL
);
CREATE TABLE products (
  id TEXT PRIMARY KEY,
  org_id TEXT NOT NULL REFERENCES orgs(id),
  manufacturer TEXT NOT NULL,
  model TEXT NOT NULL,
  name TEXT NOT NULL,
  created TEXT NOT NULL,
  UNIQUE (org_id, model)
);
CREATE TABLE declarations (
  product_id TEXT NOT NULL REFERENCES products(id),
  version INTEGER NOT NULL,
  digest TEXT NOT NULL,
  tier INTEGER NOT NULL,
  submitted_by TEXT NOT NULL,
  created TEXT NOT NULL,
  declaration TEXT NOT NULL,
  evidence TEXT NOT NULL,
  assessment TEXT NOT NULL,
  PRIMARY KEY (product_id, version)
);
