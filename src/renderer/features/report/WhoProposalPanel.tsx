/**
 * On the sign-off form: the histology findings the WHO CNS5 rules read (necrosis, microvascular proliferation,
 * mitotic activity) and the layered diagnosis the rules propose from them and the genomic profile, which the
 * pathologist may copy into the form and then accept or edit (the sign-off audit records which).
 */
import { useEffect, useState } from 'react';
import { call, errorMessage } from '../../api.ts';
import { Button, FormMessage, SelectField } from '../../components/ui.tsx';
import { notifyWhoChanged, useWhoCase } from '../analysis/WhoCriteriaBlock.tsx';
import { WHO_RULES_LABEL, type CaseMarkers, type HistologyFindings } from '../../../shared/who-cns5.ts';
import type { LayeredProposal } from '../../../shared/contract/who-cns5.ts';

type Choice = '' | 'yes' | 'no';
const toChoice = (v: boolean | null): Choice => (v === null ? '' : v ? 'yes' : 'no');
const fromChoice = (c: Choice): boolean | null => (c === '' ? null : c === 'yes');
const PRESENT = [{ value: '', label: 'Not assessed' }, { value: 'yes', label: 'Present' }, { value: 'no', label: 'Absent' }];
const MITOSES = [{ value: '', label: 'Not assessed' }, { value: 'yes', label: 'Elevated (grade 3 level)' }, { value: 'no', label: 'Low' }];
const tested = (yes: string, no: string) => [{ value: '', label: 'Not tested' }, { value: 'yes', label: yes }, { value: 'no', label: no }];
/** Molecular findings a CNV profile does not carry, entered from immunohistochemistry or outside tests. */
const MARKERS: { key: keyof CaseMarkers; label: string; options: { value: string; label: string }[] }[] = [
  { key: 'tertPromoterMutant', label: 'TERT promoter', options: tested('Mutant', 'Wild-type') },
  { key: 'atrxLoss', label: 'ATRX (nuclear expression)', options: tested('Lost', 'Retained') },
  { key: 'tp53Mutant', label: 'TP53', options: tested('Mutant', 'Wild-type') },
  { key: 'h3K27M', label: 'H3 K27M', options: tested('Mutant', 'Wild-type') },
  { key: 'mgmtPromoterMethylated', label: 'MGMT promoter', options: tested('Methylated', 'Unmethylated') },
];
const NO_MARKER_CHOICES: Record<keyof CaseMarkers, Choice> = { tertPromoterMutant: '', atrxLoss: '', tp53Mutant: '', h3K27M: '', mgmtPromoterMethylated: '' };

export function WhoProposalPanel({ caseId, analysisId, onUse }: { caseId: number; analysisId: number | null; onUse: (p: LayeredProposal) => void }) {
  const who = useWhoCase(caseId, analysisId);
  const [h, setH] = useState<Record<keyof HistologyFindings, Choice>>({ necrosis: '', microvascularProliferation: '', mitoticActivityElevated: '' });
  const [mk, setMk] = useState<Record<keyof CaseMarkers, Choice>>(NO_MARKER_CHOICES);
  const [busy, setBusy] = useState(false);
  const [msg, setMsg] = useState<{ error: string | null; success: string | null }>({ error: null, success: null });
  const saved = who.data?.histology;
  // Start from the stored findings once they arrive; later reloads never overwrite what is being entered.
  const [loaded, setLoaded] = useState(false);
  useEffect(() => {
    if (!saved || loaded) return;
    setH({ necrosis: toChoice(saved.necrosis), microvascularProliferation: toChoice(saved.microvascularProliferation), mitoticActivityElevated: toChoice(saved.mitoticActivityElevated) });
    const m = who.data?.markers;
    if (m) setMk(Object.fromEntries(MARKERS.map(({ key }) => [key, toChoice(m[key])])) as Record<keyof CaseMarkers, Choice>);
    setLoaded(true);
  }, [saved, loaded, who.data?.markers]);
  const set = (k: keyof HistologyFindings) => (e: { target: { value: string } }) => setH((x) => ({ ...x, [k]: e.target.value as Choice }));

  const save = async () => {
    setBusy(true);
    setMsg({ error: null, success: null });
    try {
      const markers = Object.fromEntries(MARKERS.map(({ key }) => [key, fromChoice(mk[key])])) as CaseMarkers;
      await call('who.saveHistology', { caseId, histology: { necrosis: fromChoice(h.necrosis), microvascularProliferation: fromChoice(h.microvascularProliferation), mitoticActivityElevated: fromChoice(h.mitoticActivityElevated) }, markers, ...(analysisId ? { analysisId } : {}) });
      setMsg({ error: null, success: 'Histology findings saved; the WHO CNS5 criteria were re-applied.' });
      notifyWhoChanged();
    } catch (err) {
      setMsg({ error: errorMessage(err), success: null });
    } finally {
      setBusy(false);
    }
  };

  const p = who.data?.proposal ?? null;
  return (
    <div className="who-signoff">
      <fieldset className="who-histology">
        <legend>Histology and other findings (used by the WHO CNS5 criteria)</legend>
        <div className="who-histology-row">
          <SelectField label="Necrosis" disabled={!loaded} value={h.necrosis} onChange={set('necrosis')} options={PRESENT} />
          <SelectField label="Microvascular proliferation" disabled={!loaded} value={h.microvascularProliferation} onChange={set('microvascularProliferation')} options={PRESENT} />
          <SelectField label="Mitotic activity" disabled={!loaded} value={h.mitoticActivityElevated} onChange={set('mitoticActivityElevated')} options={MITOSES} />
        </div>
        <div className="who-histology-row" role="group" aria-label="Other molecular findings (immunohistochemistry or outside tests)">
          {MARKERS.map(({ key, label, options }) => (
            <SelectField key={key} label={label} disabled={!loaded} value={mk[key]} onChange={(e) => setMk((x) => ({ ...x, [key]: e.target.value as Choice }))} options={options} />
          ))}
        </div>
        <FormMessage error={msg.error} success={msg.success} />
        <div><Button busy={busy} disabled={!loaded} onClick={() => void save()}>Save histology findings</Button></div>
      </fieldset>
      <section className="who-proposal" aria-label="Proposed layered diagnosis (WHO CNS5 criteria)">
        <strong>Proposed by the WHO CNS5 criteria</strong>
        {!who.data ? <p className="muted">{who.error ?? 'Applying the criteria…'}</p> : !p ? <p className="muted">{who.data.unavailableReason}</p> : (
          <>
            <p>{p.integratedDiagnosis}</p>
            <p className="muted">{p.molecularInformation}</p>
            {who.data.criteria?.reason && <p className="muted">{who.data.criteria.reason}</p>}
            <Button variant="ghost" icon="edit" onClick={() => onUse(p)}>Use the proposed layered diagnosis</Button>
          </>
        )}
        <p className="muted">{WHO_RULES_LABEL}. You accept it as proposed or edit it; the audit log records which.</p>
      </section>
    </div>
  );
}
