-- 0011: molecular findings a pathologist enters beside the histology (immunohistochemistry or outside tests that a
-- CNV profile does not carry), read by the WHO CNS5 rules (docs/who-cns5.md): TERT promoter mutation, ATRX loss,
-- TP53 mutation, H3 K27M, MGMT promoter methylation — each 1, 0 or NULL (not tested). Same row, same rules and audit
-- as the histology findings of 0010.
ALTER TABLE histology_findings ADD COLUMN tert_promoter_mutant INTEGER CHECK (tert_promoter_mutant IS NULL OR tert_promoter_mutant IN (0, 1));
ALTER TABLE histology_findings ADD COLUMN atrx_loss INTEGER CHECK (atrx_loss IS NULL OR atrx_loss IN (0, 1));
ALTER TABLE histology_findings ADD COLUMN tp53_mutant INTEGER CHECK (tp53_mutant IS NULL OR tp53_mutant IN (0, 1));
ALTER TABLE histology_findings ADD COLUMN h3_k27m INTEGER CHECK (h3_k27m IS NULL OR h3_k27m IN (0, 1));
ALTER TABLE histology_findings ADD COLUMN mgmt_methylated INTEGER CHECK (mgmt_methylated IS NULL OR mgmt_methylated IN (0, 1));
