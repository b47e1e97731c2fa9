/**
 * The Analysis tab: Analyse + progress, then the stored AnalysisResult exactly as the pipeline wrote it (read through
 * review.get, the same object the PDF report renders): warnings strip (most important first), Grade / Class /
 * Survival blocks in an "AI-suggested" frame, evidence (top patches -> viewer, genomic attributions, modality
 * contributions) and provenance folded at the bottom.
 */
import { useCallback, useEffect, useRef, type ReactNode } from 'react';
import { call } from '../../api.ts';
import { useAsync } from '../../lib/use-async.ts';
import { href, navigate } from '../../lib/route.ts';
import { fmtDateTime, fmtProb, shortHash } from '../../lib/format.ts';
import { EmptyState, ErrorPanel, Facts, LinkButton } from '../../components/ui.tsx';
import { Icon } from '../../components/icons.tsx';
import type { AnalysisResult, Warning } from '../../../shared/analysis-result.ts';
import type { CaseDetail } from '../../lib/case-detail.ts';
import { AnalysisRunner } from './AnalysisRunner.tsx';
import { riskInWords } from './risk-words.ts';
import { attributionNote, derivedAgeOf } from './attribution-note.ts';
import { ProbBars, SignedBars } from './ProbBars.tsx';
import { CohortKmChart } from './CohortKmChart.tsx';
import { WhoCriteriaBlock, WhoDisagreementBanner, useWhoCase } from './WhoCriteriaBlock.tsx';
import { ClinicalReferenceBlock } from './ClinicalReferenceBlock.tsx';
import { AI_GRADE_TITLE, aiGradeDisplay } from '../../../shared/who-cns5.ts';
import { PatchGallery } from '../viewer/PatchGallery.tsx';
import './analysis.css';

const SEVERITY_ORDER: Record<Warning['severity'], number> = { critical: 0, warning: 1, info: 2 };
export function sortWarnings(ws: readonly Warning[]): Warning[] {
  return ws.map((w, i) => ({ w, i })).sort((a, b) => SEVERITY_ORDER[a.w.severity] - SEVERITY_ORDER[b.w.severity] || a.i - b.i).map((x) => x.w);
}

function Warnings({ warnings }: { warnings: readonly Warning[] }) {
  if (!warnings.length) return null;
  return (
    <ul className="an-warnings" aria-label="Warnings, most important first">
      {sortWarnings(warnings).map((w, i) => (
        <li key={i} className={`an-warning is-${w.severity}`}>
          <Icon name={w.severity === 'info' ? 'info' : 'warning'} size={16} />
          <span><strong>{w.severity === 'critical' ? 'Critical' : w.severity === 'warning' ? 'Warning' : 'Note'}:</strong> {w.message}</span>
        </li>
      ))}
    </ul>
  );
}

function topOf(probs: readonly { label: string; display: string; p: number }[], top: string) {
  return probs.find((p) => p.label === top) ?? null;
}

function Block({ title, children }: { title: string; children: ReactNode }) {
  return (
    <section className="an-block" aria-label={title}>
      <h3>{title}</h3>
      {children}
    </section>
  );
}

function SurvivalBlock({ r }: { r: AnalysisResult }) {
  const s = r.survival;
  const cohort = useAsync(() => call('models.cohort', { id: r.provenance.modelId }), [r.provenance.modelId]);
  // Curves are only drawn from the very package (digest) that produced this result.
  const sameModel = Boolean(cohort.data?.available && cohort.data.packageDigest === r.provenance.packageDigest);
  const curves = sameModel ? (cohort.data?.cohort?.curves.outOfFold ?? cohort.data?.cohort?.curves.apparent ?? null) : null;
  let why = 'Cohort curves are not available.';
  if (cohort.loading) why = 'Loading the cohort curves…';
  else if (cohort.data?.available && !sameModel) why = `The installed ${r.provenance.modelId} package (${cohort.data.modelVersion ?? '?'}) is not the one that produced this result, so its cohort curves are not shown.`;
  else if (cohort.data?.reason) why = cohort.data.reason;
  else if (cohort.error) why = cohort.error;
  return (
    <Block title="Survival">
      <p className="an-top">Risk group: {s.riskGroup}</p>
      <p className="muted" data-testid="risk-words" title={`risk ${s.risk}; cut-offs ${s.riskGroupCutoffs.join(', ')}`}>{riskInWords(s.risk, s.riskGroupCutoffs, s.riskGroup)} Cut-offs: {s.cutoffSource}.</p>
      {curves ? <CohortKmChart curves={curves} highlight={s.riskGroup} model={{ edgesDays: s.binEdgesDays, survival: s.curve }} /> : <p className="muted">{why}</p>}
      <p className="an-note">The curves describe groups of training-cohort patients split by the model's risk. They are not a survival prediction or promise for this patient.</p>
    </Block>
  );
}

