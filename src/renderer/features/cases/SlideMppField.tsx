/**
 * The slide's µm/px when the file records none (issue 13.4): a field above the viewer for editors, stored with the
 * slide (slides.setMpp, audited) and shown everywhere as "entered by <user>", never as the file's own value.
 * Without a resolution the slide cannot be tiled, so slide QC and pathology models skip it with a warning.
 */
import '../../components/slide-settings.css';
import { useState, type FormEvent } from 'react';
import { call, errorMessage } from '../../api.ts';
import { fmtDateTime } from '../../lib/format.ts';
import { Button, FormMessage, TextField } from '../../components/ui.tsx';
import { Icon } from '../../components/icons.tsx';
import type { ResponseOf } from '../../../shared/contract/index.ts';

type SlideDetail = ResponseOf<'slides.get'>;

export function SlideMppField({ slide, editable, onSaved }: { slide: SlideDetail; editable: boolean; onSaved: () => void }) {
  const [value, setValue] = useState(slide.userMpp ? String(slide.userMpp.value) : '');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  // The file records its own resolution: nothing to enter (and nothing to mix up).
  if (slide.mppX !== null && !slide.userMpp) return null;

  const save = async (mpp: number | null) => {
    setBusy(true);
    setError(null);
    try {
      await call('slides.setMpp', { id: slide.id, mpp });
      onSaved();
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const n = Number(value.replace(',', '.'));
    if (!Number.isFinite(n) || n <= 0 || n > 100) {
      setError('Enter the µm per pixel at full resolution, a number above 0 and up to 100 (e.g. 0.25 at 40×, 0.5 at 20×).');
      return;
    }
    void save(n);
  };

  return (
    <div className="slide-mpp" data-testid="slide-mpp">
      {slide.userMpp ? (
        <p>
          <Icon name="info" size={14} /> Resolution <strong>{slide.userMpp.value} µm/px</strong>, entered by {slide.userMpp.enteredBy} on {fmtDateTime(slide.userMpp.enteredAt)}
          {slide.mppX === null ? ' (the file records none).' : ` (the file records ${slide.mppX} µm/px).`}
        </p>
      ) : (
        <p className="warn-text"><Icon name="warning" size={14} /> This file records no resolution (µm/px){slide.objectivePower ? `; ${10 / slide.objectivePower} µm/px is assumed from its ${slide.objectivePower}× objective` : ', so it cannot be tiled for slide QC or a pathology model'}.</p>
      )}
      {editable && (
        <form className="form-inline" onSubmit={submit} aria-label="Slide resolution">
          <TextField label="µm per pixel (full resolution)" name="slideMpp" inputMode="decimal" value={value} onChange={(e) => setValue(e.target.value)} placeholder="0.25" autoComplete="off" />
          <Button type="submit" busy={busy} disabled={!value.trim()}>Save µm/px</Button>
          {slide.userMpp && <Button type="button" variant="ghost" busy={busy} onClick={() => void save(null)}>Clear</Button>}
        </form>
      )}
      <FormMessage error={error} />
    </div>
  );
}
