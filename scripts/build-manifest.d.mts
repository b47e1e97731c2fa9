// Types for scripts/build-manifest.mjs (plain JS so the build runs without a TypeScript loader).
export interface BuildManifestFile {
  path: string;
  sha256: string;
  bytes: number;
}
export interface BuildManifestJson {
  schemaVersion: 1;
  product: string;
  version: string;
  commit: string;
  commitDirty: boolean | null;
  buildDate: string;
  modelsExcluded: string[];
  models: BuildManifestFile[];
}
export const MANIFEST_SCHEMA_VERSION: 1;
export const MODELS_EXCLUDED: string[];
export const JUNK_NAMES: string[];
export function sha256File(file: string): string;
export function listShippedModelFiles(modelsRoot: string): string[];
export function createBuildManifest(opts?: { root?: string; modelsRoot?: string }): BuildManifestJson;
export function writeBuildManifest(opts?: { root?: string; outFile?: string; modelsRoot?: string }): BuildManifestJson;
