/** Overview tab: case facts, slides, genomic profile, and the status timeline with the status control. */
import { href } from '../../lib/route.ts';
import { fmtDate, fmtDateTime } from '../../lib/format.ts';
import { Facts, LinkButton, Section } from '../../components/ui.tsx';
import { canEdit, useSession } from '../../lib/session.tsx';
import { CaseStatusActions } from './CaseStatusActions.tsx';
import { StatusTimeline } from './StatusTimeline.tsx';
import type { CaseDetail } from '../../lib/case-detail.ts';
import { CaseSlides } from './CaseSlides.tsx';
import { CaseGenomics } from './CaseGenomics.tsx';

export function CaseOverview({ c, reload }: { c: CaseDetail; reload: () => void }) {
  const { user } = useSession();
  const editor = canEdit(user.role);
  const editable = editor && c.status !== 'signed' && c.status !== 'archived';
  return (
    <div className="overview-grid">
      <div className="overview-main">
        <Section title="Case details" actions={editable ? <LinkButton href={href(`/cases/${c.id}/edit`)} icon="edit">Edit case</LinkButton> : undefined}>
          <Facts items={[
            ['Accession', c.accession],
            ['Patient', <a href={href(`/patients/${c.patientId}`)}>{c.patientPseudonym}</a>],
            ['Specimen', c.specimen],
            ['Site', c.site],
            ['Collected on', c.collectedOn ? fmtDate(c.collectedOn) : null],
            ['Received on', c.receivedOn ? fmtDate(c.receivedOn) : null],
            ['Opened', fmtDateTime(c.createdAt)],
            ['Last change', fmtDateTime(c.updatedAt)],
          ]} />
        </Section>
        <CaseSlides c={c} onChanged={reload} />
        <CaseGenomics c={c} onChanged={reload} />
      </div>
      <aside className="overview-side">
        <Section title="Status">
          <StatusTimeline history={c.history} />
          {editor && <CaseStatusActions key={c.status} c={c} onChanged={reload} />}
        </Section>
      </aside>
    </div>
  );
}
