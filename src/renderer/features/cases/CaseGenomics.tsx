/** Genomic profile summary on the Overview tab; the full report and the import live on the Genomics tab. */
import { call } from '../../api.ts';
import { useAsync } from '../../lib/use-async.ts';
import { href } from '../../lib/route.ts';
import { fmtDateTime } from '../../lib/format.ts';
import { ErrorPanel, Facts, LinkButton, Section } from '../../components/ui.tsx';
import { Icon } from '../../components/icons.tsx';
import { canEdit, useSession } from '../../lib/session.tsx';
import type { CaseDetail } from '../../lib/case-detail.ts';

export function CaseGenomics({ c }: { c: CaseDetail; onChanged: () => void }) {
  const { user } = useSession();
  const { data, error, reload } = useAsync(() => call('genomics.get', { caseId: c.id }), [c.id]);
  const p = data?.profiles[0];
  const editable = canEdit(user.role) && c.status !== 'signed' && c.status !== 'archived';
  return (
    <Section title="Genomic profile" actions={<LinkButton href={href(`/cases/${c.id}/genomics`)}>{p ? 'Open report' : editable ? 'Import profile' : 'Open'}</LinkButton>}>
      {error && <ErrorPanel message={error} onRetry={reload} />}
      {p ? (
        <Facts items={[
          ['File', p.sourceFileName],
          ['Imported', fmtDateTime(p.addedAt)],
          ['Observed fields', p.report.observed],
          ['Imputed fields', p.report.imputed],
        ]} />
      ) : data ? (
        <div className="placeholder-area" data-testid="genomics-area">
          <Icon name="info" size={18} />
          <div>
            <strong>No genomic profile yet.</strong>
            <p>{editable ? 'Import a CSV or JSON profile on the Genomics tab; it is checked against the model package’s genomic schema before it is stored.' : 'A pathologist imports the profile on the Genomics tab.'}</p>
          </div>
        </div>
      ) : null}
    </Section>
  );
}
