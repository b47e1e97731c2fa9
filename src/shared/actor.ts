import type { Role } from './contract/define.ts';

/** Who is doing something: a signed-in user, or the local operator of the CLI (resolved to a user account). */
export interface Actor {
  userId: number;
  username: string;
  displayName: string;
  role: Role;
}
