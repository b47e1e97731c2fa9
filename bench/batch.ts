/**
 * npm run bench:batch — does sharding a batch pay on this machine? (not part of npm test)
 *
 * The same manifest of genomics-only cases (BENCH_CASES TCGA-GBMLGG profiles, default 120, joined with age at
 * diagnosis in a temp folder) analysed by `gliofuse batch`:
 *   sequential  one process, --shard 0/1;
 *   sharded     two processes at once, --shard 0/2 and 1/2, each with its own store and output folder (as Slurm
 *               array tasks run);
 * cases/hour of each, printed with ratio = sharded / sequential (goal ≥ 1.8 on 2 cores). Each layout runs
 * BENCH_ROUNDS times (default 2), alternating, and keeps its best wall time, which damps other load. The process
 * start-up (tsx compile, worker start, model session) is part of each run, as it is for a cluster task.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { parseCsv } from '../src/shared/csv.ts';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const shared = process.env.GLIOFUSE_SHARED_DATA ?? path.resolve(repo, '..', 'shared', 'data');
const CASES = Number(process.env.BENCH_CASES ?? 120);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2);
const BIN = path.join(repo, 'bin', 'gliofuse.js');

function writeInputs(dir: string): string {
  const all = parseCsv(fs.readFileSync(path.join(shared, 'tcga', 'all_dataset.csv'), 'utf8'));
  const grade = parseCsv(fs.readFileSync(path.join(shared, 'tcga', 'grade_data.csv'), 'utf8'));
  const gi = grade.header.indexOf('TCGA ID');
  const ai = grade.header.indexOf('Age at diagnosis');
  const age = new Map(grade.rows.map((r) => [r.cells[gi]!, r.cells[ai] ?? '']));
  const [idh, codel] = ['idh mutation', 'codeletion'].map((c) => all.header.indexOf(c)) as [number, number];
  const known = (v: string | undefined) => !['', 'NA', 'NaN', 'nan'].includes((v ?? '').trim());
  const rows = all.rows.filter((r) => known(r.cells[idh]) && known(r.cells[codel])).slice(0, CASES);
  const q = (c: string) => (/[",]/.test(c) ? `"${c.replace(/"/g, '""')}"` : c);
  fs.writeFileSync(path.join(dir, 'profiles.csv'), `${[[...all.header, 'Age at diagnosis'], ...rows.map((r) => [...r.cells, (age.get(r.cells[0]!) ?? '').replace(/^NA$/, '')])].map((r) => r.map(q).join(',')).join('\n')}\n`);
  const manifest = path.join(dir, 'manifest.csv');
  fs.writeFileSync(manifest, `case_id,genomics,row_id\n${rows.map((r) => `${r.cells[0]},profiles.csv,${r.cells[0]}`).join('\n')}\n`);
  return manifest;
}

function run(args: string[], input?: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, [BIN, ...args], { stdio: ['pipe', 'ignore', 'pipe'], env: { ...process.env, GLIOFUSE_FROM_SOURCE: '1' } });
    let err = '';
    p.stderr.on('data', (d) => { err += d; });
    p.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`gliofuse ${args.join(' ')} exited ${code}: ${err.slice(-500)}`))));
    p.stdin.end(input ?? '');
  });
}

async function store(dir: string): Promise<string> {
  fs.mkdirSync(dir, { recursive: true });
  const db = path.join(dir, 'gliofuse.sqlite');
  await run(['--db', db, 'user', 'add', '--name', 'bench', '--role', 'admin', '--password-stdin'], 'bench-operator-password');
  return db;
}

async function timeBatch(root: string, manifest: string, shards: number): Promise<number> {
  const dbs = await Promise.all(Array.from({ length: shards }, (_, i) => store(path.join(root, `shard-${i}`))));
  const t0 = performance.now();
  await Promise.all(dbs.map((db, i) => run(['--db', db, '--as', 'bench', 'batch', manifest, '--out', path.dirname(db), '--shard', `${i}/${shards}`])));
  return (performance.now() - t0) / 1000;
}

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gliofuse-bench-batch-'));
try {
  const manifest = writeInputs(dir);
  const best = { sequential: Infinity, sharded: Infinity };
  for (let r = 0; r < ROUNDS; r++) {
    best.sequential = Math.min(best.sequential, await timeBatch(path.join(dir, `seq-${r}`), manifest, 1));
    best.sharded = Math.min(best.sharded, await timeBatch(path.join(dir, `par-${r}`), manifest, 2));
  }
  const perHour = (s: number) => (CASES / s) * 3600;
  const ratio = perHour(best.sharded) / perHour(best.sequential);
  const out = {
    cases: CASES, rounds: ROUNDS, cores: os.cpus().length, loadavg1: os.loadavg()[0],
    sequential: { seconds: best.sequential, casesPerHour: perHour(best.sequential) },
    sharded2: { seconds: best.sharded, casesPerHour: perHour(best.sharded) },
    ratio, goal: 1.8,
  };
  console.log(JSON.stringify(out, null, 2));
  console.log(`bench:batch  ${CASES} genomics-only cases: sequential ${perHour(best.sequential).toFixed(0)} cases/h, 2 shards ${perHour(best.sharded).toFixed(0)} cases/h — ratio ${ratio.toFixed(2)} (goal ≥ 1.8; ${os.cpus().length} cores, load ${os.loadavg()[0]!.toFixed(1)})`);
} finally {
  fs.rmSync(dir, { recursive: true, force: true });
}
