/**
 * Which slide the next analysis uses, beside Analyse (issue 14 item 7): named when there is one, a choice when there
 * are several (newest first selected). Before, the newest was used silently.
 */
import { useId } from 'react';

interface SlideOption {
  id: number;
  fileName: string;
  addedAt: string;
}

export function SlideChoice({ slides, chosen, onChoose }: { slides: readonly SlideOption[]; chosen: SlideOption | null; onChoose: (id: number) => void }) {
  const id = useId();
  if (slides.length === 0 || !chosen) return null;
  if (slides.length === 1) return <span className="muted" data-testid="analysis-slide">Slide: {chosen.fileName}</span>;
  return (
    <span className="an-model-pick">
      <label htmlFor={id}>Slide</label>
      <select id={id} value={chosen.id} onChange={(e) => onChoose(Number(e.target.value))}>
        {[...slides].reverse().map((s, i) => <option key={s.id} value={s.id}>{s.fileName}{i === 0 ? ' (newest)' : ''}</option>)}
      </select>
    </span>
  );
}
