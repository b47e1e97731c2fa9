/**
 * Magnification presets (5/10/20/40×) and a typed magnification, as a QuPath user expects (issue 14 item 8). The
 * viewer turns a magnification into a zoom with imageZoomForMagnification (objective power, else estimated from
 * µm/px); without either the controls are disabled and say why.
 */
import { useState, type FormEvent } from 'react';
import { Button } from '../../components/ui.tsx';

const PRESETS = [5, 10, 20, 40] as const;

export function MagnificationControls({ onSet, unavailable }: { onSet: (mag: number) => void; unavailable: string | null }) {
  const [typed, setTyped] = useState('');
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const v = Number(typed.replace(',', '.').replace(/[x×]\s*$/i, ''));
    if (Number.isFinite(v) && v > 0) onSet(v);
  };
  return (
    <span className="mag-controls" role="group" aria-label="Magnification">
      {PRESETS.map((m) => (
        <Button key={m} variant="ghost" className="mag-preset" disabled={unavailable !== null} title={unavailable ?? `Show at ${m}× (key ${PRESETS.indexOf(m) + 1})`}
          onClick={() => onSet(m)}>{m}×</Button>
      ))}
      <form className="mag-typed" onSubmit={submit}>
        <label className="visually-hidden" htmlFor="mag-typed">Magnification to show</label>
        <input id="mag-typed" inputMode="decimal" placeholder="×" value={typed} disabled={unavailable !== null} onChange={(e) => setTyped(e.target.value)}
          title={unavailable ?? 'Type a magnification (e.g. 12.5) and press Enter'} size={4} />
      </form>
    </span>
  );
}
