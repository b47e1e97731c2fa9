/**
 * Passwords (issue 14 item 5): a password someone else chose (the administrator's initial password, or a reset)
 * must be replaced by its user at the next sign-in; everyone can change their own; administrators reset others'.
 * Kept apart from auth.ts so the sign-in channels stay as they are.
 */
import { z } from 'zod';
import { ADMIN_ONLY, channel } from './define.ts';
import { Empty, Id, Ok } from './common.ts';
import { Password } from './auth.ts';

export const passwordChannels = {
  'auth.passwordState': channel({
    request: Empty, response: z.object({ mustChange: z.boolean() }), access: 'any',
    summary: 'whether the signed-in user must choose a new password before anything else',
  }),
  'auth.changePassword': channel({
    request: z.object({ currentPassword: z.string().min(1).max(256), newPassword: Password }).strict(),
    response: Ok, access: 'any', summary: 'change my own password (audited user.password_changed)',
  }),
  'users.resetPassword': channel({
    request: z.object({ id: Id, password: Password }).strict(),
    response: Ok, access: ADMIN_ONLY, summary: "set a new password for another account, to be changed at its next sign-in (audited user.password_reset)",
  }),
};
