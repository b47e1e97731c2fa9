-- 0040 (issue 13): per-slide settings a user enters, kept apart from what the file records.
-- user_mpp: the slide's µm/px entered by a user (the file records none, or the user knows better). mpp_x/mpp_y stay
-- the file's own values, so the two are never mixed up; who entered it and when go into every result's provenance
-- and the PDF ("entered by <user>"). NULL = none entered.
ALTER TABLE slides ADD COLUMN user_mpp REAL CHECK (user_mpp IS NULL OR (user_mpp > 0 AND user_mpp <= 100));
ALTER TABLE slides ADD COLUMN user_mpp_by INTEGER REFERENCES users(id);
ALTER TABLE slides ADD COLUMN user_mpp_at TEXT;
-- Tissue-detection parameters chosen for this slide in the viewer (JSON, TissueParams), used by its analyses;
-- NULL = the defaults.
ALTER TABLE slides ADD COLUMN tissue_params_json TEXT;