function Evidence({ r, caseId, slideId }: { r: AnalysisResult; caseId: number; slideId: number | null }) {
  const ex = r.explanations;
  // Thumbnails come from the slide's deep-zoom tiles (only when the slide is evidence).
  const dz = useAsync(() => (slideId !== null && ex.pathologyIsEvidence && ex.topPatches.length ? call('slides.dzi', { id: slideId }) : Promise.resolve(null)), [slideId, ex.pathologyIsEvidence, ex.topPatches.length]);
  const attrs = [...ex.genomicAttributions].sort((a, b) => Math.abs(b.attribution) - Math.abs(a.attribution)).slice(0, 15);
  return (
    <div className="an-evidence">
      <Block title="Slide attention">
        {!ex.pathologyIsEvidence
          ? <p>{r.warnings.find((w) => w.code === 'unvalidated_modality')?.message ?? 'The slide pathway is not used as evidence for this result.'}</p>
          : ex.topPatches.length === 0
            ? <p className="muted">No tissue patches were analysed.</p>
            : (
              <>
                <p className="muted">Top patches by attention (an attribution, not causal importance). Open one in the viewer:</p>
                <PatchGallery patches={ex.topPatches} dz={dz.data ?? null}
                  onOpen={(f) => navigate(`/cases/${caseId}/slide`, { slide: slideId ?? undefined, x: f.x, y: f.y, s: f.w })} />
                <LinkButton href={href(`/cases/${caseId}/slide`, { slide: slideId ?? undefined })} icon="slide">Heatmap in the viewer</LinkButton>
              </>
            )}
      </Block>
      <Block title="Genomic attributions">
        {attrs.length === 0
          ? <p className="muted">{r.provenance.usedModalities.includes('genomics') ? 'No attributions were computed.' : 'No genomic profile was used.'}</p>
          : (
            <>
              <p className="muted">Method: {ex.genomicAttributionMethod.replace(/[.\s]+$/, '')}. The {attrs.length} largest of {ex.genomicAttributions.length} by magnitude.</p>
              <SignedBars caption="Genomic attributions" items={attrs.map((a) => ({ key: a.featureId, label: a.display, note: attributionNote(a, derivedAgeOf(r)), value: a.attribution }))} />
            </>
          )}
      </Block>
      <Block title="Modality contributions">
        <ProbBars caption="Modality contributions" top={null} items={[
          { label: 'pathology', display: `Pathology${r.provenance.usedModalities.includes('pathology') ? '' : ' (not used)'}`, p: r.modalityContributions.pathology },
          { label: 'genomics', display: `Genomics and clinical${r.provenance.usedModalities.includes('genomics') ? '' : ' (not used)'}`, p: r.modalityContributions.genomics },
        ]} />
        <p className="muted">Share of the decoder's attention per modality; not causal importance.</p>
      </Block>
    </div>
  );
}

function Provenance({ r, analysisId, finishedAt }: { r: AnalysisResult; analysisId: number; finishedAt: string | null }) {
  const p = r.provenance;
  return (
    <details className="an-provenance">
      <summary>Provenance (model, hashes, provider, parameters)</summary>
      <Facts items={[
        ['Analysis', `#${analysisId}, finished ${fmtDateTime(finishedAt ?? p.createdAt)}`],
        ['Model', `${p.modelId} ${p.modelVersion}`],
        ['Model sha256', <span className="mono" title={p.modelSha256}>{shortHash(p.modelSha256, 20)}</span>],
        ['Package digest', <span className="mono" title={p.packageDigest}>{shortHash(p.packageDigest, 20)}</span>],
        ['Validated modalities', p.validatedModalities.join(', ')],
        ['Modalities used', p.usedModalities.join(', ') || 'none'],
        ['Inference', `onnxruntime ${p.onnxruntimeVersion} · ${p.executionProvider}`],
        ['Tile encoder', p.tileEncoder ? <span title={p.tileEncoder.sha256}>{p.tileEncoder.id} <span className="mono">{shortHash(p.tileEncoder.sha256)}</span></span> : 'not used'],
        ['Slide', p.slide ? <span title={p.slide.hash}>{p.slide.fileName} <span className="mono">{p.slide.hashKind} {shortHash(p.slide.hash)}</span></span> : 'not used'],
        ['Genomic profile', p.genomics ? <span title={p.genomics.sourceSha256}>{p.genomics.fileName} <span className="mono">{shortHash(p.genomics.sourceSha256)}</span></span> : 'not used'],
        ['Parameters', <code className="mono an-params">{JSON.stringify(p.preprocessing)}</code>],
        ['App version', p.appVersion],
      ]} />
    </details>
  );
}

