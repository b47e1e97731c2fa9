/**
 * Genomics tab: the case's genomic profiles (newest first) with their validation report, and — for editors —
 * import: choose a CSV/JSON file, check it against a model package's genomic schema, then store it.
 */
import { useState, type ChangeEvent } from 'react';
import { call, errorMessage } from '../../api.ts';
import { useAsync } from '../../lib/use-async.ts';
import { fmtDateTime, shortHash } from '../../lib/format.ts';
import { Button, EmptyState, ErrorPanel, Facts, FormMessage, Section, SelectField, TextField } from '../../components/ui.tsx';
import { Icon } from '../../components/icons.tsx';
import { canEdit, useSession } from '../../lib/session.tsx';
import type { ResponseOf } from '../../../shared/contract/index.ts';
import { AGE_FEATURE, fileRowIds, fmtValue } from './genomics-view.ts';
import type { CaseDetail } from '../../lib/case-detail.ts';

type Report = ResponseOf<'genomics.validate'>;
type Profile = ResponseOf<'genomics.get'>['profiles'][number];

const MAX_BYTES = 5 * 1024 * 1024;
const STATUS_LABEL = { observed: 'Observed', imputed: 'Imputed', error: 'Error' } as const;

/**
 * The per-field report with an interpretation column (values in words by the WHO CNS5 thresholds) and what the
 * analysis will do about age at diagnosis (issue 14 items 3, 4). `caseId`: the case whose patient the age plan uses.
 */
export function ValidationReport({ report, compact, caseId }: { report: Report; compact?: boolean; caseId: number }) {
  const [showAll, setShowAll] = useState(false);
  const rows = showAll || !compact ? report.fields : report.fields.filter((f) => f.status !== 'observed');
  const key = JSON.stringify(report.fields.map((f) => [f.featureId, f.status, f.value]));
  const view = useAsync(() => {
    const values: Record<string, number | null> = {};
    for (const f of report.fields) if (f.status === 'observed') values[f.featureId] = f.value ?? null;
    const ageObserved = report.fields.some((f) => f.featureId === AGE_FEATURE && f.status === 'observed');
    return call('genomics.interpret', { caseId, values, ageObserved });
  }, [caseId, key]);
  const age = view.data?.age ?? null;
  const hasAge = report.fields.some((f) => f.featureId === AGE_FEATURE);
  return (
    <div className="stack">
      <div className={`report-summary ${report.ok ? 'is-ok' : 'is-bad'}`} role="status">
        <Icon name={report.ok ? 'check' : 'warning'} size={16} />
        <span>
          {report.ok ? 'Valid' : 'Not valid'} for {report.modelId} {report.modelVersion} ({report.format.toUpperCase()}{report.rowId ? `, row “${report.rowId}”` : ''}):
          {' '}<strong>{report.observed}</strong> observed, <strong>{report.imputed}</strong> imputed{report.errors.length ? <>, <strong>{report.errors.length}</strong> errors</> : null}.
        </span>
      </div>
      {report.errors.length > 0 && (
        <ul className="plain-list error-list">{report.errors.map((e, i) => <li key={i}><span className="mono">{e.field}</span>: {e.message}</li>)}</ul>
      )}
      {report.notes.length > 0 && <ul className="plain-list muted">{report.notes.map((n, i) => <li key={i}>{n}</li>)}</ul>}
      {hasAge && age && <p className={`age-plan is-${age.plan}`} role="note"><Icon name="info" size={16} /> {age.text}</p>}
      {view.data && <ul className="plain-list genomics-combined" aria-label="Combined calls">{view.data.combined.map((c) => <li key={c}>{c}</li>)}</ul>}
      <div className="table-wrap">
        <table className="table table-compact">
          <caption className="visually-hidden">Genomic fields</caption>
          <thead><tr><th scope="col">Feature</th><th scope="col">Status</th><th scope="col">From column</th><th scope="col" className="num">Value</th><th scope="col">Interpretation</th><th scope="col">Note</th></tr></thead>
          <tbody>
            {rows.map((f) => (
              <tr key={f.featureId}>
                <td>{f.displayName} <span className="muted mono">{f.featureId}</span></td>
                <td>{f.featureId === AGE_FEATURE && f.status === 'imputed' && age?.plan === 'derived'
                  ? <span className="outcome outcome-success">Derived at analysis</span>
                  : <span className={`outcome outcome-${f.status === 'observed' ? 'success' : f.status === 'imputed' ? 'failure' : 'denied'}`}>{STATUS_LABEL[f.status]}</span>}</td>
                <td className="mono">{f.source ?? '—'}</td>
                <td className="num mono" title={f.value === null || f.value === undefined ? undefined : String(f.value)}>{f.featureId === AGE_FEATURE && f.status === 'imputed' && age?.plan === 'derived' ? fmtValue(age.years) : fmtValue(f.value)}</td>
                <td>{f.status === 'observed' ? view.data?.fields[f.featureId] ?? '' : ''}</td>
                <td className="muted">{f.featureId === AGE_FEATURE && f.status === 'imputed' && age ? (age.plan === 'derived' ? 'collection date − birth year' : 'training-cohort value') : f.message ?? ''}</td>
              </tr>
            ))}
          </tbody>
        </table>
        {rows.length === 0 && <p className="muted pad">All {report.fields.length} fields observed.</p>}
      </div>
      {compact && <Button variant="ghost" onClick={() => setShowAll((s) => !s)}>{showAll ? 'Show only imputed and failed fields' : `Show all ${report.fields.length} fields`}</Button>}
    </div>
  );
}

