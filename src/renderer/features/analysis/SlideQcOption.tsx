/**
 * "Also check the slide" beside Analyse (issue 13.2): shown when the case has a slide and the chosen model package
 * is not validated for pathology — the analysis then leaves the slide alone unless slide QC (tissue detection, tile
 * grid, quality flags; no encoding) is asked for.
 */
import '../../components/slide-settings.css';
import { Checkbox } from '../../components/ui.tsx';

export function SlideQcOption({ visible, checked, onChange, modelName }: { visible: boolean; checked: boolean; onChange: (v: boolean) => void; modelName: string }) {
  if (!visible) return null;
  return (
    <span className="an-slide-qc" title={`${modelName} does not use the slide; without this the slide is not read.`}>
      <Checkbox label="Also run slide QC (tissue, tiles, quality flags)" name="slideQc" checked={checked} onChange={(e) => onChange(e.target.checked)} />
    </span>
  );
}
