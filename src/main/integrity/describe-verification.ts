/** The human text of a verification (CLI): the first line keeps the historic form "ok, N events, head H". */
import type { ChainStatus } from '../../shared/contract/audit.ts';

export function describeVerification(st: ChainStatus): string {
  const lines: string[] = [];
  if (st.ok) lines.push(`ok, ${st.count} events, head ${st.head}`);
  else lines.push(`BROKEN${st.firstBrokenSeq !== null ? ` at event ${st.firstBrokenSeq}` : ''}: ${st.reason ?? 'unknown problem'}`);
  for (const p of (st.problems ?? []).slice(1)) lines.push(`  also: ${p}`);
  if (st.keyed) lines.push(`keyed: HMAC-SHA-256 with this database's audit key from event ${st.keyedFromSeq ?? 1}${(st.keyedFromSeq ?? 1) > 1 ? ` (events before it: unkeyed SHA-256, written before keyed audit)` : ''}`);
  else lines.push('unkeyed: SHA-256 chain only (no audit key for this database yet; the app or CLI creates one on its next write)');
  const c = st.checkpoint;
  if (c?.state === 'ok' && c.count !== null) lines.push(`checkpoint: ${c.count} events, head ${c.head}, written ${c.writtenAt}${c.count < st.count ? ` (${st.count - c.count} later events chain from it)` : ''}`);
  return lines.join('\n');
}
