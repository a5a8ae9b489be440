// Failover figures from one flow's arrival times (tests/bench/flow.ts) and the moments the bench
// took a link down and brought it back. Pure, so the definitions are unit-tested
// (tests/unit/bench/failover-analysis.test.ts) and written down once (docs/bench.md):
//
//  bins      50 ms bins of received application bytes, aligned on the link-down moment;
//            a "100 ms window" is two adjacent bins, taken in 50 ms steps.
//  pre       mean rate over the 2 s before the link went down (the full-rate reference).
//  held at L for D from t: the 100 ms window at t is >= L, and the D from t average >= L with
//            no 100 ms window in them below L/2 (a catch-up burst between two stalls does not count).
//  gap       the link went down at t=0; the gap is the first t >= 0 from which throughput is
//            held at the recovery threshold (50 % of the remaining links' nominal rate) for 1 s,
//            that second lying inside the outage: 0 when the flow never stalled; null when not
//            held anywhere before the link returns. Not "the first window back above the
//            threshold": right after the loss a flow often coasts for a few hundred ms (we saw
//            up to 500 ms) on data already sent on the other links and only then stalls until
//            the data stuck on the dead link is re-sent, and a stall often ends in a catch-up
//            burst and another stall. Nor "from the first window below it": a short hiccup
//            seconds later would then count from t=0.
//  longest stall  the longest run of consecutive 50 ms bins under half the recovery threshold
//            (near zero) while the link was down: the interruption a user notices.
//  below     time spent below the threshold while the link was down (windows below x 50 ms):
//            every stall, relapses after the recovery included.
//  link back from the link's return until the first 100 ms in which the returned link itself
//            carried >= 10 % of its nominal rate (its byte counter at the server end), i.e. data,
//            not only keepalives and ACKs.
//  full rate from the link's return until the first t from which throughput is held at 90 % of
//            pre for 500 ms.
export const BIN_MS = 50;
export const WINDOW_BINS = 2;
export const PRE_MS = 2000;
export const RECOVER_FRACTION = 0.5;
export const FULL_FRACTION = 0.9;
/** how long the recovery on the remaining links must hold (longer than a flow coasts) */
export const GAP_HOLD_MS = 1000;
/** how long full rate must hold */
export const HOLD_MS = 500;
export const LINK_BACK_FRACTION = 0.1;
/** the steady rate on the remaining links is the mean over this long before the link returns */
export const REMAINING_STEADY_MS = 1500;

export interface FailoverMarks {
  /** wall-clock ms just before the link was taken down */
  downAt: number;
  /** wall-clock ms when the link was back (up, carrier, default route restored) */
  upAt: number;
  /** wall-clock ms after which arrivals are no longer the steady flow (sender stopped) */
  endAt: number;
}

export interface FailoverMetrics {
  preMbit: number;
  /** the rate the gap is measured against: RECOVER_FRACTION x remaining links' nominal sum */
  recoverThresholdMbit: number;
  /** lowest 100 ms window in the first second after the link went down */
  dipMinMbit: number | null;
  gapMs: number | null;
  /** longest run of 50 ms bins under recoverThresholdMbit / 2 while the link was down */
  longestStallMs: number;
  belowMs: number;
  /** mean rate over the last REMAINING_STEADY_MS of the outage */
  remainingMbit: number | null;
  fullThresholdMbit: number;
  /** from the link's return; null = not within the flow */
  fullRateMs: number | null;
  /** 50 ms bins from PRE_MS before the link went down to the end, Mbit/s (first bin starts at -PRE_MS) */
  binsMbit: number[];
}

const mbit = (bytes: number, ms: number) => (bytes * 8) / (ms * 1000);

