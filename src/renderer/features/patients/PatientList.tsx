/** Patients: search by pseudonym, MRN or name; paged; identifying columns are marked as such. */
import { call } from '../../api.ts';
import { useAsync, useUrlSearch } from '../../lib/use-async.ts';
import { href, navigate } from '../../lib/route.ts';
import { fmtDateTime, localOffset } from '../../lib/format.ts';
import { EmptyState, ErrorPanel, LinkButton, PageHeader, Pager, SearchBox, SkeletonRows } from '../../components/ui.tsx';
import { canEdit, useSession } from '../../lib/session.tsx';

const PAGE = 25;

export function PatientList({ query }: { query: URLSearchParams }) {
  const { user } = useSession();
  const offset = Math.max(0, Number(query.get('offset') ?? 0) || 0);
  const [search, setSearch, q] = useUrlSearch('/patients', query);
  const { data, error, loading, reload } = useAsync(() => call('patients.list', { search: q || undefined, limit: PAGE, offset }), [q, offset]);
  const editor = canEdit(user.role);

  return (
    <div className="page">
      <PageHeader
        title="Patients"
        subtitle="Patients are known by their pseudonym. Identifying details (PHI) are stored separately and never leave this computer in exports or reports."
        actions={editor ? <LinkButton href={href('/patients/new')} variant="primary" icon="plus">New patient</LinkButton> : undefined}
      />
      <div className="toolbar">
        <SearchBox label="Search patients" placeholder="Pseudonym, MRN or name" value={search} onChange={setSearch} />
      </div>
      {error && <ErrorPanel message={error} onRetry={reload} />}
      <div className="table-wrap" aria-busy={loading}>
        <table className="table">
          <caption className="visually-hidden">Patients</caption>
          <thead>
            <tr>
              <th scope="col">Pseudonym</th>
              <th scope="col" className="phi-col">Name <span className="phi-tag">PHI</span></th>
              <th scope="col" className="phi-col">MRN <span className="phi-tag">PHI</span></th>
              <th scope="col" className="num">Cases</th>
              <th scope="col">Registered <span className="muted">({localOffset()})</span></th>
            </tr>
          </thead>
          <tbody>
            {!data && loading && <SkeletonRows cols={5} />}
            {data?.patients.map((p) => (
              <tr key={p.id}>
                <td><a href={href(`/patients/${p.id}`)} className="strong-link">{p.pseudonym}</a></td>
                <td className="phi-col">{p.phi.fullName || <span className="muted">—</span>}</td>
                <td className="phi-col mono">{p.phi.mrn || <span className="muted">—</span>}</td>
                <td className="num">{p.caseCount}</td>
                <td className="nowrap">{fmtDateTime(p.createdAt)}</td>
              </tr>
            ))}
          </tbody>
        </table>
        {data && data.total === 0 && (
          <EmptyState icon="patients" title={q ? `No patient matches “${q}”` : 'No patients yet'}
            action={editor && !q ? <LinkButton href={href('/patients/new')} variant="primary" icon="plus">Register the first patient</LinkButton> : undefined}>
            {q ? 'Check the spelling, or search by another identifier.' : editor ? 'Register a patient to open cases, attach slides and import genomic profiles.' : 'Patients appear here once a pathologist registers them.'}
          </EmptyState>
        )}
      </div>
      {data && data.total > 0 && <Pager offset={offset} limit={PAGE} total={data.total} label="patients" onChange={(o) => navigate('/patients', { q: q || undefined, offset: o || undefined })} />}
    </div>
  );
}
