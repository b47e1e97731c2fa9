/**
 * Vector charts for the report: probability bars, signed attribution bars, the Kaplan–Meier plot and the viridis
 * legend. Numbers are always printed next to the graphics, and groups differ by line style as well as colour, so
 * nothing depends on colour alone (UI.md, accessibility).
 */
import { COLOR, CONTENT_W, FONT, MARGIN, type PdfWriter } from './pdf-writer.ts';
import { fmtNum, fmtP, pdfText } from './pdf-text.ts';
import { VIRIDIS_STOPS } from './viridis.ts';
import type { KmCurveSet } from '../../shared/contract/report.ts';
import type { z } from 'zod';

type CurveSet = z.infer<typeof KmCurveSet>;

/** Horizontal probability bars with the value to two decimals; the top label is bold and accent-coloured. */
export function probabilityBars(w: PdfWriter, probs: readonly { label: string; display: string; p: number }[], top: string): void {
  const d = w.doc;
  const labelW = 260;
  const trackX = MARGIN.left + labelW + 6;
  const trackW = CONTENT_W - labelW - 46;
  for (const pr of probs) {
    const isTop = pr.label === top;
    d.font(isTop ? FONT.bold : FONT.regular).fontSize(8.6);
    const text = pdfText(pr.display);
    const h = Math.max(d.heightOfString(text, { width: labelW }), 11);
    w.ensure(h + 3);
    const y = w.y;
    d.fillColor(COLOR.ink).text(text, MARGIN.left, y, { width: labelW });
    const by = y + 1.5;
    d.rect(trackX, by, trackW, 7).fill(COLOR.track);
    if (pr.p > 0) d.rect(trackX, by, Math.max(0.8, trackW * pr.p), 7).fill(isTop ? COLOR.accent : COLOR.bar);
    d.font(isTop ? FONT.bold : FONT.regular).fontSize(8.6).fillColor(COLOR.ink).text(fmtP(pr.p), trackX + trackW + 6, y, { width: 34, lineBreak: false });
    w.y = y + h + 3;
  }
}

/**
 * Signed bars around a centre axis: positive attributions to the right (accent, "+"), negative to the left
 * (grey, "-"). Scaled to the largest magnitude shown.
 */
export function signedBars(w: PdfWriter, items: readonly { label: string; value: number; note?: string }[]): void {
  const d = w.doc;
  const labelW = 190;
  const valueW = 58;
  const areaX = MARGIN.left + labelW + 4;
  const areaW = CONTENT_W - labelW - valueW - 8;
  const mid = areaX + areaW / 2;
  const max = Math.max(...items.map((i) => Math.abs(i.value)), 1e-12);
  const top = w.y;
  for (const it of items) {
    w.ensure(12);
    const y = w.y;
    d.font(FONT.regular).fontSize(8.2).fillColor(COLOR.ink).text(pdfText(it.note ? `${it.label} (${it.note})` : it.label), MARGIN.left, y, { width: labelW, lineBreak: false, ellipsis: true });
    const len = (Math.abs(it.value) / max) * (areaW / 2 - 2);
    if (it.value >= 0) d.rect(mid, y + 1.5, Math.max(len, 0.6), 7).fill(COLOR.accent);
    else d.rect(mid - len, y + 1.5, Math.max(len, 0.6), 7).fill(COLOR.bar);
    const sign = it.value > 0 ? '+' : it.value < 0 ? '-' : '';
    d.font(FONT.regular).fontSize(8.2).fillColor(COLOR.ink).text(`${sign}${fmtNum(Math.abs(it.value), 3)}`, areaX + areaW + 6, y, { width: valueW, lineBreak: false });
    w.y = y + 11.5;
  }
  // Centre axis over the rows drawn on this page.
  const axisTop = w.y < top ? w.y - 11.5 : top;
  d.moveTo(mid, axisTop).lineTo(mid, w.y).lineWidth(0.6).strokeColor(COLOR.ink).stroke();
}

/** A horizontal viridis colour bar with its end labels. */
export function viridisLegend(w: PdfWriter, x: number, y: number, width: number, lowLabel: string, highLabel: string): void {
  const d = w.doc;
  const grad = d.linearGradient(x, y, x + width, y);
  VIRIDIS_STOPS.forEach((c, i) => grad.stop(i / (VIRIDIS_STOPS.length - 1), `#${c.map((v) => v.toString(16).padStart(2, '0')).join('')}`));
  d.rect(x, y, width, 8).fill(grad);
  d.font(FONT.regular).fontSize(7.5).fillColor(COLOR.ink);
  d.text(pdfText(lowLabel), x, y + 10, { width: width / 2, lineBreak: false });
  d.text(pdfText(highLabel), x + width / 2, y + 10, { width: width / 2, align: 'right', lineBreak: false });
}

const DASHES: readonly (readonly [number, number] | null)[] = [null, [5, 2.5], [1.2, 2], [9, 3]];

function applyDash(d: PdfWriter['doc'], i: number): void {
  const p = DASHES[i % DASHES.length];
  if (!p) d.undash();
  else d.dash(p[0], { space: p[1] });
}

/**
 * Kaplan–Meier step curves of the training cohort per risk group (the case's group drawn thick in the accent
 * colour), with the model's S(t) at the survival-bin ends as square markers when given. Axes in years.
 */
