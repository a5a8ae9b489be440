import test from 'node:test';
import assert from 'node:assert/strict';
import { TunnelMachine } from '../../../../electron/engine/tunnel/tunnel-machine';
import { ConnectError, type Connector, type LiveSession } from '../../../../electron/engine/tunnel/machine';
import type { Clock } from '../../../../electron/engine/ports';

/** a clock whose timers fire only when the test advances it */
class FakeClock implements Clock {
  time = 0;
  timers: { at: number; fn: () => void; cancelled: boolean }[] = [];
  now = () => this.time;
  setTimeout = (fn: () => void, ms: number) => {
    const timer = { at: this.time + ms, fn, cancelled: false };
    this.timers.push(timer);
    return { cancel: () => void (timer.cancelled = true) };
  };
  advance(ms: number) {
    this.time += ms;
    for (const t of this.timers.filter((x) => !x.cancelled && x.at <= this.time)) {
      t.cancelled = true;
      t.fn();
    }
  }
  pending() {
    return this.timers.filter((t) => !t.cancelled).map((t) => t.at - this.time);
  }
}

/** connect attempts resolve or fail when the test says so */
class FakeConnector implements Connector {
  attempts: { resolve: (s: LiveSession) => void; reject: (e: Error) => void; onClosed: (r: string, m: string) => void }[] = [];
  teardowns = 0;
  closed: string[] = [];
  connect(_attempt: number, onClosed: (reason: string, message: string) => void) {
    return new Promise<LiveSession>((resolve, reject) => this.attempts.push({ resolve, reject, onClosed }));
  }
  async teardown() {
    this.teardowns += 1;
  }
  session(address = '10.77.0.2/24'): LiveSession {
    return { address, mptcp: true, close: (reason) => void this.closed.push(reason) };
  }
}

const flush = () => new Promise((resolve) => setImmediate(resolve));

function setup() {
  const clock = new FakeClock();
  const connector = new FakeConnector();
  const transitions: string[] = [];
  const machine = new TunnelMachine(connector, clock, { initialMs: 100, maxMs: 800 }, {
    onTransition: (from, to) => transitions.push(`${from}->${to}`),
    log: () => undefined,
  });
  return { clock, connector, machine, transitions };
}

test('connect succeeds: disconnected -> connecting -> connected', async () => {
  const { connector, machine, transitions } = setup();
  machine.post({ type: 'connect' });
  await flush();
  assert.equal(machine.current, 'connecting');
  connector.attempts[0].resolve(connector.session());
  await flush();
  assert.equal(machine.current, 'connected');
  assert.deepEqual(transitions, ['disconnected->connecting', 'connecting->connected']);
});

test('failed attempts retry with exponential backoff capped at maxMs', async () => {
  const { clock, connector, machine } = setup();
  machine.post({ type: 'connect' });
  const delays: number[] = [];
  for (let i = 0; i < 5; i++) {
    await flush();
    connector.attempts[i].reject(new Error('refused'));
    await flush();
    delays.push(clock.pending()[0]);
    clock.advance(clock.pending()[0]);
  }
  assert.deepEqual(delays, [100, 200, 400, 800, 800]);
  assert.equal(machine.current, 'connecting');
  assert.equal(machine.cause, 'refused');
});

test('a permanent failure (wrong keys) goes to error and retries only slowly', async () => {
  const { clock, connector, machine } = setup();
  machine.post({ type: 'connect' });
  await flush();
  connector.attempts[0].reject(new ConnectError('device not admitted', false));
  await flush();
  assert.equal(machine.current, 'error');
  assert.equal(machine.cause, 'device not admitted');
  assert.deepEqual(clock.pending(), [800]);
  clock.advance(800);
  await flush();
  assert.equal(machine.current, 'connecting');
});

test('a lost session reconnects and counts it', async () => {
  const { connector, machine } = setup();
  machine.post({ type: 'connect' });
  await flush();
  connector.attempts[0].resolve(connector.session());
  await flush();
  connector.attempts[0].onClosed('peer-closed', 'server went away');
  await flush();
  assert.equal(machine.current, 'connecting');
  assert.equal(machine.reconnects, 1);
  assert.equal(connector.attempts.length, 2);
});

test('disconnect while connecting tears down and discards the late session', async () => {
  const { connector, machine } = setup();
  machine.post({ type: 'connect' });
  await flush();
  machine.post({ type: 'disconnect' });
  assert.equal(machine.current, 'disconnecting');
  await flush();
  assert.equal(machine.current, 'disconnected');
  assert.equal(connector.teardowns, 1);
  connector.attempts[0].resolve(connector.session());
  await flush();
  assert.equal(machine.current, 'disconnected');
  assert.deepEqual(connector.closed, ['disconnected']);
});

test('a close event from an old session does not disturb the new one', async () => {
  const { connector, machine } = setup();
  machine.post({ type: 'connect' });
  await flush();
  connector.attempts[0].resolve(connector.session());
  await flush();
  connector.attempts[0].onClosed('peer-closed', 'x');
  await flush();
  connector.attempts[1].resolve(connector.session());
  await flush();
  connector.attempts[0].onClosed('peer-closed', 'late duplicate');
  await flush();
  assert.equal(machine.current, 'connected');
  assert.equal(machine.reconnects, 1);
});
