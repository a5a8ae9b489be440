import test from 'node:test';
import assert from 'node:assert/strict';
import { MAX_SEND_BUFFER, MIN_SEND_BUFFER, SendBufferTuner, baseRttMs, sendBufferFor } from '../../../../electron/engine/tunnel/send-buffer';

test('the buffer follows rate x (base RTT + queue budget), within bounds', () => {
  assert.equal(sendBufferFor(0, 0), MIN_SEND_BUFFER);
  // 100 Mbit/s over a 40 ms path: 2 x 12.5 MB/s x 45 ms
  assert.equal(sendBufferFor(12_500_000, 40), 1_125_000);
  assert.equal(sendBufferFor(10e9, 500), MAX_SEND_BUFFER);
});

test('small changes leave the socket alone; a real change resizes it', () => {
  const tuner = new SendBufferTuner();
  assert.equal(tuner.update(12_500_000, 40), 1_125_000);
  assert.equal(tuner.update(13_000_000, 40), undefined);
  assert.equal(tuner.update(25_000_000, 40), 2_250_000);
  tuner.reset();
  assert.equal(tuner.update(25_000_000, 40), 2_250_000);
});

test('base RTT is the lowest min RTT of the established subflows', () => {
  assert.equal(baseRttMs([{ minRttUs: 30_000, state: 1 }, { minRttUs: 12_000, state: 1 }, { minRttUs: 1000, state: 7 }]), 12);
  assert.equal(baseRttMs([]), 0);
});
