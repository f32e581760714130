-- Webhook subscriptions and their delivery log. The cursor is the sequence
-- number of the last event dealt with; a delivery log row is one try.
CREATE TABLE subscriptions (
  id TEXT PRIMARY KEY,
  org TEXT NOT NULL,
  token_id TEXT NOT NULL,
  url TEXT NOT NULL,
  secret TEXT NOT NULL,
  created TEXT NOT NULL,
  manufacturer TEXT NOT NULL,
  model TEXT NOT NULL,
  market TEXT NOT NULL,
  cursor_seq BIGINT NOT NULL,
  attempts INTEGER NOT NULL,
  next_attempt TEXT NOT NULL,
  last_error TEXT NOT NULL
);
CREATE INDEX subscriptions_org ON subscriptions(org);
CREATE TABLE deliveries (
  subscription_id TEXT NOT NULL,
  seq BIGINT NOT NULL,
  attempt INTEGER NOT NULL,
  time TEXT NOT NULL,
  status_code INTEGER NOT NULL,
  error TEXT NOT NULL,
  duration_ns BIGINT NOT NULL,
  PRIMARY KEY (subscription_id, seq, attempt)
);
