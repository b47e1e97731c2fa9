/** Every PDF report prints the audit anchor: the chain head and the checkpoint sealed for it, with the re-check command. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { renderReportPdf } from '../../../src/main/report/render-pdf.ts';
import type { ReportInput } from '../../../src/main/report/report-input.ts';
import { sealCheckpoint } from '../../../src/main/audit/checkpoint.ts';
import { keyId } from '../../../src/main/audit/audit-key.ts';
import { pdfPages } from './fixtures/pdf-tools.ts';

const KEY = Buffer.alloc(32, 3);
const HEAD = 'ab'.repeat(32);

function input(auditHead: ReportInput['auditHead']): ReportInput {
  return {
    generatedAt: '2026-03-04T10:00:00.000Z', generatedBy: 'Dr Test', appVersion: '0.1.0-test',
    case: { patientPseudonym: 'GF-0042', caseId: '17', accession: 'S26-00117', specimen: 'resection', collectedOn: '2026-03-02', status: 'ready_for_review' },
    analysis: null, noAnalysisReason: null, signoff: null, draftExists: false, addenda: [], slide: null, cohort: null,
    cohortNote: null, slideThumbnail: null, auditHead, intendedUse: null,
  };
}

test('the report prints the audit chain head and its sealed checkpoint with the command that re-checks it', async () => {
  const cp = sealCheckpoint(KEY, keyId(KEY), 12, HEAD, '2026-03-04T10:00:00.000Z');
  const text = pdfPages(await renderReportPdf(input({ seq: 12, hash: HEAD, checkpoint: cp }))).join('\n').replace(/\s+/g, ' ');
  assert.match(text, new RegExp(`Audit chain head event 12, ${HEAD}`));
  assert.match(text, new RegExp(`Audit checkpoint 12 events, head ${HEAD}, written 2026-03-04T10:00:00.000Z, MAC ${cp.mac.slice(0, 16)}`));
  // The long command may wrap after its "--" in the table cell; the words are what matter.
  assert.match(text.replace(/-- /g, '--'), new RegExp(`gliofuse audit verify --anchor 12:${HEAD}`));
  const unkeyed = pdfPages(await renderReportPdf(input({ seq: 3, hash: HEAD, checkpoint: null }))).join('\n').replace(/\s+/g, ' ');
  assert.match(unkeyed, /Audit checkpoint none \(this database has no audit key\)/);
});
