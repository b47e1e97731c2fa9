/** Overview tab: case facts, slides, genomic profile, and the status timeline with the status control. */
import { useState, type FormEvent } from 'react';
import { call, errorMessage } from '../../api.ts';
import { href } from '../../lib/route.ts';
import { fmtDate, fmtDateTime } from '../../lib/format.ts';
import { Button, Facts, FormMessage, LinkButton, Section, SelectField, TextField } from '../../components/ui.tsx';
import { canEdit, useSession } from '../../lib/session.tsx';
import { CASE_STATUSES, STATUS_LABEL, type CaseStatus } from './status.tsx';
import { StatusTimeline } from './StatusTimeline.tsx';
import type { CaseDetail } from './CasePage.tsx';
import { CaseSlides } from './CaseSlides.tsx';
import { CaseGenomics } from './CaseGenomics.tsx';

/** Statuses a person may set by hand. "Signed" is reached only through sign-off; a signed case can only be archived. */
function manualTargets(current: CaseStatus): CaseStatus[] {
  if (current === 'signed') return ['archived'];
  return CASE_STATUSES.filter((s) => s !== current && s !== 'signed');
}

function StatusControl({ c, onChanged }: { c: CaseDetail; onChanged: () => void }) {
  const targets = manualTargets(c.status);
  const [status, setStatus] = useState<CaseStatus>(targets[0] ?? c.status);
  const [note, setNote] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  if (targets.length === 0) return null;

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await call('cases.setStatus', { id: c.id, status, ...(note.trim() ? { note: note.trim() } : {}) });
      setNote('');
      onChanged();
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <form className="status-control" onSubmit={submit} aria-label="Change status">
      <SelectField label="Move case to" value={status} onChange={(e) => setStatus(e.target.value as CaseStatus)} options={targets.map((s) => ({ value: s, label: STATUS_LABEL[s] }))} />
      <TextField label="Note" optional value={note} maxLength={500} onChange={(e) => setNote(e.target.value)} hint="Why, in a few words (kept in the audit log)." />
      <FormMessage error={error} />
      <Button type="submit" busy={busy}>Change status</Button>
    </form>
  );
}

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
          {editor && <StatusControl key={c.status} c={c} onChanged={reload} />}
        </Section>
      </aside>
    </div>
  );
}
