import test from 'node:test';
import assert from 'node:assert/strict';
import { FailoverMeter, SAMPLE_MS } from '../../../../electron/engine/stats/failover-meter';

/** feeds a byte counter that grows at `rateBps(t)` and returns the meter's verdict */
function run(rateBps: (t: number) => number, before = 80e6) {
  const meter = new FailoverMeter('eth0', 0, before);
  let bytes = 0;
  for (let t = 0; t <= 20_000; t += SAMPLE_MS) {
    bytes += (rateBps(t) / 8) * (SAMPLE_MS / 1000);
    const result = meter.feed(bytes, t);
    if (result) return result;
  }
  return undefined;
}

test('the gap runs until the remaining links carry traffic again', () => {
  const result = run((t) => (t < 300 ? 0 : 30e6));
  assert.ok(result && !result.timedOut);
  // resolution: one 100 ms window
  assert.ok(result.gapMs >= 200 && result.gapMs <= 340, `gap ${result?.gapMs}`);
});

test('data still in flight that stalls soon after is not a recovery', () => {
  // 200 ms of leftovers, a 600 ms stall, then the other links take over
  const result = run((t) => (t < 200 ? 30e6 : t < 800 ? 0 : 30e6));
  assert.ok(result && result.gapMs >= 700, `gap ${result?.gapMs}`);
});

test('a tunnel that never recovers is reported as such', () => {
  const result = run(() => 0);
  assert.ok(result?.timedOut);
  assert.equal(FailoverMeter.worthMeasuring(1000), false, 'an idle tunnel has no gap to measure');
});
