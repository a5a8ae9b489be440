import test from 'node:test';
import assert from 'node:assert/strict';
import type { EngineHealth, EventView, PathView, SettingsView, StatsSample, TunnelView } from '../../../electron/shared/types';
import {
  aggregateBps,
  axisRate,
  connectionSummary,
  dataUsage,
  eventText,
  eventTone,
  formatBytes,
  formatRate,
  formatRtt,
  formatShare,
  linkNames,
  messageParts,
  needsSetup,
  pathStateLabel,
  rateParts,
  recentEvents,
  selectOverall,
  stackedSeries,
  switchOn,
} from '../../../renderer/store/selectors';

const ready: EngineHealth = { state: 'ready', message: 'Engine running', access: 'write', socketPath: '/s' };
const t = (state: TunnelView['state'], target: TunnelView['target'] = 'connected'): TunnelView => ({
  state,
  target,
  since: 0,
  server: '198.19.0.1:7443',
  reconnects: 0,
});
const p = (link: string, state: PathView['state'], mode: PathView['mode'] = 'on', extra: Partial<PathView> = {}): PathView => ({
  link,
  kind: 'wifi',
  mode,
  state,
  upBps: 0,
  downBps: 0,
  upBytes: 0,
  downBytes: 0,
  share: 0,
  ...extra,
});

test('rates and sizes read naturally', () => {
  assert.equal(formatRate(0), '0 bit/s');
  assert.equal(formatRate(-5), '0 bit/s');
  assert.equal(formatRate(1_500), '1.5 kbit/s');
  assert.equal(formatRate(65_700_000), '65.7 Mbit/s');
  assert.equal(formatRate(250_000_000), '250 Mbit/s');
  assert.equal(formatRate(1_230_000_000), '1.23 Gbit/s');
  assert.deepEqual(rateParts(65_700_000), { value: '65.7', unit: 'Mbit/s' });
  assert.equal(formatBytes(999), '999 B');
  assert.equal(formatBytes(59_400_000), '59.4 MB');
  assert.equal(formatBytes(2_500_000_000), '2.50 GB');
  assert.equal(axisRate(50e6), '50M');
  assert.equal(axisRate(1.5e9), '1.5G');
  assert.equal(formatShare(0), '0 %');
  assert.equal(formatShare(0.004), '<1 %');
  assert.equal(formatShare(0.623), '62 %');
  assert.equal(formatRtt(undefined), '—');
  assert.equal(formatRtt(4.26), '4.3 ms');
  assert.equal(formatRtt(0.03), '<0.1 ms');
  assert.equal(formatRtt(36.4), '36 ms');
});

test('path state in words: off wins, failures carry the reason', () => {
  assert.deepEqual(pathStateLabel(p('a', 'idle', 'off', { reason: 'turned off' })).label, 'Off');
  assert.equal(pathStateLabel(p('a', 'active')).label, 'Active');
  assert.equal(pathStateLabel(p('a', 'active')).tone, 'good');
  assert.equal(pathStateLabel(p('a', 'backup', 'backup')).label, 'Standing by');
  assert.deepEqual(pathStateLabel(p('a', 'failed', 'on', { reason: 'link is down' })), { label: 'Failed', tone: 'bad', detail: 'link is down' });
  assert.equal(pathStateLabel(p('a', 'unreachable')).label, 'Cannot reach server');
  assert.equal(pathStateLabel(p('a', 'joining')).label, 'Joining…');
  assert.equal(pathStateLabel(p('a', 'unavailable')).tone, 'muted');
});

test('overall state and the header summary', () => {
  const paths = [p('eth0', 'active'), p('wlan0', 'active'), p('usb0', 'idle', 'off')];
  assert.equal(selectOverall({ health: ready, tunnel: t('connected'), paths }), 'connected');
  assert.deepEqual(connectionSummary({ health: ready, tunnel: { ...t('connected'), address: '10.77.0.2' }, paths }), {
    title: 'Connected',
    detail: '2 of 2 links active · server 198.19.0.1:7443 · tunnel address 10.77.0.2',
  });
  assert.equal(connectionSummary({ health: ready, tunnel: t('disconnected', 'disconnected'), paths }).title, 'Off');
  assert.match(connectionSummary({ health: ready, tunnel: t('connected'), paths: [p('eth0', 'active'), p('wlan0', 'failed'), p('usb0', 'backup', 'backup')] }).detail, /^1 of 2 links active · 1 backup standing by · server/);
  assert.match(connectionSummary({ health: ready, tunnel: { ...t('connected'), lastFailover: { link: 'wlan0', gapMs: 420.4, at: 0 } }, paths }).detail, /last failover 420 ms \(wlan0\)$/);
  assert.equal(connectionSummary({ health: ready, tunnel: t('connecting'), paths }).title, 'Connecting…');
  assert.equal(connectionSummary({ health: ready, tunnel: { ...t('error'), cause: 'server refused our key' }, paths }).detail, 'server refused our key');
  const down: EngineHealth = { state: 'not-running', message: 'Engine not running — start it with `systemctl start braidd`', socketPath: '/s' };
  assert.deepEqual(connectionSummary({ health: down, tunnel: null, paths: [] }), { title: 'Engine unavailable', detail: down.message });
  assert.equal(selectOverall({ health: down, tunnel: null, paths: [] }), 'error');
  assert.equal(selectOverall({ health: null, tunnel: null, paths: [] }), 'connecting');
  assert.equal(switchOn(t('connecting')), true);
  assert.equal(switchOn(t('disconnecting', 'disconnected')), false);
  assert.equal(switchOn(null), false);
});

