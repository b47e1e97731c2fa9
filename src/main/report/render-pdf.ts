/**
 * The case report as a PDF (pdfkit, built-in Helvetica), in Node so the app, the CLI and `gliofuse analyze`
 * produce the same document. Layout and content rules are in docs/report.md. Every page carries the running
 * header (pseudonymous patient and case ids, sign-off state), the RUO statement and "page X/Y".
 */
import PDFDocument from 'pdfkit';
import type { AnalysisResult, Warning } from '../../shared/analysis-result.ts';
import { RUO_STATEMENT } from '../../shared/ruo.ts';
import { auditAnchorRows } from './audit-anchor.ts';
import { COLOR, CONTENT_W, FONT, MARGIN, PAGE, PdfWriter, pdfBytes } from './pdf-writer.ts';
import { fmtLocal, fmtNum, fmtP, pdfText, sanitise } from './pdf-text.ts';
import { kmPlot, probabilityBars, signedBars, viridisLegend } from './charts.ts';
import { whoCriteriaSection, whoDisagreementLine } from './who-cns5-section.ts';
import { aiGradeDisplay } from '../../shared/who-cns5.ts';
import { renderHeatmapImage } from './heatmap-image.ts';
import { slideResolutionRows } from './slide-resolution.ts';
import type { ReportInput, ReportSignature } from './report-input.ts';

const SEVERITY_ORDER: Record<Warning['severity'], number> = { critical: 0, warning: 1, info: 2 };
const AGREEMENT_TEXT = { accepted: 'AI suggestion accepted', overridden: 'AI suggestion overridden', not_used: 'AI not used' } as const;
const MAX_ATTRIBUTIONS = 15;
const MAX_PATCHES = 12;

/** Warnings most important first (critical, warning, info), keeping the pipeline's order within a severity. */
export function sortWarnings(ws: readonly Warning[]): Warning[] {
  return ws.map((w, i) => ({ w, i })).sort((a, b) => SEVERITY_ORDER[a.w.severity] - SEVERITY_ORDER[b.w.severity] || a.i - b.i).map((x) => x.w);
}

export async function renderReportPdf(input: ReportInput): Promise<Buffer> {
  const doc = new PDFDocument({
    size: 'A4',
    margins: { top: MARGIN.top, bottom: MARGIN.bottom, left: MARGIN.left, right: MARGIN.right },
    bufferPages: true,
    autoFirstPage: true,
    compress: true,
    info: {
      Title: pdfText(`Gliofuse case report - case ${input.case.caseId}`),
      Subject: RUO_STATEMENT,
      Creator: `Gliofuse ${input.appVersion}`,
      Producer: 'Gliofuse report (pdfkit)',
      CreationDate: new Date(input.generatedAt),
    },
  });
  const done = pdfBytes(doc);

  const w = new PdfWriter(doc);
  titleBlock(w, input);
  whoDisagreementLine(w, input.whoCns5);
  signoffSection(w, input);
  if (input.whoCns5 !== undefined) whoCriteriaSection(w, input.whoCns5);
  if (input.analysis) {
    await aiSections(w, input, input.analysis.result);
    inputsSection(w, input, input.analysis.result);
    provenanceSection(w, input, input.analysis.result);
  } else {
    w.heading('AI-suggested results');
    w.para(input.noAnalysisReason ?? 'No AI analysis has finished for this case, so this report contains no AI-suggested results.');
    provenanceSection(w, input, null);
  }
  limitationsSection(w, input);
  decorate(w, input);
  doc.end();
  return done;
}

// ---- sections ----------------------------------------------------------------------------------------------

function titleBlock(w: PdfWriter, input: ReportInput): void {
  const d = w.doc;
  d.font(FONT.bold).fontSize(17).fillColor(COLOR.ink).text('Gliofuse case report', MARGIN.left, w.y);
  w.y = d.y + 2;
  w.para(RUO_STATEMENT, { font: FONT.bold, color: COLOR.crit, size: 9.5, after: 8 });
  const c = input.case;
  w.rows([
    ['Patient (pseudonym)', c.patientPseudonym],
    ['Case', c.caseId],
    ['Accession', c.accession ?? '—'],
    ...(c.specimen ? [['Specimen', c.specimen] as const] : []),
    ...(c.site ? [['Site', c.site] as const] : []),
    ['Collected / received', `${c.collectedOn ?? '—'} / ${c.receivedOn ?? '—'}`],
    ['Case status', c.status ?? '—'],
    ['Analysis finished', input.analysis ? `${fmtLocal(input.analysis.finishedAt)}${input.analysis.analysisId !== null ? ` (analysis ${input.analysis.analysisId})` : ''}` : 'no analysis'],
    ['Report generated', `${fmtLocal(input.generatedAt)}${input.generatedBy ? ` by ${input.generatedBy}` : ''}`],
  ]);
  w.para('Patient identifiers (name, medical record number, date of birth) are never printed on this report; the pseudonym links it to the patient record inside Gliofuse.', { size: 7.8, color: COLOR.muted, after: 6 });
  w.para('Human entries are printed in plain text; AI output appears only inside dashed frames labelled "AI-SUGGESTED".', { size: 7.8, color: COLOR.muted, after: 10 });
}

