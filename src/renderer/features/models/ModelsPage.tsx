/** Model packages on this workstation: verification status, validated modalities, metrics and the model card. */
import { call } from '../../api.ts';
import { useAsync } from '../../lib/use-async.ts';
import { href } from '../../lib/route.ts';
import { fmtDateTime, shortHash } from '../../lib/format.ts';
import { EmptyState, ErrorPanel, Facts, PageHeader, Section, SkeletonRows } from '../../components/ui.tsx';
import { Icon } from '../../components/icons.tsx';
import { Markdown } from '../../components/markdown.tsx';
import { EncoderPanel } from './EncoderPanel.tsx';
import type { ResponseOf } from '../../../shared/contract/index.ts';

type Summary = ResponseOf<'models.list'>['packages'][number];

export function Verification({ v }: { v: Summary['verification'] }) {
  return v.ok ? (
    <span className="outcome outcome-success"><Icon name="shield" size={14} />Verified</span>
  ) : (
    <span className="outcome outcome-denied" title={v.reason ?? undefined}><Icon name="warning" size={14} />Failed verification</span>
  );
}

const MODALITY: Record<string, string> = { pathology: 'Pathology (slides)', genomics: 'Genomics', clinical: 'Clinical' };
const num = (v: unknown, d = 3) => (typeof v === 'number' ? v.toFixed(d) : null);

function ModelDetail({ id }: { id: string }) {
  const { data, error, reload } = useAsync(() => call('models.get', { id }), [id]);
  if (error) return <ErrorPanel message={error} onRetry={reload} />;
  if (!data) return <div className="skeleton-block tall" />;
  const { summary: s, manifest: m, modelCard } = data;
  return (
    <div className="stack">
      <PageHeader eyebrow={<a href={href('/models')}>← Models</a>} title={s.name ?? s.id} subtitle={<>{s.id} · version {s.version ?? '?'} · {s.source === 'bundled' ? 'bundled with the app' : 'imported by a user'} · <Verification v={s.verification} /></>} />
      {!s.verification.ok && (
        <div className="error-panel" role="alert">
          <Icon name="warning" size={18} />
          <span>{s.verification.reason ?? 'The package did not verify.'} It cannot be used for analyses until it is reinstalled.</span>
        </div>
      )}
      <div className="two-col">
        <div className="stack">
          {m && (
            <Section title="Performance (as measured by the package’s own evaluation)">
              <Facts items={[
                ['Protocol', m.metrics.protocol],
                ['Survival c-index', m.metrics.survival ? `${num(m.metrics.survival.cIndexMean)}${m.metrics.survival.cIndexSd !== undefined ? ` ± ${num(m.metrics.survival.cIndexSd)}` : ''}${m.metrics.survival.n ? ` (n = ${m.metrics.survival.n})` : ''}` : null],
                ['Grade accuracy', num(m.metrics.grade?.accuracyMean)],
                ['Grade AUC (micro)', num(m.metrics.grade?.aucMicroMean)],
                ['Grade balanced accuracy', num(m.metrics.grade?.balancedAccuracyMean)],
              ]} />
            </Section>
          )}
          <Section title="Model card">
            {modelCard ? <Markdown text={modelCard} /> : <p className="muted">The model card is shown only for a verified package.</p>}
          </Section>
        </div>
        <div className="stack">
          <Section title="Package">
            <Facts items={[
              ['Validated modalities', s.validatedModalities.map((x) => MODALITY[x] ?? x).join(', ') || '—'],
              ['Digest (sha256)', s.verification.digest ? <span className="mono" title={s.verification.digest}>{shortHash(s.verification.digest, 20)}</span> : null],
              ['Checked', fmtDateTime(s.verification.checkedAt)],
              ['Folder', <span className="mono break">{s.dir}</span>],
              ['Active', s.active ? 'Yes' : 'No — another copy with this id takes precedence'],
            ]} />
          </Section>
          {m && (
            <Section title="Inputs and outputs">
              <Facts items={[
                ['Tile encoder', `${m.tileEncoder.id} (${m.tileEncoder.inputSize} px at ${m.tileEncoder.mppTarget} µm/px)`],
                ['Genomic features', `${m.genomicSchema.features.length}`],
                ['Grades', m.labels.grade.join(', ')],
                ['Classes', m.labels.classDisplay.join('; ')],
                ['Risk groups', `${m.survival.riskGroups.names.join(' / ')} (${m.survival.riskGroups.source})`],
                ['Calibration', m.calibration.method === 'temperature' ? `temperature scaling${m.calibration.fitOn ? `, fitted on ${m.calibration.fitOn}` : ''}` : 'none'],
                ['Training data', `${m.trainingData.source}, ${m.trainingData.patients} patients — ${m.trainingData.licence}`],
                ['Intended use', m.intendedUse],
              ]} />
            </Section>
          )}
          {s.verification.problems.length > 0 && (
            <Section title="Verification problems">
              <ul className="plain-list">{s.verification.problems.map((p) => <li key={p.file}><span className="mono">{p.file}</span>: {p.problem}</li>)}</ul>
            </Section>
          )}
        </div>
      </div>
    </div>
  );
}

export function ModelsPage({ id }: { id?: string }) {
  const { data, error, loading, reload } = useAsync(() => call('models.list', {}), []);
  if (id) return <div className="page"><ModelDetail id={id} /></div>;
  return (
    <div className="page">
      <PageHeader title="Models" subtitle="Model packages (UMEML) on this workstation. Every file is checked against the package’s sha256 list before use." />
      {error && <ErrorPanel message={error} onRetry={reload} />}
      <div className="table-wrap" aria-busy={loading}>
        <table className="table">
          <caption className="visually-hidden">Model packages</caption>
          <thead><tr><th scope="col">Package</th><th scope="col">Version</th><th scope="col">Source</th><th scope="col">Validated for</th><th scope="col">Integrity</th></tr></thead>
          <tbody>
            {!data && loading && <SkeletonRows cols={5} rows={2} />}
            {data?.packages.map((p) => (
              <tr key={`${p.source}-${p.id}`}>
                <td><a className="strong-link" href={href(`/models/${p.id}`)}>{p.name ?? p.id}</a><div className="muted mono">{p.id}</div></td>
                <td>{p.version ?? '—'}</td>
                <td>{p.source === 'bundled' ? 'Bundled' : 'Imported'}{!p.active && <div className="muted">inactive (shadowed)</div>}</td>
                <td>{p.validatedModalities.map((x) => MODALITY[x] ?? x).join(', ') || '—'}</td>
                <td><Verification v={p.verification} /></td>
              </tr>
            ))}
          </tbody>
        </table>
        {data && data.packages.length === 0 && (
          <EmptyState icon="models" title="No model packages installed">
            Packages live in the app’s models folder or are imported with <code>gliofuse models import &lt;folder&gt;</code>; analyses need at least one verified package.
          </EmptyState>
        )}
      </div>
      <EncoderPanel />
    </div>
  );
}
