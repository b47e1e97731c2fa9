/**
 * worker_thread entry hosting the tile encoder session (not a process: it lives inside the analysis worker
 * process). onnxruntime-node's run() holds the JS thread it is called on, so the encoder gets a thread of its own
 * and the analysis worker's thread stays free to read and preprocess the next tiles meanwhile. Batches and
 * features move as transferred ArrayBuffers (no copies).
 */
import { parentPort } from 'node:worker_threads';
import { toErrorShape } from '../../shared/errors.ts';
import { TileEncoderSession } from './tile-encoder.ts';
import type { EncoderThreadReply, EncoderThreadRequest } from './encoder-thread.ts';

if (!parentPort) throw new Error('tile-encoder-worker must run as a worker_thread');
const port = parentPort;
let session: TileEncoderSession | null = null;

function reply(m: EncoderThreadReply, transfer: ArrayBuffer[] = []): void {
  port.postMessage(m, transfer);
}

port.on('message', (m: EncoderThreadRequest) => {
  void handle(m);
});

async function handle(m: EncoderThreadRequest): Promise<void> {
  if (m.kind === 'open') {
    try {
      session = await TileEncoderSession.open(m.spec, m.options);
      reply({ kind: 'opened', info: session.info });
    } catch (e) {
      reply({ kind: 'error', id: null, error: toErrorShape(e) });
    }
    return;
  }
  if (m.kind === 'encode') {
    const s = session;
    if (!s) {
      reply({ kind: 'error', id: m.id, error: { code: 'INTERNAL', message: 'the tile encoder thread has no open session' } });
      return;
    }
    try {
      const t0 = performance.now();
      const features = await s.encode(m.batch, m.n);
      reply({ kind: 'encoded', id: m.id, features, batch: m.batch, ms: performance.now() - t0 }, [features.buffer as ArrayBuffer, m.batch.buffer as ArrayBuffer]);
    } catch (e) {
      reply({ kind: 'error', id: m.id, error: toErrorShape(e) });
    }
    return;
  }
  if (m.kind === 'close') {
    await session?.close().catch(() => undefined);
    session = null;
    reply({ kind: 'closed' });
  }
}
