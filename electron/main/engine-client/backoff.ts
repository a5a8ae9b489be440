// Exponential backoff with a cap and a little jitter, so many clients don't retry in step.
export class Backoff {
  private attempt = 0;

  constructor(
    private readonly initialMs = 250,
    private readonly maxMs = 2000,
    private readonly random: () => number = Math.random,
  ) {}

  /** the delay before the next attempt; each call doubles it up to the cap */
  next(): number {
    const base = Math.min(this.maxMs, this.initialMs * 2 ** this.attempt);
    this.attempt = Math.min(this.attempt + 1, 30);
    return Math.round(base * (0.9 + 0.2 * this.random()));
  }

  reset(): void {
    this.attempt = 0;
  }
}
