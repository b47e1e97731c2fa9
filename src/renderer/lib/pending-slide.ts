/**
 * A slide file the user opened with Gliofuse from outside (file association, File ▸ Attach slide, a second launch
 * with a path): the shell pushes `shell.openSlideFile`; the renderer keeps the path here until the user attaches it
 * to a case (the Overview's "Attach a slide" field is pre-filled) or dismisses it.
 */
import { useSyncExternalStore } from 'react';
import { onEvent } from '../api.ts';
import { OpenSlideFileEvent, SHELL_EVENT } from '../../shared/shell-events.ts';

let pending: string | null = null;
const listeners = new Set<() => void>();
const notify = () => listeners.forEach((l) => l());

export function setPendingSlide(path: string | null): void {
  pending = path;
  notify();
}

export function usePendingSlide(): string | null {
  return useSyncExternalStore(
    (l) => {
      listeners.add(l);
      return () => listeners.delete(l);
    },
    () => pending,
  );
}

/** Starts listening for the shell's event (once, at start-up). */
export function listenForOpenedSlides(): () => void {
  return onEvent((e) => {
    if (e.topic !== SHELL_EVENT.openSlideFile) return;
    const parsed = OpenSlideFileEvent.safeParse(e.data);
    if (parsed.success) setPendingSlide(parsed.data.path);
  });
}
