/**
 * The zod schema of a model package's manifest.json (format: docs/model-package.md). Shared by the loader in the
 * main process and the renderer (which shows labels, the genomic schema and metrics).
 *
 * Strict where a mistake would change what the app computes or claims: hashes, versions, labels, the genomic
 * schema (ranges, imputation, normalisation, aliases), survival bins, validated modalities and the RUO intended
 * use. Unknown extra keys are tolerated (stripped) so a package written by a newer recipe of the same
 * schemaVersion still loads; anything the app relies on is required.
 */
import { z } from 'zod';
import { RUO_STATEMENT } from './ruo.ts';

export const MODALITIES = ['pathology', 'genomics', 'clinical'] as const;
export type Modality = (typeof MODALITIES)[number];

export const FILE_ROLES = ['model', 'tile-encoder', 'oof-predictions', 'cohort', 'clinical-reference', 'other'] as const;
export const FEATURE_GROUPS = ['marker', 'gene_cnv', 'arm_cnv', 'clinical'] as const;
export const FEATURE_TYPES = ['binary', 'integer', 'number'] as const;

const Sha256 = z.string().regex(/^[0-9a-f]{64}$/, 'expected a lowercase hex sha256 (64 characters)');
const SemVer = z
  .string()
  .regex(/^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$/, 'expected a semantic version such as 1.2.0');
export const PackageId = z.string().regex(/^[a-z0-9][a-z0-9-]{0,63}$/, 'lowercase letters, digits and dashes only (max 64)');
const NonEmpty = z.string().trim().min(1);
const finite = () => z.number().finite();

/**
 * A path inside the package: relative, forward slashes, no `..`, no leading dot segments. Checked here so a
 * manifest can never make the loader read (or the importer write) outside the package folder.
 */
export const PackagePath = z
  .string()
  .min(1)
  .max(255)
  .refine((p) => !p.startsWith('/') && !/^[A-Za-z]:/.test(p) && !p.includes('\\'), 'must be a relative path with forward slashes')
  .refine((p) => p.split('/').every((seg) => seg.length > 0 && seg !== '.' && seg !== '..' && !seg.startsWith('.')), 'must not contain empty, "." , ".." or hidden segments')
  .refine((p) => p !== 'manifest.json', 'manifest.json is not listed in its own files');

export const PackageFile = z.object({
  path: PackagePath,
  sha256: Sha256,
  bytes: z.number().int().min(0),
  role: z.enum(FILE_ROLES),
});
export type PackageFile = z.infer<typeof PackageFile>;

const OnnxInputs = z.object({
  patchFeatures: NonEmpty,
  patchMask: NonEmpty,
  genomics: NonEmpty,
  genomicsMask: NonEmpty,
  modalityPresent: NonEmpty,
});
const OnnxOutputs = z.object({
  gradeProbs: NonEmpty,
  classProbs: NonEmpty,
  hazards: NonEmpty,
  survival: NonEmpty,
  risk: NonEmpty,
  patchAssignment: NonEmpty,
  patchAttention: NonEmpty,
  modalityContributions: NonEmpty,
});
export type OnnxInputNames = z.infer<typeof OnnxInputs>;
export type OnnxOutputNames = z.infer<typeof OnnxOutputs>;

export const TileEncoder = z.object({
  id: NonEmpty,
  /** A file inside the package (listed in `files` with role tile-encoder), or null when fetched from upstreamUrl. */
  file: PackagePath.nullable(),
  upstreamUrl: z.string().url().nullable(),
  sha256: Sha256,
  inputName: NonEmpty,
  outputName: NonEmpty,
  inputSize: z.number().int().min(16).max(4096),
  mppTarget: z.number().positive().max(100),
  featureDim: z.number().int().min(1).max(65536),
  normalisation: z.object({
    mean: z.array(finite()).length(3),
    std: z.array(z.number().positive()).length(3),
    scale: z.enum(['0..1', '0..255']),
  }),
  note: z.string().optional(),
}).refine((t) => t.file !== null || t.upstreamUrl !== null, { message: 'a tile encoder needs a file in the package or an upstreamUrl' });

export const GenomicFeature = z
  .object({
    id: z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/, 'feature ids use letters, digits, "_", "." and "-" only'),
    displayName: NonEmpty,
    group: z.enum(FEATURE_GROUPS),
    type: z.enum(FEATURE_TYPES),
    min: finite(),
    max: finite(),
    unit: z.string().min(1).nullable(),
    impute: finite(),
    normalise: z.object({ mean: finite(), std: z.number().positive().finite() }),
    aliases: z.array(NonEmpty).default([]),
  })
  .superRefine((f, ctx) => {
    if (f.min > f.max) ctx.addIssue({ code: 'custom', message: `min ${f.min} is above max ${f.max}`, path: ['min'] });
    if (f.impute < f.min || f.impute > f.max) ctx.addIssue({ code: 'custom', message: `impute value ${f.impute} is outside [${f.min}, ${f.max}]`, path: ['impute'] });
    if (f.type === 'binary' && (f.min !== 0 || f.max !== 1)) ctx.addIssue({ code: 'custom', message: 'a binary feature has min 0 and max 1', path: ['type'] });
    // No integer check on `impute`: it is the training-cohort mean (0.37 for a binary marker is valid).
  });
