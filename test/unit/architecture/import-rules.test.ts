/**
 * The import rules of docs/architecture.md hold for the tree, and the check really fails on a wrong import: a scratch
 * copy of src/ gets a capability importing a shell, a service importing electron and a folder-level cycle.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { REPO_ROOT } from '../../helpers/shared-data.ts';
// @ts-expect-error plain ESM script without types
import { folderCycles, nativeFromMain } from '../../../scripts/check-imports.mjs';

const script = path.join(REPO_ROOT, 'scripts', 'check-imports.mjs');

function check(dir?: string): { status: number | null; out: string } {
  const r = spawnSync(process.execPath, [script, ...(dir ? [dir] : [])], { encoding: 'utf8' });
  return { status: r.status, out: `${r.stdout}${r.stderr}` };
}

test('the source tree keeps the import rules (layers, electron only in the shell, no cycles)', () => {
  const r = check();
  assert.equal(r.status, 0, r.out);
  assert.match(r.out, /import rules ok/);
});

test('a wrong import in a copy of the tree fails the check, naming the rule', (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gliofuse-imports-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  fs.cpSync(path.join(REPO_ROOT, 'src'), path.join(dir, 'src'), { recursive: true });
  for (const f of ['.dependency-cruiser.cjs', 'tsconfig.json', 'package.json']) fs.copyFileSync(path.join(REPO_ROOT, f), path.join(dir, f));
  fs.symlinkSync(path.join(REPO_ROOT, 'node_modules'), path.join(dir, 'node_modules'), 'dir');
  assert.equal(check(dir).status, 0, 'the unmodified copy passes');

  fs.writeFileSync(path.join(dir, 'src/main/store/probe-shell.ts'), "import { runCli } from '../cli/index.ts';\nexport const x = runCli;\n");
  fs.writeFileSync(path.join(dir, 'src/main/wsi/probe-electron.ts'), "import { app } from 'electron';\nexport const y = app;\n");
  // settings already imports store/db.ts: store importing settings closes a folder cycle with no module cycle.
  fs.writeFileSync(path.join(dir, 'src/main/store/probe-cycle.ts'), "import type { SettingsService } from '../settings/settings-service.ts';\nexport type Z = SettingsService;\n");
  // The CLI's entry loading the ONNX session at run time: native code in the main process.
  fs.appendFileSync(path.join(dir, 'src/main/cli/main.ts'), "\nimport '../inference/umeml-session.ts';\n");
  const r = check(dir);
  assert.equal(r.status, 1, r.out);
  assert.match(r.out, /native-code-only-in-workers: src\/main\/cli\/main\.ts → src\/main\/inference\/umeml-session\.ts → (\S*\/)?node_modules\/onnxruntime-node\//);
  assert.match(r.out, /capability-imports-no-shell: src\/main\/store\/probe-shell\.ts → src\/main\/cli\/index\.ts/);
  assert.match(r.out, /electron-only-in-shell: src\/main\/wsi\/probe-electron\.ts/);
  assert.match(r.out, /folder-cycle: .*src\/main\/settings.*src\/main\/store/);
});

test('folder cycles: a chain closed through different files is found, a one-way chain is not', () => {
  const mod = (source: string, ...deps: string[]) => ({ source, dependencies: deps.map((resolved) => ({ resolved })) });
  const cycles = folderCycles([
    mod('src/main/store/patients-repo.ts', 'src/main/audit/audit-log.ts'),
    mod('src/main/audit/audit-log.ts', 'src/main/store/db.ts'),
    mod('src/main/report/a.ts', 'src/shared/x.ts'),
  ]) as { folders: string[] }[];
  assert.deepEqual(cycles.map((c) => c.folders), [['src/main/audit', 'src/main/store']]);
  assert.deepEqual(folderCycles([mod('src/main/report/a.ts', 'src/main/store/db.ts')]), []);
});

test('native code from a main entry: a runtime chain counts, a type-only one loads nothing', () => {
  const mod = (source: string, ...deps: [string, string[]][]) => ({ source, dependencies: deps.map(([resolved, dependencyTypes]) => ({ resolved, dependencyTypes })) });
  const modules = [
    mod('src/main/cli/main.ts', ['src/main/analysis/worker-api.ts', ['local', 'type-only', 'import']], ['src/main/wsi/engine.ts', ['local', 'import']]),
    mod('src/main/analysis/worker-api.ts', ['node_modules/onnxruntime-node/dist/index.js', ['npm', 'import']]),
    mod('src/main/wsi/engine.ts', ['node_modules/koffi/index.cjs', ['npm', 'import']]),
  ];
  assert.deepEqual(nativeFromMain(modules, ['src/main/cli/main.ts']), [['src/main/cli/main.ts', 'src/main/wsi/engine.ts', 'node_modules/koffi/index.cjs']]);
});
