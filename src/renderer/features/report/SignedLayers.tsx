/**
 * A signed diagnosis as the WHO CNS5 layered report reads (issue 14 item 9): the four layers stacked in order —
 * integrated diagnosis, histological classification, CNS WHO grade, molecular information — not spread over
 * columns. Signed text is plain (UI.md); line breaks the pathologist typed are kept.
 */
import type { LayeredDiagnosis } from '../../../shared/contract/review.ts';

export function SignedLayers({ d }: { d: Pick<LayeredDiagnosis, 'integratedDiagnosis' | 'histologicalClassification' | 'whoGrade' | 'molecularInformation'> }) {
  const layers: [string, string][] = [
    ['Integrated diagnosis', d.integratedDiagnosis],
    ['Histological classification', d.histologicalClassification],
    ['CNS WHO grade', d.whoGrade === 'not assigned' ? 'not assigned' : `CNS WHO grade ${d.whoGrade}`],
    ['Molecular information', d.molecularInformation],
  ];
  return (
    <ol className="rp-signed-layers" aria-label="Diagnosis layers">
      {layers.map(([label, text], i) => (
        <li key={label}>
          <span className="rp-layer-label">Layer {i + 1} · {label}</span>
          <span className={i === 0 ? 'rp-layer-text rp-layer-main' : 'rp-layer-text'}>{text}</span>
        </li>
      ))}
    </ol>
  );
}
