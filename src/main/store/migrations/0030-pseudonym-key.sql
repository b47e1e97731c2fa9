-- 0030: pseudonyms are compared case-insensitively (issue 12 §4: "glio-0001" after "GLIO-0001" must find the same
-- patient, not create a second one). pseudonym_key = lower(pseudonym); pseudonyms are ASCII after the contract's
-- NFKC step, so SQLite's ASCII lower() and the app's pseudonymKey() agree (src/shared/text-safety.ts).
--
-- Databases from before this migration may already hold case-variants of one pseudonym. They are not merged
-- (merging two patient records is a clinical decision for a person, not a migration): the oldest keeps the key,
-- each later variant gets "<key>#legacy-duplicate-<id>" and stays reachable by its exact spelling and by id; an
-- administrator finds them with  WHERE pseudonym_key LIKE '%#legacy-duplicate-%'  (docs/input-validation.md).
ALTER TABLE patients ADD COLUMN pseudonym_key TEXT;

UPDATE patients SET pseudonym_key = lower(pseudonym)
 WHERE id = (SELECT MIN(p2.id) FROM patients p2 WHERE lower(p2.pseudonym) = lower(patients.pseudonym));
UPDATE patients SET pseudonym_key = lower(pseudonym) || '#legacy-duplicate-' || id WHERE pseudonym_key IS NULL;

CREATE UNIQUE INDEX patients_pseudonym_key ON patients(pseudonym_key);

-- Every insert and every rename keeps the key, whichever code path writes the row.
CREATE TRIGGER patients_pseudonym_key_insert AFTER INSERT ON patients WHEN NEW.pseudonym_key IS NULL
BEGIN UPDATE patients SET pseudonym_key = lower(NEW.pseudonym) WHERE id = NEW.id; END;
CREATE TRIGGER patients_pseudonym_key_rename AFTER UPDATE OF pseudonym ON patients WHEN NEW.pseudonym IS NOT OLD.pseudonym
BEGIN UPDATE patients SET pseudonym_key = lower(NEW.pseudonym) WHERE id = NEW.id; END;
