/** The window title names what is open (issue 14 item 9): "Case S25-01234 · GF-0001 — Gliofuse", back to "Gliofuse" on leaving. */
import { useEffect } from 'react';

export const APP_TITLE = 'Gliofuse';

export function useCaseTitle(what: string | null): void {
  useEffect(() => {
    document.title = what ? `${what} — ${APP_TITLE}` : APP_TITLE;
    return () => { document.title = APP_TITLE; };
  }, [what]);
}
