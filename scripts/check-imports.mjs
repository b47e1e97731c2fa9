#!/usr/bin/env node
// `npm run check:imports [DIR]`: the import rules of docs/architecture.md.
// 1. dependency-cruiser with .dependency-cruiser.cjs (layer rules, electron only in the shell, native code only in
//    workers, no module cycles); 2. no cycles between folders (capabilities, renderer features), which
//    dependency-cruiser does not check: store → audit → store is a cycle even when no single module closes it.
// Prints every violation and exits 1 if there is any. DIR (default: the repository) must hold src/ and the config.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dir = path.resolve(process.argv[2] ?? repo);
const bin = path.join(repo, 'node_modules', 'dependency-cruiser', 'bin', 'dependency-cruise.mjs');

/** The folder a module belongs to for the cycle check: a capability, a renderer feature, or a top-level file. */
export function folderOf(source) {
  const parts = source.split('/');
  if (parts[0] !== 'src') return null;
  if (parts[1] === 'shared') return 'src/shared';
  if (parts[1] === 'main') return parts.length > 3 ? `src/main/${parts[2]}` : source;
  if (parts[1] === 'renderer') {
    if (parts[2] === 'features' && parts.length > 4) return `src/renderer/features/${parts[3]}`;
    return parts.length > 3 ? `src/renderer/${parts[2]}` : source;
  }
  return null;
}

/** Strongly connected components with more than one folder (Tarjan), each with one example edge per step. */
export function folderCycles(modules) {
  const edges = new Map(); // folder -> Map(folder -> "a.ts → b.ts")
  for (const m of modules) {
    const from = folderOf(m.source);
    if (!from) continue;
    for (const d of m.dependencies ?? []) {
      const to = d.resolved ? folderOf(d.resolved) : null;
      if (!to || to === from) continue;
      if (!edges.has(from)) edges.set(from, new Map());
      if (!edges.get(from).has(to)) edges.get(from).set(to, `${m.source} → ${d.resolved}`);
    }
  }
  let index = 0;
  const idx = new Map(), low = new Map(), stack = [], on = new Set(), out = [];
  const visit = (v) => {
    idx.set(v, index); low.set(v, index); index++; stack.push(v); on.add(v);
    for (const w of edges.get(v)?.keys() ?? []) {
      if (!idx.has(w)) { visit(w); low.set(v, Math.min(low.get(v), low.get(w))); }
      else if (on.has(w)) low.set(v, Math.min(low.get(v), idx.get(w)));
    }
    if (low.get(v) === idx.get(v)) {
      const comp = [];
      let w;
      do { w = stack.pop(); on.delete(w); comp.push(w); } while (w !== v);
      if (comp.length > 1) {
        const set = new Set(comp);
        const examples = comp.flatMap((a) => [...(edges.get(a) ?? new Map())].filter(([b]) => set.has(b)).map(([, e]) => e));
        out.push({ folders: comp.sort(), examples });
      }
    }
  };
  for (const v of edges.keys()) if (!idx.has(v)) visit(v);
  return out;
}

// Processes that must never load native inference or slide code (a native crash would take down the app).
const MAIN_ENTRIES = ['src/main/electron/main.ts', 'src/main/cli/main.ts', 'src/main/bridge/dev-web.ts'];
const NATIVE = /(^|\/)node_modules\/(koffi|onnxruntime-node)\//;
const TYPE_ONLY = new Set(['type-only', 'type-import']);

/**
 * Import chains from a main-process entry to koffi or onnxruntime-node over runtime imports (type-only imports load
 * nothing). A lazy require() inside a function (OpenSlide, TurboJPEG, the Vulkan probe) is not a static import: the
 * worker entry points are where those run.
 */
export function nativeFromMain(modules, entries = MAIN_ENTRIES) {
  const edges = new Map(modules.map((m) => [m.source, (m.dependencies ?? []).filter((d) => d.resolved && !d.dependencyTypes?.some((t) => TYPE_ONLY.has(t))).map((d) => d.resolved)]));
  const found = [];
  for (const entry of entries) {
    const prev = new Map([[entry, null]]);
    const queue = [entry];
    while (queue.length) {
      const u = queue.shift();
      if (NATIVE.test(u)) {
        const chain = [];
        for (let x = u; x; x = prev.get(x)) chain.unshift(x);
        found.push(chain);
        continue;
      }
      for (const v of edges.get(u) ?? []) if (!prev.has(v)) { prev.set(v, u); queue.push(v); }
    }
  }
  return found;
}

function main() {
  const r = spawnSync(process.execPath, [bin, 'src', '--config', '.dependency-cruiser.cjs', '--output-type', 'json'], {
    cwd: dir, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024,
  });
  if (r.status !== 0 && !r.stdout) { process.stderr.write(r.stderr); process.exit(2); }
  const result = JSON.parse(r.stdout);
  const problems = [];
  for (const v of result.summary.violations) {
    const via = v.cycle ? ` (cycle: ${v.cycle.map((c) => c.name ?? c).join(' → ')})` : '';
    problems.push(`${v.rule.name}: ${v.from} → ${v.to}${via}`);
  }
  for (const chain of nativeFromMain(result.modules)) problems.push(`native-code-only-in-workers: ${chain.join(' → ')}`);
  for (const c of folderCycles(result.modules)) {
    problems.push(`folder-cycle: ${c.folders.join(' ↔ ')}\n    ${c.examples.join('\n    ')}`);
  }
  if (problems.length) {
    console.log(`${problems.length} import rule violation(s):\n${problems.join('\n')}`);
    process.exit(1);
  }
  console.log(`import rules ok: ${result.summary.totalCruised} modules, ${result.summary.totalDependenciesCruised} dependencies, no folder cycles`);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main();