function signatureLine(s: ReportSignature): string {
  const check = s.verified ? 'verified' : 'VERIFICATION FAILED - the stored content no longer matches its signature';
  return `Signed by ${s.signerName} (${s.signerRole}) at ${fmtLocal(s.signedAt)}. Content sha256 ${s.sha256} (${check}).`;
}

function signoffSection(w: PdfWriter, input: ReportInput): void {
  w.heading('Diagnosis (WHO CNS5 layered report)', { keepWith: 80 });
  const s = input.signoff;
  if (!s) {
    w.ensure(40);
    w.doc.font(FONT.bold).fontSize(15).fillColor(COLOR.crit).text('NOT SIGNED', MARGIN.left, w.y);
    w.y = w.doc.y + 3;
    w.para(input.draftExists
      ? 'A pathologist has started a diagnosis but has not signed it; unsigned drafts are not printed. The AI-suggested results below are not a diagnosis.'
      : 'No pathologist has signed a diagnosis for this case. The AI-suggested results below are not a diagnosis.', { after: 10 });
    return;
  }
  const dz = s.diagnosis;
  const fields = [dz.integratedDiagnosis, dz.histologicalClassification, dz.molecularInformation, dz.comment, s.overrideReason ?? ''];
  const replaced = fields.reduce((n, f) => n + sanitise(f).replaced, 0);
  w.rows([
    ['Integrated diagnosis', dz.integratedDiagnosis],
    ['Histological classification', dz.histologicalClassification],
    ['CNS WHO grade', dz.whoGrade === 'not assigned' ? 'not assigned' : `CNS WHO grade ${dz.whoGrade}`],
    ['Molecular information', dz.molecularInformation],
    ...(dz.comment ? [['Comment', dz.comment] as const] : []),
    ['Use of the AI suggestion', s.aiAgreement ? AGREEMENT_TEXT[s.aiAgreement] : '—'],
    ...(s.overrideReason ? [['Reason for override', s.overrideReason] as const] : []),
  ], { labelWidth: 150, size: 9.4 });
  w.gap(2);
  w.para(signatureLine(s.signature), { size: 8, color: s.signature.verified ? COLOR.ink : COLOR.crit });
  if (replaced > 0) w.para(`${replaced} character(s) of the signed text cannot be drawn in this PDF font and are shown as "?"; the signed text in Gliofuse is unchanged.`, { size: 7.8, color: COLOR.warn });
  if (input.addenda.length) {
    w.gap(4);
    w.subheading('Addenda (after signing; each dated and signed)');
    for (const a of input.addenda) {
      w.para(`Addendum ${a.seq} - ${fmtLocal(a.signature.signedAt)}`, { font: FONT.bold, size: 8.8, after: 1 });
      w.para(a.text, { size: 9, after: 1 });
      w.para(signatureLine(a.signature), { size: 7.6, color: a.signature.verified ? COLOR.muted : COLOR.crit, after: 6 });
    }
  }
  w.gap(6);
}

