/**
 * One UMEML model loaded in onnxruntime-node. Knows nothing about processes: the analysis worker hosts it and
 * sends it plain typed arrays. On open it picks an execution provider (execution-providers.ts), checks the ONNX
 * graph against the manifest (input/output names, feature and genomic dimensions, label counts), and records the
 * provider actually used, the notices explaining any fallback and onnxruntime's versions (docs/inference.md).
 */
import './telemetry-off.ts'; // before onnxruntime-node: no telemetry, no device id in the user's home
import * as ort from 'onnxruntime-node';
import { GliofuseError, badInput } from '../../shared/errors.ts';
import type { ModelManifest } from '../../shared/model-manifest.ts';
import { currentProviderEnvironment, defaultIntraOpThreads, planProviders, startOnFirstProvider, type EpName, type ProviderAttempt, type ProviderEnvironment } from './execution-providers.ts';
import type { AdapterReport } from './gpu-adapter.ts';

export interface SessionModel {
  manifest: ModelManifest;
  /** Path of the verified .onnx file. */
  modelPath: string;
  /** Package digest (sha256 of manifest.json bytes). */
  digest: string;
}

export interface UmemlSessionOptions {
  forceCpu?: boolean | undefined;
  /** A provider the user asked for (setting, --ep): tried first, then the CPU. */
  requested?: EpName | undefined;
  intraOpThreads?: number;
  /** For tests: pretend to be another machine (the providers are still really tried). */
  environment?: ProviderEnvironment;
}

export type { ProviderAttempt } from './execution-providers.ts';

export interface SessionProvenance {
  modelId: string;
  modelVersion: string;
  packageDigest: string;
  modelSha256: string;
  validatedModalities: string[];
  executionProvider: EpName;
  attempts: ProviderAttempt[];
  notices: string[];
  /** A GPU provider was requested or planned but the CPU runs the model. */
  fellBack: boolean;
  /** The WebGPU adapter (only when WebGPU runs the model), or why it is not known. */
  adapter: AdapterReport | null;
  /** Where inputs with no patch (genomics-only) run: the CPU session when the model runs on a GPU provider. */
  zeroPatchProvider: EpName;
  ortVersions: { common: string; node: string | null };
  intraOpNumThreads: number;
  platform: string;
  arch: string;
}

export interface UmemlInput {
  /** Row-major [N, D] patch features (N may be 0). */
  patchFeatures: Float32Array;
  numPatches: number;
  /** 1 = real patch, 0 = padding; defaults to all real. */
  patchMask?: Float32Array | Uint8Array;
  /** Normalised, imputed genomic vector [G] in the schema's feature order; null = genomics absent. */
  genomics: Float32Array | null;
  /** 1 = observed, 0 = imputed; required with genomics. */
  genomicsMask: Float32Array | null;
  /** Defaults: pathology present when any real patch exists, genomics present when a vector is given. */
  modalityPresent?: { pathology: boolean; genomics: boolean };
}

export interface UmemlOutput {
  /** In manifest.labels.grade order. */
  gradeProbs: number[];
  /** In manifest.labels.class order. */
  classProbs: number[];
  /** Discrete-time hazard per survival bin. */
  hazards: number[];
  /** S(t) at each bin's end. */
  survival: number[];
  risk: number;
  /** Row-major [N, P] soft assignment of patches to pathology prototypes. */
  patchAssignment: Float32Array;
  prototypes: number;
  /** [N] attention over patches (sums to 1 over real patches; zeros when none). */
  patchAttention: Float32Array;
  modalityContributions: { pathology: number; genomics: number };
  modalityPresent: { pathology: boolean; genomics: boolean };
}

type Meta = { name: string; isTensor: boolean; type?: string; shape?: readonly (number | string)[] };

/** A fixed dimension of a model input/output, or null when symbolic. */
function fixedDim(m: Meta | undefined, axis: number): number | null {
  const d = m?.shape?.[axis];
  return typeof d === 'number' ? d : null;
}

export class UmemlSession {
  private constructor(
    private readonly session: ort.InferenceSession,
    readonly manifest: ModelManifest,
    readonly provenance: SessionProvenance,
    /** D: patch feature dimension the model expects. */
    readonly featureDim: number,
    /** G: genomic vector length. */
    readonly genomicDim: number,
    private readonly maskType: 'float32' | 'bool',
    /** Opens the CPU session for zero-patch inputs (null when the main session already is the CPU's). */
    private readonly openCpu: (() => Promise<ort.InferenceSession>) | null = null,
  ) {}

  private cpuSession: Promise<ort.InferenceSession> | null = null;

  /** The provider that runs an input with this many patch rows (zero → the CPU, see zeroPatchProvider). */
  providerFor(numPatches: number): EpName {
    return numPatches === 0 ? this.provenance.zeroPatchProvider : this.provenance.executionProvider;
  }

