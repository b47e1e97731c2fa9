/**
 * The Report tab: the layered diagnosis (form for a pathologist, plain text once signed, with its signature and
 * addenda), and the PDF report (export, previous exports with their sha256, download).
 */
import { useState, type FormEvent, type ReactNode } from 'react';
import { call, errorMessage } from '../../api.ts';
import { useAsync } from '../../lib/use-async.ts';
import { useSession } from '../../lib/session.tsx';
import { Button, ErrorPanel, Facts, FormMessage, Section, TextAreaField, TextField } from '../../components/ui.tsx';
import { Icon } from '../../components/icons.tsx';
import { fmtBytes, fmtDateTime, shortHash } from '../../lib/format.ts';
import { RUO_STATEMENT } from '../../../shared/ruo.ts';
import type { Review } from '../../../shared/contract/review.ts';
import type { CaseDetail } from '../../lib/case-detail.ts';
import { SignoffForm } from './SignoffForm.tsx';
import { SignedLayers } from './SignedLayers.tsx';
import { WhoCasePanel } from '../analysis/WhoCriteriaBlock.tsx';
import './report.css';

const AGREEMENT: Record<string, string> = { accepted: 'AI suggestion accepted', overridden: 'AI suggestion overridden', not_used: 'AI not used' };

function SignatureLine({ s }: { s: NonNullable<Review['signature']> }) {
  return (
    <p className={`rp-signature${s.verified ? '' : ' is-broken'}`}>
      <Icon name={s.verified ? 'shield' : 'warning'} size={15} />
      <span>
        Signed by <strong>{s.signerName}</strong> ({s.signerRole}) on {fmtDateTime(s.signedAt)} · sha256 <span className="mono" title={s.sha256}>{shortHash(s.sha256, 16)}</span>
        {s.verified ? ' · verified' : ' · VERIFICATION FAILED: the stored content no longer matches its signature'}
      </span>
    </p>
  );
}

function SignedDiagnosis({ r }: { r: Review }) {
  const d = r.diagnosis!;
  return (
    <div className="rp-signed">
      <SignedLayers d={d} />
      <Facts items={[
        ...(d.comment ? [['Comment', <span className="rp-pre">{d.comment}</span>] as [string, ReactNode]] : []),
        ['AI suggestion', `${d.aiAgreement ? AGREEMENT[d.aiAgreement] : '—'}${d.analysisId ? ` (analysis #${d.analysisId})` : ''}`],
        ...(d.overrideReason ? [['Reason for override', d.overrideReason] as [string, ReactNode]] : []),
      ]} />
      {r.signature && <SignatureLine s={r.signature} />}
    </div>
  );
}

function Addenda({ r, canSign, onSaved }: { r: Review; canSign: boolean; onSaved: (r: Review) => void }) {
  const [text, setText] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      onSaved(await call('review.addendum', { caseId: r.caseId, text, password }));
      setText('');
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setPassword('');
      setBusy(false);
    }
  };
  return (
    <div className="rp-addenda">
      {r.addenda.length === 0 ? <p className="muted">No addenda.</p> : (
        <ol className="rp-addenda-list">
          {r.addenda.map((a) => (
            <li key={a.seq}>
              <h3>Addendum {a.seq} · {fmtDateTime(a.createdAt)}</h3>
              <p className="rp-pre">{a.text}</p>
              <SignatureLine s={a.signature} />
            </li>
          ))}
        </ol>
      )}
      {canSign && (
        <form className="rp-addendum-form" onSubmit={(e) => void submit(e)}>
          <TextAreaField label="New addendum" value={text} onChange={(e) => setText(e.target.value)} rows={3} maxLength={4000} hint="Dated and signed; the signed diagnosis itself stays unchanged." />
          <TextField label="Your password (to sign the addendum)" type="password" autoComplete="current-password" value={password} onChange={(e) => setPassword(e.target.value)} />
          <FormMessage error={error} />
          <div className="form-actions"><button type="submit" className="btn btn-primary" disabled={busy || !text.trim() || !password}>Sign addendum</button></div>
        </form>
      )}
    </div>
  );
}

