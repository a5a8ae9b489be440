import test from 'node:test';
import assert from 'node:assert/strict';
import type { ClientStatus, EngineStatus, HelloResult, HistorySample } from '../../../electron/protocol/control';
import type { EngineHealth } from '../../../electron/shared/types';
import { Backoff } from '../../../electron/main/engine-client/backoff';
import { ControlCallError, SessionOpenError, type ControlSession } from '../../../electron/main/engine-client/session';
import { EngineSupervisor, NOT_RUNNING_MESSAGE } from '../../../electron/main/engine-client/supervisor';
import type { TrustVerdict } from '../../../electron/main/engine-client/socket-trust';
import { IpcError } from '../../../electron/main/ipc/errors';

const hello: HelloResult = { version: 1, engine: '0.1.0', mode: 'client', access: 'write' };

function status(state: ClientStatus['tunnel']['state'] = 'connected'): ClientStatus {
  return {
    mode: 'client',
    version: '0.1.0',
    tunnel: { state, target: 'connected', since: 0, server: 's:1', reconnects: 0 },
    paths: [],
    aggregate: { txBps: 0, rxBps: 0, txBytes: 0, rxBytes: 0 },
    events: [],
  };
}

class FakeSession implements ControlSession {
  closeListeners: ((err?: Error) => void)[] = [];
  onStatus?: (s: EngineStatus) => void;
  writes: unknown[] = [];
  closed = false;
  constructor(
    readonly hello: HelloResult,
    private readonly snapshot: EngineStatus = status(),
  ) {}
  async watch(onStatus: (s: EngineStatus) => void) {
    this.onStatus = onStatus;
    return this.snapshot;
  }
  async setTargetState(state: 'connected' | 'disconnected') {
    if (state === 'disconnected' && this.hello.engine === 'refuses') throw new ControlCallError('failed', 'nope');
    this.writes.push(state);
  }
  async setLinkMode(link: string, mode: string) {
    this.writes.push([link, mode]);
  }
  historySamples: HistorySample[] | Error = [];
  async history() {
    if (this.historySamples instanceof Error) throw this.historySamples;
    return this.historySamples;
  }
  onClose(l: (err?: Error) => void) {
    this.closeListeners.push(l);
  }
  close() {
    this.drop();
  }
  drop() {
    if (this.closed) return;
    this.closed = true;
    for (const l of this.closeListeners) l();
  }
}

function harness(opts: { trust?: () => TrustVerdict; open: () => Promise<ControlSession>; spawner?: { ensureRunning(): void } }) {
  const healths: EngineHealth[] = [];
  const statuses: (ClientStatus | null)[] = [];
  const sup = new EngineSupervisor({
    socketPath: '/run/braid/engine.sock',
    open: opts.open,
    checkTrust: async () => (opts.trust ? opts.trust() : { ok: true, uid: 0 }),
    backoff: new Backoff(5, 20, () => 0.5),
    spawner: opts.spawner,
  });
  sup.on('health', (h) => healths.push(h));
  sup.on('status', (s) => statuses.push(s));
  return { sup, healths, statuses };
}

async function until(cond: () => boolean, ms = 2000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 2));
  }
}

test('ready after hello and watch; status flows; writes reach the engine', async () => {
  const session = new FakeSession(hello);
  const { sup, healths, statuses } = harness({ open: async () => session });
  sup.start();
  await until(() => sup.health.state === 'ready');
  assert.equal(healths.at(-1)!.access, 'write');
  assert.equal(statuses.length, 1);
  session.onStatus!(status('connecting'));
  assert.equal(sup.status?.tunnel.state, 'connecting');
  await sup.setTargetState('disconnected');
  await sup.setLinkMode('eth0', 'backup');
  assert.deepEqual(session.writes, ['disconnected', ['eth0', 'backup']]);
  sup.stop();
});

