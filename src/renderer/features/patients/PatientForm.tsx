/** Register or edit a patient. The pseudonym is the working identity; PHI sits in its own, clearly labelled group. */
import { useEffect, useState, type FormEvent } from 'react';
import { call, errorMessage } from '../../api.ts';
import { href, navigate } from '../../lib/route.ts';
import { Button, ErrorPanel, FormMessage, LinkButton, PageHeader, SelectField, TextField } from '../../components/ui.tsx';
import { Icon } from '../../components/icons.tsx';
import { canEdit, useSession } from '../../lib/session.tsx';
import type { ResponseOf } from '../../../shared/contract/index.ts';

type Patient = ResponseOf<'patients.get'>;
const SEX_OPTIONS = [
  { value: '', label: 'Not recorded' },
  { value: 'female', label: 'Female' },
  { value: 'male', label: 'Male' },
  { value: 'other', label: 'Other' },
  { value: 'unknown', label: 'Unknown' },
] as const;
type SexValue = 'female' | 'male' | 'other' | 'unknown';

export function PatientForm({ patientId }: { patientId: number | null }) {
  const { user } = useSession();
  const [loaded, setLoaded] = useState<Patient | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [pseudonym, setPseudonym] = useState('');
  const [mrn, setMrn] = useState('');
  const [fullName, setFullName] = useState('');
  const [sex, setSex] = useState('');
  const [birthYear, setBirthYear] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    if (patientId === null) return;
    call('patients.get', { id: patientId }).then(
      (p) => {
        setLoaded(p);
        setPseudonym(p.pseudonym);
        setMrn(p.phi.mrn ?? '');
        setFullName(p.phi.fullName ?? '');
        setSex(p.phi.sex ?? '');
        setBirthYear(p.phi.birthYear ? String(p.phi.birthYear) : '');
      },
      (err: unknown) => setLoadError(errorMessage(err)),
    );
  }, [patientId]);

  if (!canEdit(user.role)) {
    return <div className="page"><ErrorPanel message="Your role is read-only: you can view patients but not register or edit them." /></div>;
  }
  if (loadError) return <div className="page"><ErrorPanel message={loadError} /></div>;

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const year = birthYear.trim() === '' ? null : Number(birthYear);
    if (year !== null && (!Number.isInteger(year) || year < 1880 || year > new Date().getFullYear())) {
      return setError(`Birth year must be a four-digit year between 1880 and ${new Date().getFullYear()}.`);
    }
    const phi = { mrn: mrn.trim() || null, fullName: fullName.trim() || null, sex: (sex || null) as SexValue | null, birthYear: year };
    setBusy(true);
    setError(null);
    try {
      const p = patientId === null
        ? await call('patients.create', { pseudonym: pseudonym.trim(), phi })
        : await call('patients.update', { id: patientId, pseudonym: pseudonym.trim(), phi });
      navigate(`/patients/${p.id}`);
    } catch (err) {
      setError(errorMessage(err));
      setBusy(false);
    }
  };

  const editing = patientId !== null;
  return (
    <div className="page page-narrow">
      <PageHeader
        eyebrow={<a href={editing ? href(`/patients/${patientId}`) : href('/patients')}>← {editing ? loaded?.pseudonym ?? 'Patient' : 'Patients'}</a>}
        title={editing ? 'Edit patient' : 'New patient'}
        subtitle="Only the pseudonym is required. Everything you change is recorded in the audit log."
      />
      <form onSubmit={submit} className="form-card" noValidate aria-busy={editing && !loaded}>
        <fieldset className="fieldset">
          <legend>Research identity</legend>
          <TextField label="Pseudonym" name="pseudonym" required value={pseudonym} onChange={(e) => setPseudonym(e.target.value)}
            hint="Used everywhere in the app, in exports and reports. Letters, digits, dot, dash and underscore, e.g. GF-2025-0012." autoFocus={!editing} />
        </fieldset>
        <fieldset className="fieldset fieldset-phi">
          <legend><Icon name="shield" size={16} /> Identifying information (PHI)</legend>
          <p className="fieldset-note">Stored separately from the research record. Never included in exports, reports or the audit log’s patient reference.</p>
          <div className="grid-2">
            <TextField label="Medical record number" name="mrn" phi optional value={mrn} onChange={(e) => setMrn(e.target.value)} autoComplete="off" />
            <TextField label="Full name" name="fullName" phi optional value={fullName} onChange={(e) => setFullName(e.target.value)} autoComplete="off" />
            <SelectField label="Sex" name="sex" phi optional value={sex} onChange={(e) => setSex(e.target.value)} options={SEX_OPTIONS} />
            <TextField label="Birth year" name="birthYear" phi optional inputMode="numeric" pattern="[0-9]{4}" maxLength={4} value={birthYear} onChange={(e) => setBirthYear(e.target.value.replace(/[^0-9]/g, ''))} />
          </div>
        </fieldset>
        <FormMessage error={error} />
        <div className="form-actions">
          <Button type="submit" variant="primary" busy={busy} disabled={!pseudonym.trim()}>{editing ? 'Save changes' : 'Register patient'}</Button>
          <LinkButton href={editing ? href(`/patients/${patientId}`) : href('/patients')} variant="ghost">Cancel</LinkButton>
        </div>
      </form>
    </div>
  );
}
