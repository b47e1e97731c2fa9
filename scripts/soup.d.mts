// Types for scripts/soup.mjs.
export interface SoupRow {
  name: string;
  version: string;
  licence: string;
  purpose: string;
  direct: boolean;
  platform: string;
}
export const PURPOSE: Record<string, string>;
export const INSTALL_TIME_ONLY: Set<string>;
export function productionPackages(lock?: unknown, pkg?: unknown): SoupRow[];
export function nativeComponents(lock?: unknown): { name: string; version: string; licence: string; purpose: string }[];
export function modelComponents(): { name: string; version: string; licence: string; purpose: string }[];
export const BUNDLED_ENCODER: { id: string; upstreamSha256: string; shippedSha256: string };
export function renderSoup(): string;
