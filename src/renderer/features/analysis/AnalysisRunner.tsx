/**
 * Analyse button, model choice, and the progress of a queued/running job (stage, counts, ETA, Cancel), fed by the
 * pipeline's channels (analysis.start / analysis.cancel / analysis.list) and its pushed `analysis.progress` events.
 */
import { useEffect, useState } from 'react';
import { call, errorMessage, onEvent } from '../../api.ts';
import { useAsync } from '../../lib/use-async.ts';
import { canEdit, useSession } from '../../lib/session.tsx';
import { Button, FormMessage } from '../../components/ui.tsx';
import { fmtInt } from '../../lib/format.ts';
import { ANALYSIS_EVENT_TOPIC, AnalysisProgressEvent, type AnalysisJobSummary } from '../../../shared/contract/analysis.ts';
import { SlideChoice } from './SlideChoice.tsx';
import { SlideQcOption } from './SlideQcOption.tsx';
import type { CaseDetail } from '../../lib/case-detail.ts';

const STAGE_LABEL: Record<string, string> = {
  queued: 'Waiting to start', tissue: 'Detecting tissue', tiling: 'Tiling the slide', encoding: 'Encoding tiles',
  inference: 'Running the model', explanations: 'Computing explanations', storing: 'Storing the result',
};

export function fmtEta(s: number | null | undefined): string {
  if (s === null || s === undefined) return 'estimating time left…';
  if (s < 60) return `about ${Math.max(1, Math.round(s))} s left`;
  const m = Math.floor(s / 60);
  return m < 60 ? `about ${m} min ${Math.round(s % 60)} s left` : `about ${Math.floor(m / 60)} h ${m % 60} min left`;
}

export function AnalysisRunner({ c, jobs, onChanged }: { c: CaseDetail; jobs: readonly AnalysisJobSummary[]; onChanged: () => void }) {
  const { user } = useSession();
  const models = useAsync(() => call('models.list', {}), []);
  const usable = (models.data?.packages ?? []).filter((p) => p.active && p.verification.ok);
  const [modelId, setModelId] = useState('');
  const slides = useAsync(() => (c.slideCount > 0 ? call('slides.list', { caseId: c.id }) : Promise.resolve(null)), [c.id, c.slideCount]);
  const [slideId, setSlideId] = useState<number | null>(null);
  const [slideQc, setSlideQc] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [live, setLive] = useState<AnalysisProgressEvent | null>(null);
  const active = jobs.find((j) => j.state === 'queued' || j.state === 'running') ?? null;

  useEffect(() => onEvent((e) => {
    if (e.topic !== ANALYSIS_EVENT_TOPIC) return;
    const parsed = AnalysisProgressEvent.safeParse(e.data);
    if (!parsed.success || parsed.data.caseId !== c.id) return;
    setLive(parsed.data);
    if (parsed.data.state !== 'queued' && parsed.data.state !== 'running') onChanged();
  }), [c.id, onChanged]);

  const chosen = modelId || usable[0]?.id || '';
  // The newest slide unless the user picks another; said beside Analyse either way (issue 14 item 7).
  const slideList = slides.data?.slides ?? [];
  const chosenSlide = slideList.find((s) => s.id === slideId) ?? slideList[slideList.length - 1] ?? null;
  const noInputs = c.slideCount === 0 && !c.hasGenomics;
  const chosenPkg = usable.find((p) => p.id === chosen);
  const usesSlide = chosenPkg?.validatedModalities.includes('pathology') ?? false;
  // Said before the click: the server refuses a new analysis on a closed case (issue 14 item 6).
  const closedWhy = c.status === 'signed'
    ? 'This case is signed; a new analysis cannot change it. Corrections are made as addenda on the Report tab.'
    : c.status === 'archived' ? 'This case is archived; reopen it (Overview ▸ Status) to analyse it again.' : null;
  const start = async () => {
    setBusy(true);
    setError(null);
    try {
      await call('analysis.start', { caseId: c.id, ...(chosen ? { modelId: chosen } : {}), ...(chosenSlide ? { slideId: chosenSlide.id } : {}), ...(chosenSlide && slideQc && !usesSlide ? { slideQc: true } : {}) });
      onChanged();
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };
  const cancel = async (id: number) => {
    setBusy(true);
    try {
      await call('analysis.cancel', { id });
      onChanged();
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };

  if (active) {
    const ev = live && live.id === active.id ? live : null;
    const progress = ev?.progress ?? active.progress;
    const stage = ev?.stage ?? active.stage ?? 'queued';
    const pct = progress && progress.total > 0 ? progress.done / progress.total : null;
    return (
      <div className="an-runner" aria-live="polite">
        <div className="an-progress-head">
          <strong>{STAGE_LABEL[stage] ?? stage}</strong>
          <span className="muted">
            {progress && progress.total > 0 ? `${fmtInt(progress.done)} of ${fmtInt(progress.total)}` : ''}
            {progress?.cached ? ' · features from cache' : ''}
            {progress ? ` · ${fmtEta(progress.etaSeconds)}` : ''}
          </span>
          {canEdit(user.role) && <Button variant="danger" icon="x" busy={busy} onClick={() => void cancel(active.id)}>Cancel</Button>}
        </div>
        <div className="an-progress" role="progressbar" aria-label={`Analysis ${STAGE_LABEL[stage] ?? stage}`} aria-valuemin={0} aria-valuemax={100} aria-valuenow={pct === null ? undefined : Math.round(pct * 100)}>
          <span className={pct === null ? 'an-progress-fill is-indeterminate' : 'an-progress-fill'} style={pct === null ? undefined : { width: `${pct * 100}%` }} />
        </div>
        <p className="muted">Analysis #{active.id} with {active.modelId} {active.modelVersion}, requested by {active.requestedBy}.</p>
        <FormMessage error={error} />
      </div>
    );
  }

  if (!canEdit(user.role)) return null;
  return (
    <div className="an-runner an-runner-idle">
      {usable.length > 1 && (
        <label className="an-model-pick">
          <span>Model</span>
          <select value={chosen} onChange={(e) => setModelId(e.target.value)}>
            {usable.map((p) => <option key={p.id} value={p.id}>{p.name ?? p.id} {p.version ?? ''}</option>)}
          </select>
        </label>
      )}
      {usable.length === 1 && <span className="muted">Model: {usable[0]!.name ?? usable[0]!.id} {usable[0]!.version ?? ''}</span>}
      <SlideChoice slides={slideList} chosen={chosenSlide} onChoose={setSlideId} />
      <SlideQcOption visible={chosenSlide !== null && chosenPkg !== undefined && !usesSlide} checked={slideQc} onChange={setSlideQc} modelName={chosenPkg?.name ?? chosen} />
      <Button variant="primary" icon="review" busy={busy} disabled={closedWhy !== null || noInputs || (models.data !== undefined && usable.length === 0)}
        aria-describedby={closedWhy || noInputs ? 'an-runner-why' : undefined} onClick={() => void start()}>Analyse</Button>
      {closedWhy ? <span className="muted" id="an-runner-why">{closedWhy}</span> : noInputs && <span className="muted" id="an-runner-why">Attach a slide or import a genomic profile first.</span>}
      {models.data && usable.length === 0 && <span className="muted">No verified model package is installed (see Models).</span>}
      <FormMessage error={error ?? models.error} />
    </div>
  );
}
