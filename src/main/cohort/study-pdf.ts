/**
 * The "local validation report" PDF of a validation study: who ran it and when, the model (id, version, sha256,
 * package digest), the cohort and the labels file, every figure with its 95 % interval beside the package's own
 * cross-validated figures, Kaplan–Meier curves per risk group, reliability of the top-class probability, and the
 * missing data. The RUO statement and "page X/Y" on every page. Numbers come from validation.json only.
 */
import PDFDocument from 'pdfkit';
import { RUO_STATEMENT } from '../../shared/ruo.ts';
import { PdfWriter, MARGIN, CONTENT_W, PAGE, COLOR, FONT, pdfBytes } from '../report/pdf-writer.ts';
import { kmPlot } from '../report/charts.ts';
import { pdfText, fmtLocal } from '../report/pdf-text.ts';
import type { ClassificationStudy, ValidationStudy } from './validate.ts';

const f3 = (v: number | null | undefined) => (v === null || v === undefined || !Number.isFinite(v) ? 'n/a' : v.toFixed(3));
const ci = (c: [number | null, number | null]) => (c[0] === null || c[1] === null ? '' : ` (95% CI ${f3(c[0])}–${f3(c[1])})`);
const years = (d: number | null) => (d === null ? 'not reached' : `${(d / 365.25).toFixed(1)} y`);

/** A number from the package manifest's cross-validated metrics, when the package was at hand. */
function cv(study: ValidationStudy, pick: (m: Record<string, Record<string, number>>) => number | undefined, sd?: (m: Record<string, Record<string, number>>) => number | undefined): string {
  const m = study.packageCrossValidated as Record<string, Record<string, number>> | null;
  if (!m) return 'n/a';
  const v = pick(m);
  if (v === undefined || !Number.isFinite(v)) return 'n/a';
  const s = sd?.(m);
  return s !== undefined && Number.isFinite(s) ? `${f3(v)} ± ${f3(s)}` : f3(v);
}

function classificationSection(w: PdfWriter, title: string, c: ClassificationStudy | null, cvAcc: string, cvAuc: string): void {
  w.subheading(title);
  if (!c) { w.para('No labels for this task.', { color: COLOR.muted }); return; }
  w.rows([
    ['patients', String(c.n)],
    ['accuracy', `${f3(c.accuracy)}${ci(c.ci95.accuracy)}   (package, cross-validated: ${cvAcc})`],
    ['balanced accuracy', `${f3(c.balancedAccuracy)}${ci(c.ci95.balancedAccuracy)}`],
    ['AUC micro', `${f3(c.aucMicro)}${ci(c.ci95.aucMicro)}   (package: ${cvAuc})`],
    ['AUC macro', `${f3(c.aucMacro)}${ci(c.ci95.aucMacro)}`],
    ['ECE (10 bins, top class)', f3(c.ece)],
  ], { labelWidth: 150 });
  reliabilityPlot(w, c);
}

/** Observed accuracy (with Wilson 95 % bars) against mean top-class probability per bin; the diagonal is perfect. */
function reliabilityPlot(w: PdfWriter, c: ClassificationStudy): void {
  const d = w.doc;
  const size = 130;
  w.ensure(size + 36);
  const x0 = MARGIN.left + 40;
  const top = w.y + 4;
  const bottom = top + size;
  const X = (p: number) => x0 + p * size;
  const Y = (p: number) => bottom - p * size;
  d.save();
  d.lineWidth(0.8).strokeColor(COLOR.ink).moveTo(x0, top).lineTo(x0, bottom).lineTo(x0 + size, bottom).stroke();
  d.lineWidth(0.5).strokeColor(COLOR.rule).dash(2, { space: 2 }).moveTo(X(0), Y(0)).lineTo(X(1), Y(1)).stroke().undash();
  d.font(FONT.regular).fontSize(7).fillColor(COLOR.ink);
  for (const t of [0, 0.5, 1]) {
    d.text(t.toFixed(1), x0 - 22, Y(t) - 3, { width: 18, align: 'right', lineBreak: false });
    d.text(t.toFixed(1), X(t) - 9, bottom + 4, { width: 18, align: 'center', lineBreak: false });
  }
  d.text('mean top-class probability', x0, bottom + 14, { width: size, align: 'center', lineBreak: false });
  d.text('observed accuracy; bars: Wilson 95% CI; n per bin at right', x0 + size + 14, top, { width: CONTENT_W - size - 60 });
  for (const b of c.reliability) {
    if (b.n === 0 || b.confidence === null || b.accuracy === null) continue;
    const x = X(b.confidence);
    if (b.lower !== null && b.upper !== null) d.lineWidth(0.7).strokeColor(COLOR.bar).moveTo(x, Y(b.lower)).lineTo(x, Y(b.upper)).stroke();
    d.circle(x, Y(b.accuracy), 2.2).fillColor(COLOR.accent).fill();
    d.fillColor(COLOR.muted).fontSize(6.5).text(`n=${b.n}`, x + 3, Y(b.accuracy) - 8, { lineBreak: false });
  }
  d.restore();
  w.y = bottom + 28;
}

