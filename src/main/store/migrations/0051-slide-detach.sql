-- Issue 14 item 7: a slide attached to the wrong case is detached, never deleted. The row (and the file on disk)
-- stay for the audit trail and for analyses that used it; a detached slide is no longer listed, counted or picked
-- for new analyses. When, by whom and why are kept here and in the slide.detached audit event.
ALTER TABLE slides ADD COLUMN detached_at TEXT;
ALTER TABLE slides ADD COLUMN detached_by INTEGER REFERENCES users(id);
ALTER TABLE slides ADD COLUMN detach_reason TEXT;
