import { useCallback, useEffect, useRef, useState } from 'react';
import { errorMessage } from '../api.ts';

export interface AsyncState<T> {
  data: T | undefined;
  error: string | null;
  loading: boolean;
  reload: () => void;
}

/**
 * Runs `fn` whenever `deps` change and keeps the previous data while reloading, so lists do not collapse and
 * jump while a new page loads. Stale responses (an older request finishing last) are ignored.
 */
export function useAsync<T>(fn: () => Promise<T>, deps: readonly unknown[]): AsyncState<T> {
  const [data, setData] = useState<T | undefined>(undefined);
  const [error, setError] = useState<string | null>(null);
  const [loading, setLoading] = useState(true);
  const [tick, setTick] = useState(0);
  const seq = useRef(0);
  useEffect(() => {
    const mine = ++seq.current;
    setLoading(true);
    fn().then(
      (v) => {
        if (mine !== seq.current) return;
        setData(v);
        setError(null);
        setLoading(false);
      },
      (err: unknown) => {
        if (mine !== seq.current) return;
        setError(errorMessage(err));
        setLoading(false);
      },
    );
    // eslint-disable-next-line react-hooks/exhaustive-deps -- deps are the caller's
  }, [...deps, tick]);
  const reload = useCallback(() => setTick((t) => t + 1), []);
  return { data, error, loading, reload };
}

/** A value that settles `ms` after the last change (search boxes). */
export function useDebounced<T>(value: T, ms: number): T {
  const [v, setV] = useState(value);
  useEffect(() => {
    const id = setTimeout(() => setV(value), ms);
    return () => clearTimeout(id);
  }, [value, ms]);
  return v;
}

/**
 * A search box bound to the `q` URL parameter: typing updates the box at once and, 300 ms later, the URL
 * (resetting paging), so lists are linkable and Back works.
 */
export function useUrlSearch(path: string, query: URLSearchParams, keep: Record<string, string | undefined> = {}): [string, (v: string) => void, string] {
  const urlQ = query.get('q') ?? '';
  const [text, setText] = useState(urlQ);
  const settled = useDebounced(text.trim(), 300);
  useEffect(() => {
    if (settled !== urlQ) {
      const q = new URLSearchParams();
      for (const [k, v] of Object.entries(keep)) if (v) q.set(k, v);
      if (settled) q.set('q', settled);
      const qs = q.toString();
      history.replaceState(null, '', `#${path}${qs ? `?${qs}` : ''}`);
      window.dispatchEvent(new HashChangeEvent('hashchange'));
    }
    // eslint-disable-next-line react-hooks/exhaustive-deps -- keep is rebuilt each render; its values are in the URL
  }, [settled, urlQ, path]);
  return [text, setText, urlQ];
}
