/**
 * The slide side of the analysis worker: the slide engine's SlideReader, tissue detection and tile grid
 * (src/main/wsi/tiler.ts computeTileGrid), used in this process. The engine's streamTiles reads through slide
 * worker processes; the analysis worker reads in-process instead because (1) under Electron it is itself a
 * utilityProcess and cannot start further workers, and (2) pixels then never cross a process boundary — the
 * analysis worker is already the crash-isolation boundary for the job. Reads run on koffi threads.
 */
import { GliofuseError } from '../../shared/errors.ts';
import type { TissueParamsInput, QualityFlag } from '../../shared/contract/slides.ts';
import type { SlideReader } from '../wsi/slide-reader.ts';
import type { SlideInfo } from '../wsi/slide-meta.ts';
import type { TissueWire } from '../wsi/slide-api.ts';
import { qualityFlags } from '../wsi/quality.ts';
import { argbToRgb } from '../wsi/pixels.ts';

export interface OpenedSlide {
  info: SlideInfo;
  tissue(params?: TissueParamsInput): Promise<TissueWire>;
  /** Premultiplied ARGB of one region (level-0 origin, size in pixels of `level`). */
  readArgb(x: number, y: number, level: number, width: number, height: number): Promise<Uint32Array>;
  /** RGB HWC uint8, composited on the slide's background colour. */
  toRgb(argb: Uint32Array): Uint8Array;
  quality(tissue: TissueWire | null): QualityFlag[];
  close(): void;
}

/** Opens a slide in this process through the slide engine's reader (one handle, released by close()). */
export async function openSlide(reader: SlideReader, file: string): Promise<OpenedSlide> {
  const entry = reader.acquire(file);
  const handlers = reader.handlers();
  let released = false;
  return {
    info: entry.info,
    tissue: (params) => handlers.tissue({ path: file, ...(params ? { params } : {}) }),
    readArgb: (x, y, level, width, height) => {
      if (released) return Promise.reject(new GliofuseError('CANCELLED', 'slide closed'));
      return entry.slide.readRegionArgb(x, y, level, width, height);
    },
    toRgb: (argb) => argbToRgb(argb, entry.info.background),
    quality: (tissue) => qualityFlags(entry.info, tissue),
    close: () => {
      if (released) return;
      released = true;
      reader.release(entry);
    },
  };
}
