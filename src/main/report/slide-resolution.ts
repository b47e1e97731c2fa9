/**
 * The report's "Resolution used" line (issue 13.4): which µm/px tiled the slide and where it came from — the
 * file's own value, or a value a user entered (with who and when), never one presented as the other.
 */
import type { Provenance } from '../../shared/analysis-result.ts';

interface SlideMppProvenance {
  value: number;
  source: string;
  enteredBy?: string;
  enteredAt?: string;
}

function isMpp(v: unknown): v is SlideMppProvenance {
  return typeof v === 'object' && v !== null && typeof (v as SlideMppProvenance).value === 'number' && typeof (v as SlideMppProvenance).source === 'string';
}

const SOURCE: Record<string, string> = {
  openslide: 'from the file',
  'tiff-resolution': 'from the file (TIFF resolution tags)',
  'objective-power': "assumed from the file's objective power",
};

export function slideResolutionRows(p: Provenance, fileMpp: number | null | undefined): [string, string][] {
  const m = p.preprocessing.slideMpp;
  if (!isMpp(m)) return [];
  if (m.source === 'user') {
    const when = m.enteredAt ? ` on ${m.enteredAt.slice(0, 10)}` : '';
    const file = fileMpp ? `the file records ${fileMpp} µm/px` : 'the file records none';
    return [['Resolution used', `${m.value} µm/px entered by ${m.enteredBy ?? 'a user'}${when} (${file})`]];
  }
  return [['Resolution used', `${m.value} µm/px ${SOURCE[m.source] ?? `(${m.source})`}`]];
}
