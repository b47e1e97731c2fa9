/**
 * One analysis inside the analysis worker: slide features (cached or computed) → UMEML model → explanations →
 * AnalysisResult. The host (job manager) stores the result; nothing here touches the database.
 */
import os from 'node:os';
import type { Provenance, Warning } from '../../shared/analysis-result.ts';
import { GliofuseError } from '../../shared/errors.ts';
import type { SessionProvenance } from '../inference/umeml-session.ts';
import { defaultIntraOpThreads } from '../inference/execution-providers.ts';
import type { SlideReader } from '../wsi/slide-reader.ts';
import { GENOMIC_ATTRIBUTION_METHOD, genomicAttributions, heatmapGrid, topPatches } from './explanations.ts';
import { planModalities } from './modalities.ts';
import type { ProgressTracker } from './progress.ts';
import { buildResult } from './result.ts';
import { workerSessions } from './worker-sessions.ts';
import { computeSlideFeatures, type SlideFeatures } from './slide-features.ts';
import { computeSlideQc, slideMppProvenance, slideQualityWarnings, type SlideQcInfo } from './slide-qc.ts';
import type { ProviderRequest, RunOutput, RunRequest } from './worker-api.ts';

function sessionFellBack(s: SessionProvenance): boolean {
  return s.fellBack && s.attempts.some((a) => a.provider !== 'cpu' && !a.ok);
}