/** Saves base64 PDF bytes through a temporary blob: URL (allowed by the CSP's img/connect rules; no inline script). */
function downloadPdf(fileName: string, b64: string): void {
  const bin = atob(b64);
  const bytes = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
  const url = URL.createObjectURL(new Blob([bytes], { type: 'application/pdf' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = fileName;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

function Exports({ caseId, hasAi, signed }: { caseId: number; hasAi: boolean; signed: boolean }) {
  const list = useAsync(() => call('report.list', { caseId }), [caseId]);
  const [busy, setBusy] = useState<number | 'export' | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const exportNow = async () => {
    setBusy('export');
    setError(null);
    try {
      const r = await call('report.export', { caseId });
      downloadPdf(r.report.fileName, r.pdfBase64);
      setDone(`Exported ${r.report.fileName} (${fmtBytes(r.report.bytes ?? 0)}, sha256 ${shortHash(r.report.sha256, 16)}).`);
      list.reload();
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(null);
    }
  };
  const download = async (id: number) => {
    setBusy(id);
    setError(null);
    try {
      const r = await call('report.download', { reportId: id });
      downloadPdf(r.report.fileName, r.pdfBase64);
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(null);
    }
  };
  const reports = list.data?.reports ?? [];
  return (
    <div className="rp-exports">
      <p className="muted">
        The PDF carries the {signed ? 'signed diagnosis and addenda' : 'statement NOT SIGNED'}{hasAi ? ', the AI-suggested results with their evidence' : ''}, the inputs and provenance,
        and “{RUO_STATEMENT}” on every page. Patient identifiers are never printed. Every export is audited and its sha256 kept.
      </p>
      <div className="form-actions"><Button variant="primary" icon="download" busy={busy === 'export'} onClick={() => void exportNow()}>Export PDF report</Button></div>
      <FormMessage error={error ?? list.error} success={error ? null : done} />
      {reports.length > 0 && (
        <div className="table-wrap">
          <table className="table table-compact">
            <caption className="visually-hidden">Exported reports</caption>
            <thead><tr><th scope="col">Exported</th><th scope="col">By</th><th scope="col">State</th><th scope="col">Size</th><th scope="col">sha256</th><th scope="col"><span className="visually-hidden">Actions</span></th></tr></thead>
            <tbody>
              {reports.map((rep) => (
                <tr key={rep.id}>
                  <td className="nowrap">{fmtDateTime(rep.createdAt)}</td>
                  <td>{rep.createdBy}</td>
                  <td>{rep.signed ? `signed${rep.addendaCount ? ` + ${rep.addendaCount} addend${rep.addendaCount === 1 ? 'um' : 'a'}` : ''}` : 'not signed'}</td>
                  <td className="num">{rep.bytes === null ? '—' : fmtBytes(rep.bytes)}</td>
                  <td className="mono" title={rep.sha256}>{shortHash(rep.sha256, 16)}</td>
                  <td>{rep.storedPath && <Button variant="ghost" busy={busy === rep.id} aria-label={`Download the report exported ${fmtDateTime(rep.createdAt)}`} onClick={() => void download(rep.id)}>Download</Button>}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}

export function ReportTab({ c, reload }: { c: CaseDetail; reload: () => void }) {
  const { user } = useSession();
  const review = useAsync(() => call('review.get', { caseId: c.id }), [c.id]);
  const [fresh, setFresh] = useState<Review | null>(null);
  const r = fresh && fresh.caseId === c.id ? fresh : review.data;
  const canSign = user.role === 'pathologist';
  const onSaved = (next: Review) => {
    setFresh(next);
    if (next.caseStatus !== c.status) reload();
  };

  if (review.error && !r) return <ErrorPanel message={review.error} onRetry={review.reload} />;
  if (!r) return <div className="skeleton-block tall" />;
  const signed = r.diagnosis?.state === 'signed';
  return (
    <div className="rp-tab">
      <WhoCasePanel caseId={c.id} analysisId={r.ai?.analysisId ?? null} />
      <Section title={<><Icon name={signed ? 'check' : 'edit'} size={16} /> Diagnosis (WHO CNS5 layered report) · {signed ? 'signed' : 'not signed'}</>}>
        {signed ? <SignedDiagnosis r={r} />
          : canSign ? <SignoffForm key={`case-${r.caseId}`} review={r} onSaved={onSaved} />
          : (
            <p className="muted">
              {r.diagnosis ? `A draft exists (last saved ${fmtDateTime(r.diagnosis.updatedAt)} by ${r.diagnosis.updatedBy}); it is not signed. ` : 'No diagnosis has been entered. '}
              Only a pathologist can enter and sign the diagnosis{user.role === 'admin' ? ' (administrators cannot sign)' : ''}.
            </p>
          )}
      </Section>
      {signed && (
        <Section title="Addenda">
          <Addenda r={r} canSign={canSign} onSaved={onSaved} />
        </Section>
      )}
      <Section title="PDF report">
        <Exports caseId={c.id} hasAi={r.ai !== null} signed={signed} />
      </Section>
    </div>
  );
}
