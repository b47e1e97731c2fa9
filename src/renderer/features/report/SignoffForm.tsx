/**
 * The layered WHO CNS5 diagnosis form (pathologists only): integrated diagnosis, histological classification,
 * CNS WHO grade, molecular information, comment; accept or override the AI suggestion (override needs a reason);
 * save a draft, or sign after entering the password again. The AI suggestion is shown in its labelled frame and is
 * only copied into the form when the pathologist asks for it.
 */
import { useState, type FormEvent } from 'react';
import { call, errorMessage } from '../../api.ts';
import { Button, FormMessage, SelectField, TextAreaField, TextField } from '../../components/ui.tsx';
import { Icon } from '../../components/icons.tsx';
import { fmtDateTime, fmtProb } from '../../lib/format.ts';
import { WhoProposalPanel } from './WhoProposalPanel.tsx';
import { aiGradeDisplay } from '../../../shared/who-cns5.ts';
import type { LayeredProposal } from '../../../shared/contract/who-cns5.ts';
import { WHO_GRADES, type AiAgreement, type LayeredDiagnosis, type Review } from '../../../shared/contract/review.ts';

const GRADE_OPTIONS = [{ value: '', label: 'Choose…' }, ...WHO_GRADES.map((g) => ({ value: g, label: g === 'not assigned' ? 'Not assigned' : `CNS WHO grade ${g}` }))];

const empty: LayeredDiagnosis = { integratedDiagnosis: '', histologicalClassification: '', whoGrade: '', molecularInformation: '', comment: '' };

