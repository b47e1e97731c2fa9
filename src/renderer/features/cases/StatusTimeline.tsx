/** The case's status history as a vertical timeline, oldest first, each step with who, when and why. */
import { fmtDateTime } from '../../lib/format.ts';
import { StatusBadge } from './status.tsx';
import type { CaseDetail } from '../../lib/case-detail.ts';

export function StatusTimeline({ history }: { history: CaseDetail['history'] }) {
  if (history.length === 0) return <p className="muted">No status changes recorded.</p>;
  return (
    <ol className="timeline" aria-label="Status timeline">
      {history.map((h, i) => (
        <li key={`${h.changedAt}-${i}`} className={i === history.length - 1 ? 'is-current' : ''}>
          <span className="timeline-dot" aria-hidden="true" />
          <div className="timeline-body">
            <StatusBadge status={h.status} />
            <div className="timeline-meta">
              <time dateTime={h.changedAt} title={h.changedAt}>{fmtDateTime(h.changedAt)}</time> · {h.changedBy}
            </div>
            {h.note && <div className="timeline-note">“{h.note}”</div>}
          </div>
        </li>
      ))}
    </ol>
  );
}
