-- 0005: sign-off (layered WHO CNS5 diagnosis, signatures, addenda) and report bookkeeping.
-- Signed content is immutable at the database level: the triggers below refuse UPDATE/DELETE of signatures and
-- addenda, and of a diagnosis once it is signed. Corrections after signing are new addenda (each signed).

-- A signature covers one canonical JSON document (src/main/signoff/canonical-content.ts): the signed layered
-- diagnosis or one addendum. content_sha256 = sha256(content_json) where content_json is canonical JSON.
CREATE TABLE signatures (
  id             INTEGER PRIMARY KEY,
  case_id        INTEGER NOT NULL REFERENCES cases(id),
  kind           TEXT NOT NULL CHECK (kind IN ('diagnosis', 'addendum')),
  signer_id      INTEGER NOT NULL REFERENCES users(id),
  signer_name    TEXT NOT NULL,
  signer_role    TEXT NOT NULL,
  signed_at      TEXT NOT NULL,               -- ISO 8601 UTC
  content_json   TEXT NOT NULL,
  content_sha256 TEXT NOT NULL
);
CREATE INDEX signatures_case ON signatures(case_id);

-- One layered diagnosis per case: a draft until it is signed, then frozen.
CREATE TABLE diagnoses (
  id                          INTEGER PRIMARY KEY,
  case_id                     INTEGER NOT NULL UNIQUE REFERENCES cases(id),
  analysis_id                 INTEGER REFERENCES analyses(id),  -- the AI result shown to the pathologist, if any
  integrated_diagnosis        TEXT NOT NULL DEFAULT '',
  histological_classification TEXT NOT NULL DEFAULT '',
  who_grade                   TEXT NOT NULL DEFAULT '',
  molecular_information       TEXT NOT NULL DEFAULT '',
  comment                     TEXT NOT NULL DEFAULT '',
  ai_agreement                TEXT CHECK (ai_agreement IS NULL OR ai_agreement IN ('accepted', 'overridden', 'not_used')),
  override_reason             TEXT,
  state                       TEXT NOT NULL DEFAULT 'draft' CHECK (state IN ('draft', 'signed')),
  signature_id                INTEGER UNIQUE REFERENCES signatures(id),
  updated_by                  INTEGER NOT NULL REFERENCES users(id),
  updated_at                  TEXT NOT NULL,
  CHECK ((state = 'signed') = (signature_id IS NOT NULL))
);

CREATE TABLE addenda (
  id           INTEGER PRIMARY KEY,
  case_id      INTEGER NOT NULL REFERENCES cases(id),
  seq          INTEGER NOT NULL CHECK (seq >= 1),
  text         TEXT NOT NULL,
  signature_id INTEGER NOT NULL UNIQUE REFERENCES signatures(id),
  created_at   TEXT NOT NULL,
  UNIQUE (case_id, seq)
);

-- Which sign-off state a report reflects, and where its bytes were kept (sha256 is in reports.sha256).
ALTER TABLE reports ADD COLUMN signature_id INTEGER REFERENCES signatures(id);
ALTER TABLE reports ADD COLUMN addenda_count INTEGER NOT NULL DEFAULT 0;
ALTER TABLE reports ADD COLUMN bytes INTEGER;
ALTER TABLE reports ADD COLUMN stored_path TEXT;
CREATE INDEX reports_case ON reports(case_id);

CREATE TRIGGER signatures_no_update BEFORE UPDATE ON signatures
BEGIN SELECT RAISE(ABORT, 'signatures are immutable'); END;
CREATE TRIGGER signatures_no_delete BEFORE DELETE ON signatures
BEGIN SELECT RAISE(ABORT, 'signatures are immutable'); END;
CREATE TRIGGER addenda_no_update BEFORE UPDATE ON addenda
BEGIN SELECT RAISE(ABORT, 'addenda are immutable; add another addendum'); END;
CREATE TRIGGER addenda_no_delete BEFORE DELETE ON addenda
BEGIN SELECT RAISE(ABORT, 'addenda are immutable; add another addendum'); END;
CREATE TRIGGER diagnoses_signed_no_update BEFORE UPDATE ON diagnoses WHEN OLD.state = 'signed'
BEGIN SELECT RAISE(ABORT, 'a signed diagnosis is immutable; add an addendum'); END;
CREATE TRIGGER diagnoses_signed_no_delete BEFORE DELETE ON diagnoses WHEN OLD.state = 'signed'
BEGIN SELECT RAISE(ABORT, 'a signed diagnosis is immutable; add an addendum'); END;
