/**
 * Before an analysis is queued: can the slide part be done? (issue 13.2). A slide whose file is gone, that has no
 * µm/px (none recorded, no objective power, none entered), or that needs a tile encoder which is not installed
 * never blocks a genomics prediction: the slide part is left out with a `slide_skipped` warning that says what to
 * do. Only when the slide is all the model could use is the obstacle an error.
 */
import fs from 'node:fs';
import type { Warning } from '../../shared/analysis-result.ts';
import { GliofuseError, type ErrorCode } from '../../shared/errors.ts';
import type { SlideWork } from './modalities.ts';

export interface SlideFacts {
  path: string;
  file_name: string;
  mpp_x: number | null;
  mpp_source: string | null;
  objective_power: number | null;
  user_mpp: number | null;
}

export interface Obstacle {
  code: ErrorCode;
  message: string;
}

/** Same order of checks as the worker would hit them: file, µm/px (tiling), then the encoder (encoding only). */
export async function slideObstacle(s: SlideFacts, work: SlideWork, encoder: () => Promise<unknown>): Promise<Obstacle | null> {
  if (work === 'none') return null;
  // No path in the message: it can become a result warning (result.json, PDF); the folder is PHI (files.origin).
  if (!fs.existsSync(s.path)) return { code: 'BAD_INPUT', message: `The slide file ${s.file_name} is no longer where it was attached; restore it (or attach it again).` };
  const hasMpp = (s.mpp_x !== null && s.mpp_source !== null) || s.objective_power !== null || s.user_mpp !== null;
  if (!hasMpp) {
    return { code: 'BAD_INPUT', message: `${s.file_name} records neither its resolution (µm/px) nor its objective power, and none was entered; enter the slide's µm/px on the Slide tab (or analyze --slide-mpp).` };
  }
  if (work === 'features') {
    try {
      await encoder();
    } catch (e) {
      // Only "not installed" is skippable; a file that fails its sha256 is an integrity problem and stays loud.
      if (e instanceof GliofuseError && e.code === 'NOT_FOUND') {
        return { code: 'NOT_FOUND', message: 'The tile encoder is not installed; install it on the Models page ("Install encoder from file…") or with "gliofuse encoder fetch".' };
      }
      throw e;
    }
  }
  return null;
}

/**
 * The slide work that remains after the obstacle check: unchanged, or 'none' with a warning when the prediction
 * can go ahead without the slide. Throws the obstacle when the slide was the only usable input.
 */
export function settleSlideWork(work: SlideWork, obstacle: Obstacle | null, genomicsUsable: boolean): { work: SlideWork; notes: Warning[] } {
  if (!obstacle) return { work, notes: [] };
  if (work === 'features' && !genomicsUsable) throw new GliofuseError(obstacle.code, obstacle.message);
  const what = work === 'qc' ? 'Slide QC was not run' : 'The slide was not analysed';
  const after = work === 'qc' ? '' : ' The prediction used the genomic profile only.';
  return { work: 'none', notes: [{ code: 'slide_skipped', severity: 'warning', message: `${what}: ${obstacle.message}${after}` }] };
}
