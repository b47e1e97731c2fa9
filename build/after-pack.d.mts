// Types for build/after-pack.mjs (used by the packaging test to re-run the checks on a tampered copy).
export const ORT_DIR: string;
export const REQUIRED_IN_ASAR: string[];
export function checkAsar(asarPath: string): { entries: string[]; problems: string[] };
export function checkOnnxRuntime(resourcesDir: string, platform: string, arch: string): { problems: string[]; files: string[] };
export function checkModels(resourcesDir: string, asarPath: string): { problems: string[]; files: number; manifest: { version: string; commit: string; models: { path: string; sha256: string; bytes: number }[] } };
export default function afterPack(context: {
  electronPlatformName: string;
  arch: number;
  appOutDir: string;
  packager: { getResourcesDir(appOutDir: string): string };
}): Promise<void>;
