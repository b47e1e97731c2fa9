-- 0010: the pathologist's histology findings that the WHO CNS5 rules read (docs/who-cns5.md): necrosis,
-- microvascular proliferation and elevated mitotic activity, each 1 (present), 0 (absent) or NULL (not assessed).
-- One row per case, edited until the case is signed; the service refuses changes to signed or archived cases and
-- audits every save (histology.findings_saved) in the same transaction.
CREATE TABLE histology_findings (
  case_id                      INTEGER PRIMARY KEY REFERENCES cases(id),
  necrosis                     INTEGER CHECK (necrosis IS NULL OR necrosis IN (0, 1)),
  microvascular_proliferation  INTEGER CHECK (microvascular_proliferation IS NULL OR microvascular_proliferation IN (0, 1)),
  mitotic_activity_elevated    INTEGER CHECK (mitotic_activity_elevated IS NULL OR mitotic_activity_elevated IN (0, 1)),
  updated_by                   INTEGER NOT NULL REFERENCES users(id),
  updated_at                   TEXT NOT NULL
);