function ImportProfile({ caseId, onImported }: { caseId: number; onImported: () => void }) {
  const models = useAsync(() => call('models.list', {}), []);
  const usable = (models.data?.packages ?? []).filter((p) => p.active && p.verification.ok && p.validatedModalities.includes('genomics'));
  const [modelId, setModelId] = useState('');
  const [file, setFile] = useState<{ name: string; content: string } | null>(null);
  const [rowId, setRowId] = useState('');
  const [report, setReport] = useState<Report | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [success, setSuccess] = useState<string | null>(null);
  const [busy, setBusy] = useState<'check' | 'import' | null>(null);
  const model = modelId || usable[0]?.id || '';
  const manifest = useAsync(() => (model ? call('models.get', { id: model }) : Promise.resolve(null)), [model]);
  const idAliases = manifest.data?.manifest?.genomicSchema.idColumnAliases ?? [];
  const rowInfo = file ? fileRowIds(file.name, file.content, idAliases) : null;
  const needsRow = (rowInfo?.rows ?? 0) > 1;

  const pick = async (e: ChangeEvent<HTMLInputElement>) => {
    setReport(null);
    setError(null);
    setSuccess(null);
    const f = e.target.files?.[0];
    if (!f) return setFile(null);
    if (f.size > MAX_BYTES) {
      setFile(null);
      return setError(`${f.name} is ${(f.size / 1048576).toFixed(1)} MiB; genomic profiles are limited to 5 MiB.`);
    }
    setFile({ name: f.name, content: await f.text() });
  };

  const req = () => ({ fileName: file!.name, content: file!.content, modelId: model, ...(rowId.trim() ? { rowId: rowId.trim() } : {}) });
  const check = async () => {
    setBusy('check');
    setError(null);
    try {
      setReport(await call('genomics.validate', req()));
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(null);
    }
  };
  const doImport = async () => {
    setBusy('import');
    setError(null);
    try {
      const p = await call('genomics.import', { caseId, ...req() });
      setSuccess(`Imported ${p.sourceFileName}: ${p.report.observed} observed, ${p.report.imputed} imputed fields.`);
      setFile(null);
      setReport(null);
      setRowId('');
      onImported();
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(null);
    }
  };

  if (models.error) return <ErrorPanel message={models.error} onRetry={models.reload} />;
  if (models.data && usable.length === 0) {
    return <p className="muted">No verified model package accepts genomic input, so profiles cannot be checked or imported. See Models.</p>;
  }
  return (
    <div className="stack" aria-label="Import a genomic profile" role="group">
      <div className="grid-2">
        <SelectField label="Check against model package" value={model} onChange={(e) => { setModelId(e.target.value); setReport(null); }}
          options={usable.map((p) => ({ value: p.id, label: `${p.name ?? p.id} ${p.version ?? ''}` }))} hint="The package’s genomic schema defines the features, ranges, units and imputation." />
        <TextField label="Row / patient ID in the file" {...(needsRow ? {} : { optional: true })} value={rowId} list="genomics-row-ids" autoComplete="off"
          onChange={(e) => { setRowId(e.target.value); setReport(null); }}
          hint={rowInfo && needsRow ? `The file holds ${rowInfo.rows} rows; type to search its ${rowInfo.ids.length} IDs${rowInfo.idColumn ? ` (column “${rowInfo.idColumn}”)` : ''}.` : 'Needed when the file holds several patients (e.g. a TCGA ID).'} />
        <datalist id="genomics-row-ids">{(rowInfo?.ids ?? []).map((id) => <option key={id} value={id} />)}</datalist>
      </div>
      <div className="field">
        <label htmlFor="genomics-file">Profile file (CSV or JSON)</label>
        <input id="genomics-file" type="file" accept=".csv,.tsv,.json,text/csv,application/json" onChange={(e) => void pick(e)} />
        <div className="field-hint">Read on this computer; only its content and name are stored with the case, with its sha256.</div>
      </div>
      <div className="form-actions">
        <Button onClick={() => void check()} disabled={!file || !model || (needsRow && !rowId.trim())} busy={busy === 'check'}>Check file</Button>
        {needsRow && !rowId.trim() && <span className="muted">Choose the row / patient ID first.</span>}
        <Button variant="primary" onClick={() => void doImport()} disabled={!file || !model || !report?.ok} busy={busy === 'import'}>Import profile</Button>
      </div>
      <FormMessage error={error} success={success} />
      {report && <ValidationReport report={report} compact caseId={caseId} />}
    </div>
  );
}

