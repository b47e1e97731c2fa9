/** Handlers for the password channels (src/shared/contract/password.ts), beside the service they call. */
import type { passwordChannels } from '../../shared/contract/password.ts';
import { GliofuseError } from '../../shared/errors.ts';
import type { PartialHandlers, HandlerCtx } from '../handler-types.ts';
import type { Actor } from '../../shared/actor.ts';
import type { PasswordService } from './password-service.ts';

function need(ctx: HandlerCtx): Actor {
  if (!ctx.actor) throw new GliofuseError('UNAUTHENTICATED', 'Please sign in first.');
  return ctx.actor;
}

export function passwordHandlers(passwords: PasswordService): PartialHandlers<keyof typeof passwordChannels> {
  return {
    'auth.passwordState': async (_req, ctx) => ({ mustChange: await passwords.mustChange(need(ctx).userId) }),
    'auth.changePassword': async (req, ctx) => {
      await passwords.change(need(ctx), req.currentPassword, req.newPassword);
      return { ok: true as const };
    },
    'users.resetPassword': async (req, ctx) => {
      await passwords.reset(need(ctx), req.id, req.password);
      return { ok: true as const };
    },
  };
}
