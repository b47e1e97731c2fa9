/** Open a case for a patient, or edit an existing case's fields. */
import { useEffect, useState, type FormEvent } from 'react';
import { call, errorMessage } from '../../api.ts';
import { href, navigate } from '../../lib/route.ts';
import { Button, ErrorPanel, FormMessage, LinkButton, PageHeader, TextField } from '../../components/ui.tsx';
import { canEdit, useSession } from '../../lib/session.tsx';

export function CaseForm({ patientId, caseId }: { patientId: number | null; caseId: number | null }) {
  const { user } = useSession();
  const [pseudonym, setPseudonym] = useState<string | null>(null);
  const [ownerId, setOwnerId] = useState<number | null>(patientId);
  const [accession, setAccession] = useState('');
  const [specimen, setSpecimen] = useState('');
  const [site, setSite] = useState('');
  const [collectedOn, setCollectedOn] = useState('');
  const [receivedOn, setReceivedOn] = useState('');
  const [loadError, setLoadError] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    if (caseId !== null) {
      call('cases.get', { id: caseId }).then((c) => {
        setPseudonym(c.patientPseudonym);
        setOwnerId(c.patientId);
        setAccession(c.accession);
        setSpecimen(c.specimen);
        setSite(c.site);
        setCollectedOn(c.collectedOn ?? '');
        setReceivedOn(c.receivedOn ?? '');
      }, (err: unknown) => setLoadError(errorMessage(err)));
    } else if (patientId !== null) {
      call('patients.get', { id: patientId }).then((p) => setPseudonym(p.pseudonym), (err: unknown) => setLoadError(errorMessage(err)));
    }
  }, [caseId, patientId]);

  if (!canEdit(user.role)) return <div className="page"><ErrorPanel message="Your role is read-only: you can view cases but not open or edit them." /></div>;
  if (loadError) return <div className="page"><ErrorPanel message={loadError} /></div>;

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    const fields = { accession: accession.trim(), specimen: specimen.trim(), site: site.trim(), collectedOn: collectedOn || null, receivedOn: receivedOn || null };
    try {
      const c = caseId !== null ? await call('cases.update', { id: caseId, ...fields }) : await call('cases.create', { patientId: ownerId!, ...fields });
      navigate(`/cases/${c.id}`);
    } catch (err) {
      setError(errorMessage(err));
      setBusy(false);
    }
  };

  const back = caseId !== null ? href(`/cases/${caseId}`) : href(`/patients/${patientId}`);
  return (
    <div className="page page-narrow">
      <PageHeader
        eyebrow={<a href={back}>← {caseId !== null ? 'Case' : pseudonym ?? 'Patient'}</a>}
        title={caseId !== null ? 'Edit case' : 'New case'}
        subtitle={pseudonym ? <>Patient <strong>{pseudonym}</strong></> : '\u00a0'}
      />
      <form onSubmit={submit} className="form-card" noValidate>
        <fieldset className="fieldset">
          <legend>Case</legend>
          <TextField label="Accession number" name="accession" required value={accession} onChange={(e) => setAccession(e.target.value)} hint="The laboratory’s case or block number, e.g. S25-01234." autoFocus={caseId === null} />
          <div className="grid-2">
            <TextField label="Specimen" name="specimen" optional value={specimen} onChange={(e) => setSpecimen(e.target.value)} hint="e.g. Resection, stereotactic biopsy" />
            <TextField label="Site" name="site" optional value={site} onChange={(e) => setSite(e.target.value)} hint="e.g. Left frontal lobe" />
            <TextField label="Collected on" name="collectedOn" type="date" optional value={collectedOn} onChange={(e) => setCollectedOn(e.target.value)} />
            <TextField label="Received on" name="receivedOn" type="date" optional value={receivedOn} onChange={(e) => setReceivedOn(e.target.value)} />
          </div>
        </fieldset>
        <FormMessage error={error} />
        <div className="form-actions">
          <Button type="submit" variant="primary" busy={busy} disabled={!accession.trim() || ownerId === null}>{caseId !== null ? 'Save changes' : 'Open case'}</Button>
          <LinkButton href={back} variant="ghost">Cancel</LinkButton>
        </div>
      </form>
    </div>
  );
}
