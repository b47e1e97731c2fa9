/**
 * The one contract: channel name -> { request, response, access }. Each area declares its channels in its own
 * file; this index only merges them. Renderer, preload, router, bridge and tests all import from here.
 */
import type { z } from 'zod';
import { authChannels } from './auth.ts';
import { patientChannels } from './patients.ts';
import { auditChannels } from './audit.ts';
import { slideChannels } from './slides.ts';
import { encoderChannels } from './encoder.ts';
import { slideSettingsChannels } from './slide-settings.ts';
import { modelChannels } from './models.ts';
import { genomicsChannels } from './genomics.ts';
import { analysisChannels } from './analysis.ts';
import { auditViewChannels } from './audit-view.ts';
import { reviewChannels } from './review.ts';
import { reportChannels } from './report.ts';
import { genomicsViewChannels } from './genomics-view.ts';
import { caseRecordChannels } from './case-records.ts';
import { passwordChannels } from './password.ts';
import { whoCns5Channels } from './who-cns5.ts';
import { fileOriginChannels } from './file-origins.ts';
import type { ChannelDef } from './define.ts';

export const contract = {
  ...authChannels,
  ...patientChannels,
  ...auditChannels,
  ...slideChannels,
  ...encoderChannels,
  ...slideSettingsChannels,
  ...modelChannels,
  ...genomicsChannels,
  ...analysisChannels,
  ...auditViewChannels,
  ...reviewChannels,
  ...reportChannels,
  ...genomicsViewChannels,
  ...caseRecordChannels,
  ...passwordChannels,
  ...whoCns5Channels,
  ...fileOriginChannels,
} as const satisfies Record<string, ChannelDef>;

export type Contract = typeof contract;
export type Channel = keyof Contract;
/** What a caller sends (defaults may be omitted). */
export type RequestOf<C extends Channel> = z.input<Contract[C]['request']>;
/** What a handler receives after parsing (defaults filled in). */
export type ParsedRequestOf<C extends Channel> = z.output<Contract[C]['request']>;
export type ResponseOf<C extends Channel> = z.output<Contract[C]['response']>;

export const CHANNELS = Object.keys(contract) as Channel[];
export function isChannel(name: string): name is Channel {
  return Object.prototype.hasOwnProperty.call(contract, name);
}

/** The envelope every transport (IPC, bridge) returns. */
export type Envelope<T> = { ok: true; value: T } | { ok: false; error: import('../errors.ts').ErrorShape };

export { ROLES, type Role } from './define.ts';