  /** The session for an input with `numPatches` rows: zero rows never reach a GPU provider. */
  private sessionFor(numPatches: number): Promise<ort.InferenceSession> {
    if (numPatches > 0 || !this.openCpu) return Promise.resolve(this.session);
    this.cpuSession ??= this.openCpu();
    return this.cpuSession;
  }

  static async open(model: SessionModel, opts: UmemlSessionOptions = {}): Promise<UmemlSession> {
    const m = model.manifest;
    const env = opts.environment ?? currentProviderEnvironment(ort.listSupportedBackends().map((b) => b.name));
    const plan = planProviders(env, { forceCpu: opts.forceCpu, requested: opts.requested });
    const threads = defaultIntraOpThreads(opts.intraOpThreads);
    const create = (ep: EpName) => ort.InferenceSession.create(model.modelPath, {
      executionProviders: [ep],
      intraOpNumThreads: threads,
      interOpNumThreads: 1,
      executionMode: 'sequential',
      graphOptimizationLevel: 'all',
      logSeverityLevel: 3,
    });
    const started = await startOnFirstProvider(plan.candidates, create);
    const { session, used, attempts } = started;
    const notices = [...plan.notices, ...started.notices];
    if (!session) {
      const why = started.lastError ?? 'unknown error';
      throw new GliofuseError('INTEGRITY', `The model ${m.id} ${m.version} could not be loaded by onnxruntime (${why}); the package may be damaged.`);
    }
    if (used === 'cpu' && !opts.forceCpu) notices.push('Running on CPU: no GPU execution provider could be used on this machine.');
    if (used !== 'cpu') notices.push(`Inputs with no patch (genomics-only) run on the CPU session: ${used.toUpperCase()} cannot run the zero-sized patch dimension (WebGPU fails with an invalid dispatch size).`);

    try {
      const { featureDim, genomicDim, maskType } = checkGraph(session, m);
      const modelFile = m.files.find((f) => f.role === 'model');
      const provenance: SessionProvenance = {
        modelId: m.id,
        modelVersion: m.version,
        packageDigest: model.digest,
        modelSha256: modelFile?.sha256 ?? '',
        validatedModalities: [...m.validatedModalities],
        executionProvider: used,
        attempts,
        notices,
        fellBack: plan.gpuExpected && used === 'cpu',
        adapter: used === 'webgpu' ? plan.webgpuAdapter : null,
        zeroPatchProvider: 'cpu',
        ortVersions: { common: ort.env.versions.common, node: ort.env.versions.node ?? null },
        intraOpNumThreads: threads,
        platform: env.platform,
        arch: env.arch,
      };
      const cpuOpener = used === 'cpu' ? null : () => create('cpu');
      return new UmemlSession(session, m, provenance, featureDim, genomicDim, maskType, cpuOpener);
    } catch (e) {
      await session.release().catch(() => undefined);
      throw e;
    }
  }

  async run(input: UmemlInput): Promise<UmemlOutput> {
    const m = this.manifest;
    const N = input.numPatches;
    const D = this.featureDim;
    const G = this.genomicDim;
    if (!Number.isInteger(N) || N < 0) throw badInput(`numPatches must be a whole number ≥ 0 (got ${N}).`);
    if (input.patchFeatures.length !== N * D) throw badInput(`patch features hold ${input.patchFeatures.length} values; expected ${N} × ${D} = ${N * D}.`);
    const mask = new Float32Array(N);
    if (input.patchMask) {
      if (input.patchMask.length !== N) throw badInput(`patch mask has ${input.patchMask.length} entries for ${N} patches.`);
      for (let i = 0; i < N; i++) mask[i] = input.patchMask[i] ? 1 : 0;
    } else mask.fill(1);
    const anyReal = mask.some((v) => v === 1);
    if (input.genomics && input.genomics.length !== G) throw badInput(`genomic vector has ${input.genomics.length} values; the model expects ${G}.`);
    if (input.genomics && (!input.genomicsMask || input.genomicsMask.length !== G)) throw badInput(`a genomic mask of ${G} values must accompany the genomic vector.`);
    const present = input.modalityPresent ?? { pathology: anyReal, genomics: input.genomics !== null };
    if (present.pathology && !anyReal) throw badInput('pathology is flagged present but there is no real patch.');
    if (present.genomics && !input.genomics) throw badInput('genomics is flagged present but no genomic vector was given.');
    if (!present.pathology && !present.genomics) throw badInput('at least one modality (pathology or genomics) must be present.');

    const names = m.onnx.inputs;
    const feeds: Record<string, ort.Tensor> = {
      [names.patchFeatures]: new ort.Tensor('float32', input.patchFeatures, [1, N, D]),
      [names.patchMask]: this.maskType === 'bool' ? new ort.Tensor('bool', Uint8Array.from(mask), [1, N]) : new ort.Tensor('float32', mask, [1, N]),
      [names.genomics]: new ort.Tensor('float32', input.genomics ?? new Float32Array(G), [1, G]),
      [names.genomicsMask]: new ort.Tensor('float32', input.genomicsMask ?? new Float32Array(G), [1, G]),
      [names.modalityPresent]: new ort.Tensor('float32', Float32Array.from([present.pathology ? 1 : 0, present.genomics ? 1 : 0]), [1, 2]),
    };
    const out = await (await this.sessionFor(N)).run(feeds);
    const o = m.onnx.outputs;
    const get = (name: string, expected: number | null, what: string): Float32Array => {
      const t = out[name];
      if (!t || !(t.data instanceof Float32Array)) throw new GliofuseError('INTEGRITY', `The model returned no float32 output "${name}" (${what}).`);
      if (expected !== null && t.data.length !== expected) throw new GliofuseError('INTEGRITY', `Model output ${name} has ${t.data.length} values; expected ${expected} (${what}).`);
      return t.data;
    };
    const bins = m.survival.binEdgesDays.length - 1;
    const assignment = get(o.patchAssignment, null, 'patch assignment');
    const prototypes = N > 0 ? assignment.length / N : Number((out[o.patchAssignment]?.dims ?? [])[2] ?? 0);
    if (N > 0 && !Number.isInteger(prototypes)) throw new GliofuseError('INTEGRITY', `Model output ${o.patchAssignment} does not have N rows.`);
    const contrib = get(o.modalityContributions, 2, 'modality contributions');
    return {
      gradeProbs: Array.from(get(o.gradeProbs, m.labels.grade.length, 'grade')),
      classProbs: Array.from(get(o.classProbs, m.labels.class.length, 'class')),
      hazards: Array.from(get(o.hazards, bins, 'hazards')),
      survival: Array.from(get(o.survival, bins, 'survival')),
      risk: get(o.risk, 1, 'risk')[0] as number,
      patchAssignment: assignment,
      prototypes,
      patchAttention: get(o.patchAttention, N, 'patch attention'),
      modalityContributions: { pathology: contrib[0] as number, genomics: contrib[1] as number },
      modalityPresent: present,
    };
  }