export async function renderStudyPdf(study: ValidationStudy, appVersion: string): Promise<Buffer> {
  const doc = new PDFDocument({
    size: 'A4', margins: { top: MARGIN.top, bottom: MARGIN.bottom, left: MARGIN.left, right: MARGIN.right }, bufferPages: true, compress: true,
    info: { Title: 'Gliofuse local validation report', Subject: RUO_STATEMENT, Creator: `Gliofuse ${appVersion}`, Producer: 'Gliofuse (pdfkit)', CreationDate: new Date(study.createdAt) },
  });
  const done = pdfBytes(doc);
  const w = new PdfWriter(doc);
  w.heading('Local validation report', { size: 16 });
  w.para(RUO_STATEMENT, { font: FONT.bold, color: COLOR.crit, size: 9.5, after: 6 });
  w.para('The model\'s predictions on this site\'s patients, scored against this site\'s outcomes. The predictions are AI output (research model); the clinical reference is a Cox model on IDH, 1p/19q and age, not AI.', { size: 9, color: COLOR.muted });
  const m = study.cohort.model;
  w.rows([
    ['run by', pdfText(study.ranBy)],
    ['study date', fmtLocal(study.createdAt)],
    ['predictions merged', fmtLocal(study.cohort.createdAt)],
    ['model', pdfText(`${m.id} ${m.version}`)],
    ['model sha256', m.sha256],
    ['package digest', m.packageDigest],
    ['cohort', `${study.cohort.cases} cases (${pdfText(study.cohort.manifest)})`],
    ['labels', `${study.labels.patients} patients, sha256 ${study.labels.sha256.slice(0, 16)}…`],
    ['bootstrap', `${study.bootstrap.reps} resamples over patients, seed ${study.bootstrap.seed} (percentile 95% intervals)`],
  ], { labelWidth: 130, mono: ['model sha256', 'package digest'] });

  w.heading('Missing data');
  w.rows([
    ['cases the batch could not analyse', String(study.missing.notAnalysed)],
    ['analysed cases without a labels row', String(study.missing.unlabelled)],
    ['without survival (time, event)', String(study.missing.survival)],
    ['without grade', String(study.missing.grade)],
    ['without class', String(study.missing.molecularClass)],
    ['survival cases without clinical reference risk', String(study.missing.clinicalReference)],
  ], { labelWidth: 230 });

  w.heading('Survival (AI risk)');
  const s = study.survival;
  if (!s) w.para('No survival labels.', { color: COLOR.muted });
  else {
    w.rows([
      ['patients / deaths', `${s.n} / ${s.events}`],
      ['c-index (Harrell)', `${f3(s.cIndex)}${ci(s.cIndexCi)}   (package, cross-validated: ${cv(study, (x) => x.survival?.cIndexMean, (x) => x.survival?.cIndexSd)})`],
      ...s.tdAuc.map((t): [string, string] => [`time-dependent AUC, ${t.years} years`, `${f3(t.auc)}${ci(t.ci95)}   (${t.cases} deaths by then, ${t.controls} alive after)`]),
      ['clinical reference c-index', s.clinicalReference ? `${f3(s.clinicalReference.cIndex)}${ci(s.clinicalReference.cIndexCi)} on ${s.clinicalReference.n} of the same patients` : 'not available (the results carry no clinical reference risk)'],
    ], { labelWidth: 170 });
    w.subheading('Kaplan–Meier by the package\'s risk group');
    w.rows(s.riskGroups.map((g): [string, string] => [g.group, `n=${g.n}, deaths ${g.events}, median ${years(g.medianDays)}${g.medianCi[0] !== null ? ` (95% CI ${years(g.medianCi[0])}–${years(g.medianCi[1])})` : ''}`]), { labelWidth: 110 });
    w.rows(s.logRank.map((r): [string, string] => [`log-rank ${r.groups[0]} vs ${r.groups[1]}`, `chi² ${r.chiSquare.toFixed(2)}, p ${r.p < 1e-4 ? r.p.toExponential(1) : r.p.toFixed(4)}`]), { labelWidth: 200 });
    if (s.riskGroups.length) {
      kmPlot(w, { description: 'this cohort', groups: s.riskGroups.map((g) => ({ name: g.group, n: g.n, events: g.events, timesDays: g.steps.map((x) => x.time), survival: g.steps.map((x) => x.survival), atRisk: g.steps.map((x) => x.atRisk) })) }, '', null);
    }
  }
  w.heading('Grade and class (AI)');
  classificationSection(w, 'Histological grade (as the package predicts it)', study.grade, cv(study, (x) => x.grade?.accuracyMean, (x) => x.grade?.accuracySd), cv(study, (x) => x.grade?.aucMicroMean, (x) => x.grade?.aucMicroSd));
  classificationSection(w, 'Molecular class', study.molecularClass, cv(study, (x) => x.class?.accuracyMean, (x) => x.class?.accuracySd), cv(study, (x) => x.class?.aucMicroMean, (x) => x.class?.aucMicroSd));

  const range = doc.bufferedPageRange();
  for (let i = range.start; i < range.start + range.count; i++) {
    doc.switchToPage(i);
    const mb = doc.page.margins.bottom;
    doc.page.margins.bottom = 0;
    doc.font(FONT.bold).fontSize(8.5).fillColor(COLOR.ink).text('Gliofuse local validation report', MARGIN.left, 30, { lineBreak: false });
    doc.font(FONT.regular).fontSize(8.5).text(pdfText(`${m.id} ${m.version} · ${study.cohort.cases} cases`), MARGIN.left + 170, 30, { width: CONTENT_W - 170, lineBreak: false, ellipsis: true });
    const fy = PAGE.h - 40;
    doc.font(FONT.bold).fontSize(8).fillColor(COLOR.ink).text(RUO_STATEMENT, MARGIN.left, fy, { width: CONTENT_W - 90, lineBreak: false });
    doc.font(FONT.regular).fontSize(8).text(`page ${i - range.start + 1}/${range.count}`, MARGIN.left + CONTENT_W - 90, fy, { width: 90, align: 'right', lineBreak: false });
    doc.page.margins.bottom = mb;
  }
  doc.end();
  return done;
}
