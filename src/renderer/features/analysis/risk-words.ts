/**
 * The survival risk in words (issue 14 item 9): "Risk score −1.20, between the cut-offs −3.83 and −1.24: the
 * intermediate group" instead of "-1.198; cut-offs -3.827, -1.243". Two decimals, a real minus sign.
 */
const num = (v: number): string => `${v < 0 ? '−' : ''}${Math.abs(v).toFixed(2)}`;

export function riskInWords(risk: number, cutoffs: readonly number[], group: string): string {
  const sorted = [...cutoffs].sort((a, b) => a - b);
  if (sorted.length === 0) return `Risk score ${num(risk)}: the ${group} group.`;
  const first = sorted[0]!;
  const last = sorted[sorted.length - 1]!;
  let where: string;
  if (risk < first) where = `below the lowest cut-off ${num(first)}`;
  else if (risk >= last) where = `at or above the highest cut-off ${num(last)}`;
  else {
    const i = sorted.findIndex((c, k) => risk >= c && risk < (sorted[k + 1] ?? Infinity));
    where = `between the cut-offs ${num(sorted[i]!)} and ${num(sorted[i + 1]!)}`;
  }
  return `Risk score ${num(risk)}, ${where}: the ${group} group.`;
}