async function aiSections(w: PdfWriter, input: ReportInput, r: AnalysisResult): Promise<void> {
  w.heading('AI-suggested results', { keepWith: 120 });
  w.beginFrame('AI-SUGGESTED - research model output, not a diagnosis');

  const warnings = sortWarnings(r.warnings);
  if (warnings.length) {
    w.subheading('Warnings (most important first)', 14);
    for (const wa of warnings) {
      const color = wa.severity === 'critical' ? COLOR.crit : wa.severity === 'warning' ? COLOR.warn : COLOR.muted;
      w.para(`${wa.severity.toUpperCase()}: ${wa.message}`, { size: 8.4, color, after: 2 });
    }
    w.gap(4);
  }

  const gTop = r.grade.probs.find((p) => p.label === r.grade.top);
  const cTop = r.molecularClass.probs.find((p) => p.label === r.molecularClass.top);
  // The grade head predicts the histological grade recorded in TCGA (pre-2021), never a CNS WHO grade.
  w.subheading('Histological grade (TCGA, pre-2021; temperature-scaled probabilities) - AI');
  if (gTop) w.para(`Top: ${aiGradeDisplay(gTop.label)} - ${fmtP(gTop.p)}`, { font: FONT.bold, size: 9.2, after: 3 });
  probabilityBars(w, r.grade.probs.map((p) => ({ ...p, display: aiGradeDisplay(p.label) })), r.grade.top);
  w.gap(6);
  w.subheading('Class (temperature-scaled probabilities) - AI');
  if (cTop) w.para(`Top: ${cTop.display} - ${fmtP(cTop.p)}`, { font: FONT.bold, size: 9.2, after: 3 });
  probabilityBars(w, r.molecularClass.probs, r.molecularClass.top);
  w.gap(6);

  w.subheading('Modality contributions (attention share in the final decoder layer; not causal importance)');
  probabilityBars(w, [
    { label: 'pathology', display: `Pathology (slide)${r.provenance.usedModalities.includes('pathology') ? '' : ' - not used'}`, p: r.modalityContributions.pathology },
    { label: 'genomics', display: `Genomics and clinical${r.provenance.usedModalities.includes('genomics') ? '' : ' - not used'}`, p: r.modalityContributions.genomics },
  ], '');
  w.gap(8);

  survivalBlock(w, input, r);
  await evidenceBlock(w, input, r);
  w.endFrame();
}

function survivalBlock(w: PdfWriter, input: ReportInput, r: AnalysisResult): void {
  const s = r.survival;
  w.subheading('Survival risk group', 200);
  const cut = s.riskGroupCutoffs.map((c) => fmtNum(c, 4)).join(', ');
  w.para(`Risk group: ${s.riskGroup} (model risk ${fmtNum(s.risk, 4)}; cut-offs ${cut}; ${s.cutoffSource}).`, { font: FONT.bold, size: 9, after: 3 });
  w.para('The curves show groups of training-cohort patients split by the model\'s risk; they describe those groups, not a survival prediction or promise for this patient.', { size: 7.8, color: COLOR.muted, after: 4 });
  const curves = input.cohort?.curves.outOfFold ?? input.cohort?.curves.apparent ?? null;
  const model = { edgesDays: s.binEdgesDays, survival: s.curve };
  if (curves) {
    kmPlot(w, curves, s.riskGroup, model);
    const p = input.cohort?.curves.outOfFold ? input.cohort.logRankP?.outOfFold : input.cohort?.logRankP?.apparent;
    w.para(`Cohort curves: ${curves.description}${p !== undefined && p !== null ? ` Log-rank p = ${p.toExponential(1)}.` : ''}`, { size: 7.6, color: COLOR.muted, after: 6 });
  } else {
    w.para(input.cohortNote ?? 'Training-cohort Kaplan–Meier curves are not available for this model package.', { size: 8.4, color: COLOR.warn, after: 3 });
    const rows = s.curve.map((v, j) => {
      const a = s.binEdgesDays[j];
      const b = s.binEdgesDays[j + 1];
      return `${fmtNum(a ?? 0, 5)}-${b === null || b === undefined ? 'open' : fmtNum(b, 5)} days: S = ${fmtP(v)}`;
    });
    w.para(`Model S(t) at the survival-bin ends for this case's inputs (a model output, not a prognosis): ${rows.join('; ')}.`, { size: 8.2, after: 6 });
  }
}