export type GenomicFeature = z.infer<typeof GenomicFeature>;

/** How column names are compared (docs/model-package.md): case-insensitively after trimming. */
export function normaliseColumnName(name: string): string {
  return name.trim().toLowerCase();
}

export const GenomicSchema = z
  .object({
    features: z.array(GenomicFeature).min(1).max(10000),
    idColumnAliases: z.array(NonEmpty).default([]),
    /**
     * Feature ids that must be observed: the analysis refuses a profile that lacks any of them instead of imputing
     * it (issue 12 §5; the reference package names IDH and 1p/19q). Optional: older packages declare none.
     */
    requiredObserved: z.array(NonEmpty).optional(),
    /** The most features a profile may leave missing (imputed); more and the analysis refuses. Optional. */
    maxImputed: z.number().int().min(0).optional(),
  })
  .superRefine((s, ctx) => {
    const known = new Set(s.features.map((f) => f.id));
    (s.requiredObserved ?? []).forEach((id, i) => {
      if (!known.has(id)) ctx.addIssue({ code: 'custom', message: `required feature ${id} is not in the schema`, path: ['requiredObserved', i] });
    });
    // Every id and alias must resolve to exactly one feature, or a CSV column could be read into the wrong input.
    const ids = new Set<string>();
    const seen = new Map<string, string>();
    s.features.forEach((f, i) => {
      if (ids.has(f.id)) ctx.addIssue({ code: 'custom', message: `feature id ${f.id} appears twice`, path: ['features', i, 'id'] });
      ids.add(f.id);
      for (const name of [f.id, ...f.aliases]) {
        const key = normaliseColumnName(name);
        const prev = seen.get(key);
        if (prev !== undefined && prev !== f.id) {
          ctx.addIssue({ code: 'custom', message: `column name "${name}" is claimed by both ${prev} and ${f.id}`, path: ['features', i, 'aliases'] });
        }
        seen.set(key, f.id);
      }
    });
    s.idColumnAliases.forEach((a, i) => {
      const owner = seen.get(normaliseColumnName(a));
      if (owner !== undefined) ctx.addIssue({ code: 'custom', message: `id column alias "${a}" is also a name of feature ${owner}`, path: ['idColumnAliases', i] });
    });
  });
export type GenomicSchema = z.infer<typeof GenomicSchema>;

const uniqueStrings = (what: string) =>
  z.array(NonEmpty).min(1).refine((a) => new Set(a).size === a.length, `${what} must be unique`);

export const Labels = z
  .object({
    grade: uniqueStrings('grade labels'),
    class: uniqueStrings('class labels'),
    classDisplay: z.array(NonEmpty),
  })
  .refine((l) => l.classDisplay.length === l.class.length, { message: 'classDisplay needs one entry per class', path: ['classDisplay'] });

export const SurvivalSpec = z.object({
  /** Bin edges in days: starts at 0, strictly increasing; the last edge may be null (= open-ended, infinity). */
  binEdgesDays: z
    .array(finite().min(0).nullable())
    .min(2)
    .superRefine((e, ctx) => {
      if (e[0] !== 0) ctx.addIssue({ code: 'custom', message: 'the first bin edge is 0 days' });
      for (let i = 1; i < e.length; i++) {
        const prev = e[i - 1];
        const cur = e[i];
        if (cur === null && i !== e.length - 1) ctx.addIssue({ code: 'custom', message: 'only the last bin edge may be open (null)', path: [i] });
        if (prev === null || prev === undefined) continue;
        if (cur !== null && cur !== undefined && cur <= prev) ctx.addIssue({ code: 'custom', message: 'bin edges must increase strictly', path: [i] });
      }
    }),
  riskGroups: z
    .object({
      cutoffs: z.array(finite()).min(1),
      names: z.array(NonEmpty).min(2),
      source: NonEmpty,
    })
    .refine((g) => g.names.length === g.cutoffs.length + 1, { message: 'risk groups need one more name than cut-offs', path: ['names'] })
    .refine((g) => g.cutoffs.every((c, i) => i === 0 || c > (g.cutoffs[i - 1] as number)), { message: 'risk cut-offs must increase strictly', path: ['cutoffs'] }),
});

export const Calibration = z.object({
  method: z.enum(['temperature', 'none']),
  gradeTemperature: z.number().positive().finite().nullable().optional(),
  classTemperature: z.number().positive().finite().nullable().optional(),
  fitOn: z.string().optional(),
  /** True when the temperatures are already applied inside the ONNX graph (the app must not apply them again). */
  appliedInModel: z.boolean().optional(),
});