export function SignoffForm({ review, onSaved }: { review: Review; onSaved: (r: Review) => void }) {
  const d = review.diagnosis;
  const ai = review.aiSuggestion;
  const [form, setForm] = useState<LayeredDiagnosis>(d ? { integratedDiagnosis: d.integratedDiagnosis, histologicalClassification: d.histologicalClassification, whoGrade: d.whoGrade, molecularInformation: d.molecularInformation, comment: d.comment } : empty);
  const [agreement, setAgreement] = useState<AiAgreement | null>(d?.aiAgreement ?? (ai ? null : 'not_used'));
  const [reason, setReason] = useState(d?.overrideReason ?? '');
  const [signing, setSigning] = useState(false);
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [saved, setSaved] = useState<string | null>(d ? `Draft saved ${fmtDateTime(d.updatedAt)} by ${d.updatedBy}.` : null);

  const set = (k: keyof LayeredDiagnosis) => (e: { target: { value: string } }) => setForm((f) => ({ ...f, [k]: e.target.value }));
  const analysisId = review.ai?.analysisId ?? null;
  const gradeConflict = agreement === 'accepted' && ai?.whoGrade && form.whoGrade && form.whoGrade !== ai.whoGrade;

  const useSuggestion = () => {
    if (!ai) return;
    setForm((f) => ({ ...f, integratedDiagnosis: f.integratedDiagnosis || ai.classDisplay, whoGrade: ai.whoGrade ?? f.whoGrade }));
    setAgreement('accepted');
  };

  // The WHO CNS5 criteria's layered diagnosis, copied in only when the pathologist asks (then accepted or edited).
  const useProposal = (p: LayeredProposal) => setForm((f) => ({ ...f, integratedDiagnosis: p.integratedDiagnosis, whoGrade: p.whoGrade || f.whoGrade, molecularInformation: p.molecularInformation }));

  const saveDraft = async () => {
    setBusy(true);
    setError(null);
    try {
      const r = await call('review.saveDraft', { caseId: review.caseId, diagnosis: form, aiAgreement: agreement, overrideReason: agreement === 'overridden' ? reason : null, analysisId });
      setSaved(`Draft saved ${fmtDateTime(r.diagnosis?.updatedAt)}.`);
      onSaved(r);
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };

  const sign = async (e: FormEvent) => {
    e.preventDefault();
    if (!agreement) {
      setError('Choose whether you accept or override the AI suggestion.');
      return;
    }
    setBusy(true);
    setError(null);
    try {
      const r = await call('review.sign', { caseId: review.caseId, password, diagnosis: form, aiAgreement: agreement, overrideReason: agreement === 'overridden' ? reason : null, analysisId });
      setPassword('');
      onSaved(r);
    } catch (err) {
      setError(errorMessage(err));
      setPassword('');
    } finally {
      setBusy(false);
    }
  };

  return (
    <form className="rp-form" onSubmit={(e) => void sign(e)} aria-describedby="rp-form-help">
      <p id="rp-form-help" className="muted">Enter the layered diagnosis as in the WHO CNS5 report. Signing freezes it; later changes are dated addenda.</p>
      {ai && (
        <div className="rp-ai">
          <div className="rp-ai-label"><Icon name="info" size={14} /> AI-suggested</div>
          <p><strong>{ai.classDisplay}</strong> — {fmtProb(ai.classP)} · {aiGradeDisplay(ai.gradeLabel)} — {fmtProb(ai.gradeP)} <span className="muted">({ai.modelId} {ai.modelVersion}, analysis #{ai.analysisId})</span></p>
          <Button variant="ghost" icon="edit" onClick={useSuggestion}>Start from the AI suggestion</Button>
        </div>
      )}
      <WhoProposalPanel caseId={review.caseId} analysisId={analysisId} onUse={useProposal} />
      <div className="rp-layers">
        <TextField label="Integrated diagnosis" value={form.integratedDiagnosis} onChange={set('integratedDiagnosis')} maxLength={500} placeholder="e.g. Astrocytoma, IDH-mutant, CNS WHO grade 3" />
        <TextAreaField label="Histological classification" value={form.histologicalClassification} onChange={set('histologicalClassification')} rows={2} maxLength={500} />
        <SelectField label="CNS WHO grade" value={form.whoGrade} onChange={set('whoGrade')} options={GRADE_OPTIONS}
          error={gradeConflict ? `Differs from the AI's histological grade (TCGA, pre-2021) ${ai?.whoGrade ?? ''}; choose "Override" and give a reason.` : null} />
        <TextAreaField label="Molecular information" value={form.molecularInformation} onChange={set('molecularInformation')} rows={3} maxLength={2000} hint="Markers and methods, e.g. IDH1 R132H (IHC), 1p/19q (FISH), CDKN2A/B." />
        <TextAreaField label="Comment" optional value={form.comment ?? ''} onChange={set('comment')} rows={2} maxLength={4000} />
      </div>
      <fieldset className="rp-agreement">
        <legend>AI suggestion</legend>
        {ai ? (
          <>
            <label><input type="radio" name="agree" checked={agreement === 'accepted'} onChange={() => setAgreement('accepted')} /> Accept the AI suggestion</label>
            <label><input type="radio" name="agree" checked={agreement === 'overridden'} onChange={() => setAgreement('overridden')} /> Override it</label>
            {agreement === 'overridden' && <TextAreaField label="Reason for the override" value={reason} onChange={(e) => setReason(e.target.value)} rows={2} maxLength={2000} />}
          </>
        ) : (
          <label><input type="radio" name="agree" checked readOnly /> No AI result for this case — AI not used</label>
        )}
      </fieldset>
      {signing && (
        <div className="rp-sign-box">
          <TextField label="Your password (to sign)" type="password" autoComplete="current-password" value={password} onChange={(e) => setPassword(e.target.value)} autoFocus required />
          <p className="muted">By signing you confirm this diagnosis as yours. It cannot be changed afterwards, only amended by addenda.</p>
        </div>
      )}
      <FormMessage error={error} success={error ? null : saved} />
      <div className="form-actions">
        <Button busy={busy} onClick={() => void saveDraft()}>Save draft</Button>
        {!signing
          ? <Button variant="primary" icon="check" onClick={() => { setSigning(true); setError(null); }}>Sign…</Button>
          : (
            <>
              <Button variant="ghost" onClick={() => { setSigning(false); setPassword(''); }}>Cancel signing</Button>
              <button type="submit" className="btn btn-primary" disabled={busy || !password}>Sign diagnosis</button>
            </>
          )}
      </div>
    </form>
  );
}
