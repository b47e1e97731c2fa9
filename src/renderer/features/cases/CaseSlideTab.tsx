/**
 * Slide tab: pick one of the case's slides and view it; the newest finished analysis of that slide adds its heatmap
 * and top-patch gallery. ?x=&y=&s= (level-0 px) opens a region, e.g. a top patch.
 */
import { useMemo } from 'react';
import { call } from '../../api.ts';
import { useAsync } from '../../lib/use-async.ts';
import { href, navigate } from '../../lib/route.ts';
import { EmptyState, ErrorPanel, LinkButton } from '../../components/ui.tsx';
import { canEdit, useSession } from '../../lib/session.tsx';
import { SlideViewer, type FocusRect, type HeatmapLayer } from '../viewer/SlideViewer.tsx';
import { SlideMppField } from './SlideMppField.tsx';
import type { CaseDetail } from '../../lib/case-detail.ts';

async function newestHeatmap(caseId: number, slideId: number): Promise<HeatmapLayer | null> {
  const { analyses } = await call('analysis.list', { caseId });
  const done = analyses.find((a) => a.state === 'succeeded' && a.slideId === slideId);
  if (!done) return null;
  const job = await call('analysis.get', { id: done.id });
  const heat = job.result?.explanations.heatmap;
  // A pathway the package is not validated for is not evidence: its heatmap is not shown.
  if (!heat || !job.result?.explanations.pathologyIsEvidence) return null;
  return { grid: heat, source: `analysis #${job.id} (${job.modelId} ${job.modelVersion})`, topPatches: job.result.explanations.topPatches };
}

function num(q: URLSearchParams, k: string): number | null {
  const v = q.get(k);
  return v !== null && /^\d+(\.\d+)?$/.test(v) ? Number(v) : null;
}

export function CaseSlideTab({ c, query }: { c: CaseDetail; query: URLSearchParams }) {
  const { user } = useSession();
  const list = useAsync(() => call('slides.list', { caseId: c.id }), [c.id]);
  const slides = list.data?.slides ?? [];
  const wanted = num(query, 'slide');
  const current = slides.find((s) => s.id === wanted) ?? slides[0];
  const sid = current?.id ?? null;
  const detail = useAsync(() => (sid === null ? Promise.resolve(null) : Promise.all([call('slides.get', { id: sid }), call('slides.dzi', { id: sid }), newestHeatmap(c.id, sid).catch(() => null)])), [sid]);

  const fx = num(query, 'x');
  const fy = num(query, 'y');
  const fs = num(query, 's');
  // Memoised: a new object on every render would make the viewer jump back to the region after each pan.
  const focus: FocusRect | null = useMemo(() => (fx !== null && fy !== null && fs !== null ? { x: fx, y: fy, w: fs, h: fs } : null), [fx, fy, fs]);

  if (list.error) return <ErrorPanel message={list.error} onRetry={list.reload} />;
  if (list.data && slides.length === 0) {
    return (
      <EmptyState icon="slide" title="No slides attached to this case"
        action={canEdit(user.role) ? <LinkButton href={href(`/cases/${c.id}/overview`)} variant="primary">Attach a slide on the Overview tab</LinkButton> : undefined}>
        The viewer opens here once a whole-slide image is attached.
      </EmptyState>
    );
  }
  return (
    <div className="slide-tab">
      {slides.length > 1 && (
        <div className="slide-picker">
          <label htmlFor="slide-pick">Slide</label>
          <select id="slide-pick" value={sid ?? ''} onChange={(e) => navigate(`/cases/${c.id}/slide`, { slide: e.target.value })}>
            {slides.map((s) => <option key={s.id} value={s.id}>{s.fileName}</option>)}
          </select>
        </div>
      )}
      {detail.error && <ErrorPanel message={detail.error} onRetry={detail.reload} />}
      {detail.data && <SlideMppField key={`${detail.data[0].id}-${detail.data[0].userMpp?.value ?? ''}`} slide={detail.data[0]} editable={canEdit(user.role)} onSaved={detail.reload} />}
      {detail.data ? (
        <SlideViewer key={detail.data[0].id} slide={detail.data[0]} dzi={detail.data[1]} heatmap={detail.data[2]} canSeeLabels={canEdit(user.role)} focus={focus}
          onFocus={(f) => navigate(`/cases/${c.id}/slide`, { slide: sid ?? undefined, x: f.x, y: f.y, s: f.w })} />
      ) : (
        !detail.error && <div className="viewer-frame viewer-loading" aria-busy="true"><span className="muted">Loading slide…</span></div>
      )}
    </div>
  );
}
