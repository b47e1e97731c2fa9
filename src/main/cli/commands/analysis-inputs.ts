/**
 * Everything `gliofuse analyze` (and each `batch` row) is given is checked here BEFORE the first write (issue 12
 * §2): the pseudonym, the dates, the genomic profile against the package schema and its minimum evidence, the
 * slide (readable, with tissue when it is the only input), the model's validated modalities, the case's state.
 * A command that fails here leaves no patient, case, slide or profile behind — one more on every retry was the bug.
 * Only a NOT_FOUND from the patient lookup means "create the patient"; any other lookup error is reported.
 */
import fs from 'node:fs';
import path from 'node:path';
import crypto from 'node:crypto';
import { z } from 'zod';
import type { Services } from '../../services.ts';
import type { VerifiedPackage } from '../../inference/model-packages.ts';
import type { Patient } from '../../../shared/contract/patients.ts';
import { Pseudonym } from '../../../shared/contract/patients.ts';
import { PastDate, safeLine } from '../../../shared/contract/safe-text.ts';
import { GliofuseError, badInput } from '../../../shared/errors.ts';
import { MAX_PROFILE_BYTES, profileTooLargeMessage } from '../../../shared/input-limits.ts';
import { quoteForMessage } from '../../../shared/text-safety.ts';
import { summariseErrors, validateProfile, type GenomicValidationReport } from '../../genomics/profile.ts';
import { planModalities } from '../../analysis/modalities.ts';
import { resolveEncoder } from '../../analysis/encoder-store.ts';
import { SlideEngine } from '../../wsi/engine.ts';

/** Reads a genomic profile file with the one size limit every command shares (src/shared/input-limits.ts). */
export function readProfileFile(file: string): string {
  let size: number;
  try {
    size = fs.statSync(file).size;
  } catch {
    throw badInput(`Cannot read ${file}.`);
  }
  if (size > MAX_PROFILE_BYTES) throw badInput(profileTooLargeMessage(size));
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    throw badInput(`Cannot read ${file}.`);
  }
}

export interface AnalyzeInputRequest {
  slide: string | null;
  genomicsFile: string | null;
  rowId?: string | undefined;
  patient?: string | undefined;
  accession?: string | undefined;
  collected?: string | undefined;
  birthYear?: number | undefined;
}

export interface CheckedAnalyzeInputs {
  pseudonym: string;
  /** The existing patient, or null: create one (only after every check passed). */
  patient: Patient | null;
  accession: string;
  /** The existing case with this accession, or null. */
  caseId: number | null;
  genomics: { fileName: string; content: string; report: GenomicValidationReport } | null;
}

function parseOr(schema: { safeParse(v: unknown): { success: true; data: string } | { success: false; error: { issues: { message: string }[] } } }, v: string, what: string): string {
  const r = schema.safeParse(v);
  if (!r.success) throw badInput(`${what} "${quoteForMessage(v)}": ${r.error.issues[0]?.message ?? 'invalid'}.`);
  return r.data;
}

