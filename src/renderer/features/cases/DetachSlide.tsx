/**
 * "Detach slide" on the Overview's slide list (issue 14 item 7): a slide attached to the wrong case leaves the case
 * with a reason, recorded in the audit log; the file on disk is never touched.
 */
import { useState, type FormEvent } from 'react';
import { call, errorMessage } from '../../api.ts';
import { Button, FormMessage, TextField } from '../../components/ui.tsx';

export function DetachSlideForm({ slide, onDone, onCancel }: { slide: { id: number; fileName: string }; onDone: () => void; onCancel: () => void }) {
  const [reason, setReason] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (reason.trim().length < 3) return setError('Say why the slide is detached (kept in the audit log).');
    setBusy(true);
    setError(null);
    try {
      await call('slides.detach', { id: slide.id, reason: reason.trim() });
      onDone();
    } catch (err) {
      setError(errorMessage(err));
      setBusy(false);
    }
  };
  return (
    <form className="confirm-bar stack" onSubmit={submit} noValidate aria-label={`Detach ${slide.fileName}`}>
      <p>Detach <strong>{slide.fileName}</strong> from this case? It is no longer listed or used for new analyses; the file itself stays where it is, and analyses that used it keep naming it.</p>
      <TextField label="Reason" value={reason} maxLength={500} onChange={(e) => setReason(e.target.value)} hint="e.g. attached to the wrong case. Kept in the audit log." autoFocus />
      <FormMessage error={error} />
      <div className="confirm-actions">
        <Button type="submit" variant="danger" busy={busy}>Detach slide</Button>
        <Button variant="ghost" onClick={onCancel}>Cancel</Button>
      </div>
    </form>
  );
}
