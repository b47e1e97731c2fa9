/**
 * The package's clinical reference risk (Cox on IDH + 1p/19q + age; a statistical model, not AI) beside UMEML's,
 * with the package's measured added value of the AI in one line. When the package says the clinical reference is
 * the primary survival figure, the block is placed before the AI frame; otherwise after it.
 */
import type { WhoCaseView } from '../../../shared/contract/who-cns5.ts';

export function ClinicalReferenceBlock({ view, placement }: { view: WhoCaseView | undefined; placement: 'before-ai' | 'after-ai' }) {
  const c = view?.clinicalReference;
  if (!c) {
    // The note (e.g. another package version) is shown once, after the AI.
    return placement === 'after-ai' && view?.clinicalReferenceNote ? <p className="muted">Clinical reference risk: {view.clinicalReferenceNote}</p> : null;
  }
  const primary = c.primarySurvival === 'clinical-reference';
  if ((placement === 'before-ai') !== primary) return null;
  return (
    <section className="who-block" aria-label="Clinical reference risk">
      <div className="who-label">Statistical model · not AI</div>
      <h3>Clinical reference risk{primary ? ' — primary survival figure' : ''}</h3>
      {c.riskGroup !== null ? (
        <p className="who-diagnosis">Risk group: {c.riskGroup} <span className="muted">(risk {c.risk?.toFixed(2)}; {c.label})</span></p>
      ) : (
        <p className="who-reason">Not computed: {c.missing.join(', ')} {c.missing.length === 1 ? 'was' : 'were'} not measured ({c.label} imputes nothing).</p>
      )}
      <p>AI (UMEML) risk group for comparison: {c.aiRiskGroup}.</p>
      <p className="an-note">{c.addedValueLine} Cross-validated c-index of the clinical reference {c.cIndexMean.toFixed(3)} ± {c.cIndexSd.toFixed(3)} ({c.splits} splits).</p>
    </section>
  );
}
