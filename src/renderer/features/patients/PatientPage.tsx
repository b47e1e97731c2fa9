/** One patient: research identity, the separated PHI block, and the patient's cases. */
import { call } from '../../api.ts';
import { useAsync } from '../../lib/use-async.ts';
import { href } from '../../lib/route.ts';
import { fmtDate, fmtDateTime } from '../../lib/format.ts';
import { EmptyState, ErrorPanel, Facts, LinkButton, PageHeader, Section, SkeletonRows } from '../../components/ui.tsx';
import { Icon } from '../../components/icons.tsx';
import { StatusBadge } from '../cases/status.tsx';
import { canEdit, useSession } from '../../lib/session.tsx';

const SEX: Record<string, string> = { female: 'Female', male: 'Male', other: 'Other', unknown: 'Unknown' };

export function PatientPage({ id }: { id: number }) {
  const { user } = useSession();
  const editor = canEdit(user.role);
  const patient = useAsync(() => call('patients.get', { id }), [id]);
  const cases = useAsync(() => call('cases.list', { patientId: id, limit: 200, offset: 0 }), [id]);
  const p = patient.data;

  if (patient.error) return <div className="page"><ErrorPanel message={patient.error} onRetry={patient.reload} /></div>;

  return (
    <div className="page">
      <PageHeader
        eyebrow={<a href={href('/patients')}>← Patients</a>}
        title={p ? p.pseudonym : <span className="skeleton skeleton-title" />}
        subtitle={p ? `Patient #${p.id} · registered ${fmtDateTime(p.createdAt)} · last changed ${fmtDateTime(p.updatedAt)}` : '\u00a0'}
        actions={editor ? (
          <>
            <LinkButton href={href(`/patients/${id}/edit`)} icon="edit">Edit patient</LinkButton>
            <LinkButton href={href(`/patients/${id}/cases/new`)} icon="plus" variant="primary">New case</LinkButton>
          </>
        ) : undefined}
      />
      <div className="two-col">
        <Section title={<>Cases {cases.data ? <span className="count">{cases.data.total}</span> : null}</>}>
          {cases.error && <ErrorPanel message={cases.error} onRetry={cases.reload} />}
          <div className="table-wrap table-flush">
            <table className="table">
              <caption className="visually-hidden">Cases of this patient</caption>
              <thead>
                <tr>
                  <th scope="col">Accession</th>
                  <th scope="col">Specimen</th>
                  <th scope="col">Site</th>
                  <th scope="col">Collected</th>
                  <th scope="col">Status</th>
                  <th scope="col" className="num">Slides</th>
                </tr>
              </thead>
              <tbody>
                {!cases.data && cases.loading && <SkeletonRows cols={6} rows={2} />}
                {cases.data?.cases.map((c) => (
                  <tr key={c.id}>
                    <td><a className="strong-link" href={href(`/cases/${c.id}`)}>{c.accession}</a></td>
                    <td>{c.specimen || <span className="muted">—</span>}</td>
                    <td>{c.site || <span className="muted">—</span>}</td>
                    <td className="nowrap">{fmtDate(c.collectedOn)}</td>
                    <td><StatusBadge status={c.status} /></td>
                    <td className="num">{c.slideCount}</td>
                  </tr>
                ))}
              </tbody>
            </table>
            {cases.data && cases.data.total === 0 && (
              <EmptyState icon="worklist" title="No cases for this patient">
                {editor ? 'Choose “New case” above for each specimen; slides and genomic profiles are attached to the case.' : 'Cases appear here once a pathologist opens them.'}
              </EmptyState>
            )}
          </div>
        </Section>
        <Section title={<><Icon name="shield" size={16} /> Identifying information</>} className="section-phi">
          <p className="fieldset-note">PHI — shown to signed-in users on this workstation only; never exported.</p>
          {p ? (
            <Facts items={[
              ['Full name', p.phi.fullName],
              ['Medical record number', p.phi.mrn ? <span className="mono">{p.phi.mrn}</span> : null],
              ['Sex', p.phi.sex ? SEX[p.phi.sex] : null],
              ['Birth year', p.phi.birthYear],
            ]} />
          ) : <div className="skeleton-block" />}
        </Section>
      </div>
    </div>
  );
}