async function evidenceBlock(w: PdfWriter, input: ReportInput, r: AnalysisResult): Promise<void> {
  const d = w.doc;
  const ex = r.explanations;
  w.subheading('Evidence: slide attention', 40);
  if (!ex.pathologyIsEvidence) {
    const why = r.warnings.find((x) => x.code === 'unvalidated_modality')?.message;
    w.para(`The slide attention is not shown as evidence: ${why ?? (r.provenance.usedModalities.includes('pathology') ? 'the model package is not validated for the pathology pathway.' : 'the slide was not used for this result.')}`, { size: 8.6, after: 6 });
  } else if (!ex.heatmap) {
    w.para('The pathology pathway is validated, but this result carries no attention heatmap (no tissue tiles were analysed).', { size: 8.6, after: 6 });
  } else {
    const grid = ex.heatmap;
    const img = await renderHeatmapImage(grid, input.slideThumbnail, { maxSide: 700 });
    const maxW = CONTENT_W * 0.62;
    const maxH = 300;
    const f = Math.min(maxW / img.width, maxH / img.height);
    const dw = img.width * f;
    const dh = img.height * f;
    w.ensure(dh + 20);
    const x = MARGIN.left;
    const y = w.y;
    d.image(img.png, x, y, { width: dw, height: dh });
    d.rect(x, y, dw, dh).lineWidth(0.5).strokeColor(COLOR.rule).stroke();
    // Numbered boxes at the top patches (level-0 coordinates scaled to the drawn image).
    const k = img.scale * f;
    ex.topPatches.slice(0, MAX_PATCHES).forEach((p, i) => {
      const px = x + p.x * k;
      const py = y + p.y * k;
      const ps = Math.max(p.size * k, 5);
      d.rect(px, py, ps, ps).lineWidth(1).strokeColor('#ffffff').stroke();
      d.rect(px - 0.6, py - 0.6, ps + 1.2, ps + 1.2).lineWidth(0.5).strokeColor('#000000').stroke();
      // The number sits in a black tab on the box's top-left corner, readable over any colour.
      d.font(FONT.bold).fontSize(6.5);
      const label = String(i + 1);
      const tw = d.widthOfString(label) + 3;
      d.rect(px, py, tw, 8).fill('#000000');
      d.fillColor('#ffffff').text(label, px + 1.5, py + 1, { lineBreak: false });
    });
    // Legend to the right of the image.
    const lx = x + dw + 14;
    const lw = CONTENT_W - dw - 14;
    viridisLegend(w, lx, y + 2, lw, `low ${fmtNum(grid.valueRange[0], 3)}`, `high ${fmtNum(grid.valueRange[1], 3)}`);
    d.font(FONT.regular).fontSize(7.6).fillColor(COLOR.ink).text(pdfText([
      `Colour: ${grid.quantity}.`,
      `Normalisation: ${grid.normalisation}.`,
      `Grid: ${grid.width} x ${grid.height} cells of ${fmtNum(grid.spacingX, 4)} x ${fmtNum(grid.spacingY, 4)} level-0 px.`,
      img.onThumbnail ? 'Shown over the slide thumbnail; uncoloured areas had no analysed tile.' : 'Slide thumbnail unavailable: the grid is drawn on a grey ground of the slide\'s extent.',
      'Numbered boxes: the top patches listed below.',
      'Attention is an attribution, not causal importance.',
    ].join('\n')), lx, y + 24, { width: lw });
    w.y = Math.max(y + dh, d.y) + 8;
  }

  if (ex.pathologyIsEvidence && ex.topPatches.length) {
    w.subheading('Top patches (level-0 pixel coordinates of the top-left corner)', 30);
    const rows = ex.topPatches.slice(0, MAX_PATCHES).map((p, i) => `${i + 1}.  x ${Math.round(p.x)}, y ${Math.round(p.y)}, ${Math.round(p.size)} px, score ${fmtNum(p.score, 3)}${p.prototype !== null ? `, prototype ${p.prototype}` : ''}`);
    columns(w, rows, 2, 8);
    w.gap(6);
  }

  w.subheading('Evidence: genomic attributions (signed bars; the method says what + and - mean)', 60);
  const attrs = [...ex.genomicAttributions].sort((a, b) => Math.abs(b.attribution) - Math.abs(a.attribution)).slice(0, MAX_ATTRIBUTIONS);
  if (!attrs.length) {
    w.para(r.provenance.usedModalities.includes('genomics') ? 'No genomic attributions were computed for this result.' : 'No genomic profile was used for this result.', { size: 8.6, after: 6 });
  } else {
    w.para(`Method: ${sentence(ex.genomicAttributionMethod)} The ${attrs.length} largest of ${ex.genomicAttributions.length} by magnitude.`, { size: 7.8, color: COLOR.muted, after: 3 });
    signedBars(w, attrs.map((a) => ({ label: a.display, value: a.attribution, note: a.imputed ? 'imputed' : `value ${fmtNum(a.value, 3)}` })));
    w.gap(6);
  }
}

