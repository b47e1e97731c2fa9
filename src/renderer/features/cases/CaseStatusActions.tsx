/**
 * What a person may do with a case's status (issue 14 item 6): archive it, or reopen an archived case to the status
 * it had before — each with a reason, kept in the audit log. "Analysing" and "Ready for review" are set by the
 * system when an analysis runs and "Signed" by signing the report, so they are explained, never offered.
 * The server applies the same rule (src/main/store/case-status-rules.ts).
 */
import { useState, type FormEvent } from 'react';
import { call, errorMessage } from '../../api.ts';
import { Button, FormMessage, TextField } from '../../components/ui.tsx';
import { STATUS_LABEL, type CaseStatus } from './status.tsx';
import type { CaseDetail } from '../../lib/case-detail.ts';

/** The status an archived case returns to: the newest one before the archive step. */
export function statusBeforeArchive(history: CaseDetail['history']): CaseStatus {
  for (let i = history.length - 1; i >= 0; i--) if (history[i]!.status !== 'archived') return history[i]!.status;
  return 'new';
}

export function CaseStatusActions({ c, onChanged }: { c: CaseDetail; onChanged: () => void }) {
  const archived = c.status === 'archived';
  const target: CaseStatus = archived ? statusBeforeArchive(c.history) : 'archived';
  const [reason, setReason] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (reason.trim().length < 3) return setError(archived ? 'Say why the case is reopened.' : 'Say why the case is archived.');
    setBusy(true);
    setError(null);
    try {
      await call('cases.setStatus', { id: c.id, status: target, note: reason.trim() });
      setReason('');
      onChanged();
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <form className="status-control" onSubmit={submit} aria-label={archived ? 'Reopen case' : 'Archive case'} noValidate>
      <p className="muted">
        {archived
          ? <>Reopening returns the case to <strong>{STATUS_LABEL[target]}</strong>.</>
          : <>Analysing and Ready for review are set when an analysis runs; Signed when the report is signed. By hand, a case can be archived (and reopened later).</>}
      </p>
      <TextField label="Reason" value={reason} maxLength={500} onChange={(e) => setReason(e.target.value)} hint="Kept in the audit log and the status timeline." />
      <FormMessage error={error} />
      <Button type="submit" busy={busy} {...(archived ? {} : { icon: 'archive' as const })}>{archived ? 'Reopen case' : 'Archive case'}</Button>
    </form>
  );
}
