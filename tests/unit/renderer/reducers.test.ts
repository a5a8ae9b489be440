import test from 'node:test';
import assert from 'node:assert/strict';
import type { AppSnapshot, StatsSample } from '../../../electron/shared/types';
import { appendSample, applyNotice, applySnapshot, initialData } from '../../../renderer/store/reducers';

const snap: AppSnapshot = {
  seq: 10,
  app: { version: '0.1.0', host: 'browser', canQuit: false, canCopy: false, autostartSupported: false },
  health: { state: 'ready', message: 'ok', socketPath: '/s', access: 'write' },
  tunnel: null,
  paths: [],
  aggregate: { upBps: 0, downBps: 0, upBytes: 0, downBytes: 0 },
  events: [],
  history: { samples: [], windowSeconds: 600 },
  settings: null as never,
};

test('notices before the snapshot or with an old seq are ignored; newer ones apply', () => {
  const before = applyNotice(initialData, { group: 'paths', name: 'changed', notice: { seq: 99, data: [] } });
  assert.equal(before, initialData);
  const s = applySnapshot(initialData, snap);
  assert.equal(s.loaded, true);
  const stale = applyNotice(s, { group: 'app', name: 'health', notice: { seq: 10, data: { ...snap.health, state: 'not-running' } } });
  assert.equal(stale, s);
  const fresh = applyNotice(s, { group: 'app', name: 'health', notice: { seq: 11, data: { ...snap.health, state: 'not-running' } } });
  assert.equal(fresh.health?.state, 'not-running');
  assert.equal(fresh.seq, 11);
  const tunnel = { state: 'connected' as const, target: 'connected' as const, since: 0, server: '198.19.0.1:7443', reconnects: 0 };
  const up = applyNotice(fresh, { group: 'tunnel', name: 'changed', notice: { seq: 12, data: tunnel } });
  const gone = applyNotice(up, { group: 'tunnel', name: 'changed', notice: { seq: 13, data: null } });
  assert.equal(gone.tunnel, null);
  assert.equal(gone.engineServer, '198.19.0.1:7443', 'the engine’s server is remembered while it is away');
});

test('samples: one per second, bounded by the window', () => {
  const at = (ms: number, v: number): StatsSample => ({ at: ms, upBps: v, downBps: 0, links: {} });
  let samples: StatsSample[] = [];
  samples = appendSample(samples, at(1000, 1), 5);
  samples = appendSample(samples, at(1500, 2), 5); // same second: replaces
  assert.deepEqual(samples.map((s) => s.upBps), [2]);
  for (let i = 2; i <= 10; i++) samples = appendSample(samples, at(i * 1000, i), 5);
  assert.deepEqual(samples.map((s) => s.at), [5000, 6000, 7000, 8000, 9000, 10000]);
});

test('a history reset replaces the samples', () => {
  const s = applySnapshot(initialData, snap);
  const samples = [{ at: 1000, upBps: 1, downBps: 1, links: {} }, { at: 2000, upBps: 2, downBps: 2, links: {} }];
  const r = applyNotice(s, { group: 'stats', name: 'reset', notice: { seq: 11, data: { samples, windowSeconds: 300 } } });
  assert.deepEqual(r.samples, samples);
  assert.equal(r.windowSeconds, 300);
});
