/**
 * The tile encoder as the Models page sees it (issue 13.1): status of every encoder Gliofuse knows (installed?
 * from where? sha256, version, licence, which packages use it) and "Install encoder from file…" — checked against
 * the pinned hashes (encoder-install.ts), written atomically into the data folder, audited whether it succeeds or
 * is refused.
 */
import path from 'node:path';
import type { AuditLog } from '../audit/audit-log.ts';
import type { Actor } from '../../shared/actor.ts';
import type { ModelRegistry } from '../inference/model-packages.ts';
import type { EncoderStatus } from '../../shared/contract/encoder.ts';
import { GliofuseError, badInput, toErrorShape } from '../../shared/errors.ts';
import { KNOWN_ENCODERS, resolveEncoder } from './encoder-store.ts';
import { ENCODER_INFO, installEncoderFromFile } from './encoder-install.ts';

export interface EncoderServiceDeps {
  audit: AuditLog;
  models: ModelRegistry;
  dataDir: string;
  resourcesPath?: string | undefined;
  encoderPath?: string | undefined;
}

export class EncoderService {
  constructor(private readonly d: EncoderServiceDeps) {}

  async status(): Promise<{ encoders: EncoderStatus[] }> {
    const packages = (await this.d.models.list()).filter((c) => c.ok && c.manifest);
    const out: EncoderStatus[] = [];
    for (const [id, known] of Object.entries(KNOWN_ENCODERS)) {
      const info = ENCODER_INFO[id] ?? { name: id, version: '—', licence: '—', source: known.upstreamUrl };
      const base = {
        id, name: info.name, version: info.version, licence: info.licence, upstream: info.source, upstreamSha256: known.upstreamSha256,
        usedBy: [...new Set(packages.filter((c) => c.manifest?.tileEncoder.id === id).map((c) => c.manifest?.id ?? ''))],
      };
      try {
        const te = { id, file: null, sha256: known.equivalentSha256[0] ?? '', upstreamUrl: known.upstreamUrl } as Parameters<typeof resolveEncoder>[0];
        const r = await resolveEncoder(te, { dataDir: this.d.dataDir, explicitPath: this.d.encoderPath, resourcesDir: this.d.resourcesPath });
        out.push({ ...base, installed: true, source: r.source, path: r.path, sha256: r.sha256, problem: null });
      } catch (e) {
        const err = toErrorShape(e);
        out.push({ ...base, installed: false, source: null, path: null, sha256: null, problem: err.code === 'NOT_FOUND' ? null : err.message });
      }
    }
    return { encoders: out };
  }

  async install(actor: Actor, req: { path: string; id?: string | undefined }): Promise<EncoderStatus> {
    const id = req.id ?? Object.keys(KNOWN_ENCODERS)[0] ?? '';
    if (!path.isAbsolute(req.path)) throw badInput('Give the full path of the encoder file (.onnx).');
    const fileName = path.basename(req.path);
    try {
      const r = await installEncoderFromFile(id, req.path, this.d.dataDir);
      await this.d.audit.append(actor, {
        action: 'encoder.installed', entityType: 'tile_encoder', entityId: id,
        after: { id, sha256: r.sha256, fileGiven: fileName, fileGivenSha256: r.givenSha256, given: r.given, bytes: r.bytes },
      });
    } catch (e) {
      const err = toErrorShape(e);
      await this.d.audit.append(actor, { action: 'encoder.install_refused', entityType: 'tile_encoder', entityId: id, outcome: 'failure', reason: err.message.slice(0, 300), after: { fileGiven: fileName } });
      throw e;
    }
    const st = (await this.status()).encoders.find((s) => s.id === id);
    if (!st) throw new GliofuseError('INTERNAL', `encoder ${id} vanished from the status list`);
    return st;
  }
}
