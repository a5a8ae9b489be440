import test from 'node:test';
import assert from 'node:assert/strict';
import { analyzeFailover, counterBackMs, counterBins } from '../../bench/failover-analysis';

// synthetic receiver: a rate (Mbit/s) per ms from a profile, summed per ms like flow.ts does
function arrivals(from: number, to: number, rateAt: (t: number) => number): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  for (let t = from; t < to; t++) {
    const bytes = (rateAt(t) * 1e6) / 8 / 1000;
    if (bytes > 0) out.push([t, bytes]);
  }
  return out;
}

const DOWN = 1_000_000;
const marks = { downAt: DOWN, upAt: DOWN + 3000, endAt: DOWN + 8000 };

test('a clean dip: the gap ends where throughput holds at half the remaining rate', () => {
  // 75 before; in-flight data for 100 ms; nothing until +450; 28 on the remaining links; after the
  // return 40 for 600 ms, then 75
  const rate = (t: number) => {
    const r = t - DOWN;
    if (r < 0) return 75;
    if (r < 100) return 60;
    if (r < 450) return 0;
    if (r < 3000) return 28;
    if (r < 3600) return 40;
    return 75;
  };
  const m = analyzeFailover(arrivals(DOWN - 4000, DOWN + 8000, rate), marks, 30);
  assert.ok(Math.abs(m.preMbit - 75) < 0.01, `pre ${m.preMbit}`);
  assert.equal(m.recoverThresholdMbit, 15);
  // window [400, 500) averages 14: below; [450, 550) is 28: the gap is 450 ms
  assert.equal(m.gapMs, 450);
  assert.equal(m.longestStallMs, 350);
  assert.equal(m.dipMinMbit, 0);
  // windows starting at 100 .. 400 are below ([50,150) averages 30): 7 windows x 50 ms
  assert.equal(m.belowMs, 350);
  assert.ok(Math.abs((m.remainingMbit ?? 0) - 28) < 0.01);
  assert.ok(Math.abs(m.fullThresholdMbit - 67.5) < 0.01);
  assert.equal(m.fullRateMs, 600);
  assert.equal(m.binsMbit.length, (2000 + 8000) / 50);
  assert.equal(m.binsMbit[0], 75);
});

test('no dip below the threshold: gap 0; a rate that never returns: full rate null', () => {
  const rate = (t: number) => (t < DOWN ? 75 : 29);
  const m = analyzeFailover(arrivals(DOWN - 4000, DOWN + 8000, rate), marks, 30);
  assert.equal(m.gapMs, 0);
  assert.equal(m.belowMs, 0);
  assert.equal(m.fullRateMs, null);
});

test('no recovery while the link is down: gap null', () => {
  const rate = (t: number) => (t < DOWN ? 75 : t < DOWN + 3000 ? 1 : 75);
  const m = analyzeFailover(arrivals(DOWN - 4000, DOWN + 8000, rate), marks, 30);
  assert.equal(m.gapMs, null);
  assert.equal(m.belowMs, (3000 / 50 - 1) * 50);
  assert.equal(m.fullRateMs, 0);
});

test('a relapse: the gap ends where throughput holds, not at the first window back above', () => {
  const rate = (t: number) => {
    const r = t - DOWN;
    if (r < 0) return 75;
    if (r < 300) return 0;
    if (r < 600) return 28;
    if (r < 900) return 0; // stalls again
    return 28;
  };
  const m = analyzeFailover(arrivals(DOWN - 4000, DOWN + 8000, rate), marks, 30);
  // [300, 600) is above the threshold, but the 500 ms from 300 hold a stall
  assert.equal(m.gapMs, 900);
  // below: windows 0..5 (6) and 11..17 (7)
  assert.equal(m.belowMs, 13 * 50);
});

test('coasting for 500 ms on data already sent, then a stall: the gap ends after the stall', () => {
  const rate = (t: number) => {
    const r = t - DOWN;
    if (r < 0) return 75;
    if (r < 500) return 28;
    if (r < 1300) return 0;
    return 28;
  };
  const m = analyzeFailover(arrivals(DOWN - 4000, DOWN + 8000, rate), marks, 30);
  assert.equal(m.gapMs, 1300);
  assert.equal(m.longestStallMs, 800);
});

