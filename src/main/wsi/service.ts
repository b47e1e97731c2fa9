/**
 * The slide service: registers slide files with cases and serves everything the viewer needs, always by slide id
 * (a path is accepted only once, when an editor attaches the file; after that the renderer can only name ids, so
 * it cannot make Gliofuse read any other file). All OpenSlide work happens in the engine's worker processes.
 *
 * Hash rule: files up to SHA256_MAX_BYTES are identified by their sha256 (streamed in a worker); larger files by
 * OpenSlide's quickhash-1 (a hash of the slide's lowest-resolution level and properties), which takes
 * milliseconds instead of minutes; a large file without a quickhash still gets sha256.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Db } from '../store/db.ts';
import type { AuditLog } from '../audit/audit-log.ts';
import type { Actor } from '../../shared/actor.ts';
import type { Sessions } from '../auth/sessions.ts';
import { GliofuseError } from '../../shared/errors.ts';
import type {
  DeepZoomDescriptor, QualityFlag, SlideDetail, SlideSummary, TileGridParamsInput, TileGridResponse, TissueParams, TissueParamsInput,
  TissueResponse,
} from '../../shared/contract/slides.ts';
import type { SlideEngine } from './engine.ts';
import { allowListProperties, SENSITIVE_ASSOCIATED, type SlideInfo } from './slide-meta.ts';
import { dziXml } from './deepzoom.ts';
import { qualityFlags } from './quality.ts';
import { computeTileGrid } from './tiler.ts';
import { normalizeTissueParams } from './tissue.ts';
import type { TissueWire } from './slide-api.ts';
import { LruCache } from './lru.ts';
import { nextFileLabel, recordFileOrigin } from '../file-origins/file-labels.ts';

export const SHA256_MAX_BYTES = 1024 ** 3;

/** The µm/px a user entered for a slide (migration 0040), with who and when. */
function userMppOf(r: Pick<SlideRow, 'user_mpp' | 'user_mpp_by' | 'user_mpp_at' | 'user_mpp_by_name'>): SlideSummary['userMpp'] {
  if (r.user_mpp === null || r.user_mpp === undefined) return null;
  return { value: r.user_mpp, enteredBy: r.user_mpp_by_name ?? `user ${r.user_mpp_by ?? '?'}`, enteredAt: r.user_mpp_at ?? '' };
}

function storedTissueParams(r: Pick<SlideRow, 'tissue_params_json'>): TissueParams | null {
  if (!r.tissue_params_json) return null;
  try {
    return normalizeTissueParams(JSON.parse(r.tissue_params_json) as TissueParamsInput);
  } catch {
    return null;
  }
}

export interface SlideServiceDeps {
  db: Db;
  audit: AuditLog;
  engine: SlideEngine;
  /** Resolves the actor of a tile request from its session (for auditing refusals). */
  sessions?: Sessions;
  now?: () => Date;
}

interface SlideRow {
  id: number; case_id: number; path: string; file_name: string; size_bytes: number; hash_kind: 'sha256' | 'quickhash1'; hash: string;
  vendor: string | null; width: number | null; height: number | null; mpp_x: number | null; mpp_y: number | null;
  metadata_json: string; quality_json: string; added_by: number; added_at: string;
  objective_power: number | null; mpp_source: 'openslide' | 'tiff-resolution' | null; quickhash: string | null; tissue_json: string | null;
  pseudonym: string; added_by_name: string | null;
  // migration 0040: what users entered for this slide
  user_mpp: number | null; user_mpp_by: number | null; user_mpp_at: string | null; user_mpp_by_name: string | null; tissue_params_json: string | null;
}

interface StoredMetadata {
  properties: Record<string, string>;
  levels: { width: number; height: number; downsample: number }[];
  associatedImages: { name: string; width: number; height: number }[];
}

interface StoredTissue {
  tissueFraction: number;
  tissueAreaMm2: number | null;
  threshold: number;
  thresholdRule?: TissueResponse['thresholdRule'];
  otsuThreshold?: number | null;
  objects: number;
  params: TissueResponse['params'];
}

const SLIDE_SELECT = `SELECT s.*, p.pseudonym, u.display_name AS added_by_name, um.display_name AS user_mpp_by_name FROM slides s
  JOIN cases c ON c.id = s.case_id JOIN patients p ON p.id = c.patient_id LEFT JOIN users u ON u.id = s.added_by
  LEFT JOIN users um ON um.id = s.user_mpp_by`;

