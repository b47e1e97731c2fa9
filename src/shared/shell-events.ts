/**
 * Events the Electron shell pushes to the renderer through the preload's `onEvent` (see preload-api.ts AppEvent).
 * The renderer validates `data` with these schemas because events cross a process boundary.
 */
import { z } from 'zod';

export const SHELL_EVENT = {
  /**
   * The user opened a slide file with Gliofuse (file association, a second launch with a path, the File menu, or
   * macOS "open-file"): the renderer starts "attach slide" with this path pre-filled (the user picks the case).
   */
  openSlideFile: 'shell.openSlideFile',
} as const;

export const OpenSlideFileEvent = z.object({ path: z.string().min(1).max(4096) });
export type OpenSlideFileEvent = z.infer<typeof OpenSlideFileEvent>;

/** File extensions Gliofuse registers for (electron-builder.yml fileAssociations lists the same). */
export const SLIDE_FILE_EXTENSIONS = ['svs', 'ndpi', 'mrxs', 'scn', 'tif', 'tiff'] as const;
