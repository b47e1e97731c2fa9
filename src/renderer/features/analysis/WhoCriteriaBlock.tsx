/**
 * The WHO CNS5 molecular criteria beside the AI block (docs/who-cns5.md): rule-based on the entered and measured
 * data — NOT AI. Integrated diagnosis, grade, each criterion with its evidence, missing inputs, notes and the CNV
 * thresholds; plus the one-line disagreement banner shown at the top of the result when the AI class, the AI's
 * histological grade and the criteria disagree.
 */
import { useEffect } from 'react';
import { call } from '../../api.ts';
import { useAsync, type AsyncState } from '../../lib/use-async.ts';
import { Icon } from '../../components/icons.tsx';
import { WHO_RULES_LABEL } from '../../../shared/who-cns5.ts';
import type { WhoCaseView } from '../../../shared/contract/who-cns5.ts';
import { ClinicalReferenceBlock } from './ClinicalReferenceBlock.tsx';
import './who-cns5.css';

/** Every mounted criteria view re-reads when histology findings are saved (the form and the blocks stay in step). */
const whoChanged = new EventTarget();
export function notifyWhoChanged(): void {
  whoChanged.dispatchEvent(new Event('change'));
}

export function useWhoCase(caseId: number, analysisId?: number | null): AsyncState<WhoCaseView> {
  const state = useAsync(() => call('who.case', { caseId, ...(analysisId ? { analysisId } : {}) }), [caseId, analysisId]);
  const { reload } = state;
  useEffect(() => {
    whoChanged.addEventListener('change', reload);
    return () => whoChanged.removeEventListener('change', reload);
  }, [reload]);
  return state;
}

/** One line naming what disagrees; nothing when all agree. */
export function WhoDisagreementBanner({ view }: { view: WhoCaseView | undefined }) {
  if (!view?.disagreements.length) return null;
  return (
    <div className="who-disagree" role="alert" aria-label="Disagreement between the AI and the WHO CNS5 criteria">
      <Icon name="warning" size={16} />
      <div>
        <strong>Disagreement:</strong>{' '}
        {view.disagreements.map((d) => d.message.replace(/\.$/, '')).join('; ')}.
      </div>
    </div>
  );
}

export function WhoCriteriaBlock({ state }: { state: AsyncState<WhoCaseView> }) {
  const v = state.data;
  return (
    <section className="who-block" aria-label="WHO CNS5 molecular criteria">
      <div className="who-label">Rule-based · not AI</div>
      <h3>WHO CNS5 molecular criteria</h3>
      {!v ? (
        <p className="muted">{state.error ?? 'Applying the criteria…'}</p>
      ) : !v.criteria ? (
        <p className="muted">{v.unavailableReason}</p>
      ) : (
        <>
          <p className="who-diagnosis">{v.criteria.integratedDiagnosis}{v.criteria.status !== 'classified' ? <span className="who-status"> {v.criteria.status}</span> : null}</p>
          {v.criteria.reason && <p className="who-reason">{v.criteria.reason}</p>}
          {v.criteria.criteria.length > 0 && (
            <table className="who-criteria">
              <caption>Criteria that fired</caption>
              <thead><tr><th scope="col">Criterion</th><th scope="col">Evidence</th><th scope="col">Rule</th></tr></thead>
              <tbody>
                {v.criteria.criteria.map((c) => (
                  <tr key={c.id}><td>{c.statement}<div className="muted">{c.source}</div></td><td><span className="mono">{c.field}</span> {c.value}</td><td>{c.threshold}</td></tr>
                ))}
              </tbody>
            </table>
          )}
          {v.criteria.missing.length > 0 && (
            <div className="who-missing">
              <strong>Missing inputs</strong>
              <ul>{v.criteria.missing.map((m) => <li key={m.field}><span className="mono">{m.field}</span> — {m.why}</li>)}</ul>
            </div>
          )}
          {v.criteria.notes.length > 0 && <ul className="who-notes">{v.criteria.notes.map((n, i) => <li key={i}>{n}</li>)}</ul>}
          <p className="muted">Molecular information: {v.criteria.molecularInformation}</p>
          <p className="muted">
            Histology findings: {v.histologyUpdatedAt ? `entered by ${v.histologyUpdatedBy ?? '?'}${v.criteria.histologicalFeaturesGrade ? ` (features of grade ${v.criteria.histologicalFeaturesGrade})` : ''}` : 'not entered (Report tab)'}.
            {' '}Thresholds: {v.criteria.thresholds.summary}.
          </p>
        </>
      )}
      <p className="an-note">{WHO_RULES_LABEL}.</p>
    </section>
  );
}

/** The banner and the block together, for tabs that do not already load the case's criteria (Report tab). */
export function WhoCasePanel({ caseId, analysisId }: { caseId: number; analysisId: number | null }) {
  const who = useWhoCase(caseId, analysisId);
  return (
    <>
      <WhoDisagreementBanner view={who.data} />
      <WhoCriteriaBlock state={who} />
      <ClinicalReferenceBlock view={who.data} placement="before-ai" />
      <ClinicalReferenceBlock view={who.data} placement="after-ai" />
    </>
  );
}
