/** Host and worker of different builds refuse each other with one clear message before any request is misread. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { WorkerHost } from '../../../src/main/workers/worker-host.ts';
import { forkFactory } from '../../../src/main/workers/transport.ts';
import { WORKER_PROTOCOL_VERSION } from '../../../src/main/workers/protocol.ts';
import { GliofuseError } from '../../../src/shared/errors.ts';
import type { EchoApi } from './fixtures/echo-worker.ts';

test('a worker announcing another protocol version is refused, naming both versions', async (t) => {
  const entry = fileURLToPath(new URL('./fixtures/other-build-worker.ts', import.meta.url));
  const host = new WorkerHost<EchoApi>({ name: 'slide worker', factory: forkFactory(entry), timeoutMs: 20_000 });
  t.after(() => host.close());
  for (let i = 0; i < 2; i++) { // and again on the restarted process: never a loop of misread answers
    await assert.rejects(host.call('echo', { text: 'x' }), (e) => e instanceof GliofuseError
      && e.message === `The slide worker is from another Gliofuse build (protocol 1; this app speaks protocol ${WORKER_PROTOCOL_VERSION}). Reinstall Gliofuse so that all its parts come from one version.`);
  }
});

test('a worker of this build is accepted', async (t) => {
  const entry = fileURLToPath(new URL('./fixtures/echo-worker.ts', import.meta.url));
  const host = new WorkerHost<EchoApi>({ name: 'echo worker', factory: forkFactory(entry), timeoutMs: 20_000 });
  t.after(() => host.close());
  assert.equal((await host.call('echo', { text: 'same build' })).text, 'same build');
});
