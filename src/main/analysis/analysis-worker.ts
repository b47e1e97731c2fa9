/**
 * Entry of the analysis worker process (forked by the job manager; a utilityProcess in Electron). It owns the
 * OpenSlide handles, the tile-encoder thread and the UMEML session of the running job, so a native crash or a
 * kill -9 here fails that job cleanly and never the app (docs/pipeline.md, "Jobs").
 *
 * Methods: run / features (long, one per jobKey), progress (polled by the host while a job runs; answered
 * promptly because every stage yields to the event loop per tile or per batch), cancel.
 */
import sharp from 'sharp';
import { serveWorker } from '../workers/worker-runtime.ts';
import { SlideReader } from '../wsi/slide-reader.ts';
import { GliofuseError } from '../../shared/errors.ts';
import { ProgressTracker } from './progress.ts';
import { runAnalysis } from './pipeline.ts';
import { cancelledError, computeSlideFeatures } from './slide-features.ts';
import type { AnalysisWorkerApi } from './worker-api.ts';
import { workerSessions } from './worker-sessions.ts';

sharp.concurrency(1);
sharp.cache(false);

// ONNX sessions live as long as this process: every later case and analysis reuses them (worker-sessions.ts).
workerSessions.enable();

const reader = new SlideReader({ maxOpen: 2, libraryPath: process.env.GLIOFUSE_OPENSLIDE_LIB || undefined });

interface Job {
  tracker: ProgressTracker;
  cancelled: boolean;
}
const jobs = new Map<string, Job>();

function begin(jobKey: string): Job {
  if (jobs.has(jobKey)) throw new GliofuseError('CONFLICT', `job ${jobKey} is already running in this worker`);
  const job: Job = { tracker: new ProgressTracker(), cancelled: false };
  jobs.set(jobKey, job);
  return job;
}

function checker(job: Job): () => void {
  return () => {
    if (job.cancelled) throw cancelledError();
  };
}

serveWorker<AnalysisWorkerApi>({
  run: async (req) => {
    const job = begin(req.jobKey);
    try {
      return await runAnalysis(req, reader, job.tracker, checker(job));
    } finally {
      jobs.delete(req.jobKey);
    }
  },
  features: async (req) => {
    const job = begin(req.jobKey);
    try {
      const f = await computeSlideFeatures(req, reader, job.tracker, checker(job));
      return f.info;
    } finally {
      jobs.delete(req.jobKey);
    }
  },
  progress: async ({ jobKey }) => jobs.get(jobKey)?.tracker.snapshot() ?? null,
  sessions: async () => ({ ...workerSessions.counts }),
  cancel: async ({ jobKey }) => {
    const job = jobs.get(jobKey);
    if (!job) return { cancelled: false };
    job.cancelled = true;
    return { cancelled: true };
  },
}, {
  onExit: () => {
    // The host is gone (app closed or killed). With a job mid-flight, native threads (onnxruntime, koffi) are
    // busy; tearing the runtime down under them aborts noisily, so leave at once — the job's owner is gone and
    // the next start-up fails the job from the store.
    if (jobs.size > 0) process.kill(process.pid, 'SIGKILL');
    reader.closeAll();
  },
});
