import test from 'node:test';
import assert from 'node:assert/strict';
import { parseIperfJson } from '../../netns/iperf';

test('parseIperfJson takes the receiver side', () => {
  const r = parseIperfJson(JSON.stringify({ end: { sum_sent: { bits_per_second: 9e7, bytes: 1, seconds: 3, retransmits: 4 }, sum_received: { bits_per_second: 19_500_000, bytes: 7_312_500, seconds: 3 } } }));
  assert.deepEqual(r, { mbit: 19.5, bytes: 7_312_500, seconds: 3, retransmits: 4 });
});

test('parseIperfJson surfaces iperf3 errors and empty results', () => {
  assert.throws(() => parseIperfJson(JSON.stringify({ error: 'unable to connect to server: Connection refused' })), /Connection refused/);
  assert.throws(() => parseIperfJson(JSON.stringify({ end: {} })), /no sum_received/);
  assert.throws(() => parseIperfJson(''));
});