export async function runAnalysis(req: RunRequest, reader: SlideReader, tracker: ProgressTracker, checkCancelled: () => void): Promise<RunOutput> {
  const t0 = performance.now();
  const timings: Record<string, number> = {};
  const m = req.model.manifest;
  const schema = m.genomicSchema.features;
  const clinicalIdx = schema.map((f, i) => (f.group === 'clinical' ? i : -1)).filter((i) => i >= 0);
  const g = req.genomics;
  const plan = planModalities(m.validatedModalities, {
    hasSlide: req.slide !== null || Boolean(req.caseHasSlide),
    hasGenomics: g !== null,
    clinicalObserved: g !== null && clinicalIdx.some((i) => (g.mask[i] ?? 0) > 0.5),
    schemaHasClinical: clinicalIdx.length > 0,
    slideQc: Boolean(req.slideQc),
  }, `${m.name} ${m.version}`);
  // Notes decided by the job manager first (a slide left out for a missing encoder or µm/px), then the plan's.
  const warnings: Warning[] = [...(req.notes ?? []), ...plan.warnings];
  // Issue 13: the slide is encoded only for a model that uses it; slide QC (no encoding) only on request.
  const slideWork = req.slide ? (req.slideWork ?? 'features') : 'none';
  let slideQc: SlideQcInfo | null = null;
  if (req.slide && slideWork === 'qc') {
    const tq = performance.now();
    slideQc = await computeSlideQc({ slide: req.slide, tileEncoder: m.tileEncoder, tissue: req.tissue, slideMpp: req.tiling?.slideMpp, minTissue: req.tiling?.minTissue }, reader, tracker, checkCancelled);
    timings.slideQc = performance.now() - tq;
    warnings.push(...slideQualityWarnings(slideQc.qualityFlags, req.userMpp));
    for (const w of slideQc.gridWarnings) warnings.push({ code: 'quality_flag', severity: 'info', message: w });
  }

  // ---- slide → features ---------------------------------------------------------------------------------------
  let features: SlideFeatures | null = null;
  if (req.slide && slideWork === 'features') {
    if (!req.encoder) throw new GliofuseError('INTERNAL', 'a slide analysis needs the tile encoder');
    const ts = performance.now();
    features = await computeSlideFeatures({
      jobKey: req.jobKey, slide: req.slide, tileEncoder: m.tileEncoder, encoder: req.encoder,
      ...(req.tiling ? { tiling: req.tiling } : {}), ...(req.tissue ? { tissue: req.tissue } : {}),
      cacheRoot: req.cacheRoot, providers: req.providers, ...(req.perf ? { perf: req.perf } : {}),
    }, reader, tracker, checkCancelled);
    timings.features = performance.now() - ts;
    warnings.push(...slideQualityWarnings(features.info.qualityFlags, req.userMpp));
    for (const w of features.info.gridWarnings) warnings.push({ code: 'quality_flag', severity: 'info', message: w });
    if (features.info.encoder?.fellBack) {
      warnings.push({ code: 'cpu_fallback', severity: 'warning', message: `The tile encoder ran on CPU: ${features.info.encoder.notices.filter((n) => /could not start/.test(n)).join(' ') || 'the GPU execution provider was not available.'}` });
    }
    // Packages are trained on the int8 encoder's features; its float derivation (GPU providers) moves them a little
    // (docs/figures/float-encoder.json): the user must know a GPU run may differ from a CPU run of the same slide.
    if (features.bag.meta.tileEncoder.variant === 'float32' && plan.usePathology) {
      warnings.push({ code: 'other', severity: 'warning', message: 'The slide features came from the float version of the tile encoder (GPU). This package was validated with the int8 encoder; slide-based outputs may differ slightly from a CPU run of the same slide (docs/inference.md).' });
    }
  }
  checkCancelled();
  const N = features?.bag.meta.count ?? 0;
  let usePathology = plan.usePathology && features !== null;
  if (usePathology && N === 0) {
    usePathology = false;
    if (!warnings.some((w) => w.code === 'no_tissue')) warnings.push({ code: 'no_tissue', severity: 'warning', message: 'No tissue tiles were found on the slide; the pathology pathway was not used.' });
    if (!plan.useGenomics) throw new GliofuseError('BAD_INPUT', 'No tissue tiles were found on the slide and there is no usable genomic profile, so there is nothing to analyse.');
  }

  // ---- model ----------------------------------------------------------------------------------------------------
  tracker.begin('inference', 1);
  const tm = performance.now();
  // Kept for the worker's life in the analysis worker (worker-sessions.ts): later cases reuse it.
  const lease = await workerSessions.umeml(
    { manifest: m, modelPath: req.model.modelPath, digest: req.model.digest },
    { forceCpu: req.providers.forceCpu, requested: req.providers.requested, intraOpThreads: defaultIntraOpThreads(undefined, os.availableParallelism()) },
  );
  const session = lease.value;
  try {
    if (sessionFellBack(session.provenance)) {
      const why = session.provenance.attempts.filter((a) => !a.ok).map((a) => `${a.provider.toUpperCase()}: ${a.error ?? 'unavailable'}`).join('; ');
      warnings.push({ code: 'cpu_fallback', severity: 'warning', message: `The model ran on CPU because the GPU execution provider could not start (${why}).` });
    }
    const D = session.featureDim;
    const patchFeatures = usePathology && features ? features.bag.features : new Float32Array(0);
    const numPatches = usePathology ? N : 0;
    let genomics: Float32Array | null = null;
    let genomicsMask: Float32Array | null = null;
    if (plan.useGenomics && g) {
      genomics = Float32Array.from(g.vector);
      genomicsMask = Float32Array.from(g.mask);
      if (plan.maskClinical) {
        for (const i of clinicalIdx) {
          const f = schema[i] as (typeof schema)[number];
          genomics[i] = (f.impute - f.normalise.mean) / f.normalise.std;
          genomicsMask[i] = 0;
        }
      }
    }
    const present = { pathology: usePathology, genomics: genomics !== null };
    if (patchFeatures.length !== numPatches * D) throw new GliofuseError('INTEGRITY', `cached features are ${patchFeatures.length / Math.max(1, numPatches)}-dimensional; the model expects ${D}`);
    const out = await session.run({ patchFeatures, numPatches, genomics, genomicsMask, modalityPresent: present });
    tracker.set(1);
    timings.inference = performance.now() - tm;
    checkCancelled();

    // ---- explanations ------------------------------------------------------------------------------------------
    const te = performance.now();
    const observed = genomicsMask ? genomicsMask.reduce((s, v) => s + (v > 0.5 ? 1 : 0), 0) : 0;
    tracker.begin('explanations', 1 + observed);
    const coords = features?.bag.meta.coords ?? [];
    const heatmap = usePathology && features ? heatmapGrid(coords, out.patchAttention, features.grid) : null;
    const tops = usePathology && features ? topPatches(coords, out.patchAttention, out.patchAssignment, out.prototypes, Math.round(features.grid.spacingX)) : [];
    tracker.advance(1);
    let attributions: Awaited<ReturnType<typeof genomicAttributions>> = [];
    if (genomics && genomicsMask && g) {
      attributions = await genomicAttributions(schema, genomics, genomicsMask, g.values, { risk: out.risk, classProbs: out.classProbs }, async (gv, gm) => {
        const r = await session.run({ patchFeatures, numPatches, genomics: gv, genomicsMask: gm, modalityPresent: present });
        tracker.advance(1);
        return { risk: r.risk, classProbs: r.classProbs };
      }, checkCancelled);
      const imputed = schema.filter((_, i) => (genomicsMask[i] ?? 0) < 0.5);
      if (imputed.length > 0) {
        const names = imputed.map((f) => f.displayName);
        warnings.push({
          code: 'imputed_genomic_fields', severity: imputed.length > schema.length / 2 ? 'warning' : 'info',
          message: `${imputed.length} of ${schema.length} genomic/clinical fields were missing and imputed with the training-cohort value: ${names.slice(0, 12).join(', ')}${names.length > 12 ? `, and ${names.length - 12} more` : ''}.`,
        });
      }
    }
    timings.explanations = performance.now() - te;

    // ---- provenance ----------------------------------------------------------------------------------------------
    const sp = session.provenance;
    const enc = features?.info.encoder ?? null;
    // The provider that ran this case: a genomics-only input runs on the CPU session even when the model's session
    // is on a GPU provider (umeml-session.ts, zeroPatchProvider).
    const modelProvider = session.providerFor(numPatches);
    const executionProvider = enc && enc.provider !== modelProvider ? `tile encoder: ${enc.provider}; model: ${modelProvider}` : modelProvider;
    const usedModalities = plan.usedModalities.filter((x) => x !== 'pathology' || usePathology);
    const provenance: Provenance = {
      modelId: m.id,
      modelVersion: m.version,
      modelSha256: sp.modelSha256,
      packageDigest: sp.packageDigest,
      validatedModalities: [...m.validatedModalities],
      usedModalities,
      executionProvider,
      onnxruntimeVersion: sp.ortVersions.common,
      // The file whose features were used: the int8 encoder, or its float derivation when a GPU provider ran it.
      tileEncoder: req.slide && req.encoder ? { id: m.tileEncoder.id, sha256: features?.bag.meta.tileEncoder.sha256 ?? req.encoder.sha256, variant: features?.bag.meta.tileEncoder.variant ?? 'int8' } : null,
      preprocessing: {
        tiling: features ? { ...(features.bag.meta.tiling ?? {}), mpp: features.bag.meta.mpp, tileSize: features.bag.meta.tileSize, tiles: N } : null,
        // Issue 13: slide QC run without encoding, and where the slide's µm/px came from (the file, or a user).
        slideQc,
        slideMpp: features?.bag.meta.tiling
          ? slideMppProvenance({ slideMpp: Number(features.bag.meta.tiling.slideMpp), mppSource: String(features.bag.meta.tiling.mppSource) }, req.userMpp)
          : slideQc ? slideMppProvenance(slideQc, req.userMpp) : null,
        normalisation: req.slide && features ? m.tileEncoder.normalisation : null,
        featureCache: features ? { key: features.info.cacheKey, hit: features.info.cacheHit, encodedTiles: features.info.encodedTiles } : null,
        executionProviders: {
          model: {
            provider: sp.executionProvider, ranOn: modelProvider, attempts: sp.attempts, notices: sp.notices, fellBack: sp.fellBack,
            adapter: sp.adapter, intraOpThreads: sp.intraOpNumThreads, sessionReused: lease.reused,
          },
          tileEncoder: enc ? { provider: enc.provider, attempts: enc.attempts, notices: enc.notices, fellBack: enc.fellBack, adapter: enc.adapter, threads: enc.threads } : null,
        },
        genomics: g ? { observed, derivedAge: g.derivedAge ?? null, clinicalMasked: plan.maskClinical } : null,
        platform: `${sp.platform}-${sp.arch}`,
      },
      slide: req.slide && features ? { hashKind: features.slideHash.hashKind, hash: features.slideHash.hash, fileName: req.slide.fileName }
        : req.slide && slideQc && req.slide.hash ? { hashKind: req.slide.hashKind ?? 'sha256', hash: req.slide.hash, fileName: req.slide.fileName } : null,
      genomics: g ? { sourceSha256: g.sourceSha256, fileName: g.fileName } : null,
      appVersion: req.appVersion,
      createdAt: new Date().toISOString(),
    };

    const result = buildResult({
      manifest: m,
      output: out,
      heatmap,
      topPatches: tops,
      genomicAttributions: attributions,
      genomicAttributionMethod: GENOMIC_ATTRIBUTION_METHOD,
      pathologyIsEvidence: usePathology && plan.pathologyIsEvidence,
      warnings,
      provenance,
    });
    tracker.set(1 + observed);
    timings.total = performance.now() - t0;
    return { result, run: { features: features?.info ?? null, session: sp, timingsMs: timings } };
  } finally {
    await lease.release();
  }
}