/** Metrics are reported as measured; only the figures the evaluator compares against are typed. */
export const Metrics = z.looseObject({
  protocol: NonEmpty,
  survival: z.looseObject({ cIndexMean: finite(), cIndexSd: finite().optional(), n: z.number().int().positive().optional() }).optional(),
  grade: z.looseObject({
    accuracyMean: finite().optional(),
    accuracySd: finite().optional(),
    balancedAccuracyMean: finite().optional(),
    aucMicroMean: finite().optional(),
    aucMicroSd: finite().optional(),
    aucMacroMean: finite().optional(),
    n: z.number().int().positive().optional(),
  }).optional(),
  baselines: z.record(z.string(), z.unknown()).optional(),
  calibration: z.record(z.string(), z.unknown()).optional(),
});
export type Metrics = z.infer<typeof Metrics>;

export const TrainingData = z.looseObject({
  source: NonEmpty,
  patients: z.number().int().min(0),
  licence: NonEmpty,
  provenance: NonEmpty,
});

export const ModelManifest = z
  .object({
    schemaVersion: z.literal(1),
    id: PackageId,
    name: NonEmpty,
    version: SemVer,
    created: z.iso.datetime({ offset: true }),
    architecture: z.literal('UMEML'),
    files: z.array(PackageFile).min(1),
    onnx: z.object({
      opset: z.number().int().min(7).max(30),
      inputs: OnnxInputs,
      outputs: OnnxOutputs,
      /** D: equals tileEncoder.featureDim. */
      patchFeatureDim: z.number().int().min(1).max(65536),
      /** G: equals genomicSchema.features.length. */
      genomicDim: z.number().int().min(1).max(10000),
      prototypes: z.number().int().min(1).max(1024),
    }),
    tileEncoder: TileEncoder,
    genomicSchema: GenomicSchema,
    labels: Labels,
    survival: SurvivalSpec,
    calibration: Calibration,
    validatedModalities: z
      .array(z.enum(MODALITIES))
      .min(1)
      .refine((m) => new Set(m).size === m.length, 'validatedModalities must not repeat'),
    metrics: Metrics,
    /** Optional (older packages have none): where the clinical reference models live and which survival figure leads. */
    clinicalReference: z.looseObject({
      file: PackagePath,
      primaryModelId: NonEmpty,
      primarySurvival: z.enum(['clinical-reference', 'umeml']),
      addedValueLine: NonEmpty,
    }).optional(),
    trainingData: TrainingData,
    intendedUse: z.string().refine((s) => s.includes(RUO_STATEMENT), `intendedUse must contain "${RUO_STATEMENT}"`),
    /** Never stored: the loader computes the package digest (sha256 of the manifest bytes). */
    sha256: z.null().optional(),
  })
  .superRefine((m, ctx) => {
    const paths = new Set<string>();
    m.files.forEach((f, i) => {
      const key = f.path.toLowerCase(); // case-insensitive file systems (macOS, Windows) would merge these
      if (paths.has(key)) ctx.addIssue({ code: 'custom', message: `file ${f.path} is listed twice`, path: ['files', i, 'path'] });
      paths.add(key);
    });
    const models = m.files.filter((f) => f.role === 'model');
    if (models.length !== 1) ctx.addIssue({ code: 'custom', message: `a package lists exactly one file with role "model" (found ${models.length})`, path: ['files'] });
    if (!m.files.some((f) => f.path === 'MODEL_CARD.md')) ctx.addIssue({ code: 'custom', message: 'MODEL_CARD.md must be listed in files', path: ['files'] });
    if (m.onnx.patchFeatureDim !== m.tileEncoder.featureDim) {
      ctx.addIssue({ code: 'custom', message: `onnx.patchFeatureDim ${m.onnx.patchFeatureDim} differs from tileEncoder.featureDim ${m.tileEncoder.featureDim}`, path: ['onnx', 'patchFeatureDim'] });
    }
    if (m.onnx.genomicDim !== m.genomicSchema.features.length) {
      ctx.addIssue({ code: 'custom', message: `onnx.genomicDim ${m.onnx.genomicDim} differs from the ${m.genomicSchema.features.length} features of the genomic schema`, path: ['onnx', 'genomicDim'] });
    }
    const te = m.tileEncoder;
    if (te.file !== null) {
      const f = m.files.find((x) => x.path === te.file);
      if (!f) ctx.addIssue({ code: 'custom', message: `tile encoder file ${te.file} is not listed in files`, path: ['tileEncoder', 'file'] });
      else if (f.sha256 !== te.sha256) ctx.addIssue({ code: 'custom', message: `tile encoder sha256 differs from the listed file's`, path: ['tileEncoder', 'sha256'] });
    }
  });
export type ModelManifest = z.infer<typeof ModelManifest>;

/** The file with role "model" (the schema guarantees exactly one). */
export function modelFileOf(m: ModelManifest): PackageFile {
  const f = m.files.find((x) => x.role === 'model');
  if (!f) throw new Error('manifest has no model file');
  return f;
}

/** Summarises zod issues as "path: message; …" for a one-line refusal reason. */
export function describeManifestIssues(err: z.ZodError, max = 4): string {
  const parts = err.issues.slice(0, max).map((i) => `${i.path.length ? i.path.join('.') : 'manifest'}: ${i.message}`);
  if (err.issues.length > max) parts.push(`and ${err.issues.length - max} more`);
  return parts.join('; ');
}
