// Sizes the tunnel socket's send buffer from what the paths deliver, instead of letting the
// kernel autotune it to megabytes. MPTCP spreads queued data over subflows by their drain
// time, so the total it may hold sets the queueing delay every packet in the tunnel sees:
//   buffer = max(MIN, GAIN × rate × (base RTT + QUEUE_BUDGET))
// GAIN covers SO_SNDBUF's bookkeeping overhead and leaves the rate room to grow: with the
// buffer at twice what the current rate needs, a faster path is found within a few seconds.
export const MIN_SEND_BUFFER = 192 * 1024;
export const MAX_SEND_BUFFER = 32 * 1024 * 1024;
export const QUEUE_BUDGET_MS = 5;
const GAIN = 2;
/** only touch the socket when the size moves by more than this fraction */
const HYSTERESIS = 0.2;

export function sendBufferFor(rateBytesPerSecond: number, baseRttMs: number): number {
  const wanted = GAIN * rateBytesPerSecond * ((baseRttMs + QUEUE_BUDGET_MS) / 1000);
  return Math.round(Math.min(MAX_SEND_BUFFER, Math.max(MIN_SEND_BUFFER, wanted)));
}

export class SendBufferTuner {
  private current = 0;

  /** the size to set now, or undefined to leave the socket as it is */
  update(rateBytesPerSecond: number, baseRttMs: number): number | undefined {
    const next = sendBufferFor(rateBytesPerSecond, Number.isFinite(baseRttMs) ? baseRttMs : 0);
    if (this.current > 0 && Math.abs(next - this.current) <= this.current * HYSTERESIS) return undefined;
    this.current = next;
    return next;
  }

  reset(): void {
    this.current = 0;
  }
}

/** the path's RTT without queueing: the smallest min RTT among established subflows */
export function baseRttMs(subflows: { minRttUs: number; state: number }[]): number {
  const rtts = subflows.filter((s) => s.state === 1 && s.minRttUs > 0).map((s) => s.minRttUs / 1000);
  return rtts.length > 0 ? Math.min(...rtts) : 0;
}