test('a catch-up burst between two stalls is not a recovery, even when it lifts the 500 ms mean', () => {
  const rate = (t: number) => {
    const r = t - DOWN;
    if (r < 0) return 75;
    if (r < 500) return 0;
    if (r < 600) return 200;
    if (r < 900) return 0;
    return 28;
  };
  const m = analyzeFailover(arrivals(DOWN - 4000, DOWN + 8000, rate), marks, 30);
  assert.equal(m.gapMs, 900);
});

test('a recovery that would hold only past the return does not count: gap null', () => {
  const rate = (t: number) => (t < DOWN ? 75 : t < DOWN + 2700 ? 0 : 28);
  const m = analyzeFailover(arrivals(DOWN - 4000, DOWN + 8000, rate), marks, 30);
  assert.equal(m.gapMs, null);
});

test('a burst right after the return does not count as full rate unless 500 ms hold it', () => {
  // spike of 100 for 100 ms at the return, then 30 for 1 s, then 75
  const rate = (t: number) => {
    const r = t - DOWN;
    if (r < 0) return 75;
    if (r < 3000) return 28;
    if (r < 3100) return 100;
    if (r < 4100) return 30;
    return 75;
  };
  const m = analyzeFailover(arrivals(DOWN - 4000, DOWN + 8000, rate), marks, 30);
  assert.equal(m.fullRateMs, 1100);
});

test('full rate is counted from the return, not from a 50 ms bin edge before it', () => {
  const up = { ...marks, upAt: DOWN + 3020 };
  const rate = (t: number) => (t < DOWN ? 75 : t < DOWN + 3020 ? 28 : 75);
  const m = analyzeFailover(arrivals(DOWN - 4000, DOWN + 8000, rate), up, 30);
  // first bin starting at or after the return: 3050
  assert.equal(m.fullRateMs, 30);
});

test('a short hiccup a second after a clean failover is no gap; it shows in the time below', () => {
  const rate = (t: number) => {
    const r = t - DOWN;
    if (r < 0) return 75;
    if (r >= 1500 && r < 1600) return 0;
    return 28;
  };
  const m = analyzeFailover(arrivals(DOWN - 4000, DOWN + 8000, rate), marks, 30);
  assert.equal(m.gapMs, 0);
  assert.equal(m.longestStallMs, 100);
  // windows from 1450, 1500, 1550 are below 15
  assert.equal(m.belowMs, 150);
});

test('refuses a flow that started too late for the 2 s reference, and marks out of order', () => {
  assert.throws(() => analyzeFailover(arrivals(DOWN - 1000, DOWN + 8000, () => 75), marks, 30), /need 2000 ms/);
  assert.throws(() => analyzeFailover(arrivals(DOWN - 4000, DOWN + 8000, () => 75), { ...marks, upAt: DOWN - 1 }, 30), /out of order/);
});

test('link back: the first 100 ms after the return in which the link moved data at >= the threshold', () => {
  // samples every 10 ms; 0.1 Mbit/s of keepalives until +300 ms after the return, then 40 Mbit/s
  const up = 5000;
  const samples: Array<[number, number]> = [];
  let bytes = 0;
  for (let t = 4000; t <= 7000; t += 10) {
    samples.push([t, bytes]);
    bytes += ((t < up + 300 ? 0.1 : 40) * 1e6 * 0.01) / 8;
  }
  const back = counterBackMs(samples, up, 5);
  // the window starting at +230 ms holds 30 ms at 40 Mbit/s and 70 at 0.1: 12.07 Mbit/s
  assert.ok(back !== null && back >= 190 && back <= 300, `back ${back}`);
  assert.equal(counterBackMs(samples, up, 50), null);
  // bins from 2 s before a link-down at 6000 to 7000
  const bins = counterBins(samples, 6000, 7000);
  assert.equal(bins.length, (2000 + 1000) / 50);
  assert.equal(bins[0], 0.1);
  assert.equal(bins[bins.length - 1], 40);
});
