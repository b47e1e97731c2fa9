import fs from 'node:fs';
import path from 'node:path';
import { appRoot } from './paths.ts';

let cached: string | undefined;
/** The app version from package.json (read once). */
export function appVersion(): string {
  if (cached) return cached;
  const pkg = JSON.parse(fs.readFileSync(path.join(appRoot(), 'package.json'), 'utf8')) as { version: string };
  cached = pkg.version;
  return cached;
}