function parse<T>(json: string | null, fallback: T): T {
  if (!json) return fallback;
  try { return JSON.parse(json) as T; } catch { return fallback; }
}

const dataUrl = (mime: string, b: Buffer) => `data:${mime};base64,${b.toString('base64')}`;

/** A tile address part: a whole number given as number or decimal string (nothing else). */
function addressPart(v: unknown, name: string, max: number): number {
  const n = typeof v === 'number' ? v : typeof v === 'string' && /^\d{1,10}$/.test(v) ? Number(v) : NaN;
  if (!Number.isInteger(n) || n < 0 || n > max) throw new GliofuseError('BAD_INPUT', `Invalid tile ${name}.`);
  return n;
}

export class SlideService {
  private readonly now: () => Date;
  private readonly rowCache = new LruCache<number, SlideRow>(256, () => 1);
  private readonly tissueCache = new LruCache<string, TissueWire>(16, () => 1);
  /** Last audit time per refusal kind, so a broken viewer cannot flood the audit log with identical refusals. */
  private readonly refusalSeen = new Map<string, number>();

  constructor(private readonly d: SlideServiceDeps) {
    this.now = d.now ?? (() => new Date());
  }

  get engine(): SlideEngine {
    return this.d.engine;
  }

  private async row(id: number): Promise<SlideRow> {
    const hit = this.rowCache.get(id);
    if (hit) return hit;
    const r = await this.d.db.get<SlideRow>(`${SLIDE_SELECT} WHERE s.id = ?`, [id]);
    if (!r) throw new GliofuseError('NOT_FOUND', `No slide with id ${id}.`);
    this.rowCache.set(id, r);
    return r;
  }

  /** The registered file of a slide and its live metadata (for the analysis pipeline). */
  async slideFile(id: number): Promise<{ path: string; info: SlideInfo; patientPseudonym: string; caseId: number }> {
    const r = await this.row(id);
    return { path: r.path, info: await this.d.engine.info(r.path), patientPseudonym: r.pseudonym, caseId: r.case_id };
  }

  private summary(r: SlideRow): SlideSummary {
    const tissue = parse<StoredTissue | null>(r.tissue_json, null);
    return {
      id: r.id, caseId: r.case_id, patientPseudonym: r.pseudonym, fileName: r.file_name, sizeBytes: r.size_bytes,
      hashKind: r.hash_kind, hash: r.hash, vendor: r.vendor, width: r.width, height: r.height, mppX: r.mpp_x, mppY: r.mpp_y,
      mppSource: r.mpp_source, objectivePower: r.objective_power, quality: parse<QualityFlag[]>(r.quality_json, []),
      tissueFraction: tissue?.tissueFraction ?? null, addedBy: r.added_by_name ?? `user ${r.added_by}`, addedAt: r.added_at,
      available: fs.existsSync(r.path),
      userMpp: userMppOf(r),
      tissueParams: storedTissueParams(r),
    };
  }

  private detail(r: SlideRow): SlideDetail {
    const meta = parse<StoredMetadata>(r.metadata_json, { properties: {}, levels: [], associatedImages: [] });
    return {
      ...this.summary(r),
      levels: meta.levels ?? [],
      associatedImages: (meta.associatedImages ?? []).map((a) => ({ ...a, sensitive: SENSITIVE_ASSOCIATED.has(a.name) })),
      quickhash: r.quickhash,
      properties: meta.properties ?? {},
      tissue: parse<StoredTissue | null>(r.tissue_json, null),
    };
  }