function inputsSection(w: PdfWriter, input: ReportInput, r: AnalysisResult): void {
  w.heading('Inputs', { keepWith: 80 });
  const sl = input.slide;
  const pv = r.provenance;
  if (pv.slide || sl) {
    w.subheading('Slide (metadata without identifiers; label and macro images are never included)');
    const props = Object.entries(sl?.properties ?? {}).slice(0, 16).map(([k, v]) => [k, v] as const);
    w.rows([
      ['File', pv.slide?.fileName ?? sl?.fileName ?? '—'],
      ['Vendor', sl?.vendor ?? '—'],
      ['Dimensions (level 0)', sl?.width && sl.height ? `${sl.width} x ${sl.height} px` : '—'],
      ['Resolution', sl?.mppX ? `${fmtNum(sl.mppX, 4)} x ${fmtNum(sl.mppY ?? sl.mppX, 4)} µm/px` : 'not stated in the file'],
      ...slideResolutionRows(pv, sl?.mppX),
      ['Quality flags', sl?.qualityFlags.length ? sl.qualityFlags.join('; ') : 'none recorded'],
      ['Slide hash', pv.slide ? `${pv.slide.hashKind} ${pv.slide.hash}` : sl?.hash ? `${sl.hashKind ?? ''} ${sl.hash}` : '—'],
      ...props,
    ], { mono: ['Slide hash'] });
    w.gap(4);
  } else {
    w.para('No slide was used for this result.', { size: 8.6 });
  }

  w.subheading('Tiling, tissue detection and preprocessing parameters');
  const params = Object.entries(pv.preprocessing).map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v)] as const);
  if (params.length) w.rows(params, { labelWidth: 170, size: 8.2 });
  else w.para('none recorded', { size: 8.6 });
  w.gap(4);

  w.subheading('Genomic and clinical profile as given to the model');
  const ga = r.explanations.genomicAttributions;
  if (pv.genomics || ga.length) {
    if (pv.genomics) w.rows([['Source file', pv.genomics.fileName], ['Source sha256', pv.genomics.sourceSha256]], { mono: ['Source sha256'] });
    const imputed = ga.filter((g) => g.imputed).length;
    w.para(`${ga.length} fields; ${imputed} imputed (missing in the input - the training-cohort mean was used, marked "imputed").`, { size: 8, color: imputed ? COLOR.warn : COLOR.muted, after: 3 });
    columns(w, ga.map((g) => `${g.display}: ${g.imputed ? 'imputed' : fmtNum(g.value, 4)}`), 3, 7.4);
  } else {
    w.para('No genomic profile was used for this result.', { size: 8.6 });
  }
  w.gap(6);
}

function provenanceSection(w: PdfWriter, input: ReportInput, r: AnalysisResult | null): void {
  w.heading('Provenance', { keepWith: 100 });
  const rows: [string, string][] = [];
  if (r) {
    const p = r.provenance;
    rows.push(
      ['Model', `${p.modelId} ${p.modelVersion}`],
      ['Model file sha256', p.modelSha256],
      ['Package digest', p.packageDigest],
      ['Validated modalities', p.validatedModalities.join(', ') || 'none'],
      ['Modalities used', p.usedModalities.join(', ') || 'none'],
      ['Inference', `onnxruntime ${p.onnxruntimeVersion}, execution provider ${p.executionProvider}`],
      ['Tile encoder', p.tileEncoder ? `${p.tileEncoder.id}` : 'not used'],
      ...(p.tileEncoder ? [['Tile encoder sha256', p.tileEncoder.sha256] as [string, string]] : []),
      ['Analysed with', `Gliofuse ${p.appVersion} at ${fmtLocal(p.createdAt)}`],
    );
  }
  rows.push(['Report rendered by', `Gliofuse ${input.appVersion}`]);
  rows.push(...auditAnchorRows(input.auditHead));
  w.rows(rows, { mono: ['Model file sha256', 'Package digest', 'Tile encoder sha256', 'Audit chain head'] });
  w.gap(6);
}