export async function checkAnalyzeInputs(s: Services, pkg: VerifiedPackage, o: AnalyzeInputRequest): Promise<CheckedAnalyzeInputs> {
  const pseudonym = o.patient !== undefined ? parseOr(Pseudonym, o.patient, '--patient')
    : o.rowId !== undefined ? parseOr(Pseudonym, o.rowId, '--row-id (used as the patient pseudonym; give --patient)')
    : `ANON-${crypto.randomBytes(4).toString('hex').toUpperCase()}`;
  let patient: Patient | null = null;
  try {
    patient = await s.patients.byPseudonym(pseudonym);
  } catch (e) {
    if (!(e instanceof GliofuseError && e.code === 'NOT_FOUND')) throw e;
  }

  const thisYear = new Date().getUTCFullYear();
  if (o.birthYear !== undefined && (o.birthYear < 1880 || o.birthYear > thisYear)) throw badInput(`--birth-year ${o.birthYear} is not a plausible year of birth (1880–${thisYear}).`);
  const birthYear = patient?.phi.birthYear ?? o.birthYear ?? null;
  if (o.collected !== undefined) {
    parseOr(PastDate, o.collected, '--collected');
    if (birthYear !== null && Number(o.collected.slice(0, 4)) < birthYear) throw badInput(`--collected ${o.collected} is before the patient's birth year ${birthYear}.`);
  }
  const accession = o.accession !== undefined
    ? parseOr(safeLine(64).pipe(z.string().min(1)), o.accession, '--accession')
    : `${pseudonym}-${new Date().toISOString().replace(/[-:]/g, '').slice(0, 15)}`;

  let caseId: number | null = null;
  if (patient) {
    const existing = await s.db.get<{ id: number; status: string }>('SELECT id, status FROM cases WHERE patient_id = ? AND accession = ?', [patient.id, accession]);
    if (existing) {
      if (existing.status === 'signed' || existing.status === 'archived') throw new GliofuseError('CONFLICT', `Case ${accession} is ${existing.status}; it can no longer be analysed.`);
      const active = await s.db.get<{ id: number }>("SELECT id FROM analyses WHERE case_id = ? AND state IN ('queued', 'running') LIMIT 1", [existing.id]);
      if (active) throw new GliofuseError('CONFLICT', `Case ${accession} already has analysis ${active.id} queued or running; wait for it or cancel it.`);
      caseId = existing.id;
    }
  }

  let genomics: CheckedAnalyzeInputs['genomics'] = null;
  if (o.genomicsFile) {
    const content = readProfileFile(o.genomicsFile);
    const fileName = path.basename(o.genomicsFile);
    const { report } = validateProfile({ id: pkg.id, version: pkg.manifest.version, schema: pkg.manifest.genomicSchema }, fileName, content, o.rowId);
    if (!report.ok) throw badInput(`The genomic profile was not imported: ${summariseErrors(report)}.`);
    genomics = { fileName, content, report };
  }

  const m = pkg.manifest;
  const schemaHasClinical = m.genomicSchema.features.some((f) => f.group === 'clinical');
  const clinicalObserved = genomics !== null && (genomics.report.fields.some((f) => f.status === 'observed' && m.genomicSchema.features.find((x) => x.id === f.featureId)?.group === 'clinical')
    || (birthYear !== null && o.collected !== undefined));
  // The same refusal analysis.start would give, but before the patient, case and slide exist.
  planModalities(m.validatedModalities, { hasSlide: o.slide !== null, hasGenomics: genomics !== null, clinicalObserved, schemaHasClinical }, `${m.name} ${m.version}`);

  const genomicsUsable = genomics !== null && m.validatedModalities.includes('genomics');
  if (o.slide) await checkSlide(o.slide, genomicsUsable);
  // A slide that is the only usable input needs the tile encoder; a missing one would fail analysis.start after
  // the patient, case and slide were stored. (With a usable profile the analysis goes ahead without the slide.)
  if (o.slide && !genomicsUsable && m.validatedModalities.includes('pathology')) {
    // Same places the analysis looks (incl. the installer's bundled copy, resourcesDir, where supported).
    const where = { dataDir: s.config.dataDir, packageDir: pkg.dir, resourcesDir: s.config.resourcesPath } as Parameters<typeof resolveEncoder>[1];
    await resolveEncoder(m.tileEncoder, where);
  }
  return { pseudonym, patient, accession, caseId, genomics };
}

/**
 * Opens the slide and computes its tissue mask — what attaching it would do — without storing anything: an
 * unreadable file fails here, and a slide with no tissue at all is refused when there is nothing else to analyse.
 */
async function checkSlide(file: string, hasUsableGenomics: boolean): Promise<void> {
  const engine = new SlideEngine({ workers: 1 });
  try {
    await engine.info(file);
    const tissue = await engine.tissue(file);
    if (tissue.tissuePixels === 0 && !hasUsableGenomics) {
      throw badInput(`No tissue was detected on ${path.basename(file)} and there is no usable genomic profile, so there is nothing to analyse; nothing was stored.`);
    }
  } finally {
    await engine.close();
  }
}
