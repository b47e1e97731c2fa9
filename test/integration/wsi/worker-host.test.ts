import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { WorkerHost } from '../../../src/main/workers/worker-host.ts';
import { WorkerPool } from '../../../src/main/workers/worker-pool.ts';
import { forkFactory, workerEntry } from '../../../src/main/workers/transport.ts';
import { GliofuseError } from '../../../src/shared/errors.ts';
import type { EchoApi } from './fixtures/echo-worker.ts';

const entry = fileURLToPath(new URL('./fixtures/echo-worker.ts', import.meta.url));
const host = new WorkerHost<EchoApi>({ name: 'echo worker', factory: forkFactory(entry), debug: true, timeoutMs: 20_000 });
after(() => host.close());

const code = (e: unknown) => (e instanceof GliofuseError ? e.code : String(e));

test('workerEntry resolves .ts next to a source module and .js next to a bundle', () => {
  assert.match(workerEntry('file:///app/src/main/wsi/engine.ts', 'slide-worker'), /\/app\/src\/main\/wsi\/slide-worker\.ts$/);
  assert.match(workerEntry('file:///app/dist/main/cli.js', 'slide-worker'), /\/app\/dist\/main\/slide-worker\.js$/);
});

test('typed request/response with ids; concurrent requests settle independently', async () => {
  const [a, b, c] = await Promise.all([host.call('echo', { text: 'a' }), host.call('sleep', { ms: 50 }), host.call('echo', { text: 'c' })]);
  assert.equal(a.text, 'a');
  assert.equal(b.slept, 50);
  assert.equal(c.text, 'c');
  assert.equal(a.pid, host.pid);
});

test('typed errors cross the boundary with their code and message', async () => {
  await assert.rejects(host.call('fail', { code: 'NOT_FOUND' }), (e) => code(e) === 'NOT_FOUND' && /on purpose/.test((e as Error).message));
});

test('byte buffers arrive intact (no JSON/base64)', async () => {
  const r = await host.call('bytes', { n: 300_000 });
  assert.ok(r.data instanceof Uint8Array);
  assert.equal(r.data.length, 300_000);
  assert.equal(r.data[299_999], 299_999 & 255);
});

test('a crash fails in-flight requests with WORKER_CRASHED and the next request gets a new process', async () => {
  const before = (await host.call('echo', { text: 'x' })).pid;
  const slow = host.call('sleep', { ms: 5000 });
  const crash = host.debugCrash();
  await assert.rejects(slow, (e) => code(e) === 'WORKER_CRASHED');
  await assert.rejects(crash, (e) => code(e) === 'WORKER_CRASHED');
  const afterPid = (await host.call('echo', { text: 'y' })).pid;
  assert.notEqual(afterPid, before);
  assert.ok(host.restartCount >= 1);
});

test('a worker that exits on its own is restarted too', async () => {
  await assert.rejects(host.call('exit', { code: 3 }), (e) => code(e) === 'WORKER_CRASHED' && /exit code 3/.test((e as Error).message));
  assert.equal((await host.call('echo', { text: 'z' })).text, 'z');
});

test('a request over its timeout fails, the hung worker is replaced', async () => {
  await assert.rejects(host.call('sleep', { ms: 10_000 }, { timeoutMs: 300 }), (e) => code(e) === 'WORKER_CRASHED' && /did not answer/.test((e as Error).message));
  assert.equal((await host.call('echo', { text: 'alive' })).text, 'alive');
});

test('crash simulation is refused unless the host runs in debug mode', async () => {
  const h = new WorkerHost<EchoApi>({ name: 'plain', factory: forkFactory(entry) });
  try {
    await assert.rejects(h.debugCrash(), (e) => code(e) === 'FORBIDDEN');
  } finally {
    await h.close();
  }
});

test('a pool spreads concurrent work over its workers and survives one crashing', async () => {
  const pool = new WorkerPool<EchoApi>(2, { name: 'echo', factory: forkFactory(entry), debug: true });
  try {
    const pids = new Set((await Promise.all([0, 1, 2, 3].map(() => pool.call('sleep', { ms: 100 }).then(() => pool.call('echo', { text: '' }))))).map((r) => r.pid));
    const both = await Promise.all([pool.callOn(0, 'echo', { text: '' }), pool.callOn(1, 'echo', { text: '' })]);
    assert.notEqual(both[0].pid, both[1].pid);
    assert.ok(pids.size >= 1);
    await assert.rejects(pool.hosts[0]!.debugCrash(), (e) => code(e) === 'WORKER_CRASHED');
    assert.equal((await pool.callOn(1, 'echo', { text: 'other' })).pid, both[1].pid, 'the other worker kept running');
    assert.equal((await pool.callOn(0, 'echo', { text: 'again' })).text, 'again');
  } finally {
    await pool.close();
  }
});
