/** Where Gliofuse keeps its data on each OS (the same folder Electron's app.getPath('userData') gives). */
import os from 'node:os';
import path from 'node:path';

export function defaultDataDir(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): string {
  if (env.GLIOFUSE_DATA_DIR) return path.resolve(env.GLIOFUSE_DATA_DIR);
  const home = os.homedir();
  if (platform === 'win32') return path.join(env.APPDATA ?? path.join(home, 'AppData', 'Roaming'), 'Gliofuse');
  if (platform === 'darwin') return path.join(home, 'Library', 'Application Support', 'Gliofuse');
  return path.join(env.XDG_CONFIG_HOME ?? path.join(home, '.config'), 'Gliofuse');
}

/** --db beats GLIOFUSE_DB beats <data dir>/gliofuse.sqlite. */
export function resolveDbPath(explicit?: string, env: NodeJS.ProcessEnv = process.env): string {
  if (explicit) return path.resolve(explicit);
  if (env.GLIOFUSE_DB) return path.resolve(env.GLIOFUSE_DB);
  return path.join(defaultDataDir(env), 'gliofuse.sqlite');
}

/** The repository / app root (package.json lives here), found from this module's location in src/ or dist/. */
export function appRoot(): string {
  return path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', '..');
}

/**
 * An installed app's resources folder (bundled model packages, OpenSlide libraries) named by
 * GLIOFUSE_RESOURCES_DIR, so the CLI of an installation uses exactly what the app ships. Undefined in a source tree.
 */
export function resourcesDirFromEnv(env: NodeJS.ProcessEnv = process.env): string | undefined {
  return env.GLIOFUSE_RESOURCES_DIR ? path.resolve(env.GLIOFUSE_RESOURCES_DIR) : undefined;
}
