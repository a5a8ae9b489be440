// Keeps notifications rare enough to be read: one per key (e.g. "lost:wlan0") per interval,
// and at most `burst` in any window overall. A flapping link does not become a stream of popups.
export class RateLimiter {
  private readonly lastByKey = new Map<string, number>();
  private recent: number[] = [];

  constructor(
    private readonly perKeyMs = 60_000,
    private readonly burst = 4,
    private readonly windowMs = 60_000,
  ) {}

  allow(key: string, now: number): boolean {
    const last = this.lastByKey.get(key);
    if (last !== undefined && now - last < this.perKeyMs) return false;
    this.recent = this.recent.filter((t) => now - t < this.windowMs);
    if (this.recent.length >= this.burst) return false;
    this.lastByKey.set(key, now);
    this.recent.push(now);
    return true;
  }
}
