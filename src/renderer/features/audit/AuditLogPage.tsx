/** The audit log: chain status with "verify now", filters (action, user, patient, entity) and paging. */
import { useEffect, useState, type FormEvent } from 'react';
import { call, errorMessage } from '../../api.ts';
import { useAsync } from '../../lib/use-async.ts';
import { navigate } from '../../lib/route.ts';
import { fmtDateTime, fmtInt, shortHash } from '../../lib/format.ts';
import { Button, Checkbox, ErrorPanel, PageHeader, Pager, SelectField, TextField } from '../../components/ui.tsx';
import { Icon } from '../../components/icons.tsx';
import { isAdmin, useSession } from '../../lib/session.tsx';
import { AuditTable } from './AuditTable.tsx';
import type { ResponseOf } from '../../../shared/contract/index.ts';

type Chain = ResponseOf<'audit.verify'>;
const PAGE = 50;
const ENTITY_TYPES = ['', 'patient', 'case', 'user', 'setting', 'slide', 'genomic_profile', 'analysis', 'report', 'channel'];
const ENTITY_LABEL: Record<string, string> = { '': 'Any', genomic_profile: 'genomic profile', channel: 'function (access checks)' };

function ChainCard({ onVerified }: { onVerified: () => void }) {
  const [chain, setChain] = useState<{ status: Chain; at: string; source: 'start-up' | 'now' } | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const verify = async (quiet = false) => {
    setBusy(true);
    setError(null);
    try {
      const status = await call('audit.verify', {});
      setChain({ status, at: new Date().toISOString(), source: 'now' });
      if (!quiet) onVerified(); // the check itself is an audited event
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };
  // Verify when the page opens (issue 14 item 9): the card never shows a count nobody checked.
  useEffect(() => {
    void verify(true);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);
  const s = chain?.status;
  return (
    <section className={`chain-card${s ? (s.ok ? ' is-ok' : ' is-broken') : ''}`} aria-labelledby="chain-title" aria-live="polite">
      <Icon name={s && !s.ok ? 'warning' : 'shield'} size={22} />
      <div className="chain-text">
        <h2 id="chain-title" data-testid="chain-status">
          {!s ? 'Hash chain: checking…' : s.ok ? 'Hash chain intact' : `Hash chain broken at event ${s.firstBrokenSeq ?? '?'}`}
        </h2>
        <p>
          {s ? <>{fmtInt(s.count)} event{s.count === 1 ? '' : 's'} verified{s.ok ? '' : ` before the break (${s.reason ?? 'unknown reason'})`} · head <span className="mono" title={s.head}>{shortHash(s.head, 16)}</span> · </> : null}
          {chain?.source === 'now' ? <>verified {fmtDateTime(chain.at)}</> : 'as verified when the app started'}
        </p>
        {error && <p className="field-error">{error}</p>}
      </div>
      <Button onClick={() => void verify()} busy={busy} icon="shield">Verify now</Button>
    </section>
  );
}

export function AuditLogPage({ query }: { query: URLSearchParams }) {
  const { user } = useSession();
  const f = {
    action: query.get('action') ?? '',
    user: query.get('user') ?? '',
    patient: query.get('patient') ?? '',
    etype: query.get('etype') ?? '',
    eid: query.get('eid') ?? '',
    reads: query.get('reads') ?? '',
  };
  const offset = Math.max(0, Number(query.get('offset') ?? 0) || 0);
  const [draft, setDraft] = useState(f);
  const key = JSON.stringify(f);
  useEffect(() => setDraft(JSON.parse(key) as typeof f), [key]);

  const users = useAsync(() => (isAdmin(user.role) ? call('users.list', {}) : Promise.resolve(null)), [user.role]);
  const userId = /^\d+$/.test(f.user) ? Number(f.user) : undefined;
  const { data, error, loading, reload } = useAsync(
    // audit.browse: a user by id (admins' list) or by name (everyone), routine reads hidden unless asked for.
    () => call('audit.browse', {
      action: f.action || undefined, userId, userName: userId === undefined && f.user.trim() ? f.user.trim() : undefined,
      patientPseudonym: f.patient || undefined, entityType: f.etype || undefined, entityId: f.eid || undefined,
      includeReads: f.reads === '1', limit: PAGE, offset,
    }),
    [key, offset],
  );

  const apply = (e: FormEvent) => {
    e.preventDefault();
    navigate('/audit', { ...draft });
  };
  const active = Object.values(f).some(Boolean);

  return (
    <div className="page">
      <PageHeader title="Audit log" subtitle="Every change, sign-in, export and read of patient data, in a hash chain that shows any later alteration." />
      <ChainCard onVerified={reload} />
      <form className="filters" onSubmit={apply} aria-label="Filter audit events">
        <TextField label="Action starts with" value={draft.action} onChange={(e) => setDraft({ ...draft, action: e.target.value })} placeholder="e.g. patient." />
        {users.data ? (
          <SelectField label="User" value={draft.user} onChange={(e) => setDraft({ ...draft, user: e.target.value })}
            options={[{ value: '', label: 'Anyone' }, ...users.data.users.map((u) => ({ value: String(u.id), label: `${u.displayName} (${u.username})` }))]} />
        ) : (
          <TextField label="User" value={draft.user} onChange={(e) => setDraft({ ...draft, user: e.target.value })} placeholder="name or user name" />
        )}
        <TextField label="Patient pseudonym" value={draft.patient} onChange={(e) => setDraft({ ...draft, patient: e.target.value })} />
        <SelectField label="Entity type" value={draft.etype} onChange={(e) => setDraft({ ...draft, etype: e.target.value })}
          options={ENTITY_TYPES.map((t) => ({ value: t, label: ENTITY_LABEL[t] ?? t }))} />
        <TextField label="Entity ID" value={draft.eid} onChange={(e) => setDraft({ ...draft, eid: e.target.value })} />
        <div className="filters-actions">
          <Button type="submit" variant="primary">Apply filters</Button>
          <Button variant="ghost" disabled={!active} onClick={() => navigate('/audit')}>Clear</Button>
        </div>
      </form>
      {error && <ErrorPanel message={error} onRetry={reload} />}
      <div className="toolbar">
        <Checkbox label="Show routine reads (opening a patient, case or list)" checked={f.reads === '1'} onChange={(e) => navigate('/audit', { ...f, reads: e.target.checked ? '1' : undefined })} />
        {data && data.readsHidden > 0 && <span className="muted" data-testid="reads-hidden">{fmtInt(data.readsHidden)} routine reads hidden</span>}
      </div>
      <AuditTable events={data?.events} loading={loading} emptyText={active ? 'No events match these filters.' : 'The log is empty.'} />
      {data && data.total > 0 && <Pager offset={offset} limit={PAGE} total={data.total} label="events" onChange={(o) => navigate('/audit', { ...f, offset: o || undefined })} />}
    </div>
  );
}
