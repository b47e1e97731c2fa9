/**
 * One case: a header that always says whose case it is, what it is and its status (with the RUO statement), and
 * tabs. Tabs are links (#/cases/<id>/<tab>) so Back and reload keep the place.
 */
import { type ReactNode } from 'react';
import { call } from '../../api.ts';
import { useAsync } from '../../lib/use-async.ts';
import { href } from '../../lib/route.ts';
import { fmtDate } from '../../lib/format.ts';
import { ErrorPanel } from '../../components/ui.tsx';
import { RUO_STATEMENT } from '../../../shared/ruo.ts';
import { StatusBadge } from './status.tsx';
import { useCaseTitle } from '../../lib/window-title.ts';
import { CaseOverview } from './CaseOverview.tsx';
import { CaseHistory } from './CaseHistory.tsx';
import { CaseSlideTab } from './CaseSlideTab.tsx';
import { GenomicsTab } from '../genomics/GenomicsTab.tsx';
import { AnalysisTab } from '../analysis/AnalysisTab.tsx';
import { ReportTab } from '../report/ReportTab.tsx';
import type { CaseDetail } from '../../lib/case-detail.ts';


interface TabDef {
  id: string;
  label: string;
  render: (c: CaseDetail, reload: () => void, query: URLSearchParams) => ReactNode;
  /** The tab's content fills the remaining height (the slide viewer). */
  fill?: boolean;
}

const TABS: TabDef[] = [
  { id: 'overview', label: 'Overview', render: (c, reload) => <CaseOverview c={c} reload={reload} /> },
  { id: 'slide', label: 'Slide', render: (c, _r, query) => <CaseSlideTab c={c} query={query} />, fill: true },
  { id: 'genomics', label: 'Genomics', render: (c, reload) => <GenomicsTab c={c} onChanged={reload} /> },
  { id: 'analysis', label: 'Analysis', render: (c, reload, query) => <AnalysisTab c={c} query={query} onCaseChanged={reload} /> },
  { id: 'report', label: 'Report', render: (c, reload) => <ReportTab c={c} reload={reload} /> },
  { id: 'history', label: 'History', render: (c, _r, query) => <CaseHistory c={c} query={query} /> },
];

export function CasePage({ id, tab, query }: { id: number; tab: string; query: URLSearchParams }) {
  const { data: c, error, reload } = useAsync(() => call('cases.get', { id }), [id]);
  const current = TABS.find((t) => t.id === tab) ?? TABS[0]!;
  useCaseTitle(c ? `Case ${c.accession} · ${c.patientPseudonym}` : null);

  if (error && !c) return <div className="page"><ErrorPanel message={error} onRetry={reload} /></div>;

  return (
    <div className="page page-case">
      <header className={`case-header${current.fill ? ' is-compact' : ''}`} aria-busy={!c}>
        <div className="case-header-main">
          <div className="page-eyebrow">
            <a href={href('/worklist')}>Worklist</a>
            <span aria-hidden="true"> / </span>
            {c ? <a href={href(`/patients/${c.patientId}`)}>Patient {c.patientPseudonym}</a> : <span className="skeleton skeleton-inline" />}
          </div>
          <h1>{c ? <>Case {c.accession}</> : <span className="skeleton skeleton-title" />}</h1>
          <dl className="case-header-facts">
            <div><dt>Patient</dt><dd>{c?.patientPseudonym ?? '—'}</dd></div>
            <div><dt>Case ID</dt><dd className="mono">{c ? `#${c.id}` : '—'}</dd></div>
            <div><dt>Specimen</dt><dd>{c?.specimen || '—'}</dd></div>
            <div><dt>Site</dt><dd>{c?.site || '—'}</dd></div>
            <div><dt>Collected</dt><dd>{fmtDate(c?.collectedOn)}</dd></div>
            <div><dt>Status</dt><dd>{c ? <StatusBadge status={c.status} /> : '—'}</dd></div>
          </dl>
        </div>
        <p className="case-ruo">{RUO_STATEMENT}</p>
      </header>
      <nav className="tabs" aria-label="Case sections">
        {TABS.map((t) => (
          <a key={t.id} href={href(`/cases/${id}/${t.id}`)} className={`tab${t.id === current.id ? ' is-active' : ''}`} aria-current={t.id === current.id ? 'page' : undefined}>
            {t.label}
          </a>
        ))}
      </nav>
      <div className={`tab-panel${current.fill ? ' tab-fill' : ''}`}>{c ? current.render(c, reload, query) : <div className="skeleton-block tall" />}</div>
    </div>
  );
}
