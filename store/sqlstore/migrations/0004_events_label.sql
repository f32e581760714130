-- Finding a label's events (its history and transparency-log proofs).
CREATE INDEX events_label ON events(label_id);
