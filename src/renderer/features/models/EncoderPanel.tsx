/**
 * The tile encoder on the Models page (issue 13.1): installed or not, where it comes from (shipped with the app,
 * installed from a file, set by the environment), sha256, version and licence, and — for administrators —
 * "Install encoder from file…" (the file is sha256-checked by the app; a wrong file is refused and nothing changes).
 */
import '../../components/slide-settings.css';
import { useState, type FormEvent } from 'react';
import { call, errorMessage } from '../../api.ts';
import { useAsync } from '../../lib/use-async.ts';
import { useSession } from '../../lib/session.tsx';
import { shortHash } from '../../lib/format.ts';
import { Button, ErrorPanel, Facts, FormMessage, Section, TextField } from '../../components/ui.tsx';
import { Icon } from '../../components/icons.tsx';
import type { ResponseOf } from '../../../shared/contract/index.ts';

type Status = ResponseOf<'encoder.status'>['encoders'][number];

const SOURCE: Record<string, string> = {
  bundled: 'shipped with this installation',
  'data-folder': 'installed from a file on this workstation',
  explicit: 'set by GLIOFUSE_ENCODER_PATH',
  package: 'inside the model package',
};

function InstallForm({ onInstalled }: { onInstalled: () => void }) {
  const [open, setOpen] = useState(false);
  const [file, setFile] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);
  if (!open) {
    return (
      <div className="stack">
        <div><Button icon="plus" onClick={() => { setOpen(true); setDone(null); }}>Install encoder from file…</Button></div>
        {done && <p className="success-text" role="status">{done}</p>}
      </div>
    );
  }
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const s = await call('encoder.install', { path: file.trim() });
      setDone(`Installed ${s.name} (sha256 ${shortHash(s.sha256 ?? '', 16)}).`);
      setOpen(false);
      setFile('');
      onInstalled();
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <form className="stack" onSubmit={(e) => void submit(e)} aria-label="Install the tile encoder from a file">
      <TextField label="Encoder file (full path)" name="encoderPath" value={file} onChange={(e) => setFile(e.target.value)} placeholder="/media/usb/mobilenetv2-12-int8.onnx" spellCheck={false} autoComplete="off"
        hint="The ONNX Model Zoo mobilenetv2-12-int8.onnx (or the derived file with its features output). Its sha256 is checked; any other file is refused." />
      <div className="form-actions">
        <Button type="submit" variant="primary" busy={busy} disabled={!file.trim()}>{busy ? 'Checking…' : 'Install'}</Button>
        <Button type="button" variant="ghost" onClick={() => { setOpen(false); setError(null); }}>Cancel</Button>
      </div>
      <FormMessage error={error} success={done} />
    </form>
  );
}

export function EncoderPanel() {
  const { user } = useSession();
  const { data, error, reload } = useAsync(() => call('encoder.status', {}), []);
  if (error) return <ErrorPanel message={error} onRetry={reload} />;
  return (
    <Section title="Tile encoder (for slides)">
      {(data?.encoders ?? []).map((s: Status) => (
        <div key={s.id} className="stack" data-testid="encoder-status">
          <p>
            {s.installed
              ? <span className="outcome outcome-success"><Icon name="shield" size={14} />Installed — {SOURCE[s.source ?? ''] ?? s.source}</span>
              : <span className="outcome outcome-denied"><Icon name="warning" size={14} />Not installed</span>}
          </p>
          {!s.installed && (
            <p className="muted">
              {s.problem ?? 'Slides cannot be encoded for a model that uses them until the encoder is installed. Genomics-only analyses, slide QC and the viewer work without it.'}
            </p>
          )}
          <Facts items={[
            ['Encoder', `${s.name} (${s.id})`],
            ['Version', s.version],
            ['Licence', s.licence],
            ['Source', s.upstream],
            ['sha256', s.sha256 ? <span className="mono" title={s.sha256}>{shortHash(s.sha256, 20)}</span> : '—'],
            ['File', s.path ? <span className="mono break">{s.path}</span> : '—'],
            ['Used by', s.usedBy.join(', ') || '—'],
          ]} />
        </div>
      ))}
      {user.role === 'admin' && <InstallForm onInstalled={reload} />}
    </Section>
  );
}
