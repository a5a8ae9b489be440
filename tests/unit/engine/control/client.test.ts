import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import {
  connectControl,
  ControlClientError,
  NOT_RUNNING_MESSAGE,
  type ControlClient,
} from '../../../../electron/engine/control/client';
import { startControlServer } from '../../../../electron/engine/control/server';
import type { EngineStatus } from '../../../../electron/protocol/control';
import { BOB, FakeCredentials, FakeEngine, ROOT, clientStatus, fakeAccounts, makeStaleSocket, sleep, tmpSocketPath } from './helpers';

async function setup() {
  const engine = new FakeEngine();
  const credentials = new FakeCredentials();
  const socketPath = tmpSocketPath();
  const server = await startControlServer({ path: socketPath, engine, credentials, accounts: fakeAccounts, log: () => undefined });
  const clients: ControlClient[] = [];
  test.after(async () => {
    for (const c of clients) c.close();
    await server.close();
  });
  const connect = async (identity = ROOT) => {
    credentials.next = identity;
    const client = await connectControl({ path: socketPath, client: 'unit-test', timeoutMs: 2000 });
    clients.push(client);
    return client;
  };
  return { engine, socketPath, server, connect };
}

async function rejectsWith(promise: Promise<unknown>, code: string, message?: RegExp | string): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof ControlClientError, String(error));
    assert.equal(error.code, code);
    if (typeof message === 'string') assert.equal(error.message, message);
    else if (message) assert.match(error.message, message);
    return true;
  });
}

test('client: hello info, typed status, writes', async () => {
  const { connect, engine } = await setup();
  const client = await connect();
  assert.deepEqual(client.info, { version: 1, engine: '9.9.9', mode: 'client', access: 'write' });
  assert.deepEqual(await client.call('status', {}), clientStatus());
  assert.deepEqual(await client.call('setLinkMode', { link: 'wlan0', mode: 'backup' }), {});
  assert.deepEqual(engine.calls, ['setLinkMode wlan0 backup']);
});

test('client: engine errors and local param validation', async () => {
  const { connect, engine } = await setup();
  const bob = await connect(BOB);
  assert.equal(bob.info.access, 'read');
  await rejectsWith(bob.call('setTargetState', { state: 'connected' }), 'forbidden');
  await rejectsWith(bob.call('setTargetState', { state: 'up' as never }), 'bad-request', /invalid setTargetState params/);
  assert.deepEqual(engine.calls, []);
  assert.ok(await bob.call('status', {}), 'still usable');
});

test('client: watch delivers the snapshot then changes; stop ends delivery', async () => {
  const { connect, engine } = await setup();
  const client = await connect(BOB);
  const seen: EngineStatus[] = [];
  const watch = await client.watch((status) => seen.push(status));
  assert.deepEqual(watch.snapshot, clientStatus());
  engine.change(clientStatus({ aggregate: { txBps: 5, rxBps: 6, txBytes: 7, rxBytes: 8 } }));
  const deadline = Date.now() + 2000;
  while (seen.length === 0 && Date.now() < deadline) await sleep(10);
  assert.equal(seen.length, 1);
  assert.equal(seen[0]!.aggregate.txBps, 5);
  watch.stop();
  engine.change();
  await sleep(400);
  assert.equal(seen.length, 1);
});

test('client: a malformed status from the engine is a protocol error', async () => {
  const { connect, engine } = await setup();
  const client = await connect();
  engine.current = { mode: 'client', version: 'x' } as never;
  await rejectsWith(client.call('status', {}), 'protocol', /invalid status result.*same version/);
});

test('client: clear errors when the engine is not there', async () => {
  const socketPath = tmpSocketPath();
  await rejectsWith(connectControl(socketPath), 'not-running', NOT_RUNNING_MESSAGE);
  assert.equal(NOT_RUNNING_MESSAGE, 'engine not running (start it with `systemctl start braidd`)');
  // a socket file nobody listens on (ECONNREFUSED)
  await makeStaleSocket(socketPath);
  assert.ok(fs.lstatSync(socketPath).isSocket());
  await rejectsWith(connectControl(socketPath), 'not-running', NOT_RUNNING_MESSAGE);
  // a directory the caller cannot enter (EACCES) is checked in the integration test, as non-root
});

test('client: close rejects pending calls and fires onClose; engine shutdown is reported', async () => {
  const { connect, server, engine } = await setup();
  const client = await connect();
  let closed: unknown = 'not yet';
  client.onClose((error) => (closed = error));
  // a write that never finishes
  engine.setTargetState = () => new Promise(() => undefined);
  const pending = client.call('setTargetState', { state: 'connected' });
  await sleep(50);
  await server.close();
  await rejectsWith(pending, 'closed', 'the engine closed the connection');
  assert.ok(closed instanceof ControlClientError);
  await rejectsWith(client.call('status', {}), 'closed');
});

test('client: version mismatch surfaces from connect', async () => {
  const socketPath = tmpSocketPath();
  fs.mkdirSync(path.dirname(socketPath), { recursive: true });
  // a fake future engine that refuses our version
  const fake = net.createServer((socket) => {
    socket.on('data', () => socket.write('{"id":1,"error":{"code":"version-mismatch","message":"engine speaks 2"}}\n'));
  });
  await new Promise<void>((resolve) => fake.listen(socketPath, resolve));
  test.after(() => fake.close());
  await rejectsWith(connectControl(socketPath), 'version-mismatch', 'engine speaks 2');
});

test('client: timeout when the engine does not answer', async () => {
  const socketPath = tmpSocketPath();
  fs.mkdirSync(path.dirname(socketPath), { recursive: true });
  const mute = net.createServer(() => undefined);
  await new Promise<void>((resolve) => mute.listen(socketPath, resolve));
  test.after(() => mute.close());
  await rejectsWith(connectControl({ path: socketPath, timeoutMs: 200 }), 'timeout', /within 200 ms/);
});
