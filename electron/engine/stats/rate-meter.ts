// Turns monotonically increasing byte counters into rates. A counter that goes backwards
// (a subflow replaced by a new one) restarts from its new value instead of reporting a
// negative rate.
export class RateMeter {
  private last = new Map<string, { bytes: number; at: number }>();

  /** bits per second since the previous sample of `key` */
  sample(key: string, bytes: number, now: number): number {
    const previous = this.last.get(key);
    this.last.set(key, { bytes, at: now });
    if (!previous || bytes < previous.bytes || now <= previous.at) return 0;
    return ((bytes - previous.bytes) * 8 * 1000) / (now - previous.at);
  }

  forgetExcept(keys: Set<string>): void {
    for (const key of this.last.keys()) if (!keys.has(key)) this.last.delete(key);
  }
}
