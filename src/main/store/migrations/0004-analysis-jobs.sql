-- 0004: analysis job ownership and liveness, plus the feature-cache index (docs/pipeline.md).
--
-- A job is owned by one process (the app or a CLI run) identified by host + pid; that process refreshes
-- heartbeat_at while the job runs. On start-up, a job still 'queued' or 'running' whose owner is gone (pid not
-- alive on this host, or no heartbeat for a while) is failed with a reason: jobs are never left running and never
-- resumed behind the user's back (re-running is cheap because finished encodings are cached).

ALTER TABLE analyses ADD COLUMN owner_host TEXT;
ALTER TABLE analyses ADD COLUMN owner_pid INTEGER;
ALTER TABLE analyses ADD COLUMN worker_pid INTEGER;
ALTER TABLE analyses ADD COLUMN heartbeat_at TEXT;
ALTER TABLE analyses ADD COLUMN feature_cache_key TEXT;

-- One row per completed feature bag in <dataDir>/cache/features. The files are the truth (a bag is only ever
-- renamed into place when complete); this index records what produced each bag and how often it was reused.
CREATE TABLE feature_cache (
  cache_key        TEXT PRIMARY KEY,            -- sha256 of the canonical key object (slide hash, encoder, tiling)
  slide_hash_kind  TEXT NOT NULL,
  slide_hash       TEXT NOT NULL,
  encoder_id       TEXT NOT NULL,
  encoder_sha256   TEXT NOT NULL,
  params_json      TEXT NOT NULL,
  tile_count       INTEGER NOT NULL CHECK (tile_count >= 0),
  feature_dim      INTEGER NOT NULL CHECK (feature_dim > 0),
  bytes            INTEGER NOT NULL CHECK (bytes >= 0),
  created_at       TEXT NOT NULL,
  last_used_at     TEXT NOT NULL,
  hits             INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX feature_cache_slide ON feature_cache(slide_hash);
