/** The home screen: cases by workflow status, newest activity first, with search and paging. */
import { call } from '../../api.ts';
import { useAsync, useUrlSearch } from '../../lib/use-async.ts';
import { href, navigate } from '../../lib/route.ts';
import { fmtDateTime, localOffset } from '../../lib/format.ts';
import { EmptyState, ErrorPanel, LinkButton, PageHeader, Pager, SearchBox, SkeletonRows } from '../../components/ui.tsx';
import { CASE_STATUSES, STATUS_LABEL, StatusBadge, type CaseStatus } from './status.tsx';
import { canEdit, useSession } from '../../lib/session.tsx';

const PAGE = 25;
const isStatus = (s: string | null): s is CaseStatus => s !== null && (CASE_STATUSES as readonly string[]).includes(s);

export function Worklist({ query }: { query: URLSearchParams }) {
  const { user } = useSession();
  const status = isStatus(query.get('status')) ? (query.get('status') as CaseStatus) : undefined;
  const offset = Math.max(0, Number(query.get('offset') ?? 0) || 0);
  const [search, setSearch, q] = useUrlSearch('/worklist', query, { status });

  const { data, error, loading, reload } = useAsync(
    () => call('cases.list', { status, search: q || undefined, limit: PAGE, offset }),
    [status, q, offset],
  );

  const go = (nextOffset: number) => navigate('/worklist', { status, q: q || undefined, offset: nextOffset || undefined });

  return (
    <div className="page">
      <PageHeader
        title="Worklist"
        subtitle="Cases by status. Open a case to review its slides and history."
        actions={canEdit(user.role) ? <LinkButton href={href('/patients')} icon="plus" variant="primary">New case</LinkButton> : undefined}
      />
      <div className="toolbar">
        <div className="segmented" role="group" aria-label="Filter by status">
          <a href={href('/worklist', { q: q || undefined })} className={!status ? 'is-active' : ''} aria-current={!status ? 'true' : undefined}>All</a>
          {CASE_STATUSES.map((s) => (
            <a key={s} href={href('/worklist', { status: s, q: q || undefined })} className={status === s ? 'is-active' : ''} aria-current={status === s ? 'true' : undefined}>
              {STATUS_LABEL[s]}
            </a>
          ))}
        </div>
        <SearchBox label="Search cases" placeholder="Accession, specimen or pseudonym" value={search} onChange={setSearch} />
      </div>
      {error && <ErrorPanel message={error} onRetry={reload} />}
      <div className="table-wrap" aria-busy={loading}>
        <table className="table">
          <caption className="visually-hidden">Cases{status ? ` with status ${STATUS_LABEL[status]}` : ''}</caption>
          <thead>
            <tr>
              <th scope="col">Accession</th>
              <th scope="col">Patient</th>
              <th scope="col">Specimen</th>
              <th scope="col">Status</th>
              <th scope="col" className="num">Slides</th>
              <th scope="col">Genomics</th>
              <th scope="col">Updated <span className="muted">({localOffset()})</span></th>
            </tr>
          </thead>
          <tbody>
            {!data && loading && <SkeletonRows cols={7} />}
            {data?.cases.map((c) => (
              <tr key={c.id}>
                <td><a href={href(`/cases/${c.id}`)} className="strong-link">{c.accession}</a></td>
                <td><a href={href(`/patients/${c.patientId}`)}>{c.patientPseudonym}</a></td>
                <td>{c.specimen || <span className="muted">—</span>}</td>
                <td><StatusBadge status={c.status} /></td>
                <td className="num">{c.slideCount}</td>
                <td>{c.hasGenomics ? 'Imported' : <span className="muted">None</span>}</td>
                <td className="nowrap">{fmtDateTime(c.updatedAt)}</td>
              </tr>
            ))}
          </tbody>
        </table>
        {data && data.total === 0 && (
          <EmptyState icon="worklist" title={q || status ? 'No cases match' : 'No cases yet'}
            action={canEdit(user.role) ? <LinkButton href={href('/patients')} variant="primary" icon="patients">Go to patients</LinkButton> : undefined}>
            {q || status ? 'Clear the search or pick another status.' : canEdit(user.role) ? 'Cases are opened from a patient: find or register the patient, then choose “New case”.' : 'Cases appear here once a pathologist opens them.'}
          </EmptyState>
        )}
      </div>
      {data && data.total > 0 && <Pager offset={offset} limit={PAGE} total={data.total} label="cases" onChange={go} />}
    </div>
  );
}
