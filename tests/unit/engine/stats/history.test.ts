import test from 'node:test';
import assert from 'node:assert/strict';
import { History, HISTORY_CAPACITY, type HistorySample } from '../../../../electron/engine/stats/history';

const T0 = 1_767_225_600_000;

function sample(i: number, links: string[] = ['eth0', 'wlan0']): HistorySample {
  const rates: HistorySample['links'] = {};
  for (const name of links) rates[name] = { txBps: i * 10, rxBps: i * 20 };
  return { at: T0 + i * 1000, aggregate: { txBps: i, rxBps: 2 * i }, links: rates };
}

test('keeps the last 600 samples (10 minutes at 1 Hz), oldest first', () => {
  const history = new History();
  assert.equal(history.capacity, HISTORY_CAPACITY);
  assert.equal(HISTORY_CAPACITY, 600);
  assert.deepEqual(history.since(), []);
  for (let i = 0; i < 5; i++) history.push(sample(i));
  assert.equal(history.size, 5);
  assert.deepEqual(history.since(), [0, 1, 2, 3, 4].map((i) => sample(i)));
  for (let i = 5; i < 1000; i++) history.push(sample(i));
  assert.equal(history.size, 600);
  const all = history.since();
  assert.equal(all.length, 600);
  assert.deepEqual(all[0], sample(400));
  assert.deepEqual(all.at(-1), sample(999));
  assert.ok(all.every((s, i) => i === 0 || s.at > all[i - 1]!.at));
});

test('since(at) returns only samples taken after at', () => {
  const history = new History(10);
  for (let i = 0; i < 25; i++) history.push(sample(i));
  assert.deepEqual(history.since(T0 + 21_000).map((s) => s.at), [T0 + 22_000, T0 + 23_000, T0 + 24_000]);
  assert.deepEqual(history.since(T0 + 24_000), []);
  assert.equal(history.since(0).length, 10);
});

test('a link that disappears is released once its last sample leaves the ring', () => {
  const history = new History(100);
  for (let i = 0; i < 10; i++) history.push(sample(i, ['eth0', 'usb0']));
  for (let i = 10; i < 109; i++) history.push(sample(i, ['eth0']));
  assert.deepEqual(history.linkNames().sort(), ['eth0', 'usb0']); // sample 9 still in the ring
  assert.deepEqual(history.since().at(0)!.links, { eth0: { txBps: 90, rxBps: 180 }, usb0: { txBps: 90, rxBps: 180 } });
  history.push(sample(109, ['eth0']));
  assert.deepEqual(history.linkNames(), ['eth0']);
  // a slot reused by a sample without the link does not show the link's old value
  for (let i = 110; i < 210; i++) history.push(sample(i, i % 2 ? ['eth0'] : ['eth0', 'wlan0']));
  for (const s of history.since()) assert.equal('wlan0' in s.links, (s.at - T0) / 1000 % 2 === 0);
});

test('memory stays bounded when interface names keep changing', () => {
  const history = new History(600, 32);
  // a new name every second for three hours (a container host churning veths)
  for (let i = 0; i < 3 * 3600; i++) history.push(sample(i, ['eth0', `veth${i}`]));
  assert.ok(history.linkNames().length <= 32, String(history.linkNames().length));
  assert.ok(history.linkNames().includes('eth0'));
  assert.equal(history.size, 600);
  // and many at once: only maxLinks columns, the first names kept
  const wide = new History(10, 4);
  wide.push(sample(0, Array.from({ length: 50 }, (_, i) => `l${i}`)));
  assert.deepEqual(Object.keys(wide.since()[0]!.links), ['l0', 'l1', 'l2', 'l3']);
});

test('rates are stored as whole bits per second; junk becomes 0', () => {
  const history = new History(4);
  history.push({ at: T0, aggregate: { txBps: 1234.6, rxBps: Number.NaN }, links: { eth0: { txBps: -5, rxBps: Infinity }, ['__proto__']: { txBps: 1, rxBps: 1 } } });
  assert.deepEqual(history.since(), [{ at: T0, aggregate: { txBps: 1235, rxBps: 0 }, links: { eth0: { txBps: 0, rxBps: 0 } } }]);
  history.clear();
  assert.equal(history.size, 0);
  assert.deepEqual(history.since(), []);
  assert.throws(() => new History(0), /capacity/);
});
