/** Audit events as a table; each row expands to its before/after, reason and hash link. */
import { Fragment, useState } from 'react';
import type { ResponseOf } from '../../../shared/contract/index.ts';
import { fmtDateTime, localOffset, shortHash } from '../../lib/format.ts';
import { Button, EmptyState, SkeletonRows } from '../../components/ui.tsx';
import { Icon } from '../../components/icons.tsx';

type AuditEvent = ResponseOf<'audit.list'>['events'][number];

const OUTCOME_ICON = { success: 'check', failure: 'warning', denied: 'x' } as const;

function Outcome({ outcome }: { outcome: AuditEvent['outcome'] }) {
  return (
    <span className={`outcome outcome-${outcome}`}>
      <Icon name={OUTCOME_ICON[outcome]} size={14} />
      {outcome === 'success' ? 'Success' : outcome === 'failure' ? 'Failure' : 'Denied'}
    </span>
  );
}

function Json({ value }: { value: unknown }) {
  if (value === null || value === undefined) return <span className="muted">—</span>;
  return <pre className="json">{JSON.stringify(value, null, 2)}</pre>;
}

export function AuditTable({ events, loading, emptyText }: { events: AuditEvent[] | undefined; loading: boolean; emptyText: string }) {
  const [open, setOpen] = useState<number | null>(null);
  return (
    <div className="table-wrap" aria-busy={loading}>
      <table className="table table-audit">
        <caption className="visually-hidden">Audit events, newest first</caption>
        <thead>
          <tr>
            <th scope="col" className="num">#</th>
            <th scope="col">Time <span className="muted">({localOffset()})</span></th>
            <th scope="col">User</th>
            <th scope="col">Action</th>
            <th scope="col">Entity</th>
            <th scope="col">Patient</th>
            <th scope="col">Outcome</th>
            <th scope="col"><span className="visually-hidden">Details</span></th>
          </tr>
        </thead>
        <tbody>
          {!events && loading && <SkeletonRows cols={8} />}
          {events?.map((e) => (
            <Fragment key={e.seq}>
              <tr className={open === e.seq ? 'is-open' : ''}>
                <td className="num mono">{e.seq}</td>
                <td className="nowrap"><time dateTime={e.ts} title={e.ts}>{fmtDateTime(e.ts)}</time></td>
                <td>{e.userName ?? <span className="muted">system</span>}</td>
                <td><span className="mono">{e.action}</span>{e.reason && <div className="muted audit-reason">{e.reason}</div>}</td>
                <td>{e.entityType ? <span className="mono">{e.entityType}{e.entityId ? ` ${e.entityId}` : ''}</span> : <span className="muted">—</span>}</td>
                <td>{e.patientPseudonym ?? <span className="muted">—</span>}</td>
                <td><Outcome outcome={e.outcome} /></td>
                <td>
                  <Button variant="ghost" aria-expanded={open === e.seq} aria-controls={`audit-detail-${e.seq}`} aria-label={`Details of event ${e.seq}`} onClick={() => setOpen(open === e.seq ? null : e.seq)}>
                    {open === e.seq ? 'Hide' : 'Details'}
                  </Button>
                </td>
              </tr>
              {open === e.seq && (
                <tr className="detail-row" id={`audit-detail-${e.seq}`}>
                  <td colSpan={8}>
                    <div className="audit-detail">
                      <div><h3>Before</h3><Json value={e.before} /></div>
                      <div><h3>After</h3><Json value={e.after} /></div>
                      <div className="audit-detail-meta">
                        <div><span className="muted">Reason</span> {e.reason ?? '—'}</div>
                        <div><span className="muted">UTC</span> <span className="mono">{e.ts}</span></div>
                        <div><span className="muted">App version</span> {e.appVersion}</div>
                        <div><span className="muted">Hash</span> <span className="mono" title={e.hash}>{shortHash(e.hash, 20)}</span></div>
                        <div><span className="muted">Previous</span> <span className="mono" title={e.prevHash}>{shortHash(e.prevHash, 20)}</span></div>
                      </div>
                    </div>
                  </td>
                </tr>
              )}
            </Fragment>
          ))}
        </tbody>
      </table>
      {events && events.length === 0 && <EmptyState icon="audit" title="No events">{emptyText}</EmptyState>}
    </div>
  );
}
