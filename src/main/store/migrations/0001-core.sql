-- 0001: core tables. Never edit a migration that has shipped; add a new numbered file instead
-- (the runner stores each file's sha256 and refuses to start if an applied file changed).

CREATE TABLE users (
  id            INTEGER PRIMARY KEY,
  username      TEXT NOT NULL UNIQUE COLLATE NOCASE,
  display_name  TEXT NOT NULL,
  role          TEXT NOT NULL CHECK (role IN ('admin', 'pathologist', 'viewer')),
  password_hash TEXT NOT NULL,               -- scrypt$N$r$p$salt_b64$hash_b64
  active        INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
  failed_logins INTEGER NOT NULL DEFAULT 0,
  locked_until  TEXT,                        -- ISO 8601 UTC; NULL = not locked
  created_at    TEXT NOT NULL,
  updated_at    TEXT NOT NULL
);

-- Patients: the pseudonym is the working identity. PHI lives in its own table so that exports, reports and
-- the audit log can be built without ever touching it, and so it can be wiped independently.
CREATE TABLE patients (
  id         INTEGER PRIMARY KEY,
  pseudonym  TEXT NOT NULL UNIQUE,
  created_by INTEGER NOT NULL REFERENCES users(id),
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
CREATE TABLE patient_phi (
  patient_id INTEGER PRIMARY KEY REFERENCES patients(id) ON DELETE CASCADE,
  mrn        TEXT,
  full_name  TEXT,
  sex        TEXT CHECK (sex IS NULL OR sex IN ('female', 'male', 'other', 'unknown')),
  birth_year INTEGER CHECK (birth_year IS NULL OR (birth_year BETWEEN 1880 AND 2100))
);

CREATE TABLE cases (
  id              INTEGER PRIMARY KEY,
  patient_id      INTEGER NOT NULL REFERENCES patients(id),
  accession       TEXT NOT NULL,              -- laboratory case / accession number (not PHI by itself)
  specimen        TEXT NOT NULL DEFAULT '',
  site            TEXT NOT NULL DEFAULT '',
  collected_on    TEXT,                        -- ISO date
  received_on     TEXT,                        -- ISO date
  status          TEXT NOT NULL DEFAULT 'new'
                  CHECK (status IN ('new', 'analysing', 'ready_for_review', 'signed', 'archived')),
  created_by      INTEGER NOT NULL REFERENCES users(id),
  created_at      TEXT NOT NULL,
  updated_at      TEXT NOT NULL,
  UNIQUE (patient_id, accession)
);
CREATE INDEX cases_patient ON cases(patient_id);
CREATE INDEX cases_status ON cases(status);

CREATE TABLE case_status_history (
  id         INTEGER PRIMARY KEY,
  case_id    INTEGER NOT NULL REFERENCES cases(id),
  status     TEXT NOT NULL,
  changed_by INTEGER NOT NULL REFERENCES users(id),
  changed_at TEXT NOT NULL,
  note       TEXT
);
CREATE INDEX case_status_history_case ON case_status_history(case_id);

CREATE TABLE slides (
  id            INTEGER PRIMARY KEY,
  case_id       INTEGER NOT NULL REFERENCES cases(id),
  path          TEXT NOT NULL,
  file_name     TEXT NOT NULL,
  size_bytes    INTEGER NOT NULL CHECK (size_bytes >= 0),
  hash_kind     TEXT NOT NULL CHECK (hash_kind IN ('sha256', 'quickhash1')),
  hash          TEXT NOT NULL,
  vendor        TEXT,
  width         INTEGER,
  height        INTEGER,
  mpp_x         REAL,
  mpp_y         REAL,
  metadata_json TEXT NOT NULL DEFAULT '{}',  -- allow-listed properties only, never label/macro content
  quality_json  TEXT NOT NULL DEFAULT '[]',
  added_by      INTEGER NOT NULL REFERENCES users(id),
  added_at      TEXT NOT NULL,
  UNIQUE (case_id, hash)
);
CREATE INDEX slides_case ON slides(case_id);

CREATE TABLE genomic_profiles (
  id                     INTEGER PRIMARY KEY,
  case_id                INTEGER NOT NULL REFERENCES cases(id),
  source_file_name       TEXT NOT NULL,
  source_sha256          TEXT NOT NULL,
  schema_id              TEXT NOT NULL,       -- the model package whose genomic schema validated it
  values_json            TEXT NOT NULL,
  validation_report_json TEXT NOT NULL,
  added_by               INTEGER NOT NULL REFERENCES users(id),
  added_at               TEXT NOT NULL
);
CREATE INDEX genomic_profiles_case ON genomic_profiles(case_id);

CREATE TABLE analyses (
  id            INTEGER PRIMARY KEY,
  case_id       INTEGER NOT NULL REFERENCES cases(id),
  slide_id      INTEGER REFERENCES slides(id),
  genomic_id    INTEGER REFERENCES genomic_profiles(id),
  model_id      TEXT NOT NULL,
  model_version TEXT NOT NULL,
  state         TEXT NOT NULL DEFAULT 'queued'
                CHECK (state IN ('queued', 'running', 'succeeded', 'failed', 'cancelled')),
  stage         TEXT,
  progress_json TEXT NOT NULL DEFAULT '{}',
  params_json   TEXT NOT NULL DEFAULT '{}',
  error_json    TEXT,
  requested_by  INTEGER NOT NULL REFERENCES users(id),
  created_at    TEXT NOT NULL,
  started_at    TEXT,
  finished_at   TEXT
);
CREATE INDEX analyses_case ON analyses(case_id);
CREATE INDEX analyses_state ON analyses(state);

CREATE TABLE predictions (
  id              INTEGER PRIMARY KEY,
  analysis_id     INTEGER NOT NULL UNIQUE REFERENCES analyses(id),
  result_json     TEXT NOT NULL,       -- probabilities, survival, explanations, warnings
  provenance_json TEXT NOT NULL,       -- model id/version/sha256, validated modalities, EP, ORT version, params
  created_at      TEXT NOT NULL
);

CREATE TABLE reports (
  id          INTEGER PRIMARY KEY,
  case_id     INTEGER NOT NULL REFERENCES cases(id),
  analysis_id INTEGER REFERENCES analyses(id),
  file_name   TEXT NOT NULL,
  sha256      TEXT NOT NULL,
  created_by  INTEGER NOT NULL REFERENCES users(id),
  created_at  TEXT NOT NULL
);

CREATE TABLE settings (
  key        TEXT PRIMARY KEY,
  value_json TEXT NOT NULL,
  updated_by INTEGER REFERENCES users(id),
  updated_at TEXT NOT NULL
);

-- Append-only, hash-chained audit log. The canonical-JSON rule is in src/main/audit/canonical.ts.
CREATE TABLE audit_events (
  seq               INTEGER PRIMARY KEY,
  ts                TEXT NOT NULL,
  user_id           INTEGER,
  user_name         TEXT,
  action            TEXT NOT NULL,
  entity_type       TEXT,
  entity_id         TEXT,
  patient_pseudonym TEXT,
  before_json       TEXT,
  after_json        TEXT,
  outcome           TEXT NOT NULL CHECK (outcome IN ('success', 'failure', 'denied')),
  reason            TEXT,
  app_version       TEXT NOT NULL,
  prev_hash         TEXT NOT NULL,
  hash              TEXT NOT NULL UNIQUE
);
CREATE INDEX audit_events_action ON audit_events(action);
CREATE INDEX audit_events_entity ON audit_events(entity_type, entity_id);
CREATE INDEX audit_events_patient ON audit_events(patient_pseudonym);

CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events
BEGIN SELECT RAISE(ABORT, 'audit_events is append-only'); END;
CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events
BEGIN SELECT RAISE(ABORT, 'audit_events is append-only'); END;