test('engine not running: says how to start it, keeps retrying, recovers without outside help', async () => {
  let attempts = 0;
  let session: FakeSession | undefined;
  const { sup, healths } = harness({
    open: async () => {
      attempts++;
      if (attempts < 3) throw new SessionOpenError('not-running', 'x');
      return (session = new FakeSession(hello));
    },
  });
  sup.start();
  await until(() => sup.health.state === 'ready');
  assert.equal(healths[0]!.state, 'not-running');
  assert.equal(healths[0]!.message, NOT_RUNNING_MESSAGE);
  assert.match(NOT_RUNNING_MESSAGE, /systemctl start braidd/);
  // the engine goes away: status is cleared, health says so, and it reconnects
  attempts = 0;
  session!.drop();
  assert.equal(sup.status, null);
  await until(() => healths.some((h, i) => i > 1 && h.state === 'not-running'));
  await until(() => sup.health.state === 'ready');
  sup.stop();
});

test('a missing socket with a dev spawner asks it to start braidd', async () => {
  let asked = 0;
  let present = false;
  const { sup } = harness({
    trust: () => (present ? { ok: true, uid: 0 } : { ok: false, reason: 'missing' }),
    open: async () => new FakeSession(hello),
    spawner: {
      ensureRunning: () => {
        asked++;
        present = true;
      },
    },
  });
  sup.start();
  await until(() => sup.health.state === 'ready');
  assert.equal(asked, 1);
  sup.stop();
});

test('refuses an untrusted socket, a wrong protocol version, a server socket; reports no access', async () => {
  const cases: [Parameters<typeof harness>[0], EngineHealth['state']][] = [
    [{ trust: () => ({ ok: false, reason: 'untrusted-owner', uid: 1000, message: 'owned by uid 1000' }), open: async () => new FakeSession(hello) }, 'untrusted'],
    [{ open: async () => new FakeSession({ ...hello, version: 2 }) }, 'incompatible'],
    [{ open: async () => Promise.reject(new SessionOpenError('incompatible', 'version-mismatch')) }, 'incompatible'],
    [{ open: async () => new FakeSession({ ...hello, mode: 'server' }) }, 'wrong-mode'],
    [{ open: async () => Promise.reject(new SessionOpenError('no-access', 'EACCES')) }, 'no-access'],
    [{ open: async () => Promise.reject(new Error('weird')) }, 'error'],
  ];
  for (const [opts, expected] of cases) {
    const { sup } = harness(opts);
    sup.start();
    await until(() => sup.health.state === expected);
    assert.equal(sup.status, null);
    await assert.rejects(sup.setTargetState('connected'), (e: unknown) => e instanceof IpcError && e.code === 'engine-unavailable');
    sup.stop();
  }
});

test('read-only access: writes are refused locally with a clear message; engine errors map to codes', async () => {
  const { sup } = harness({ open: async () => new FakeSession({ ...hello, access: 'read' }) });
  sup.start();
  await until(() => sup.health.state === 'ready');
  await assert.rejects(sup.setLinkMode('eth0', 'off'), (e: unknown) => e instanceof IpcError && e.code === 'forbidden');
  sup.stop();
  const h2 = harness({ open: async () => new FakeSession({ ...hello, engine: 'refuses' }) });
  h2.sup.start();
  await until(() => h2.sup.health.state === 'ready');
  await assert.rejects(h2.sup.setTargetState('disconnected'), (e: unknown) => e instanceof IpcError && e.code === 'failed' && e.message === 'nope');
  h2.sup.stop();
});

test('after connecting, the engine’s rate history is passed on; an engine without one is fine', async () => {
  const session = new FakeSession(hello);
  session.historySamples = [{ at: 1000, aggregate: { txBps: 1, rxBps: 2 }, links: { eth0: { txBps: 1, rxBps: 2 } } }];
  const { sup } = harness({ open: async () => session });
  const got: HistorySample[][] = [];
  sup.on('history', (h) => got.push(h));
  sup.start();
  await until(() => got.length === 1);
  assert.equal(got[0]![0]!.at, 1000);
  sup.stop();
  const old = new FakeSession(hello);
  old.historySamples = new Error('unknown-method');
  const h2 = harness({ open: async () => old });
  h2.sup.start();
  await until(() => h2.sup.health.state === 'ready');
  await new Promise((r) => setTimeout(r, 20));
  assert.equal(h2.sup.health.state, 'ready');
  h2.sup.stop();
});

test('backoff doubles to its cap and resets', () => {
  const b = new Backoff(100, 1000, () => 0.5);
  assert.deepEqual([b.next(), b.next(), b.next(), b.next(), b.next(), b.next()], [100, 200, 400, 800, 1000, 1000]);
  b.reset();
  assert.equal(b.next(), 100);
});
