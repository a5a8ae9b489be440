import test from 'node:test';
import assert from 'node:assert/strict';
import type { ClientStatus } from '../../../electron/protocol/control';
import type { NotifyMessage } from '../../../electron/shared/ipc-schema';
import type { SettingsView } from '../../../electron/shared/types';
import { AppState } from '../../../electron/main/state/app-state';
import { toEventView } from '../../../electron/main/engine-client/convert';

const status = (txBps: number): ClientStatus => ({
  mode: 'client',
  version: '1',
  tunnel: { state: 'connected', target: 'connected', since: 0, server: 's', reconnects: 0 },
  paths: [
    { link: 'eth0', kind: 'ethernet', mode: 'on', state: 'active', txBps, rxBps: 2 * txBps, txBytes: 10, rxBytes: 20, share: 1, subflow: { localAddress: 'a', remoteAddress: 'b', rttMs: 12.5, deliveryRateBps: 0, retransmits: 0, bytesSent: 0, bytesReceived: 0, backup: false } },
  ],
  aggregate: { txBps, rxBps: 2 * txBps, txBytes: 10, rxBytes: 20 },
  events: [{ at: 5, kind: 'path', link: 'eth0', message: 'eth0: joining -> active' }],
});

test('snapshot then notices with growing seq; unchanged groups are not re-sent', () => {
  let now = 1000;
  const state = new AppState(
    { version: '0', host: 'browser', canQuit: false, canCopy: false, autostartSupported: false },
    { state: 'connecting', message: '', socketPath: '/s' },
    {} as SettingsView,
    () => now,
  );
  const sent: NotifyMessage[] = [];
  state.subscribe((m) => sent.push(m));
  state.setStatus(status(1e6));
  const names = sent.map((m) => `${m.group}:${m.name}`);
  assert.deepEqual(names, ['tunnel:changed', 'paths:changed', 'links:events', 'stats:sample']);
  assert.deepEqual(sent.map((m) => m.notice.seq), [1, 2, 3, 4]);
  sent.length = 0;
  now = 2000;
  state.setStatus(status(1e6)); // same content: only the sample
  assert.deepEqual(sent.map((m) => `${m.group}:${m.name}`), ['stats:sample']);
  const snap = state.snapshot();
  assert.equal(snap.seq, 5);
  assert.equal(snap.paths[0]!.rttMs, 12.5);
  assert.equal(snap.paths[0]!.upBps, 1e6);
  assert.equal(snap.paths[0]!.downBps, 2e6);
  assert.equal(snap.history.samples.length, 2);
  assert.deepEqual(snap.history.samples[1]!.links, { eth0: 3e6 });
  state.setStatus(null);
  assert.equal(state.snapshot().tunnel, null);
  assert.equal(state.snapshot().events.length, 1, 'events stay visible while the engine is away');
});

test('event severity from kind and message', () => {
  assert.equal(toEventView({ at: 1, kind: 'session-lost', message: 'x' }).severity, 'error');
  assert.equal(toEventView({ at: 1, kind: 'failover', message: 'x' }).severity, 'warning');
  assert.equal(toEventView({ at: 1, kind: 'connected', message: 'x' }).severity, 'info');
});

test('the engine’s history fills the seconds main missed and is resent as a reset', () => {
  let now = 100_000;
  const state = new AppState(
    { version: '0', host: 'browser', canQuit: false, canCopy: false, autostartSupported: false },
    { state: 'ready', message: '', socketPath: '/s' },
    {} as SettingsView,
    () => now,
    60,
  );
  state.setStatus(status(1e6)); // main's own sample at 100 s
  const sent: NotifyMessage[] = [];
  state.subscribe((m) => sent.push(m));
  state.mergeHistory([
    { at: 30_000, aggregate: { txBps: 9, rxBps: 9 }, links: {} }, // older than the 60 s window
    { at: 98_000, aggregate: { txBps: 5, rxBps: 6 }, links: { eth0: { txBps: 5, rxBps: 6 } } },
    { at: 100_500, aggregate: { txBps: 7, rxBps: 7 }, links: {} }, // main already has second 100
  ]);
  const samples = state.snapshot().history.samples;
  assert.deepEqual(samples.map((s) => s.at), [98_000, 100_000]);
  assert.deepEqual(samples[0]!.links, { eth0: 11 });
  assert.equal(sent.length, 1);
  assert.equal(`${sent[0]!.group}:${sent[0]!.name}`, 'stats:reset');
  now += 1000;
});
