// Types for scripts/build.mjs.
export const EXTERNAL: Record<string, string>;
export const HOSTS: { name: string; entry: string; outDir: string; workers: boolean }[];
export const PRELOAD: { entry: string; outFile: string };
export const RENDERER_CONFIG: string;
export const MIGRATIONS_DIR: string;
export function findWorkers(root?: string): { entry: string; outName: string }[];
export function build(argv?: string[]): Promise<{ built: string[]; skipped: string[]; workers: { entry: string; outName: string }[] }>;
