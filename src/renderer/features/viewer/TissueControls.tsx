/**
 * Tissue-detection parameters in the viewer's layer panel (issue 13.3): change them, re-run the tissue step and
 * see the new mask; editors can keep them for this slide's analyses (slides.setTissueParams, audited). The rule
 * that chose the threshold (Otsu, Otsu capped, configured because the histogram is not bimodal) is said in words.
 */
import '../../components/slide-settings.css';
import { useState } from 'react';
import { call, errorMessage } from '../../api.ts';
import { Button, FormMessage, SelectField, TextField } from '../../components/ui.tsx';
import type { ResponseOf } from '../../../shared/contract/index.ts';

type Tissue = ResponseOf<'slides.tissue'>;
type Params = Tissue['params'];

const RULE: Record<string, string> = {
  fixed: 'the fixed threshold',
  otsu: 'Otsu’s threshold (the histogram shows glass and tissue)',
  'otsu-capped': 'Otsu’s threshold capped at the configured maximum',
  'not-bimodal': 'the configured threshold (no glass in the histogram, so Otsu would split the tissue)',
};

export function thresholdRuleText(t: Pick<Tissue, 'thresholdRule' | 'otsuThreshold' | 'threshold'>): string {
  const why = t.thresholdRule ? RULE[t.thresholdRule] ?? t.thresholdRule : 'the threshold';
  return `${why}: ${t.threshold.toFixed(0)}${t.otsuThreshold !== null && t.otsuThreshold !== undefined && t.thresholdRule !== 'otsu' ? ` (Otsu’s own value ${t.otsuThreshold})` : ''}`;
}

export function TissueControls({ slideId, current, editable, kept, onResult, onKept }: {
  slideId: number;
  current: Tissue;
  editable: boolean;
  /** Parameters kept for this slide's analyses (null = defaults). */
  kept: Params | null;
  onResult: (t: Tissue) => void;
  onKept?: () => void;
}) {
  const [p, setP] = useState<Params>(current.params);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [note, setNote] = useState<string | null>(null);
  const num = (k: 'threshold' | 'medianSize' | 'closeSize' | 'minObjectArea' | 'minHoleArea') => (e: { target: { value: string } }) => setP((x) => ({ ...x, [k]: Number(e.target.value) }));

  const run = async () => {
    setBusy(true);
    setError(null);
    setNote(null);
    try {
      onResult(await call('slides.tissue', { id: slideId, params: p }));
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };
  const keep = async (params: Params | null) => {
    setBusy(true);
    setError(null);
    try {
      await call('slides.setTissueParams', { id: slideId, params });
      setNote(params ? 'Kept: this slide’s next analyses use these parameters.' : 'Back to the default parameters for this slide’s analyses.');
      onKept?.();
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };
  const same = JSON.stringify(p) === JSON.stringify(current.params);

  return (
    <details className="tissue-controls" data-testid="tissue-controls">
      <summary>Parameters — {thresholdRuleText(current)}</summary>
      <div className="stack">
        <SelectField label="Threshold" name="tissueMethod" value={p.method} onChange={(e) => setP((x) => ({ ...x, method: e.target.value as Params['method'] }))}
          options={[{ value: 'otsu', label: 'Otsu (capped, only when glass is present)' }, { value: 'fixed', label: 'Fixed' }]} />
        <TextField label={p.method === 'otsu' ? 'Maximum saturation threshold (0–255)' : 'Saturation threshold (0–255)'} name="tissueThreshold" type="number" min={0} max={255} value={p.threshold} onChange={num('threshold')} />
        <TextField label="Median filter (odd, px)" name="tissueMedian" type="number" min={1} max={31} step={2} value={p.medianSize} onChange={num('medianSize')} />
        <TextField label="Closing (px, 0 = none)" name="tissueClose" type="number" min={0} max={31} value={p.closeSize} onChange={num('closeSize')} />
        <TextField label="Smallest tissue object (reference patches)" name="tissueMinObject" type="number" min={0} step={0.5} value={p.minObjectArea} onChange={num('minObjectArea')} />
        <div className="form-actions">
          <Button variant="primary" busy={busy} onClick={() => void run()}>Re-run tissue detection</Button>
          {editable && <Button busy={busy} disabled={!same} title={same ? undefined : 'Re-run first, then keep what you see'} onClick={() => void keep(current.params)}>Use for this slide’s analyses</Button>}
          {editable && kept && <Button variant="ghost" busy={busy} onClick={() => void keep(null)}>Reset to defaults</Button>}
        </div>
        <FormMessage error={error} success={note} />
      </div>
    </details>
  );
}