test('aggregate comes from the newest sample, zero without a tunnel', () => {
  const samples: StatsSample[] = [
    { at: 1000, upBps: 1, downBps: 2, links: {} },
    { at: 2000, upBps: 5e6, downBps: 60e6, links: {} },
  ];
  assert.deepEqual(aggregateBps({ samples, tunnel: t('connected') }), { total: 65e6, up: 5e6, down: 60e6 });
  assert.deepEqual(aggregateBps({ samples, tunnel: null }), { total: 0, up: 0, down: 0 });
  assert.deepEqual(aggregateBps({ samples: [], tunnel: t('connected') }), { total: 0, up: 0, down: 0 });
});

test('stacked chart series: cumulative by link in link order, only inside the window', () => {
  const samples: StatsSample[] = [
    { at: 0, upBps: 0, downBps: 0, links: { a: 100, b: 100 } },
    { at: 10_000, upBps: 0, downBps: 0, links: { a: 1, b: 2, c: 3 } },
    { at: 11_000, upBps: 0, downBps: 0, links: { a: 4 } },
  ];
  const links = linkNames([p('b', 'active'), p('a', 'active')], samples);
  assert.deepEqual(links, ['b', 'a', 'c']);
  assert.deepEqual(stackedSeries(samples, links, 11_000, 5), { x: [10, 11], stacked: [[2, 0], [3, 4], [6, 4]] });
});

test('data usage and caps', () => {
  assert.deepEqual(dataUsage(p('a', 'active', 'on', { upBytes: 1e6, downBytes: 2e6 })), { label: 'Data used', used: '3.0 MB', cap: 'No cap', warn: false });
  const capped = dataUsage(p('a', 'active', 'on', { capBytes: 10e9, capUsedBytes: 8e9 }));
  assert.equal(capped.cap, '10.00 GB');
  assert.equal(capped.fraction, 0.8);
  assert.equal(capped.warn, true);
  assert.equal(capped.label, 'Used this period');
});

test('events: newest first, failures stand out', () => {
  const ev = (id: number, message: string, severity: EventView['severity'] = 'info'): EventView => ({ id: String(id), at: id, kind: 'path', message, severity });
  const events = [ev(1, 'bl0: active -> failed (link is down)'), ev(2, 'bl0: failed -> active'), ev(3, 'bl1 set to backup')];
  assert.deepEqual(recentEvents(events, 2).map((e) => e.id), ['3', '2']);
  assert.equal(eventTone(events[0]!), 'bad');
  assert.equal(eventTone(events[1]!), 'good');
  assert.equal(eventTone(events[2]!), 'muted');
  assert.equal(eventTone(ev(4, 'cap at 75 %', 'warning')), 'busy');
});

test('events in plain words', () => {
  const ev = (kind: string, message: string): EventView => ({ id: message, at: 0, kind, message, severity: 'info' });
  assert.equal(eventText(ev('path', 'bl1: active -> failed (link is down)')), 'bl1 lost: link is down');
  assert.equal(eventText(ev('path', 'bl1: failed -> active')), 'bl1 is back');
  assert.equal(eventText(ev('path', 'bl2: idle -> active')), 'bl2 joined');
  assert.equal(eventText(ev('path', 'bl2: active -> idle (turned off)')), 'bl2 turned off');
  assert.equal(eventText(ev('path', 'usb0: joining -> backup')), 'usb0 standing by as backup');
  assert.equal(eventText(ev('tunnel', 'connecting -> connected')), 'Connected');
  assert.equal(eventText(ev('connected', 'tunnel up as 10.77.0.2/24')), 'Tunnel up, address 10.77.0.2/24');
  assert.equal(eventText(ev('failover', 'wlan0 lost: 420 ms gap')), 'wlan0 lost: 420 ms gap');
});

test('first run needs setup only when neither the user nor the engine knows a server', () => {
  const settings = (host: string) => ({ server: { host, port: 7443, publicKey: '' } }) as SettingsView;
  assert.equal(needsSetup(settings(''), null), true);
  assert.equal(needsSetup(settings(''), t('connected')), false);
  assert.equal(needsSetup(settings('vpn.example.org'), null), false);
  assert.equal(needsSetup(null, null), false);
  assert.equal(needsSetup(settings(''), null, '198.19.0.1:7443'), false, 'the engine stopped: not a first run');
});

test('messages with `code`', () => {
  assert.deepEqual(messageParts('start it with `systemctl start braidd`'), [
    { text: 'start it with ', code: false },
    { text: 'systemctl start braidd', code: true },
  ]);
});
