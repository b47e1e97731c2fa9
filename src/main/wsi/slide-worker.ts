/**
 * Entry of the slide worker process (forked by the CLI, tests and bridge; a utilityProcess in Electron). It owns
 * every OpenSlide handle, so a native crash on a malformed file takes down this process only.
 */
import sharp from 'sharp';
import { serveWorker } from '../workers/worker-runtime.ts';
import { SlideReader } from './slide-reader.ts';

// One libvips thread per pipeline: parallelism comes from several workers and several requests in flight,
// and an unbounded libvips cache would only grow the worker's memory.
sharp.concurrency(1);
sharp.cache(false);

const reader = new SlideReader({
  maxOpen: Number(process.env.GLIOFUSE_WSI_MAX_OPEN ?? 6) || 6,
  libraryPath: process.env.GLIOFUSE_OPENSLIDE_LIB || undefined,
  resourcesPath: process.env.GLIOFUSE_RESOURCES_PATH || undefined,
});

serveWorker(reader.handlers(), { onExit: () => reader.closeAll() });
