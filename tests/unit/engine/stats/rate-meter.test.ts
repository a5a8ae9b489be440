import test from 'node:test';
import assert from 'node:assert/strict';
import { RateMeter } from '../../../../electron/engine/stats/rate-meter';

test('rates come from counter deltas; a reset counter restarts instead of going negative', () => {
  const m = new RateMeter();
  assert.equal(m.sample('a', 1000, 0), 0);
  assert.equal(m.sample('a', 126_000, 1000), 1_000_000);
  assert.equal(m.sample('a', 10, 2000), 0);
  assert.equal(m.sample('a', 12_510, 2500), 200_000);
});
