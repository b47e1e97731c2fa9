/**
 * Hash routing (`#/patients/12`): works the same under Electron's app:// scheme and the bridge, needs no server
 * routes, and survives reloads. Query parameters live after the path inside the hash (`#/patients?q=x&page=2`).
 */
import { useEffect, useState } from 'react';

export interface Route {
  /** Path segments, e.g. ['cases', '12', 'slide']. */
  parts: string[];
  query: URLSearchParams;
}

function parse(hash: string): Route {
  const raw = hash.replace(/^#\/?/, '');
  const [p = '', q = ''] = raw.split('?', 2);
  return { parts: p.split('/').filter(Boolean).map((s) => decodeURIComponent(s)), query: new URLSearchParams(q) };
}

export function useRoute(): Route {
  const [route, setRoute] = useState(() => parse(window.location.hash));
  useEffect(() => {
    const onHash = () => setRoute(parse(window.location.hash));
    window.addEventListener('hashchange', onHash);
    return () => window.removeEventListener('hashchange', onHash);
  }, []);
  return route;
}

/** Builds `#/a/b?x=1` from segments and optional query values (empty values are left out). */
export function href(path: string, query: Record<string, string | number | undefined | null> = {}): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
  const qs = q.toString();
  return `#${path.startsWith('/') ? path : `/${path}`}${qs ? `?${qs}` : ''}`;
}

export function navigate(path: string, query: Record<string, string | number | undefined | null> = {}, opts: { replace?: boolean } = {}): void {
  const target = href(path, query);
  if (opts.replace) {
    history.replaceState(null, '', target);
    window.dispatchEvent(new HashChangeEvent('hashchange'));
  } else {
    window.location.hash = target;
  }
}
