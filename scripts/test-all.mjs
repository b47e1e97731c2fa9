#!/usr/bin/env node
// `npm test`: every suite in order, then one summary line "tests: N passed, N failed, N skipped".
// Steps: typecheck -> Node unit+integration -> Python recipe (pytest) -> build -> Playwright e2e in Chromium.
// GLIOFUSE_TEST_ONLY=unit,py,... runs a subset (for local work); CI runs everything.
import { spawn } from 'node:child_process';

const only = process.env.GLIOFUSE_TEST_ONLY ? new Set(process.env.GLIOFUSE_TEST_ONLY.split(',')) : null;
const steps = [
  { id: 'typecheck', cmd: 'npm', args: ['run', '-s', 'typecheck'] },
  { id: 'unit', cmd: 'npm', args: ['run', '-s', 'test:unit'], parse: 'node' },
  { id: 'py', cmd: 'npm', args: ['run', '-s', 'test:py'], parse: 'pytest' },
  { id: 'build', cmd: 'npm', args: ['run', '-s', 'build'] },
  { id: 'e2e', cmd: 'npm', args: ['run', '-s', 'test:e2e'], parse: 'playwright' },
];

function run(step) {
  return new Promise((resolve) => {
    let text = '';
    const child = spawn(step.cmd, step.args, { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.on('data', (d) => { process.stdout.write(d); text += d; });
    child.stderr.on('data', (d) => { process.stderr.write(d); text += d; });
    child.on('close', (code) => resolve({ code: code ?? 1, text }));
  });
}

function counts(kind, text) {
  const n = (re) => { const m = text.match(re); return m ? Number(m[1]) : 0; };
  // Strip ANSI colours before matching.
  const t = text.replace(/\u001b\[[0-9;]*m/g, '');
  if (kind === 'node') return { passed: n(/^# pass (\d+)/m) || n(/^ℹ pass (\d+)/m), failed: n(/^# fail (\d+)/m) || n(/^ℹ fail (\d+)/m), skipped: n(/^# skipped (\d+)/m) || n(/^ℹ skipped (\d+)/m) };
  if (kind === 'pytest') return { passed: n(/(\d+) passed/), failed: n(/(\d+) failed/) + n(/(\d+) error/), skipped: n(/(\d+) skipped/) };
  if (kind === 'playwright') return { passed: n(/^\s*(\d+) passed/m), failed: n(/^\s*(\d+) failed/m), skipped: n(/^\s*(\d+) skipped/m) };
  return { passed: 0, failed: 0, skipped: 0 };
}


const total = { passed: 0, failed: 0, skipped: 0 };
const report = [];
let failedStep = null;
for (const step of steps) {
  if (only && !only.has(step.id)) continue;
  console.log(`\n=== ${step.id}: ${step.cmd} ${step.args.join(' ')}`);
  const { code, text } = await run(step);
  if (step.parse) {
    const c = counts(step.parse, text.replace(/\u001b\[[0-9;]*m/g, ''));
    total.passed += c.passed; total.failed += c.failed; total.skipped += c.skipped;
    report.push(`${step.id}: ${c.passed} passed, ${c.failed} failed, ${c.skipped} skipped`);
    if (code !== 0 && c.failed === 0) total.failed += 1; // a crashed runner counts as a failure
  } else report.push(`${step.id}: ${code === 0 ? 'ok' : `FAILED (exit ${code})`}`);
  if (code !== 0) { failedStep = step.id; break; }
}
console.log(`\n=== summary\n${report.join('\n')}`);
if (failedStep) console.log(`stopped after the failing step: ${failedStep}`);
console.log(`tests: ${total.passed} passed, ${total.failed} failed, ${total.skipped} skipped`);
process.exitCode = failedStep ? 1 : 0;
