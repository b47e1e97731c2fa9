/** History tab: this case's audit trail (changes, and optionally the reads of it). */
import { call } from '../../api.ts';
import { useAsync } from '../../lib/use-async.ts';
import { navigate } from '../../lib/route.ts';
import { Checkbox, ErrorPanel, Pager } from '../../components/ui.tsx';
import { AuditTable } from '../audit/AuditTable.tsx';
import type { CaseDetail } from '../../lib/case-detail.ts';

const PAGE = 50;

export function CaseHistory({ c, query }: { c: CaseDetail; query: URLSearchParams }) {
  const reads = query.get('reads') === '1';
  const offset = Math.max(0, Number(query.get('offset') ?? 0) || 0);
  // Changes: the case and its slides, genomic profiles and analyses (cases.history); reads: the router's "cases" events.
  const { data, error, loading, reload } = useAsync(
    () => (reads
      ? call('audit.list', { entityType: 'cases', entityId: String(c.id), limit: PAGE, offset })
      : call('cases.history', { caseId: c.id, limit: PAGE, offset })),
    [c.id, reads, offset],
  );
  return (
    <div className="stack">
      <div className="toolbar">
        <p className="muted">Every change to this case and to its slides, genomic profiles and analyses, newest first, from the tamper-evident audit log.</p>
        <Checkbox label="Show reads of this case instead of changes" checked={reads} onChange={(e) => navigate(`/cases/${c.id}/history`, { reads: e.target.checked ? '1' : undefined })} />
      </div>
      {error && <ErrorPanel message={error} onRetry={reload} />}
      <AuditTable events={data?.events} loading={loading} emptyText={reads ? 'No recorded reads of this case.' : 'No recorded changes to this case.'} />
      {data && data.total > 0 && <Pager offset={offset} limit={PAGE} total={data.total} label="events" onChange={(o) => navigate(`/cases/${c.id}/history`, { reads: reads ? '1' : undefined, offset: o || undefined })} />}
    </div>
  );
}
