/**
 * Read-only access to stored analysis results for review and reports. The `predictions.result_json` column holds
 * exactly one AnalysisResult (src/shared/analysis-result.ts); it is parsed with that schema here so the UI, the
 * sign-off and the PDF all see the same object, and a row that no longer parses is an integrity error, not a blank.
 */
import type { Tx } from '../store/db.ts';
import { AnalysisResult } from '../../shared/analysis-result.ts';
import { GliofuseError } from '../../shared/errors.ts';

export interface StoredResult {
  analysisId: number;
  caseId: number;
  slideId: number | null;
  genomicId: number | null;
  createdAt: string;
  finishedAt: string | null;
  result: AnalysisResult;
}

interface Row {
  id: number;
  case_id: number;
  slide_id: number | null;
  genomic_id: number | null;
  created_at: string;
  finished_at: string | null;
  result_json: string;
}

const SELECT = `SELECT a.id, a.case_id, a.slide_id, a.genomic_id, a.created_at, a.finished_at, p.result_json
  FROM analyses a JOIN predictions p ON p.analysis_id = a.id`;

function toStored(r: Row): StoredResult {
  let json: unknown;
  try {
    json = JSON.parse(r.result_json);
  } catch {
    throw new GliofuseError('INTEGRITY', `The stored result of analysis ${r.id} is not valid JSON; re-run the analysis.`);
  }
  const parsed = AnalysisResult.safeParse(json);
  if (!parsed.success) throw new GliofuseError('INTEGRITY', `The stored result of analysis ${r.id} does not match the result format of this app version; re-run the analysis.`);
  return { analysisId: r.id, caseId: r.case_id, slideId: r.slide_id, genomicId: r.genomic_id, createdAt: r.created_at, finishedAt: r.finished_at, result: parsed.data };
}

/** A succeeded analysis of this case with its result; NOT_FOUND if it is not this case's or has no result. */
export async function resultById(tx: Pick<Tx, 'get'>, caseId: number, analysisId: number): Promise<StoredResult> {
  const r = await tx.get<Row>(`${SELECT} WHERE a.id = ? AND a.case_id = ? AND a.state = 'succeeded'`, [analysisId, caseId]);
  if (!r) throw new GliofuseError('NOT_FOUND', `Case ${caseId} has no finished analysis ${analysisId} with a result.`);
  return toStored(r);
}

/** The newest succeeded analysis of the case with a stored result, or null when none has finished. */
export async function newestResult(tx: Pick<Tx, 'get'>, caseId: number): Promise<StoredResult | null> {
  const r = await tx.get<Row>(`${SELECT} WHERE a.case_id = ? AND a.state = 'succeeded' ORDER BY COALESCE(a.finished_at, a.created_at) DESC, a.id DESC LIMIT 1`, [caseId]);
  return r ? toStored(r) : null;
}
