/** `gliofuse models list|verify [ID|DIR]|import DIR`: model packages (docs/inference.md). No database needed. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Command } from 'commander';
import type { CliContext } from '../context.ts';
import { GliofuseError } from '../../../shared/errors.ts';
import { defaultDataDir, resolveDbPath, resourcesDirFromEnv } from '../../paths.ts';
import { MANIFEST_FILE, ModelRegistry, checkPackage, defaultModelFolders } from '../../inference/model-packages.ts';
import { listPackages, packageSummary } from '../../inference/model-handlers.ts';
import type { PackageSummary } from '../../../shared/contract/models.ts';
import type { Actor } from '../../../shared/actor.ts';

/** The app's model folders: bundled (repo models/) and the user folder <dataDir>/models. */
export function cliModelRegistry(): ModelRegistry {
  return new ModelRegistry(defaultModelFolders(defaultDataDir(), resourcesDirFromEnv()));
}

function line(p: PackageSummary): string {
  const status = p.verification.ok ? 'verified' : `REFUSED: ${p.verification.reason ?? ''}`;
  return `${p.id}\t${p.version ?? '-'}\t${p.source ?? 'folder'}${p.active ? '' : ' (shadowed)'}\t${status}`;
}

export function registerModelsCommands(program: Command, cli: CliContext): void {
  const models = program.command('models').description('model packages: list, verify, import');

  models.command('list')
    .description('installed packages (bundled and imported) and whether each verifies')
    .action(async () => {
      const packages = await listPackages(cliModelRegistry());
      cli.out({ folders: cliModelRegistry().folders, packages }, () => (packages.length ? packages.map(line).join('\n') : '(no model packages installed)'));
    });

  models.command('verify')
    .description('re-hash every file of one package (by id or folder) or of all installed packages; exit 1 if any is refused')
    .argument('[idOrDir]', 'package id, or a package folder (e.g. before importing it)')
    .action(async (idOrDir?: string) => {
      const reg = cliModelRegistry();
      let results: PackageSummary[];
      if (idOrDir && fs.existsSync(path.join(idOrDir, MANIFEST_FILE))) results = [packageSummary(await checkPackage(path.resolve(idOrDir), { source: null }), true)];
      else if (idOrDir) results = [packageSummary(await reg.find(idOrDir, { fresh: true }), true)];
      else results = await listPackages(reg);
      cli.out(results, () => results.map(line).join('\n') || '(no model packages installed)');
      const bad = results.filter((r) => !r.verification.ok);
      if (bad.length) throw new GliofuseError('INTEGRITY', `${bad.length} package(s) refused: ${bad.map((b) => `${b.id} (${b.verification.reason})`).join('; ')}`);
    });

  models.command('import')
    .description("verify a package folder and copy it into the app's model folder (atomic; audited when a database exists)")
    .argument('<dir>', 'the package folder (contains manifest.json)')
    .option('--replace', 'replace an installed package with the same id')
    .action(async (dir: string, o: { replace?: boolean }) => {
      const reg = cliModelRegistry();
      const { pkg, replaced } = await reg.import(dir, { replace: o.replace });
      const audited = await auditImport(cli, { id: pkg.id, version: pkg.manifest.version, digest: pkg.digest, from: path.resolve(dir), to: pkg.dir, replaced });
      const result = { id: pkg.id, version: pkg.manifest.version, digest: pkg.digest, dir: pkg.dir, replaced, audited };
      cli.out(result, `imported ${pkg.id} ${pkg.manifest.version} into ${pkg.dir}${replaced ? ` (replaced ${replaced.version})` : ''}${audited ? '' : ' (no database: not audited)'}`);
    });
}

/**
 * Records `model.imported` in the store's audit log when a database exists (the import itself is a file operation
 * and works without one). Attributed to the CLI operator's account when it resolves, else to no user with the OS
 * login named in the reason.
 */
async function auditImport(cli: CliContext, e: { id: string; version: string; digest: string; from: string; to: string; replaced: { version: string; digest: string | null } | null }): Promise<boolean> {
  if (!fs.existsSync(resolveDbPath(cli.opts().db))) return false;
  const s = await cli.services();
  const name = cli.opts().as ?? process.env.GLIOFUSE_USER ?? os.userInfo().username;
  let actor: Actor | null = null;
  try {
    actor = await s.users.actorByUsername(name);
  } catch {
    actor = null;
  }
  await s.audit.append(actor, {
    action: 'model.imported', entityType: 'model_package', entityId: e.id,
    before: e.replaced, after: { version: e.version, digest: e.digest, from: e.from, to: e.to },
    reason: actor ? null : `CLI operator "${name}" has no Gliofuse account`,
  });
  return true;
}
