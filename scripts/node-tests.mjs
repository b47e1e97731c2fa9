#!/usr/bin/env node
// Node 20's test runner takes no globs: collect test/unit and test/integration *.test.ts files (or the folders /
// files given as arguments) and run them with tsx, one file at a time (tests share ports, temp dirs and 2 cores).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const roots = process.argv.slice(2).length ? process.argv.slice(2) : ['test/unit', 'test/integration'];
const files = [];
function walk(p) {
  if (!fs.existsSync(p)) return;
  const st = fs.statSync(p);
  if (st.isFile()) { if (p.endsWith('.test.ts')) files.push(p); return; }
  for (const e of fs.readdirSync(p).sort()) walk(path.join(p, e));
}
roots.forEach(walk);
if (files.length === 0) { console.error('no test files found'); process.exit(1); }
const r = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-concurrency=1', ...files], { stdio: 'inherit' });
process.exit(r.status ?? 1);
