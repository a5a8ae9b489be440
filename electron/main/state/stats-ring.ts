// The last minutes of bandwidth samples, one per second (a later sample in the same second
// replaces the earlier one), so a window opened late still draws the whole chart.
import type { StatsSample } from '../../shared/types';

export class StatsRing {
  private readonly samples: StatsSample[] = [];

  constructor(readonly windowSeconds = 600) {}

  /** adds a sample; returns it */
  add(sample: StatsSample): StatsSample {
    const last = this.samples[this.samples.length - 1];
    if (last && Math.floor(last.at / 1000) === Math.floor(sample.at / 1000)) {
      this.samples[this.samples.length - 1] = sample;
    } else {
      this.samples.push(sample);
    }
    const oldest = sample.at - this.windowSeconds * 1000;
    let drop = 0;
    while (drop < this.samples.length && this.samples[drop]!.at < oldest) drop++;
    if (drop) this.samples.splice(0, drop);
    return sample;
  }

  /** adds samples for the seconds the ring has none of (e.g. the engine's history), in order */
  merge(samples: StatsSample[], now: number): void {
    const have = new Set(this.samples.map((s) => Math.floor(s.at / 1000)));
    const oldest = now - this.windowSeconds * 1000;
    const extra = samples.filter((s) => s.at >= oldest && s.at <= now && !have.has(Math.floor(s.at / 1000)));
    if (!extra.length) return;
    this.samples.push(...extra);
    this.samples.sort((a, b) => a.at - b.at);
  }

  /** samples of the last `seconds`, oldest first */
  last(seconds: number, now: number): StatsSample[] {
    const from = now - seconds * 1000;
    return this.samples.filter((s) => s.at >= from);
  }

  all(): StatsSample[] {
    return [...this.samples];
  }
}
