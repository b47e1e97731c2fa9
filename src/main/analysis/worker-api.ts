/**
 * The analysis worker's methods: the one interface the job manager (host) and analysis-worker.ts (process) both
 * import, so every request and result is typed across the process boundary. Everything here is plain data.
 */
import type { AnalysisResult } from '../../shared/analysis-result.ts';
import type { AnalysisProgress } from '../../shared/contract/analysis.ts';
import type { QualityFlag, TileGridParamsInput, TissueParamsInput } from '../../shared/contract/slides.ts';
import type { ModelManifest } from '../../shared/model-manifest.ts';
import type { EpName } from '../inference/execution-providers.ts';
import type { SessionProvenance } from '../inference/umeml-session.ts';
import type { BagMeta } from './feature-bag.ts';
import type { ExtractStats } from './feature-extraction.ts';
import type { EncoderInfo } from './tile-encoder.ts';
import type { SlideWork } from './modalities.ts';
import type { Warning } from '../../shared/analysis-result.ts';
import type { SessionCounts } from './worker-sessions.ts';

export interface ProviderRequest {
  forceCpu: boolean;
  /** An explicitly requested execution provider (CLI --ep); CPU is still the fallback. */
  requested?: EpName;
}

export interface PerfOptions {
  batchSize?: number;
  /** Encoder sessions (threads of their own) taking batches in turn. */
  encoderSessions?: number;
  /** Intra-op threads per encoder session. */
  encoderThreads?: number;
  readAhead?: number;
  buffers?: number;
}

export interface EncoderRef {
  path: string;
  sha256: string;
  /** Where the float variant for GPU providers is derived and kept (<dataDir>/encoders); absent = no float variant. */
  variantDir?: string;
}

/** A µm/px the user entered for a slide whose file records none (issue 13.4), with who entered it and when. */
export interface UserMpp {
  value: number;
  enteredBy: string;
  enteredAt: string;
}

export interface SlideRef {
  path: string;
  fileName: string;
  /** Known content hash (from the slides table); computed in the worker when absent. */
  hashKind?: 'quickhash1' | 'sha256';
  hash?: string;
  /** Quality flags stored when the slide was attached (used on a cache hit, when tissue detection is skipped). */
  qualityFlags?: QualityFlag[];
}

export interface GenomicsRef {
  vector: number[];
  mask: number[];
  values: Record<string, number | null>;
  sourceSha256: string;
  fileName: string;
  /** Set when age at diagnosis was derived from birth year and collection date (docs/pipeline.md). */
  derivedAge?: { featureId: string; years: number; from: string } | null;
}

export interface FeatureRequest {
  jobKey: string;
  slide: SlideRef;
  tileEncoder: ModelManifest['tileEncoder'];
  encoder: EncoderRef;
  tiling?: TileGridParamsInput;
  tissue?: TissueParamsInput;
  /** <dataDir>/cache/features, or null to skip the cache (then `out` is required). */
  cacheRoot: string | null;
  /** Also (or only) write the bag here. */
  out?: string;
  providers: ProviderRequest;
  perf?: PerfOptions;
}

export interface SlideFeaturesInfo {
  meta: Omit<BagMeta, 'coords'>;
  cacheKey: string | null;
  cacheHit: boolean;
  /** Tiles actually encoded in this run (0 on a cache hit). */
  encodedTiles: number;
  tileCount: number;
  qualityFlags: QualityFlag[];
  /** Tiling notes from the slide engine (e.g. µm/px assumed from the objective power). */
  gridWarnings: string[];
  encoder: EncoderInfo | null;
  stats: ExtractStats | null;
  bagPath: string | null;
}

export interface RunRequest {
  jobKey: string;
  /** What is done with the slide (issue 13): encode it, QC it only, or nothing (`slide` is then null). Default features. */
  slideWork?: SlideWork;
  /** The case has a slide even when `slide` is null (not used by the model, or skipped: see notes). */
  caseHasSlide?: boolean;
  /** The user asked for slide QC. */
  slideQc?: boolean;
  /** Warnings decided before the run, e.g. a slide skipped for a missing tile encoder or µm/px. */
  notes?: Warning[];
  /** µm/px a user entered for the slide (then also tiling.slideMpp). */
  userMpp?: UserMpp | null;
  model: { dir: string; manifest: ModelManifest; digest: string; modelPath: string };
  encoder: EncoderRef | null;
  slide: SlideRef | null;
  genomics: GenomicsRef | null;
  tiling?: TileGridParamsInput;
  tissue?: TissueParamsInput;
  cacheRoot: string;
  providers: ProviderRequest;
  perf?: PerfOptions;
  appVersion: string;
}

export interface RunInfo {
  features: SlideFeaturesInfo | null;
  session: SessionProvenance;
  timingsMs: Record<string, number>;
}

export interface RunOutput {
  result: AnalysisResult;
  run: RunInfo;
}

export type AnalysisWorkerApi = {
  run: { params: RunRequest; result: RunOutput };
  features: { params: FeatureRequest; result: SlideFeaturesInfo };
  progress: { params: { jobKey: string }; result: AnalysisProgress | null };
  cancel: { params: { jobKey: string }; result: { cancelled: boolean } };
  /** How many ONNX sessions this worker opened and reused (worker-sessions.ts). */
  sessions: { params: Record<string, never>; result: SessionCounts };
};
