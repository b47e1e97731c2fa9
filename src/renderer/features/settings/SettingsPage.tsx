/** Settings: everyone sees them; administrators change them (each change audited with before/after). */
import { useState, type FormEvent } from 'react';
import { call, errorMessage, transportKind } from '../../api.ts';
import { useAsync } from '../../lib/use-async.ts';
import { Button, Checkbox, ErrorPanel, Facts, FormMessage, PageHeader, Section, SelectField, TextField } from '../../components/ui.tsx';
import { isAdmin, useSession } from '../../lib/session.tsx';
import { RUO_STATEMENT } from '../../../shared/ruo.ts';

type Key = 'idleLockMinutes' | 'maxFailedLogins' | 'forceCpu' | 'openslideLibraryPath';

/** The "executionProvider" setting's values (src/main/settings/settings-service.ts). */
const EXECUTION_PROVIDERS = [
  { value: 'auto', label: 'Automatic (best available)' },
  { value: 'cuda', label: 'CUDA (NVIDIA)' },
  { value: 'dml', label: 'DirectML (Windows)' },
  { value: 'coreml', label: 'Core ML (macOS)' },
  { value: 'webgpu', label: 'WebGPU' },
  { value: 'cpu', label: 'CPU' },
] as const;

function NumberSetting({ k, label, hint, value, min, max, onSaved }: { k: Key; label: string; hint: string; value: number; min: number; max: number; onSaved: () => void }) {
  const [v, setV] = useState(String(value));
  const [error, setError] = useState<string | null>(null);
  const [ok, setOk] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const n = Number(v);
    if (!Number.isInteger(n) || n < min || n > max) return setError(`Enter a whole number from ${min} to ${max}.`);
    setBusy(true);
    setError(null);
    setOk(null);
    try {
      await call('settings.set', { key: k, value: n });
      setOk('Saved.');
      onSaved();
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <form onSubmit={submit} className="setting-row">
      <TextField label={label} hint={hint} inputMode="numeric" value={v} onChange={(e) => setV(e.target.value.replace(/\D/g, ''))} />
      <Button type="submit" busy={busy} disabled={v === String(value)}>Save</Button>
      <FormMessage error={error} success={ok} />
    </form>
  );
}

export function SettingsPage() {
  const { user, appVersion, idleSeconds } = useSession();
  const { data, error, reload } = useAsync(() => call('settings.get', {}), []);
  const admin = isAdmin(user.role);
  const s = data?.settings;
  const [cpuError, setCpuError] = useState<string | null>(null);

  return (
    <div className="page page-narrow">
      <PageHeader title="Settings" subtitle={admin ? 'Changes apply at once and are recorded in the audit log.' : 'Only administrators can change settings.'} />
      {error && <ErrorPanel message={error} onRetry={reload} />}
      <Section title="Security">
        {s && admin ? (
          <>
            <NumberSetting k="idleLockMinutes" label="Lock after inactivity (minutes)" hint="The screen locks after this long without input; the password unlocks it." value={Number(s.idleLockMinutes)} min={1} max={240} onSaved={reload} />
            <NumberSetting k="maxFailedLogins" label="Failed sign-ins before lockout" hint="The account is locked for a while after this many wrong passwords in a row." value={Number(s.maxFailedLogins)} min={3} max={20} onSaved={reload} />
          </>
        ) : s ? (
          <Facts items={[['Lock after inactivity', `${String(s.idleLockMinutes)} min`], ['Failed sign-ins before lockout', String(s.maxFailedLogins)]]} />
        ) : <div className="skeleton-block" />}
      </Section>
      <Section title="Computation">
        {s && admin ? (
          <>
            <Checkbox label="Always run models on the CPU (ignore GPU execution providers)" checked={Boolean(s.forceCpu)}
              onChange={(e) => {
                setCpuError(null);
                call('settings.set', { key: 'forceCpu', value: e.target.checked }).then(reload, (err: unknown) => setCpuError(errorMessage(err)));
              }} />
            <SelectField label="Execution provider" hint="Automatic: a vendor GPU provider, then WebGPU on a hardware GPU, then the CPU. A named provider is tried first, then the CPU (the result records which ran and why)."
              value={String(s.executionProvider ?? 'auto')} disabled={Boolean(s.forceCpu)} options={EXECUTION_PROVIDERS}
              onChange={(e) => {
                setCpuError(null);
                call('settings.set', { key: 'executionProvider', value: e.target.value }).then(reload, (err: unknown) => setCpuError(errorMessage(err)));
              }} />
            <FormMessage error={cpuError} />
          </>
        ) : s ? <Facts items={[['Model execution', s.forceCpu ? 'CPU only' : s.executionProvider && s.executionProvider !== 'auto' ? `${EXECUTION_PROVIDERS.find((p) => p.value === s.executionProvider)?.label ?? String(s.executionProvider)} first, then CPU` : 'Best available (GPU if present, else CPU)']]} /> : null}
        {s && <Facts items={[['OpenSlide library', s.openslideLibraryPath ? <span className="mono">{String(s.openslideLibraryPath)}</span> : 'Bundled / system default']]} />}
      </Section>
      <Section title="About">
        <Facts items={[
          ['Version', appVersion],
          ['Signed in as', `${user.displayName} (${user.username})`],
          ['Idle lock', `${Math.round(idleSeconds / 60)} min`],
          ['Connection', transportKind() === 'electron' ? 'Desktop app' : 'Local web bridge (127.0.0.1)'],
          ['Intended use', RUO_STATEMENT],
        ]} />
      </Section>
    </div>
  );
}
