/** Who is signed in, and what they may do. The server enforces roles; this only decides which controls to show. */
import { createContext, useContext } from 'react';
import type { Role } from '../../shared/contract/index.ts';

export interface SessionUser {
  id: number;
  username: string;
  displayName: string;
  role: Role;
}

export interface SessionValue {
  user: SessionUser;
  idleSeconds: number;
  appVersion: string;
  lock: () => void;
  logout: () => void;
}

export const SessionContext = createContext<SessionValue | null>(null);

export function useSession(): SessionValue {
  const s = useContext(SessionContext);
  if (!s) throw new Error('useSession outside a signed-in shell');
  return s;
}

export const canEdit = (role: Role) => role === 'admin' || role === 'pathologist';
export const isAdmin = (role: Role) => role === 'admin';
export const ROLE_LABEL: Record<Role, string> = { admin: 'Administrator', pathologist: 'Pathologist', viewer: 'Viewer (read-only)' };
