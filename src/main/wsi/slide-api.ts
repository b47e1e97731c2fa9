/**
 * The slide worker's methods: the one interface both sides import, so requests and results are typed across the
 * process boundary. Pixel data travels as Uint8Array (copied once by the transport, never base64).
 */
import type { TissueParamsInput } from '../../shared/contract/slides.ts';
import type { SlideInfo } from './slide-meta.ts';
import type { TissueDetection } from './tissue.ts';

export interface RegionRequest {
  path: string;
  /** Level-0 coordinates of the top-left corner. */
  x: number;
  y: number;
  level: number;
  /** Size in pixels of `level`. */
  width: number;
  height: number;
}

/** A tissue detection as it crosses the worker boundary: the detection plus where it was read and the PNG mask. */
export interface TissueWire extends TissueDetection {
  sourceLevel: number;
  /** The mask as an 8-bit grey PNG (255 = tissue). */
  maskPng: Uint8Array;
}

export type SlideWorkerApi = {
  info: { params: { path: string }; result: SlideInfo };
  readRegion: { params: RegionRequest & { mode: 'rgb' | 'rgba' }; result: { width: number; height: number; channels: 3 | 4; data: Uint8Array } };
  /** A batch of same-sized reads at one level, each resized to out size (RGB). `coords` = [x0, y0, x1, y1, …] level-0. */
  readTiles: {
    params: { path: string; level: number; readWidth: number; readHeight: number; outWidth: number; outHeight: number; coords: number[] };
    result: { tiles: Uint8Array[] };
  };
  /** One deep-zoom tile: read, composite on the background, scale to the dz size, encode JPEG. */
  dzTile: {
    params: RegionRequest & { outWidth: number; outHeight: number; quality: number; background: [number, number, number] };
    result: { jpeg: Uint8Array };
  };
  /** Whole-slide image scaled so its longest side is maxSize (read in chunks: memory stays bounded). */
  thumbnail: {
    params: { path: string; maxSize: number; format: 'jpeg' | 'png' | 'raw' };
    result: { width: number; height: number; level: number; downsampleX: number; downsampleY: number; data: Uint8Array };
  };
  tissue: { params: { path: string; params?: TissueParamsInput; mppX?: number | null; mppY?: number | null }; result: TissueWire };
  associated: { params: { path: string; name: string }; result: { width: number; height: number; png: Uint8Array } };
  /** sha256 of the file, streamed. */
  hash: { params: { path: string }; result: { sha256: string; bytes: number } };
  close: { params: { path: string }; result: { closed: boolean } };
};