  async attach(actor: Actor, req: { caseId: number; path: string }): Promise<SlideDetail> {
    const c = await this.d.db.get<{ id: number; pseudonym: string }>('SELECT c.id, p.pseudonym FROM cases c JOIN patients p ON p.id = c.patient_id WHERE c.id = ?', [req.caseId]);
    if (!c) throw new GliofuseError('NOT_FOUND', `No case with id ${req.caseId}.`);
    if (!path.isAbsolute(req.path)) throw new GliofuseError('BAD_INPUT', 'Give the full path of the slide file.');
    const file = path.resolve(req.path);
    await this.d.engine.forget(file); // a file replaced at the same path must be read afresh
    const info = await this.d.engine.info(file);
    let hashKind: 'sha256' | 'quickhash1';
    let hash: string;
    if (info.sizeBytes > SHA256_MAX_BYTES && info.quickhash) {
      hashKind = 'quickhash1';
      hash = info.quickhash;
    } else {
      hashKind = 'sha256';
      hash = (await this.d.engine.sha256(file)).sha256;
    }
    const existing = await this.d.db.get<{ id: number }>('SELECT id FROM slides WHERE case_id = ? AND hash = ?', [req.caseId, hash]);
    if (existing) throw new GliofuseError('CONFLICT', `This slide is already attached to the case (slide ${existing.id}).`);

    // Reading the tissue mask also proves the pixels are readable (a truncated file fails here, not in the viewer).
    const tissue = await this.d.engine.tissue(file);
    const flags = qualityFlags(info, tissue);
    const meta: StoredMetadata = {
      properties: allowListProperties(info.properties),
      levels: info.levels.map((l) => ({ width: l.width, height: l.height, downsample: l.downsample })),
      associatedImages: info.associatedImages,
    };
    const storedTissue: StoredTissue = { tissueFraction: tissue.tissueFraction, tissueAreaMm2: tissue.tissueAreaMm2, threshold: tissue.threshold, thresholdRule: tissue.thresholdChoice.rule, otsuThreshold: tissue.thresholdChoice.otsu, objects: tissue.objects, params: tissue.params };
    const ts = this.now().toISOString();
    const id = await this.d.db.transaction(async (tx) => {
      // The store, reports and exports carry a pseudonymised label; the file's own name stays in the PHI table.
      const label = await nextFileLabel(tx, 'slide', req.caseId, hash);
      const { lastID } = await tx.run(
        `INSERT INTO slides (case_id, path, file_name, size_bytes, hash_kind, hash, vendor, width, height, mpp_x, mpp_y,
          metadata_json, quality_json, added_by, added_at, objective_power, mpp_source, quickhash, tissue_json)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        [req.caseId, file, label, info.sizeBytes, hashKind, hash, info.vendor, info.width, info.height, info.mppX, info.mppY,
          JSON.stringify(meta), JSON.stringify(flags), actor.userId, ts, info.objectivePower, info.mppSource, info.quickhash, JSON.stringify(storedTissue)],
      );
      await this.d.audit.appendTx(tx, actor, {
        action: 'slide.attached', entityType: 'slide', entityId: lastID, patientPseudonym: c.pseudonym,
        after: { caseId: req.caseId, fileName: label, sizeBytes: info.sizeBytes, hashKind, hash, vendor: info.vendor, width: info.width, height: info.height, quality: flags.map((f) => f.code) },
      });
      await recordFileOrigin(tx, 'slide', lastID, info.fileName, file);
      return lastID;
    });
    return this.detail(await this.row(id));
  }

  async list(caseId: number): Promise<{ slides: SlideSummary[]; patientPseudonym: string }> {
    const c = await this.d.db.get<{ pseudonym: string }>('SELECT p.pseudonym FROM cases c JOIN patients p ON p.id = c.patient_id WHERE c.id = ?', [caseId]);
    if (!c) throw new GliofuseError('NOT_FOUND', `No case with id ${caseId}.`);
    const rows = await this.d.db.all<SlideRow>(`${SLIDE_SELECT} WHERE s.case_id = ? AND s.detached_at IS NULL ORDER BY s.id`, [caseId]);
    return { slides: rows.map((r) => this.summary(r)), patientPseudonym: c.pseudonym };
  }

  async get(id: number): Promise<SlideDetail> {
    return this.detail(await this.row(id));
  }

  async dzi(id: number): Promise<DeepZoomDescriptor> {
    const r = await this.row(id);
    const layout = await this.d.engine.deepZoom(r.path);
    return {
      slideId: id, width: layout.width, height: layout.height, tileSize: layout.tileSize, overlap: layout.overlap, format: 'jpeg',
      levelCount: layout.levelCount, levels: layout.levels.map((l) => ({ width: l.width, height: l.height, cols: l.cols, rows: l.rows })),
      xml: dziXml(layout, 'jpeg'), tilePath: `${id}/{level}/{col}_{row}.jpeg`,
      mppX: r.mpp_x, mppY: r.mpp_y, objectivePower: r.objective_power,
    };
  }

  private async tissueOf(r: SlideRow, input?: TissueParamsInput): Promise<TissueWire> {
    // No parameters in the request: the ones chosen for this slide (slides.setTissueParams), else the defaults.
    const params = normalizeTissueParams(input ?? storedTissueParams(r) ?? undefined);
    const key = `${r.id}:${JSON.stringify(params)}`;
    const hit = this.tissueCache.get(key);
    if (hit) return hit;
    const t = await this.d.engine.tissue(r.path, params);
    this.tissueCache.set(key, t);
    return t;
  }

  async tissue(id: number, input?: TissueParamsInput): Promise<TissueResponse> {
    const r = await this.row(id);
    const t = await this.tissueOf(r, input);
    return {
      slideId: id, maskPng: dataUrl('image/png', Buffer.from(t.maskPng)), maskWidth: t.width, maskHeight: t.height,
      downsampleX: t.downsampleX, downsampleY: t.downsampleY, sourceLevel: t.sourceLevel,
      tissueFraction: t.tissueFraction, tissueAreaMm2: t.tissueAreaMm2, threshold: t.threshold, thresholdRule: t.thresholdChoice.rule,
      otsuThreshold: t.thresholdChoice.otsu, objects: t.objects, params: t.params,
    };
  }

  async tileGrid(id: number, params?: TileGridParamsInput, tissueParams?: TissueParamsInput): Promise<TileGridResponse> {
    const r = await this.row(id);
    const info = await this.d.engine.info(r.path);
    // The µm/px a user entered for this slide applies unless the request names one (the grid the analysis uses).
    if (params?.slideMpp === undefined && r.user_mpp !== null) params = { ...params, slideMpp: r.user_mpp };
    computeTileGrid(info, null, params); // MPP rule first: a slide without resolution fails before the mask is computed
    const t = await this.tissueOf(r, tissueParams);
    const g = computeTileGrid(info, t, params);
    return {
      slideId: id, params: g.params, level: g.level, levelDownsample: g.levelDownsample, slideMpp: g.slideMpp, mppSource: g.mppSource,
      effectiveMpp: g.effectiveMpp, tileWidthL0: g.tileWidthL0, tileHeightL0: g.tileHeightL0, cols: g.cols, rows: g.rows,
      count: g.tiles.length, tiles: g.tiles.map((x) => [x.x, x.y, x.tissue] as [number, number, number]), warnings: g.warnings,
    };
  }

  /**
   * The slide's µm/px as entered by a user (null clears it). Stored apart from the file's own value, audited with
   * the file's value beside it so the log shows what was overridden.
   */
  async setMpp(actor: Actor, id: number, mpp: number | null): Promise<SlideDetail> {
    const r = await this.row(id);
    if (mpp !== null && !(mpp > 0 && mpp <= 100)) throw new GliofuseError('BAD_INPUT', 'The slide µm/px must be a positive number up to 100 (e.g. 0.25 at 40×, 0.5 at 20×).');
    const ts = this.now().toISOString();
    await this.d.db.transaction(async (tx) => {
      await tx.run('UPDATE slides SET user_mpp = ?, user_mpp_by = ?, user_mpp_at = ? WHERE id = ?', [mpp, mpp === null ? null : actor.userId, mpp === null ? null : ts, id]);
      await this.d.audit.appendTx(tx, actor, {
        action: mpp === null ? 'slide.mpp_cleared' : 'slide.mpp_entered', entityType: 'slide', entityId: id, patientPseudonym: r.pseudonym,
        before: { userMpp: r.user_mpp }, after: { userMpp: mpp, fileMpp: r.mpp_x, fileMppSource: r.mpp_source, fileName: r.file_name },
      });
    });
    this.rowCache.delete(id);
    return this.detail(await this.row(id));
  }

  /** Tissue-detection parameters chosen for this slide (null = defaults); its analyses use them. Audited. */
  async setTissueParams(actor: Actor, id: number, input: TissueParamsInput | null): Promise<SlideDetail> {
    const r = await this.row(id);
    const params = input === null ? null : normalizeTissueParams(input);
    await this.d.db.transaction(async (tx) => {
      await tx.run('UPDATE slides SET tissue_params_json = ? WHERE id = ?', [params === null ? null : JSON.stringify(params), id]);
      await this.d.audit.appendTx(tx, actor, {
        action: 'slide.tissue_params_set', entityType: 'slide', entityId: id, patientPseudonym: r.pseudonym,
        before: { params: storedTissueParams(r) }, after: { params },
      });
    });
    this.rowCache.delete(id);
    return this.detail(await this.row(id));
  }

  async associated(actor: Actor, id: number, name: string): Promise<{ name: string; width: number; height: number; dataUrl: string }> {
    const r = await this.row(id);
    const meta = parse<StoredMetadata>(r.metadata_json, { properties: {}, levels: [], associatedImages: [] });
    if (!meta.associatedImages.some((a) => a.name === name)) throw new GliofuseError('NOT_FOUND', `Slide ${id} has no associated image "${name.slice(0, 64)}".`);
    const img = await this.d.engine.associated(r.path, name);
    await this.d.audit.append(actor, {
      action: 'slide.associated_image_viewed', entityType: 'slide', entityId: id, patientPseudonym: r.pseudonym,
      after: { name, sensitive: SENSITIVE_ASSOCIATED.has(name) },
    });
    return { name, width: img.width, height: img.height, dataUrl: dataUrl('image/png', img.png) };
  }

  async thumbnail(id: number, maxSize: number): Promise<{ width: number; height: number; dataUrl: string }> {
    const r = await this.row(id);
    const t = await this.d.engine.thumbnail(r.path, maxSize, 'jpeg');
    return { width: t.width, height: t.height, dataUrl: dataUrl('image/jpeg', t.data) };
  }

  /**
   * Serves one deep-zoom tile of a registered slide. Only ids are accepted (no path can be expressed), unknown ids
   * are NOT_FOUND, malformed or out-of-range addresses BAD_INPUT; every refusal is audited (deduplicated per
   * minute so a misbehaving viewer cannot flood the log).
   */
  async serveSlideTile(slideId: unknown, level: unknown, col: unknown, row: unknown, format: unknown = 'jpeg', ctx: { sessionId?: string; actor?: Actor | null } = {}): Promise<Buffer> {
    let id: number | null = null;
    try {
      id = addressPart(slideId, 'slide id', 2_147_483_647);
      if (id < 1) throw new GliofuseError('BAD_INPUT', 'Invalid tile slide id.');
      const lv = addressPart(level, 'level', 64);
      const c = addressPart(col, 'column', 10_000_000);
      const rw = addressPart(row, 'row', 10_000_000);
      if (format !== 'jpeg' && format !== 'jpg') throw new GliofuseError('BAD_INPUT', 'Tiles are served as JPEG only.');
      const r = await this.row(id);
      return await this.d.engine.dzTile(r.path, lv, c, rw);
    } catch (err) {
      const shape = err instanceof GliofuseError ? err : null;
      if (shape && (shape.code === 'NOT_FOUND' || shape.code === 'BAD_INPUT')) await this.auditRefusal(id, shape.code, shape.message, ctx);
      throw err;
    }
  }

  private async auditRefusal(slideId: number | null, code: string, message: string, ctx: { sessionId?: string; actor?: Actor | null }): Promise<void> {
    const key = `${slideId ?? '-'}:${code}:${message}`;
    const t = this.now().getTime();
    const last = this.refusalSeen.get(key);
    if (last !== undefined && t - last < 60_000) return;
    this.refusalSeen.set(key, t);
    if (this.refusalSeen.size > 1000) this.refusalSeen.clear();
    const actor = ctx.actor ?? (ctx.sessionId && this.d.sessions ? this.d.sessions.check(ctx.sessionId).actor : null);
    let pseudonym: string | null = null;
    if (slideId !== null && code !== 'NOT_FOUND') pseudonym = (await this.row(slideId).catch(() => null))?.pseudonym ?? null;
    await this.d.audit.append(actor, {
      action: 'slide.tile_refused', entityType: 'slide', entityId: slideId, patientPseudonym: pseudonym, outcome: 'denied', reason: `${code}: ${message}`.slice(0, 300),
    }).catch(() => undefined);
  }

  async close(): Promise<void> {
    await this.d.engine.close();
  }
}
