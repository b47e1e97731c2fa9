/**
 * Counted progress of the running stage with an ETA from the measured rate (an exponential moving average of
 * items per second, so a slow start or a cache-warm burst does not dominate). Counts come from the work actually
 * done; nothing is guessed.
 */
import type { AnalysisProgress, AnalysisStage } from '../../shared/contract/analysis.ts';

export class ProgressTracker {
  private stage: AnalysisStage = 'queued';
  private done = 0;
  private total = 0;
  private cached = false;
  private rate: number | null = null;
  private lastT = 0;
  private lastDone = 0;

  constructor(private readonly now: () => number = () => performance.now()) {}

  begin(stage: AnalysisStage, total: number): void {
    this.stage = stage;
    this.done = 0;
    this.total = Math.max(0, Math.floor(total));
    this.rate = null;
    this.lastT = this.now();
    this.lastDone = 0;
  }

  markCached(): void {
    this.cached = true;
  }

  advance(n = 1): void {
    this.set(this.done + n);
  }

  set(done: number): void {
    this.done = Math.min(this.total, Math.max(0, Math.floor(done)));
    const t = this.now();
    const dt = (t - this.lastT) / 1000;
    if (dt >= 0.25) {
      const r = (this.done - this.lastDone) / dt;
      this.rate = this.rate === null ? r : 0.7 * this.rate + 0.3 * r;
      this.lastT = t;
      this.lastDone = this.done;
    }
  }

  snapshot(): AnalysisProgress {
    const left = this.total - this.done;
    const eta = left === 0 ? 0 : this.rate && this.rate > 0 ? left / this.rate : null;
    return {
      stage: this.stage,
      done: this.done,
      total: this.total,
      etaSeconds: eta === null ? null : Math.round(eta * 10) / 10,
      ...(this.cached ? { cached: true } : {}),
    };
  }
}
