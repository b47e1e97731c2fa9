// Types for scripts/openslide-vendor.mjs.
export const DEFAULT_VENDOR_DIR: string;
export const SUMS_FILE: string;
export const TARGETS: string[];
export function parseSums(text: string): Map<string, string>;
export function readSums(vendorDir?: string): Map<string, string>;
export function verifyOpenSlideDir(dir: string, target: string, sums: Map<string, string>): { problems: string[]; files: string[] };
export function recordTarget(vendorDir: string, target: string, source: string): number;
