// Types for scripts/dist.mjs.
export interface DistOptions {
  platform: string;
  arch: string;
  dir: boolean;
  targets: string[] | null;
  testBuild: boolean;
  electronDist: string | null;
  openslideVendor: string | null;
  openslideOptional: boolean;
  output: string | null;
  skipBuild: boolean;
}
export function parseDistArgs(argv: string[]): DistOptions;
export function builderConfig(o: DistOptions): Record<string, unknown> & {
  electronFuses: Record<string, boolean>;
  files: string[];
  asarUnpack: string[];
  publish: unknown;
  npmRebuild: boolean;
  fileAssociations: { ext: string | string[] }[];
  linux: { extraResources: { from: string; to: string }[]; target: string[] };
  win: { extraResources: { from: string; to: string }[] };
  mac: { extraResources: { from: string; to: string }[]; target: { target: string; arch: string[] }[] };
  nsis: Record<string, unknown>;
  deb: { depends: string[] };
};
export function dist(argv: string[]): Promise<{ options: DistOptions; outDir: string; artifacts: string[] }>;
