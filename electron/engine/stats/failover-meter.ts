// Measures a failover: from the moment a path is lost under traffic until the tunnel moves
// data again on the remaining paths. Recovery = the first RECOVERY_WINDOW_MS window whose
// throughput reaches RECOVERY_FRACTION of the throughput just before the loss (the remaining
// links may be slower, so full rate is not required) and holds it for SUSTAIN_MS: data already
// in flight on the other links can keep a flow going for a moment before it stalls, and that
// moment is not a recovery. Sampled every SAMPLE_MS while measuring.
export const SAMPLE_MS = 20;
export const RECOVERY_WINDOW_MS = 100;
export const RECOVERY_FRACTION = 0.25;
export const SUSTAIN_MS = 400;
/** below this the tunnel was idle: there is no gap to measure */
export const MIN_RATE_BPS = 1_000_000;
const GIVE_UP_MS = 15_000;

export interface FailoverResult {
  link: string;
  gapMs: number;
  /** true when the tunnel had not recovered when measuring gave up */
  timedOut: boolean;
}

interface Sample {
  at: number;
  bytes: number;
}

export class FailoverMeter {
  private samples: Sample[] = [];
  private readonly target: number;
  /** start of the current run of good windows */
  private goodSince?: number;

  constructor(
    readonly link: string,
    readonly startedAt: number,
    rateBeforeBps: number,
  ) {
    this.target = Math.max(MIN_RATE_BPS, rateBeforeBps) * RECOVERY_FRACTION;
  }

  static worthMeasuring(rateBeforeBps: number): boolean {
    return rateBeforeBps >= MIN_RATE_BPS;
  }

  /** feed the tunnel's total byte counter; returns the result once recovered or given up */
  feed(totalBytes: number, now: number): FailoverResult | undefined {
    this.samples.push({ at: now, bytes: totalBytes });
    while (this.samples.length > 1 && now - this.samples[1].at >= RECOVERY_WINDOW_MS) this.samples.shift();
    const first = this.samples[0];
    const span = now - first.at;
    if (span >= RECOVERY_WINDOW_MS * 0.8) {
      const rate = ((totalBytes - first.bytes) * 8 * 1000) / span;
      if (rate < this.target) this.goodSince = undefined;
      else {
        // the gap ends where the first window of the sustained run began
        this.goodSince ??= first.at;
        if (now - this.goodSince >= SUSTAIN_MS) return { link: this.link, gapMs: Math.max(0, this.goodSince - this.startedAt), timedOut: false };
      }
    }
    if (now - this.startedAt > GIVE_UP_MS) return { link: this.link, gapMs: now - this.startedAt, timedOut: true };
    return undefined;
  }
}
