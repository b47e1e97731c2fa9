/** Slides of the case on the Overview tab: the list, and "attach a slide by path" for editors. */
import { useState, type FormEvent } from 'react';
import { call, errorMessage } from '../../api.ts';
import { useAsync } from '../../lib/use-async.ts';
import { href } from '../../lib/route.ts';
import { fmtBytes, fmtDateTime, fmtInt } from '../../lib/format.ts';
import { Button, EmptyState, ErrorPanel, FormMessage, Section, SkeletonRows, TextField } from '../../components/ui.tsx';
import { Icon } from '../../components/icons.tsx';
import { canEdit, useSession } from '../../lib/session.tsx';
import type { CaseDetail } from '../../lib/case-detail.ts';
import { setPendingSlide, usePendingSlide } from '../../lib/pending-slide.ts';
import { DetachSlideForm } from './DetachSlide.tsx';

function AttachSlide({ caseId, onAttached }: { caseId: number; onAttached: (fileName: string) => void }) {
  const pending = usePendingSlide();
  const [path, setPath] = useState(pending ?? '');
  const [error, setError] = useState<string | null>(null);
  const [success, setSuccess] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    setSuccess(null);
    try {
      const s = await call('slides.attach', { caseId, path: path.trim() });
      setSuccess(`Attached ${s.fileName} (${s.width ?? '?'} × ${s.height ?? '?'} px, ${s.hashKind} ${s.hash.slice(0, 12)}…).`);
      if (pending && path.trim() === pending) setPendingSlide(null);
      setPath('');
      onAttached(s.fileName);
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <form className="attach-form" onSubmit={submit} aria-label="Attach a slide">
      <TextField label="Attach a slide by path" name="slidePath" value={path} onChange={(e) => setPath(e.target.value)} placeholder="/data/slides/S25-01234-A1.svs" spellCheck={false} autoComplete="off"
        hint="A whole-slide file on this computer (SVS, NDPI, MRXS, SCN, generic tiled TIFF, …). It is opened with OpenSlide, hashed and registered; the file itself stays where it is." />
      <Button type="submit" busy={busy} disabled={!path.trim()} icon="plus">{busy ? 'Checking and hashing…' : 'Attach slide'}</Button>
      <FormMessage error={error} success={success} />
    </form>
  );
}

export function CaseSlides({ c, onChanged }: { c: CaseDetail; onChanged: () => void }) {
  const { user } = useSession();
  const editable = canEdit(user.role) && c.status !== 'signed' && c.status !== 'archived';
  const { data, error, loading, reload } = useAsync(() => call('slides.list', { caseId: c.id }), [c.id]);
  const [detaching, setDetaching] = useState<{ id: number; fileName: string } | null>(null);
  return (
    <Section title={<>Slides <span className="count">{data ? data.slides.length : c.slideCount}</span></>}>
      {error && <ErrorPanel message={error} onRetry={reload} />}
      {detaching && <DetachSlideForm key={detaching.id} slide={detaching} onCancel={() => setDetaching(null)} onDone={() => { setDetaching(null); reload(); onChanged(); }} />}
      {(data?.slides.length ?? 0) > 0 || (!data && loading) ? (
        <div className="table-wrap table-flush-top">
          <table className="table">
            <caption className="visually-hidden">Slides of this case</caption>
            <thead>
              <tr><th scope="col">File</th><th scope="col">Scanner</th><th scope="col">Size</th><th scope="col">Resolution</th><th scope="col">Quality</th><th scope="col">Added</th>{editable && <th scope="col"><span className="visually-hidden">Actions</span></th>}</tr>
            </thead>
            <tbody>
              {!data && <SkeletonRows cols={6} rows={1} />}
              {data?.slides.map((s) => (
                <tr key={s.id}>
                  <td>
                    <a className="strong-link" href={href(`/cases/${c.id}/slide`, { slide: s.id })}>{s.fileName}</a>
                    {!s.available && <div className="warn-text"><Icon name="warning" size={14} /> File not found at its registered path</div>}
                  </td>
                  <td>{s.vendor ?? <span className="muted">—</span>}{s.objectivePower ? <span className="muted"> · {s.objectivePower}×</span> : null}</td>
                  <td className="nowrap">{s.width && s.height ? `${fmtInt(s.width)} × ${fmtInt(s.height)} px` : '—'}<div className="muted">{fmtBytes(s.sizeBytes)}</div></td>
                  <td className="nowrap">{s.mppX ? `${s.mppX.toFixed(3)} µm/px` : <span className="warn-text">not recorded</span>}</td>
                  <td>{s.quality.length === 0 ? <span className="outcome outcome-success"><Icon name="check" size={14} />No flags</span> : s.quality.map((q) => <div key={q.code} className={q.severity === 'warning' ? 'warn-text' : 'muted'}><Icon name={q.severity === 'warning' ? 'warning' : 'info'} size={14} /> {q.message}</div>)}</td>
                  <td className="nowrap">{fmtDateTime(s.addedAt)}<div className="muted">{s.addedBy}</div></td>
                  {editable && <td className="row-actions"><Button variant="ghost" aria-label={`Detach ${s.fileName}`} onClick={() => setDetaching({ id: s.id, fileName: s.fileName })}>Detach</Button></td>}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : data ? (
        <EmptyState icon="slide" title="No slides attached">{editable ? 'Attach the whole-slide image of this specimen below.' : 'Slides appear here once a pathologist attaches them.'}</EmptyState>
      ) : null}
      {editable && <AttachSlide caseId={c.id} onAttached={() => { reload(); onChanged(); }} />}
    </Section>
  );
}