  /** Raw run with named feeds (parity checks against fixtures use the ONNX names directly). */
  async runRaw(feeds: Record<string, ort.Tensor>): Promise<Record<string, ort.Tensor>> {
    const n = Number(feeds[this.manifest.onnx.inputs.patchFeatures]?.dims[1] ?? 1);
    return (await (await this.sessionFor(n)).run(feeds)) as Record<string, ort.Tensor>;
  }

  async close(): Promise<void> {
    const cpu = this.cpuSession;
    this.cpuSession = null;
    if (cpu) await (await cpu).release().catch(() => undefined);
    await this.session.release();
  }
}

/** Checks the graph's inputs/outputs against the manifest; returns D, G and the patch-mask type. */
function checkGraph(session: ort.InferenceSession, m: ModelManifest): { featureDim: number; genomicDim: number; maskType: 'float32' | 'bool' } {
  const inMeta = new Map((session.inputMetadata as readonly Meta[]).map((x) => [x.name, x]));
  const outNames = new Set(session.outputNames);
  for (const [role, name] of Object.entries(m.onnx.inputs)) {
    if (!inMeta.has(name)) throw new GliofuseError('INTEGRITY', `The model has no input "${name}" (${role}) named in the manifest; inputs are ${session.inputNames.join(', ')}.`);
  }
  for (const [role, name] of Object.entries(m.onnx.outputs)) {
    if (!outNames.has(name)) throw new GliofuseError('INTEGRITY', `The model has no output "${name}" (${role}) named in the manifest; outputs are ${session.outputNames.join(', ')}.`);
  }
  // The manifest states D and G (schema-checked against the tile encoder and the genomic schema); the graph must agree.
  const D = fixedDim(inMeta.get(m.onnx.inputs.patchFeatures), 2);
  if (D !== null && D !== m.onnx.patchFeatureDim) {
    throw new GliofuseError('INTEGRITY', `The model expects ${D}-dimensional patch features but the manifest says ${m.onnx.patchFeatureDim}.`);
  }
  const G = fixedDim(inMeta.get(m.onnx.inputs.genomics), 1);
  if (G !== null && G !== m.onnx.genomicDim) {
    throw new GliofuseError('INTEGRITY', `The model expects ${G} genomic inputs but the manifest's genomic schema lists ${m.onnx.genomicDim} features.`);
  }
  const maskType = inMeta.get(m.onnx.inputs.patchMask)?.type === 'bool' ? 'bool' : 'float32';
  return { featureDim: m.onnx.patchFeatureDim, genomicDim: m.onnx.genomicDim, maskType };
}

/**
 * The risk group of a risk value (docs/model-package.md): group i is the first whose cut-off the risk is below;
 * a risk equal to a cut-off belongs to the higher group; at or above the last cut-off is the last group.
 */
export function riskGroup(m: Pick<ModelManifest, 'survival'>, risk: number): { index: number; name: string } {
  const { cutoffs, names } = m.survival.riskGroups;
  let i = 0;
  while (i < cutoffs.length && risk >= (cutoffs[i] as number)) i++;
  return { index: i, name: names[i] as string };
}
