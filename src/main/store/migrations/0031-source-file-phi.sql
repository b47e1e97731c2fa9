-- 0031: pseudonymised file labels (issue 12 §6). A slide or profile named "Surname_MRN-4471-9923.svs" was printed
-- verbatim in the PDF, result.json and the audit log. From now on slides.file_name and
-- genomic_profiles.source_file_name hold a label (pseudonym + sequence + sha256 prefix, e.g. GLIO-0001-S2-3fa9c1)
-- and the name the file had, with its folder, is kept here, beside patient_phi: shown only to roles that may see
-- PHI (channel files.origin), never exported. Rows stored before this migration keep their names (their audit
-- events and signed reports already carry them and cannot be rewritten; docs/input-validation.md).
CREATE TABLE source_file_phi (
  entity_type   TEXT NOT NULL CHECK (entity_type IN ('slide', 'genomic_profile')),
  entity_id     INTEGER NOT NULL,
  original_name TEXT NOT NULL,
  original_path TEXT,
  PRIMARY KEY (entity_type, entity_id)
);