function limitationsSection(w: PdfWriter, input: ReportInput): void {
  w.heading('Intended use and limitations', { keepWith: 120 });
  const method = input.analysis?.result.explanations.genomicAttributionMethod.replace(/[.\s]+$/, '');
  const items = [
    `${RUO_STATEMENT} Gliofuse is research software; it is not a medical device.`,
    ...(input.intendedUse ? [`Intended use stated by the model package: ${input.intendedUse}`] : []),
    'AI-suggested results come from a statistical model trained on the data named in its model card; they can be wrong, were not validated in this laboratory, and do not replace the pathologist\'s diagnosis, which alone is signed.',
    'Probabilities are temperature-scaled on the training cohort; whether that makes them calibrated is shown, with reliability figures, in the model card; calibration on other populations, scanners or stains is unknown.',
    'Attention heatmaps and modality contributions are attention-based attributions, not causal importance.',
    ...(method ? [`Genomic attributions were computed by ${method}; they explain the model, not the biology.`] : []),
    'Risk groups and Kaplan–Meier curves describe groups of training-cohort patients; they are not a survival prediction or promise for this patient.',
    'Modalities the model package is not validated for are not used, and the result says so in its warnings.',
  ];
  for (const it of items) w.para(`- ${it}`, { size: 8.4, after: 2.5 });
}

// ---- helpers -----------------------------------------------------------------------------------------------

/** Text that ends with exactly one full stop (pipeline strings may or may not carry one). */
function sentence(s: string): string {
  return `${s.replace(/[.\s]+$/, '')}.`;
}

/** Short lines in `n` columns (row-major), continuing across pages. */
function columns(w: PdfWriter, lines: readonly string[], n: number, size: number): void {
  const d = w.doc;
  const colW = CONTENT_W / n;
  for (let i = 0; i < lines.length; i += n) {
    d.font(FONT.regular).fontSize(size);
    const row = lines.slice(i, i + n).map(pdfText);
    const h = Math.max(...row.map((t) => d.heightOfString(t, { width: colW - 6 })));
    w.ensure(h + 1);
    const y = w.y;
    row.forEach((t, j) => d.fillColor(/imputed/.test(t) ? COLOR.warn : COLOR.ink).text(t, MARGIN.left + j * colW, y, { width: colW - 6 }));
    w.y = y + h + 1;
  }
}

/** Running header, frames, RUO footer and "page X/Y" on every page, once the page count is known. */
function decorate(w: PdfWriter, input: ReportInput): void {
  const d = w.doc;
  const range = d.bufferedPageRange();
  const total = range.count;
  const signed = input.signoff ? `SIGNED ${fmtLocal(input.signoff.signature.signedAt).slice(0, 10)}` : 'NOT SIGNED';
  const head = pdfText(`Patient ${input.case.patientPseudonym}  ·  Case ${input.case.caseId}${input.case.accession ? `  ·  Accession ${input.case.accession}` : ''}`);
  for (let i = range.start; i < range.start + total; i++) {
    d.switchToPage(i);
    const savedBottom = d.page.margins.bottom;
    const savedTop = d.page.margins.top;
    // Text in the margins must not make pdfkit start a new page.
    d.page.margins.bottom = 0;
    d.page.margins.top = 0;
    w.drawFramesOn(i);
    d.font(FONT.bold).fontSize(8.5).fillColor(COLOR.ink).text('Gliofuse case report', MARGIN.left, 30, { lineBreak: false });
    d.font(FONT.regular).fontSize(8.5).text(head, MARGIN.left + 110, 30, { width: CONTENT_W - 230, lineBreak: false, ellipsis: true });
    d.font(FONT.bold).fontSize(8.5).fillColor(input.signoff ? COLOR.ink : COLOR.crit).text(signed, MARGIN.left + CONTENT_W - 120, 30, { width: 120, align: 'right', lineBreak: false });
    d.font(FONT.regular).fontSize(7.5).fillColor(COLOR.muted).text(`Generated ${fmtLocal(input.generatedAt)}`, MARGIN.left, 42, { lineBreak: false });
    d.moveTo(MARGIN.left, 54).lineTo(MARGIN.left + CONTENT_W, 54).lineWidth(0.6).strokeColor(COLOR.rule).stroke();

    const fy = PAGE.h - 40;
    d.moveTo(MARGIN.left, fy - 6).lineTo(MARGIN.left + CONTENT_W, fy - 6).lineWidth(0.6).strokeColor(COLOR.rule).stroke();
    d.font(FONT.bold).fontSize(8).fillColor(COLOR.ink).text(RUO_STATEMENT, MARGIN.left, fy, { width: CONTENT_W - 90, lineBreak: false });
    d.font(FONT.regular).fontSize(8).fillColor(COLOR.ink).text(`page ${i - range.start + 1}/${total}`, MARGIN.left + CONTENT_W - 90, fy, { width: 90, align: 'right', lineBreak: false });
    d.page.margins.bottom = savedBottom;
    d.page.margins.top = savedTop;
  }
}
