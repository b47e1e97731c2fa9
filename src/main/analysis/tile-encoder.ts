/**
 * The tile encoder (an ONNX image model with a [N, D] feature output) in onnxruntime-node, with the same
 * execution-provider policy as the UMEML session (src/main/inference/execution-providers.ts): platform candidates
 * in order, CPU last, every attempt recorded. A GPU provider that was requested or expected but could not start
 * becomes a `cpu_fallback` warning on the result (docs/pipeline.md, "Execution providers").
 *
 * onnxruntime-node's run() occupies the calling JS thread, so the analysis worker hosts this class in a
 * worker_thread (tile-encoder-worker.ts) and keeps reading and preprocessing on its own thread.
 */
import '../inference/telemetry-off.ts'; // before onnxruntime-node: no telemetry, no device id in the user's home
import * as ort from 'onnxruntime-node';
import { GliofuseError } from '../../shared/errors.ts';
import { currentProviderEnvironment, planProviders, startOnFirstProvider, type EpName, type ProviderAttempt, type ProviderEnvironment } from '../inference/execution-providers.ts';
import type { AdapterReport } from '../inference/gpu-adapter.ts';

export interface EncoderSpec {
  id: string;
  path: string;
  sha256: string;
  inputName: string;
  outputName: string;
  inputSize: number;
  featureDim: number;
  /** The float derivation of this file (encoder-variants.ts), run instead on a GPU provider; null/absent = none. */
  float?: { path: string; sha256: string } | null;
}

export interface ProviderChoice {
  forceCpu?: boolean | undefined;
  /** An explicitly requested provider (setting, CLI --ep, tests). CPU is still tried after it. */
  requested?: EpName | undefined;
  /** Pretend to be another machine (tests); providers are still really tried. */
  environment?: ProviderEnvironment;
}

export interface EncoderOpenOptions extends ProviderChoice {
  threads: number;
  /** Spinning intra-op threads burn CPU the reader and preprocessor need when they share the cores. */
  allowSpinning?: boolean;
}

export interface EncoderInfo {
  provider: EpName;
  attempts: ProviderAttempt[];
  notices: string[];
  /** A GPU provider was requested or planned for this machine but CPU ran instead. */
  fellBack: boolean;
  ortVersion: string;
  threads: number;
  /** The WebGPU adapter when WebGPU runs the encoder (else null). */
  adapter: AdapterReport | null;
  /** Which file ran: the int8 file, or its float derivation (on a GPU provider). */
  variant: 'int8' | 'float32';
  /** sha256 of the file that ran. */
  sha256: string;
}

/** The same plan as the UMEML session's (execution-providers.ts), for this machine or a pretended one. */
export function planEncoderProviders(choice: ProviderChoice) {
  const env = choice.environment ?? currentProviderEnvironment(ort.listSupportedBackends().map((b) => b.name));
  return planProviders(env, { forceCpu: choice.forceCpu, requested: choice.requested });
}

export class TileEncoderSession {
  private constructor(
    private readonly session: ort.InferenceSession,
    readonly spec: EncoderSpec,
    readonly info: EncoderInfo,
  ) {}

  static async open(spec: EncoderSpec, opts: EncoderOpenOptions): Promise<TileEncoderSession> {
    const plan = planEncoderProviders(opts);
    // A GPU provider runs the float file when there is one: the int8 file's QLinear operators have no GPU kernels.
    const fileFor = (ep: EpName) => (ep !== 'cpu' && spec.float ? spec.float : { path: spec.path, sha256: spec.sha256 });
    const started = await startOnFirstProvider(plan.candidates, (ep) => ort.InferenceSession.create(fileFor(ep).path, {
      executionProviders: [ep],
      intraOpNumThreads: opts.threads,
      interOpNumThreads: 1,
      executionMode: 'sequential',
      graphOptimizationLevel: 'all',
      logSeverityLevel: 3,
      extra: { session: { intra_op: { allow_spinning: opts.allowSpinning ? '1' : '0' } } },
    }), ' for the tile encoder');
    const { session, used, attempts } = started;
    const notices = [...plan.notices, ...started.notices];
    if (!session) {
      throw new GliofuseError('INTEGRITY', `The tile encoder ${spec.id} could not be loaded by onnxruntime (${started.lastError ?? 'unknown error'}); fetch it again with "gliofuse encoder fetch".`);
    }
    if (!session.inputNames.includes(spec.inputName) || !session.outputNames.includes(spec.outputName)) {
      await session.release().catch(() => undefined);
      throw new GliofuseError('INTEGRITY', `The tile encoder file has no input "${spec.inputName}" or no output "${spec.outputName}" (inputs: ${session.inputNames.join(', ')}; outputs: ${session.outputNames.join(', ')}).`);
    }
    const fellBack = plan.gpuExpected && used === 'cpu';
    if (fellBack) notices.push('Tile encoder running on CPU: the GPU execution provider could not be used.');
    const ran = fileFor(used);
    return new TileEncoderSession(session, spec, {
      provider: used, attempts, notices, fellBack, ortVersion: ort.env.versions.common, threads: opts.threads,
      adapter: used === 'webgpu' ? plan.webgpuAdapter : null, variant: ran.path === spec.path ? 'int8' : 'float32', sha256: ran.sha256,
    });
  }

  /** Encodes n tiles from an NCHW batch (the buffer may be longer than n tiles); returns [n, D] features. */
  async encode(batch: Float32Array, n: number): Promise<Float32Array> {
    const S = this.spec.inputSize;
    const per = 3 * S * S;
    if (n < 1 || batch.length < n * per) throw new GliofuseError('INTERNAL', `encoder batch holds ${batch.length} floats for ${n} tiles of ${S}²`);
    const view = batch.length === n * per ? batch : batch.subarray(0, n * per);
    const input = new ort.Tensor('float32', view, [n, 3, S, S]);
    const out = await this.session.run({ [this.spec.inputName]: input }, [this.spec.outputName]);
    const t = out[this.spec.outputName];
    if (!t || !(t.data instanceof Float32Array) || t.data.length !== n * this.spec.featureDim) {
      throw new GliofuseError('INTEGRITY', `The tile encoder returned ${t ? t.data.length : 0} values for ${n} tiles; expected ${n} × ${this.spec.featureDim}.`);
    }
    // Copy out of onnxruntime's buffer so the caller can transfer it to another thread.
    return new Float32Array(t.data);
  }

  async close(): Promise<void> {
    await this.session.release();
  }
}
