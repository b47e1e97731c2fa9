/**
 * The main window's bounds and maximised flag, kept in <userData>/window-state.json between launches (no electron
 * import). A saved position is only reused when it is still visible on a connected display, so unplugging a
 * monitor never leaves the window off-screen.
 */
import fs from 'node:fs';
import path from 'node:path';

export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface WindowState {
  bounds: Rect | null;
  maximized: boolean;
}

export const MIN_WIDTH = 960;
export const MIN_HEIGHT = 640;
export const DEFAULT_SIZE = { width: 1360, height: 880 };
export const STATE_FILE = 'window-state.json';

const finite = (n: unknown): n is number => typeof n === 'number' && Number.isFinite(n);

/** Parses the stored JSON; anything malformed yields the default state (never throws). */
export function parseWindowState(text: string | null): WindowState {
  if (!text) return { bounds: null, maximized: false };
  try {
    const raw = JSON.parse(text) as { bounds?: Partial<Rect> | null; maximized?: unknown };
    const b = raw.bounds;
    const bounds =
      b && finite(b.x) && finite(b.y) && finite(b.width) && finite(b.height) && b.width > 0 && b.height > 0
        ? { x: Math.round(b.x), y: Math.round(b.y), width: Math.round(b.width), height: Math.round(b.height) }
        : null;
    return { bounds, maximized: raw.maximized === true };
  } catch {
    return { bounds: null, maximized: false };
  }
}

function overlap(a: Rect, b: Rect): number {
  const w = Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x);
  const h = Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y);
  return w > 0 && h > 0 ? w * h : 0;
}

/**
 * Bounds to open the window with: the saved ones when at least a 200×100 px area of the title bar region overlaps a display's
 * work area, resized to fit that display; otherwise the default size centred on the primary display.
 */
export function restoreBounds(state: WindowState, workAreas: readonly Rect[]): Rect | { width: number; height: number } {
  const primary = workAreas[0];
  const fallback = primary
    ? { width: Math.min(DEFAULT_SIZE.width, primary.width), height: Math.min(DEFAULT_SIZE.height, primary.height) }
    : { ...DEFAULT_SIZE };
  const b = state.bounds;
  if (!b) return fallback;
  // The top 100 px band is where the user grabs the window; it must be reachable.
  const grab = { x: b.x, y: b.y, width: b.width, height: Math.min(100, b.height) };
  let best: Rect | null = null;
  let bestArea = 0;
  for (const wa of workAreas) {
    const a = overlap(grab, wa);
    if (a > bestArea) {
      best = wa;
      bestArea = a;
    }
  }
  if (!best || bestArea < 200 * Math.min(100, b.height)) return fallback;
  const width = Math.max(Math.min(b.width, best.width), Math.min(MIN_WIDTH, best.width));
  const height = Math.max(Math.min(b.height, best.height), Math.min(MIN_HEIGHT, best.height));
  const x = Math.min(Math.max(b.x, best.x), best.x + best.width - width);
  const y = Math.min(Math.max(b.y, best.y), best.y + best.height - height);
  return { x, y, width, height };
}

export function readWindowState(dir: string): WindowState {
  try {
    return parseWindowState(fs.readFileSync(path.join(dir, STATE_FILE), 'utf8'));
  } catch {
    return parseWindowState(null);
  }
}

/** Written via a temp file and rename so a crash mid-write never leaves half a JSON document. */
export function writeWindowState(dir: string, state: WindowState): void {
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, STATE_FILE);
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, `${JSON.stringify(state)}\n`);
  fs.renameSync(tmp, file);
}