export function kmPlot(
  w: PdfWriter,
  curves: CurveSet,
  highlight: string,
  model: { edgesDays: readonly (number | null)[]; survival: readonly number[] } | null,
): void {
  const d = w.doc;
  const height = 168;
  const plotX = MARGIN.left + 34;
  const plotW = 300;
  w.ensure(height + 40);
  const top = w.y + 4;
  const bottom = top + height;
  const maxDays = Math.max(...curves.groups.flatMap((g) => g.timesDays), ...(model ? model.edgesDays.filter((e): e is number => e !== null) : []), 365);
  const maxYears = Math.ceil(maxDays / 365.25);
  const xOf = (days: number) => plotX + (Math.min(days, maxYears * 365.25) / (maxYears * 365.25)) * plotW;
  const yOf = (s: number) => bottom - s * height;

  // Axes, grid and ticks.
  d.save();
  d.lineWidth(0.4).strokeColor(COLOR.track);
  for (const s of [0.25, 0.5, 0.75, 1]) d.moveTo(plotX, yOf(s)).lineTo(plotX + plotW, yOf(s)).stroke();
  d.lineWidth(0.8).strokeColor(COLOR.ink).moveTo(plotX, top).lineTo(plotX, bottom).lineTo(plotX + plotW, bottom).stroke();
  d.font(FONT.regular).fontSize(7).fillColor(COLOR.ink);
  for (const s of [0, 0.25, 0.5, 0.75, 1]) d.text(s.toFixed(2), plotX - 26, yOf(s) - 3, { width: 22, align: 'right', lineBreak: false });
  const stepYears = maxYears > 12 ? 2 : 1;
  for (let yr = 0; yr <= maxYears; yr += stepYears) {
    const x = xOf(yr * 365.25);
    d.moveTo(x, bottom).lineTo(x, bottom + 3).stroke();
    d.text(String(yr), x - 10, bottom + 5, { width: 20, align: 'center', lineBreak: false });
  }
  d.text('years since diagnosis', plotX, bottom + 15, { width: plotW, align: 'center', lineBreak: false });
  d.save().rotate(-90, { origin: [MARGIN.left + 2, top + height / 2] });
  d.text('survival probability', MARGIN.left + 2 - 50, top + height / 2 - 3, { width: 100, align: 'center', lineBreak: false });
  d.restore();

  // Cohort curves (step functions: S holds until the next event time).
  curves.groups.forEach((g, gi) => {
    const mine = g.name === highlight;
    d.lineWidth(mine ? 2.2 : 1).strokeColor(mine ? COLOR.accent : '#6f6f6f');
    applyDash(d, gi);
    let prevS = 1;
    d.moveTo(xOf(0), yOf(1));
    g.timesDays.forEach((t, i) => {
      const s = g.survival[i] ?? prevS;
      d.lineTo(xOf(t), yOf(prevS)).lineTo(xOf(t), yOf(s));
      prevS = s;
    });
    d.lineTo(xOf(g.timesDays.at(-1) ?? 0), yOf(prevS)).stroke();
  });
  d.undash();

  // The model's S(t) at bin ends for this case's inputs.
  if (model) {
    const pts: [number, number][] = [[xOf(0), yOf(1)]];
    model.survival.forEach((s, j) => {
      const edge = model.edgesDays[j + 1];
      if (edge !== null && edge !== undefined) pts.push([xOf(edge), yOf(s)]);
    });
    d.lineWidth(0.8).strokeColor(COLOR.ink).dash(1, { space: 1.5 });
    pts.forEach(([x, y], i) => (i === 0 ? d.moveTo(x, y) : d.lineTo(x, y)));
    d.stroke().undash();
    for (const [x, y] of pts.slice(1)) d.rect(x - 2.2, y - 2.2, 4.4, 4.4).lineWidth(0.8).fillAndStroke('#ffffff', COLOR.ink);
  }
  d.restore();

  // Legend to the right of the plot.
  const lx = plotX + plotW + 16;
  let ly = top;
  curves.groups.forEach((g, gi) => {
    const mine = g.name === highlight;
    d.save().lineWidth(mine ? 2.2 : 1).strokeColor(mine ? COLOR.accent : '#6f6f6f');
    applyDash(d, gi);
    d.moveTo(lx, ly + 4).lineTo(lx + 22, ly + 4).stroke().undash().restore();
    d.font(mine ? FONT.bold : FONT.regular).fontSize(7.6).fillColor(COLOR.ink)
      .text(pdfText(`${g.name}: n=${g.n}, ${g.events} events${mine ? ' - this case\'s risk group' : ''}`), lx + 26, ly, { width: CONTENT_W - (lx + 26 - MARGIN.left) });
    ly = d.y + 3;
  });
  if (model) {
    d.save().rect(lx + 9, ly + 1.8, 4.4, 4.4).lineWidth(0.8).fillAndStroke('#ffffff', COLOR.ink).restore();
    d.font(FONT.regular).fontSize(7.6).fillColor(COLOR.ink)
      .text('model S(t) at the survival-bin ends for this case\'s inputs (a model output, not a prognosis)', lx + 26, ly, { width: CONTENT_W - (lx + 26 - MARGIN.left) });
    ly = d.y + 3;
  }
  w.y = Math.max(bottom + 28, ly + 4);
}