function Result({ r, caseId, analysisId, finishedAt, slideId }: { r: AnalysisResult; caseId: number; analysisId: number; finishedAt: string | null; slideId: number | null }) {
  const g = topOf(r.grade.probs, r.grade.top);
  const k = topOf(r.molecularClass.probs, r.molecularClass.top);
  // WHO CNS5 criteria (rule-based) for this case; what disagrees with the AI is named at the top.
  const who = useWhoCase(caseId, analysisId);
  return (
    <>
      <WhoDisagreementBanner view={who.data} />
      <Warnings warnings={r.warnings} />
      <ClinicalReferenceBlock view={who.data} placement="before-ai" />
      <section className="an-ai-frame" aria-labelledby="an-ai-label">
        <div className="an-ai-label" id="an-ai-label"><Icon name="info" size={14} /> AI-suggested · research model output, not a diagnosis</div>
        <div className="an-blocks">
          <Block title={AI_GRADE_TITLE}>
            {g && <p className="an-top">{aiGradeDisplay(g.label)} — {fmtProb(g.p)}</p>}
            <ProbBars items={r.grade.probs.map((p) => ({ ...p, display: aiGradeDisplay(p.label) }))} top={r.grade.top} caption="Histological grade probabilities (temperature-scaled)" />
          </Block>
          <Block title="Class">
            {k && <p className="an-top">{k.display} — {fmtProb(k.p)}</p>}
            <ProbBars items={r.molecularClass.probs} top={r.molecularClass.top} caption="Class probabilities (temperature-scaled)" />
          </Block>
          <SurvivalBlock r={r} />
        </div>
        <Evidence r={r} caseId={caseId} slideId={slideId} />
      </section>
      <WhoCriteriaBlock state={who} />
      <ClinicalReferenceBlock view={who.data} placement="after-ai" />
      <p className="an-next">
        The pathologist's diagnosis is entered and signed on the <a href={href(`/cases/${caseId}/report`)}>Report tab</a>.
      </p>
      <Provenance r={r} analysisId={analysisId} finishedAt={finishedAt} />
    </>
  );
}

/** `onCaseChanged`: the case header re-reads the case when a job starts or ends (the system moves its status). */
export function AnalysisTab({ c, query, onCaseChanged }: { c: CaseDetail; query: URLSearchParams; onCaseChanged?: () => void }) {
  const wanted = /^\d+$/.test(query.get('analysis') ?? '') ? Number(query.get('analysis')) : undefined;
  const jobs = useAsync(() => call('analysis.list', { caseId: c.id }), [c.id]);
  const review = useAsync(() => call('review.get', { caseId: c.id, ...(wanted ? { analysisId: wanted } : {}) }), [c.id, wanted]);
  const reloadJobs = jobs.reload;
  const reloadReview = review.reload;
  const onChanged = useCallback(() => { reloadJobs(); reloadReview(); onCaseChanged?.(); }, [reloadJobs, reloadReview, onCaseChanged]);
  // While a job runs, also poll gently, so the bar moves even where pushed events are unavailable.
  const running = (jobs.data?.analyses ?? []).some((j) => j.state === 'queued' || j.state === 'running');
  useEffect(() => {
    if (!running) return;
    const t = setInterval(reloadJobs, 4000);
    return () => clearInterval(t);
  }, [running, reloadJobs]);
  // A job that just finished: show its result.
  const wasRunning = useRef(false);
  useEffect(() => {
    if (wasRunning.current && !running) {
      reloadReview();
      onCaseChanged?.();
    }
    wasRunning.current = running;
  }, [running, reloadReview, onCaseChanged]);

  const ai = review.data?.ai ?? null;
  const succeeded = (jobs.data?.analyses ?? []).filter((j) => j.state === 'succeeded');
  const job = ai ? jobs.data?.analyses.find((j) => j.id === ai.analysisId) ?? null : null;
  const lastEnded = (jobs.data?.analyses ?? []).find((j) => j.state === 'failed' || j.state === 'cancelled');
  const newestProblem = lastEnded && (!ai || lastEnded.id > ai.analysisId) ? lastEnded : null;

  if (review.error && !review.data) return <ErrorPanel message={review.error} onRetry={review.reload} />;
  return (
    <div className="an-tab">
      <div className="an-toolbar">
        <AnalysisRunner c={c} jobs={jobs.data?.analyses ?? []} onChanged={onChanged} />
        {succeeded.length > 1 && (
          <label className="an-model-pick">
            <span>Result</span>
            <select value={ai?.analysisId ?? ''} onChange={(e) => navigate(`/cases/${c.id}/analysis`, { analysis: e.target.value })}>
              {succeeded.map((j) => <option key={j.id} value={j.id}>#{j.id} · {j.modelId} {j.modelVersion} · {fmtDateTime(j.finishedAt)}</option>)}
            </select>
          </label>
        )}
      </div>
      {newestProblem && (
        <p className="an-warning is-warning" role="status">
          <Icon name="warning" size={16} />
          <span>Analysis #{newestProblem.id} {newestProblem.state}{newestProblem.error ? `: ${newestProblem.error.message}` : '.'}</span>
        </p>
      )}
      {!review.data ? <div className="skeleton-block tall" /> : !ai ? (
        <EmptyState icon="review" title="No analysis result yet">
          Press Analyse to run the model on this case's slide and/or genomic profile. Results appear here, marked as AI-suggested.
        </EmptyState>
      ) : (
        <Result r={ai.result} caseId={c.id} analysisId={ai.analysisId} finishedAt={ai.finishedAt} slideId={job?.slideId ?? null} />
      )}
    </div>
  );
}