export function analyzeFailover(arrivals: Array<[number, number]>, marks: FailoverMarks, remainingNominalMbit: number): FailoverMetrics {
  const { downAt, upAt, endAt } = marks;
  if (!(downAt < upAt && upAt < endAt)) throw new Error(`marks out of order: down ${downAt}, up ${upAt}, end ${endAt}`);
  const first = -PRE_MS / BIN_MS;
  const last = Math.floor((endAt - downAt) / BIN_MS) - 1; // last complete bin
  const bytes = new Array<number>(last - first + 1).fill(0);
  for (const [t, n] of arrivals) {
    const b = Math.floor((t - downAt) / BIN_MS);
    if (b >= first && b <= last) bytes[b - first] += n;
  }
  const bin = (k: number) => bytes[k - first] ?? 0;
  const span = (k: number, n: number) => {
    let s = 0;
    for (let j = k; j < k + n; j++) s += bin(j);
    return mbit(s, n * BIN_MS);
  };
  const win = (k: number) => span(k, WINDOW_BINS);

  const firstArrival = arrivals.length ? arrivals[0][0] : Infinity;
  if (firstArrival > downAt - PRE_MS) throw new Error(`the flow started ${Math.round(firstArrival - downAt)} ms from the link-down moment; need ${PRE_MS} ms before it`);
  const preMbit = span(first, -first);
  const recoverThresholdMbit = RECOVER_FRACTION * remainingNominalMbit;

  // windows that lie wholly inside the outage
  const outageBins = Math.floor((upAt - downAt) / BIN_MS);
  const lastDownWin = outageBins - WINDOW_BINS;
  /** throughput is held at `level` for holdBins from bin k (see the header) */
  const held = (k: number, level: number, holdBins: number) => {
    if (win(k) < level || span(k, holdBins) < level) return false;
    for (let j = k; j + WINDOW_BINS <= k + holdBins; j++) if (win(j) < level / 2) return false;
    return true;
  };
  let gapMs: number | null = null;
  const gapHold = GAP_HOLD_MS / BIN_MS;
  for (let k = 0; k + gapHold <= outageBins; k++) {
    if (held(k, recoverThresholdMbit, gapHold)) {
      gapMs = k * BIN_MS;
      break;
    }
  }
  let longest = 0;
  for (let k = 0, run = 0; k < outageBins; k++) {
    run = mbit(bin(k), BIN_MS) < recoverThresholdMbit / 2 ? run + 1 : 0;
    longest = Math.max(longest, run);
  }
  let below = 0;
  let dipMin: number | null = null;
  for (let k = 0; k <= lastDownWin; k++) {
    if (win(k) < recoverThresholdMbit) below++;
    if (k * BIN_MS < 1000) dipMin = dipMin === null ? win(k) : Math.min(dipMin, win(k));
  }
  const steadyBins = Math.min(REMAINING_STEADY_MS / BIN_MS, outageBins);
  const remainingMbit = steadyBins > 0 ? span(outageBins - steadyBins, steadyBins) : null;

  const fullThresholdMbit = FULL_FRACTION * preMbit;
  let fullRateMs: number | null = null;
  const fullHold = HOLD_MS / BIN_MS;
  for (let k = Math.ceil((upAt - downAt) / BIN_MS); k + fullHold - 1 <= last; k++) {
    if (held(k, fullThresholdMbit, fullHold)) {
      fullRateMs = k * BIN_MS - (upAt - downAt);
      break;
    }
  }
  return {
    preMbit,
    recoverThresholdMbit,
    dipMinMbit: dipMin,
    gapMs,
    longestStallMs: longest * BIN_MS,
    belowMs: below * BIN_MS,
    remainingMbit,
    fullThresholdMbit,
    fullRateMs,
    binsMbit: bytes.map((b) => Math.round(mbit(b, BIN_MS) * 10) / 10),
  };
}

/**
 * ms after `from` until a byte counter ([wall-clock ms, cumulative bytes] samples) first grows
 * at >= thresholdMbit over a 100 ms window; null if it never does.
 */
export function counterBackMs(samples: Array<[number, number]>, from: number, thresholdMbit: number): number | null {
  const windowMs = WINDOW_BINS * BIN_MS;
  let j = 0;
  for (let i = 0; i < samples.length; i++) {
    if (samples[i][0] < from) continue;
    if (j < i) j = i;
    while (j < samples.length && samples[j][0] < samples[i][0] + windowMs) j++;
    if (j >= samples.length) return null;
    if (mbit(samples[j][1] - samples[i][1], samples[j][0] - samples[i][0]) >= thresholdMbit) return samples[i][0] - from;
  }
  return null;
}

/** per-link Mbit/s in 50 ms bins from PRE_MS before downAt to endAt, from counter samples */
export function counterBins(samples: Array<[number, number]>, downAt: number, endAt: number): number[] {
  const out: number[] = [];
  // cumulative bytes at time t, linear between samples
  let k = 0;
  const at = (t: number) => {
    while (k + 1 < samples.length && samples[k + 1][0] <= t) k++;
    const a = samples[k];
    const b = samples[k + 1];
    if (!b || t <= a[0]) return a[1];
    return a[1] + ((b[1] - a[1]) * (t - a[0])) / (b[0] - a[0]);
  };
  if (!samples.length) return out;
  for (let t = downAt - PRE_MS; t + BIN_MS <= endAt; t += BIN_MS) {
    const v0 = at(t);
    const v1 = at(t + BIN_MS);
    out.push(Math.round(mbit(v1 - v0, BIN_MS) * 10) / 10);
  }
  return out;
}
