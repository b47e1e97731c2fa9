/**
 * Kaplan–Meier curves of the model's training cohort per risk group, drawn as SVG step functions. The case's group
 * is thick and accent-coloured and named in the legend; groups also differ by dash pattern (not colour alone).
 * The model's S(t) at the bin ends is drawn as squares and labelled as a model output, never as a prognosis.
 */
import type { z } from 'zod';
import type { KmCurveSet } from '../../../shared/contract/report.ts';

type Curves = z.infer<typeof KmCurveSet>;
const DASH = ['', '6 3', '1.5 3', '10 4'];
const W = 440;
const H = 230;
const PAD = { l: 44, r: 10, t: 10, b: 36 };

export function CohortKmChart({ curves, highlight, model }: { curves: Curves; highlight: string; model: { edgesDays: readonly (number | null)[]; survival: readonly number[] } | null }) {
  const maxDays = Math.max(365, ...curves.groups.flatMap((g) => g.timesDays), ...(model ? model.edgesDays.filter((e): e is number => e !== null) : []));
  const years = Math.ceil(maxDays / 365.25);
  const pw = W - PAD.l - PAD.r;
  const ph = H - PAD.t - PAD.b;
  const x = (d: number) => PAD.l + (Math.min(d, years * 365.25) / (years * 365.25)) * pw;
  const y = (s: number) => PAD.t + (1 - s) * ph;
  const step = years > 12 ? 2 : 1;
  const ticks = Array.from({ length: Math.floor(years / step) + 1 }, (_, i) => i * step);

  const pathOf = (g: Curves['groups'][number]) => {
    let d = `M${x(0)},${y(1)}`;
    let prev = 1;
    g.timesDays.forEach((t, i) => {
      const s = g.survival[i] ?? prev;
      d += ` H${x(t).toFixed(1)} V${y(s).toFixed(1)}`;
      prev = s;
    });
    return d;
  };
  const modelPts = model
    ? [[0, 1] as const, ...model.survival.flatMap((s, j) => {
        const e = model.edgesDays[j + 1];
        return e === null || e === undefined ? [] : [[e, s] as const];
      })]
    : [];

  const summary = curves.groups.map((g) => `${g.name}: ${g.n} patients, ${g.events} events`).join('; ');
  return (
    <figure className="an-km">
      <svg viewBox={`0 0 ${W} ${H}`} role="img" aria-label={`Kaplan–Meier curves of the training cohort by risk group (${summary}); this case's group: ${highlight}.`}>
        {[0, 0.25, 0.5, 0.75, 1].map((s) => (
          <g key={s}>
            <line x1={PAD.l} x2={W - PAD.r} y1={y(s)} y2={y(s)} className="an-km-grid" />
            <text x={PAD.l - 6} y={y(s) + 4} textAnchor="end" className="an-km-tick">{s.toFixed(2)}</text>
          </g>
        ))}
        {ticks.map((t) => <text key={t} x={x(t * 365.25)} y={H - PAD.b + 16} textAnchor="middle" className="an-km-tick">{t}</text>)}
        <text x={PAD.l + pw / 2} y={H - 4} textAnchor="middle" className="an-km-tick">years since diagnosis</text>
        <line x1={PAD.l} x2={PAD.l} y1={PAD.t} y2={PAD.t + ph} className="an-km-axis" />
        <line x1={PAD.l} x2={W - PAD.r} y1={PAD.t + ph} y2={PAD.t + ph} className="an-km-axis" />
        {curves.groups.map((g, i) => (
          <path key={g.name} d={pathOf(g)} className={g.name === highlight ? 'an-km-line is-case' : 'an-km-line'} strokeDasharray={DASH[i % DASH.length]} />
        ))}
        {modelPts.length > 1 && (
          <>
            <polyline points={modelPts.map(([d, s]) => `${x(d)},${y(s)}`).join(' ')} className="an-km-model" />
            {modelPts.slice(1).map(([d, s]) => <rect key={d} x={x(d) - 3} y={y(s) - 3} width={6} height={6} className="an-km-point" />)}
          </>
        )}
      </svg>
      <figcaption>
        <ul className="an-km-legend">
          {curves.groups.map((g, i) => (
            <li key={g.name} className={g.name === highlight ? 'is-case' : undefined}>
              <svg width="28" height="10" aria-hidden="true"><line x1="0" x2="28" y1="5" y2="5" className={g.name === highlight ? 'an-km-line is-case' : 'an-km-line'} strokeDasharray={DASH[i % DASH.length]} /></svg>
              <span>{g.name}: n={g.n}, {g.events} events{g.name === highlight && <strong> — this case's risk group</strong>}</span>
            </li>
          ))}
          {modelPts.length > 1 && (
            <li><svg width="28" height="10" aria-hidden="true"><rect x="11" y="2" width="6" height="6" className="an-km-point" /></svg><span>model S(t) at the survival-bin ends for this case's inputs (a model output, not a prognosis)</span></li>
          )}
        </ul>
        <p className="muted">{curves.description}</p>
      </figcaption>
    </figure>
  );
}
