/**
 * What `gliofuse batch` leaves in its output folder: `batch-summary-I-of-N.json` (one per shard) and one folder per
 * case with result.json. The schema is read back by `batch merge`, so a folder that is not a batch output, or one
 * written by another build, is refused with the file named instead of being half-understood.
 */
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { badInput } from '../../shared/errors.ts';

export const ShardSummary = z.object({
  manifest: z.string(),
  shard: z.string().regex(/^\d+\/\d+$/),
  rows: z.number().int().min(0),
  selected: z.number().int().min(0),
  succeeded: z.number().int().min(0),
  skipped: z.number().int().min(0),
  failed: z.number().int().min(0),
  cases: z.array(z.object({ caseId: z.string().min(1), status: z.enum(['skipped', 'succeeded', 'failed']), error: z.string().optional() }).passthrough()),
}).passthrough();
export type ShardSummary = z.infer<typeof ShardSummary>;

export const SUMMARY_PATTERN = /^batch-summary-(\d+)-of-(\d+)\.json$/;

export interface FoundSummary {
  dir: string;
  file: string;
  i: number;
  n: number;
  summary: ShardSummary;
}

/** Every shard summary in one batch output folder (a folder may hold several shards' outputs). */
export function readShardSummaries(dir: string): FoundSummary[] {
  const abs = path.resolve(dir);
  if (!fs.statSync(abs, { throwIfNoEntry: false })?.isDirectory()) throw badInput(`${dir}: no such folder.`);
  const files = fs.readdirSync(abs).filter((f) => SUMMARY_PATTERN.test(f)).sort();
  if (files.length === 0) throw badInput(`${dir} has no batch-summary-I-of-N.json: not a \`gliofuse batch\` output folder, or its shard never finished.`);
  return files.map((f) => {
    const file = path.join(abs, f);
    const m = SUMMARY_PATTERN.exec(f)!;
    let json: unknown;
    try {
      json = JSON.parse(fs.readFileSync(file, 'utf8'));
    } catch {
      throw badInput(`${file} is not readable JSON (a shard interrupted while writing it? re-run the shard).`);
    }
    const parsed = ShardSummary.safeParse(json);
    if (!parsed.success) throw badInput(`${file} is not a batch summary this version reads (${parsed.error.issues[0]?.path.join('.') || 'shape'}: ${parsed.error.issues[0]?.message}).`);
    const [i, n] = parsed.data.shard.split('/').map(Number) as [number, number];
    if (i !== Number(m[1]) || n !== Number(m[2])) throw badInput(`${file} says shard ${parsed.data.shard}, its name says ${m[1]}/${m[2]}.`);
    return { dir: abs, file, i, n, summary: parsed.data };
  });
}