function ProfileCard({ p, latest }: { p: Profile; latest: boolean }) {
  return (
    <Section title={<>{p.sourceFileName} {latest && <span className="count">current</span>}</>}>
      <Facts items={[
        ['Imported', `${fmtDateTime(p.addedAt)}${p.addedBy ? ` by ${p.addedBy}` : ''}`],
        ['Model schema', p.modelId],
        ['File sha256', <span className="mono" title={p.sourceSha256}>{shortHash(p.sourceSha256, 16)}</span>],
        ['Fields', `${p.report.observed} observed, ${p.report.imputed} imputed`],
      ]} />
      <ValidationReport report={p.report} compact caseId={p.caseId} />
    </Section>
  );
}

export function GenomicsTab({ c, onChanged }: { c: CaseDetail; onChanged: () => void }) {
  const { user } = useSession();
  const editable = canEdit(user.role) && c.status !== 'signed' && c.status !== 'archived';
  const { data, error, reload } = useAsync(() => call('genomics.get', { caseId: c.id }), [c.id]);
  return (
    <div className="stack genomics-tab">
      <div className="stack">
        {error && <ErrorPanel message={error} onRetry={reload} />}
        {!data && !error && <div className="skeleton-block tall" />}
        {data && data.profiles.length === 0 && (
          <Section title="Genomic profile">
            <EmptyState icon="info" title="No genomic profile for this case">{editable ? 'Import the molecular panel or CNV table for this specimen with the form below.' : 'Profiles appear here once a pathologist imports them.'}</EmptyState>
          </Section>
        )}
        {data?.profiles.map((p, i) => <ProfileCard key={p.id} p={p} latest={i === 0} />)}
      </div>
      <div>
        {editable ? (
          <Section title="Import a profile">
            <ImportProfile caseId={c.id} onImported={() => { reload(); onChanged(); }} />
          </Section>
        ) : (
          <Section title="Import"><p className="muted">{canEdit(user.role) ? `This case is ${c.status}; profiles can no longer be added.` : 'Your role is read-only.'}</p></Section>
        )}
      </div>
    </div>
  );
}
