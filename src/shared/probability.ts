/**
 * How a probability is printed (app and PDF): two decimals, except at the ends, where two decimals would claim a
 * certainty the model does not have — 0.996 is not "1.00" (issue 14 item 2). Everything that rounds to 1.00 is
 * "≥ 0.99" (true: it is at least 0.995) and everything that rounds to 0.00 is "< 0.01".
 */
export function formatProbability(p: number): string {
  if (!Number.isFinite(p)) return '—';
  if (p >= 0.995) return '≥ 0.99';
  if (p < 0.005) return '< 0.01';
  return p.toFixed(2);
}
