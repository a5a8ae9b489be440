import test from 'node:test';
import assert from 'node:assert/strict';
import type { EventView, PathView, TunnelView } from '../../../electron/shared/types';
import { NotificationCenter } from '../../../electron/main/notifications/center';
import { eventNotes, freshEvents, pathNotes, type Note } from '../../../electron/main/notifications/policy';
import { RateLimiter } from '../../../electron/main/notifications/rate-limit';

const up: TunnelView = { state: 'connected', target: 'connected', since: 0, server: 's', reconnects: 0 };
const p = (link: string, state: PathView['state'], mode: PathView['mode'] = 'on', reason?: string): PathView => ({
  link,
  kind: 'ethernet',
  mode,
  state,
  reason,
  upBps: 0,
  downBps: 0,
  upBytes: 0,
  downBytes: 0,
  share: 0,
});
const ev = (id: string, kind: string, message: string, link?: string): EventView => ({ id, at: 0, kind, message, link, severity: 'info' });

test('link lost, back and new; the user’s own mode changes are not news', () => {
  const before = [p('eth0', 'active'), p('wlan0', 'active')];
  assert.deepEqual(
    pathNotes(before, [p('eth0', 'active'), p('wlan0', 'failed', 'on', 'link is down')], up).map((n) => [n.key, n.body]),
    [['lost:wlan0', 'Link is down. Traffic continues on the other links.']],
  );
  assert.deepEqual(pathNotes([p('wlan0', 'failed')], [p('wlan0', 'active')], up).map((n) => n.key), ['back:wlan0']);
  assert.deepEqual(pathNotes(before, [...before, p('usb0', 'joining', 'backup')], up).map((n) => n.title), ['New link: usb0']);
  assert.deepEqual(pathNotes(before, [p('eth0', 'active'), p('wlan0', 'idle', 'off')], up), []);
  assert.deepEqual(pathNotes(before, [p('eth0', 'active'), p('wlan0', 'failed')], null), [], 'no engine, no news');
  assert.deepEqual(pathNotes([], before, up), [], 'first sight is not "new"');
});

test('failover, cap and link-added events become notes', () => {
  const notes = eventNotes([
    ev('1', 'failover', 'wlan0 lost: traffic moved in 420 ms', 'wlan0'),
    ev('2', 'cap-warning', 'usb0 used 75 % of its 10 GB cap', 'usb0'),
    ev('3', 'linkAdded', 'usb1 joined as backup', 'usb1'),
    ev('4', 'path', 'eth0: idle -> active', 'eth0'),
  ]);
  assert.deepEqual(notes.map((n) => n.title), ['Failover', 'Data cap: usb0', 'New link: usb1']);
  assert.deepEqual(freshEvents([ev('a', 'x', ''), ev('b', 'x', ''), ev('c', 'x', '')], 'a').map((e) => e.id), ['b', 'c']);
  assert.deepEqual(freshEvents([ev('a', 'x', '')], undefined), []);
});

test('rate limited per key and overall', () => {
  const r = new RateLimiter(60_000, 3, 60_000);
  assert.equal(r.allow('lost:a', 0), true);
  assert.equal(r.allow('lost:a', 30_000), false);
  assert.equal(r.allow('lost:a', 61_000), true);
  assert.equal(r.allow('b', 61_000), true);
  assert.equal(r.allow('c', 61_001), true);
  assert.equal(r.allow('d', 61_002), false, 'burst of 3 per minute');
  assert.equal(r.allow('d', 121_001), true);
});

test('the center notices changes, honours the setting, and a flapping link notifies once a minute', () => {
  const shown: Note[] = [];
  let enabled = true;
  let now = 0;
  const center = new NotificationCenter((n) => shown.push(n), () => enabled, new RateLimiter(60_000, 4, 60_000), () => now);
  const good = [p('eth0', 'active'), p('wlan0', 'active')];
  const bad = [p('eth0', 'active'), p('wlan0', 'failed')];
  center.update(up, good, []);
  for (let i = 0; i < 5; i++) {
    now += 2000;
    center.update(up, bad, []);
    now += 2000;
    center.update(up, good, []);
  }
  assert.deepEqual(shown.map((n) => n.key), ['lost:wlan0', 'back:wlan0']);
  enabled = false;
  now += 120_000;
  center.update(up, bad, []);
  assert.equal(shown.length, 2);
});
