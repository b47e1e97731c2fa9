/** Router handlers for model packages (channels in src/shared/contract/models.ts). */
import fsp from 'node:fs/promises';
import path from 'node:path';
import type { modelChannels } from '../../shared/contract/models.ts';
import type { PackageSummary } from '../../shared/contract/models.ts';
import type { PartialHandlers } from '../handler-types.ts';
import type { ModelRegistry, PackageCheck } from './model-packages.ts';

export interface ModelDeps {
  models: ModelRegistry;
}

export function packageSummary(c: PackageCheck, active: boolean): PackageSummary {
  return {
    id: c.manifest?.id ?? path.basename(c.dir),
    name: c.manifest?.name ?? null,
    version: c.manifest?.version ?? null,
    source: c.source,
    dir: c.dir,
    validatedModalities: c.manifest?.validatedModalities ?? [],
    active,
    verification: { ok: c.ok, reason: c.reason, problems: c.problems, unlistedFiles: c.unlistedFiles, digest: c.digest, checkedAt: c.checkedAt },
  };
}

/** Summaries of every package; for a repeated id the user-imported copy is the active one (ModelRegistry.find). */
export async function listPackages(models: ModelRegistry): Promise<PackageSummary[]> {
  const checks = await models.list();
  const activeDir = new Map<string, string>();
  for (const c of checks) {
    const id = c.manifest?.id ?? path.basename(c.dir);
    const prev = activeDir.get(id);
    if (prev === undefined || c.source === 'user') activeDir.set(id, c.dir);
  }
  return checks.map((c) => packageSummary(c, activeDir.get(c.manifest?.id ?? path.basename(c.dir)) === c.dir));
}

export function modelHandlers(d: ModelDeps): PartialHandlers<keyof typeof modelChannels> {
  return {
    'models.list': async () => ({ packages: await listPackages(d.models) }),
    'models.get': async (req) => {
      const c = await d.models.find(req.id);
      const card = c.ok && c.manifest?.files.some((f) => f.path === 'MODEL_CARD.md') ? await fsp.readFile(path.join(c.dir, 'MODEL_CARD.md'), 'utf8') : null;
      return { summary: packageSummary(c, true), manifest: c.manifest, modelCard: card };
    },
  };
}
