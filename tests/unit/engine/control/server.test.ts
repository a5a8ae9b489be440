import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { MAX_CONTROL_FRAME } from '../../../../electron/protocol/control';
import { startControlServer, type ControlServerOptions } from '../../../../electron/engine/control/server';
import { MAX_WATCHES_PER_CONNECTION } from '../../../../electron/engine/control/connection';
import {
  BOB,
  BRAID_GID,
  EngineRequestError,
  FakeCredentials,
  FakeEngine,
  RawClient,
  ROOT,
  clientStatus,
  fakeAccounts,
  makeStaleSocket,
  sleep,
  tmpSocketPath,
} from './helpers';

async function setup(options: Partial<ControlServerOptions> = {}) {
  const engine = new FakeEngine();
  const credentials = new FakeCredentials();
  const logs: string[] = [];
  const socketPath = tmpSocketPath();
  const server = await startControlServer({
    path: socketPath,
    engine,
    credentials,
    accounts: fakeAccounts,
    group: 'braid',
    log: (line) => logs.push(line),
    ...options,
  });
  const clients: RawClient[] = [];
  test.after(async () => {
    for (const client of clients) client.close();
    await server.close();
  });
  const connect = async (identity = ROOT): Promise<RawClient> => {
    credentials.queue.push(identity);
    const client = await RawClient.connect(socketPath);
    clients.push(client);
    return client;
  };
  return { engine, credentials, logs, socketPath, server, connect };
}

test('socket file: parent directory 0755, socket 0666, removed on close', async () => {
  const { socketPath, server } = await setup();
  assert.equal(fs.statSync(path.dirname(socketPath)).mode & 0o777, 0o755);
  const stat = fs.lstatSync(socketPath);
  assert.ok(stat.isSocket());
  assert.equal(stat.mode & 0o777, 0o666);
  await server.close();
  assert.equal(fs.existsSync(socketPath), false);
});

test('hello first: answers version, engine, mode and the caller access', async () => {
  const { connect } = await setup();
  const client = await connect(ROOT);
  assert.deepEqual(await client.request(1, 'status', {}), { id: 1, error: { code: 'not-ready', message: 'send hello first' } });
  assert.deepEqual(await client.hello(), { version: 1, engine: '9.9.9', mode: 'client', access: 'write' });
  const status = await client.request(2, 'status', {});
  assert.deepEqual(status, { id: 2, result: clientStatus() });
});

test('version mismatch is refused and the connection stays not ready', async () => {
  const { connect } = await setup();
  const client = await connect();
  const answer = await client.request(1, 'hello', { version: 2 });
  assert.equal(answer.error.code, 'version-mismatch');
  assert.match(answer.error.message, /version 1, this client 2/);
  assert.equal((await client.request(2, 'status', {})).error.code, 'not-ready');
});

test('read vs write: a uid outside the group reads but gets forbidden for writes', async () => {
  const { connect, engine } = await setup();
  const bob = await connect(BOB);
  assert.equal((await bob.hello()).access, 'read');
  assert.ok((await bob.request(1, 'status', {})).result);
  assert.ok((await bob.request(2, 'watch', {})).result);
  const forbidden = await bob.request(3, 'setTargetState', { state: 'disconnected' });
  assert.equal(forbidden.error.code, 'forbidden');
  assert.equal((await bob.request(4, 'setLinkMode', { link: 'eth0', mode: 'off' })).error.code, 'forbidden');
  assert.deepEqual(engine.calls, []);

  const root = await connect(ROOT);
  await root.hello();
  assert.deepEqual(await root.request(1, 'setTargetState', { state: 'disconnected' }), { id: 1, result: {} });
  assert.deepEqual(await root.request(2, 'setLinkMode', { link: 'eth0', mode: 'backup' }), { id: 2, result: {} });
  assert.deepEqual(engine.calls, ['setTargetState disconnected', 'setLinkMode eth0 backup']);
});

test('group membership grants write: primary gid, supplementary groups, /etc/group members', async () => {
  const { connect } = await setup();
  const cases = [
    [{ pid: 1, uid: 1002, gid: BRAID_GID, groups: [] }, 'write'],
    [{ pid: 1, uid: 1002, gid: 1002, groups: [27, BRAID_GID] }, 'write'],
    [{ pid: 1, uid: 1000, gid: 1000, groups: [] }, 'write'], // alice is listed in /etc/group
    [{ pid: 1, uid: 1002, gid: 1002, groups: [27] }, 'read'],
  ] as const;
  for (const [identity, access] of cases) {
    const client = await connect({ ...identity, groups: [...identity.groups] });
    assert.equal((await client.hello()).access, access, JSON.stringify(identity));
    client.close();
  }
});

test('no such group: only root writes; unidentifiable peers read', async () => {
  const { connect, credentials, logs } = await setup({ group: 'nonexistent' });
  const member = await connect({ pid: 1, uid: 1002, gid: BRAID_GID, groups: [BRAID_GID] });
  assert.equal((await member.hello()).access, 'read');
  credentials.queue.push(new Error('SO_PEERCRED failed'));
  const unknown = await connect();
  credentials.queue.shift(); // connect() queued ROOT after the error; drop it
  assert.equal((await unknown.hello()).access, 'read');
  assert.ok(logs.some((line) => line.includes('SO_PEERCRED failed')));
});

test('bad input: malformed JSON, invalid requests and params get bad-request, the connection stays usable', async () => {
  const { connect } = await setup();
  const client = await connect();
  await client.hello();
  client.send('this is not json\n');
  assert.deepEqual(await client.next(), { id: null, error: { code: 'bad-request', message: 'not valid JSON' } });
  client.send('{"id": "seven", "method": "status"}\n');
  const notRequest = await client.next();
  assert.equal(notRequest.id, null);
  assert.equal(notRequest.error.code, 'bad-request');
  client.send('[1,2,3]\n');
  assert.equal((await client.next()).error.code, 'bad-request');
  const params = await client.request(5, 'setTargetState', { state: 'sideways' });
  assert.equal(params.error.code, 'bad-request');
  assert.match(params.error.message, /^invalid params: state: /);
  assert.equal((await client.request(6, 'status', { extra: 1 })).error.code, 'bad-request');
  assert.equal((await client.request(7, 'reboot', {})).error.code, 'unknown-method');
  assert.equal((await client.request(8, 'constructor', {})).error.code, 'unknown-method');
  assert.equal((await client.request(9, '__proto__', {})).error.code, 'unknown-method');
  // blank lines and CRLF are tolerated
  client.send('\n\r\n{"id":10,"method":"status"}\r\n');
  assert.ok((await client.next((l) => l.id === 10)).result);
});

test('engine failures become "failed" errors, the connection stays usable', async () => {
  const { connect, engine, logs } = await setup();
  const client = await connect();
  await client.hello();
  engine.failWith = new EngineRequestError('no such link: eth9');
  assert.deepEqual(await client.request(1, 'setLinkMode', { link: 'eth9', mode: 'on' }), {
    id: 1,
    error: { code: 'failed', message: 'no such link: eth9' },
  });
  engine.failWith = new Error('boom');
  assert.deepEqual(await client.request(2, 'setTargetState', { state: 'connected' }), {
    id: 2,
    error: { code: 'failed', message: 'engine error: boom' },
  });
  assert.ok(logs.some((line) => line.includes('boom')));
  assert.ok((await client.request(3, 'status', {})).result);
});

test('oversized frame: error frame-too-large, that connection closes, another client is unaffected', async () => {
  const { connect, server } = await setup();
  const other = await connect(BOB);
  await other.hello();
  const big = await connect();
  await big.hello();
  // no newline at all: the server must not wait for one
  big.send('{"id":1,"method":"status","params":{"pad":"' + 'x'.repeat(MAX_CONTROL_FRAME) + '"}}');
  assert.deepEqual(await big.next(), {
    id: null,
    error: { code: 'frame-too-large', message: `a line may be at most ${MAX_CONTROL_FRAME} bytes; closing` },
  });
  await big.closedPromise;
  assert.ok((await other.request(1, 'status', {})).result);
  assert.equal(server.connectionCount(), 1);

  // a complete line just over the limit, split over several writes
  const big2 = await connect();
  await big2.hello();
  const line = JSON.stringify({ id: 1, method: 'status', pad: 'y'.repeat(MAX_CONTROL_FRAME) });
  big2.send(line.slice(0, 1000));
  big2.send(line.slice(1000) + '\n');
  assert.equal((await big2.next()).error.code, 'frame-too-large');
  await big2.closedPromise;
  // exactly at the limit is fine
  const exact = await connect();
  await exact.hello();
  const base = JSON.stringify({ id: 3, method: 'status', params: {}, p: '' });
  exact.send(JSON.stringify({ id: 3, method: 'status', params: {}, p: 'z'.repeat(MAX_CONTROL_FRAME - base.length) }) + '\n');
  const answer = await exact.next();
  assert.equal(answer.id, 3);
  assert.ok(answer.result, JSON.stringify(answer).slice(0, 200)); // extra request fields are ignored
});

test('watch: snapshot, then coalesced notifications (a burst sends once)', async () => {
  const { connect, engine } = await setup();
  const client = await connect(BOB);
  await client.hello();
  const snapshot = await client.request(7, 'watch', {});
  assert.deepEqual(snapshot.result, clientStatus());
  for (let i = 1; i <= 100; i++) engine.change(clientStatus({ aggregate: { txBps: i, rxBps: 0, txBytes: 0, rxBytes: 0 } }));
  const first = await client.next((l) => 'watch' in l);
  assert.equal(first.watch, 7);
  assert.equal(first.status.aggregate.txBps, 100);
  await sleep(400);
  assert.equal(client.lines.filter((l: any) => 'watch' in l).length, 0, 'one notification for a burst');
});

test('watch: at most 4 notifications per second under constant change', async () => {
  const { connect, engine } = await setup();
  const client = await connect();
  await client.hello();
  await client.request(1, 'watch', {});
  const started = Date.now();
  let n = 0;
  while (Date.now() - started < 1100) {
    engine.change(clientStatus({ aggregate: { txBps: ++n, rxBps: 0, txBytes: 0, rxBytes: 0 } }));
    await sleep(5);
  }
  await sleep(300); // let the last coalesced one arrive
  const notes = client.lines.filter((l: any) => 'watch' in l) as any[];
  assert.ok(notes.length >= 3 && notes.length <= 5, `${notes.length} notifications in ~1.1 s`);
  assert.equal(notes.at(-1).status.aggregate.txBps, n, 'the last notification carries the latest status');
});

test('watches per connection are limited: one request cannot multiply every notification', async () => {
  const { connect, engine } = await setup();
  const client = await connect(BOB);
  await client.hello();
  const lines = Array.from({ length: 40 }, (_, i) => `{"id":${i + 1},"method":"watch"}`).join('\n');
  client.send(`${lines}\n`);
  const answers = [];
  for (let i = 1; i <= 40; i++) answers.push(await client.next((l) => l.id === i));
  const accepted = answers.filter((a) => a.result).length;
  assert.equal(accepted, MAX_WATCHES_PER_CONNECTION);
  for (const refused of answers.filter((a) => a.error)) assert.equal(refused.error.code, 'bad-request');
  engine.change(clientStatus({ aggregate: { txBps: 1, rxBps: 0, txBytes: 0, rxBytes: 0 } }));
  await client.next((l) => 'watch' in l);
  await sleep(300);
  assert.equal(client.lines.filter((l: any) => 'watch' in l).length, MAX_WATCHES_PER_CONNECTION - 1);
  assert.ok((await client.request(99, 'status', {})).result, 'the connection stays usable');
});

test('a client that stops reading is dropped; others keep working', async () => {
  const { connect, engine, server, logs } = await setup({ maxBufferedBytes: 256 * 1024 });
  const events = Array.from({ length: 50 }, (_, i) => ({ at: i, kind: 'test', message: 'm'.repeat(1000) }));
  engine.current = clientStatus({ events });
  const slow = await connect();
  await slow.hello();
  slow.socket.pause();
  const other = await connect(BOB);
  await other.hello();
  // ~51 KB per answer; the kernel buffers some, then the server's queue passes 256 KiB
  for (let i = 1; i <= 60; i++) slow.send(`{"id":${i},"method":"status"}\n`);
  const deadline = Date.now() + 5000;
  while (server.connectionCount() > 1 && Date.now() < deadline) await sleep(20);
  assert.equal(server.connectionCount(), 1);
  assert.ok(logs.some((line) => line.includes('not reading')));
  assert.ok((await other.request(1, 'status', {})).result);
});

test('an oversized status loses its oldest events to fit in one frame', async () => {
  const { connect, engine } = await setup();
  const events = Array.from({ length: 50 }, (_, i) => ({ at: i, kind: 'test', message: String(i).padEnd(3000, '.') }));
  engine.current = clientStatus({ events });
  const client = await connect();
  await client.hello();
  const answer = await client.request(1, 'status', {});
  const kept = answer.result.events as Array<{ at: number }>;
  assert.ok(kept.length > 0 && kept.length < 50);
  assert.equal(kept.at(-1)!.at, 49, 'newest event kept');
  assert.ok(JSON.stringify(answer).length <= MAX_CONTROL_FRAME);
});

test('requests on one connection are answered in order', async () => {
  const { connect, engine } = await setup();
  const client = await connect();
  await client.hello();
  client.send('{"id":1,"method":"setLinkMode","params":{"link":"eth0","mode":"off"}}\n{"id":2,"method":"status"}\n');
  const first = await client.next();
  const second = await client.next();
  assert.deepEqual([first.id, second.id], [1, 2]);
  assert.deepEqual(engine.calls, ['setLinkMode eth0 off']);
});

test('connection limit per uid', async () => {
  const { connect, server } = await setup({ maxConnectionsPerUid: 2 });
  const a = await connect(BOB);
  const b = await connect(BOB);
  const c = await connect(BOB);
  await c.closedPromise;
  await a.hello();
  await b.hello();
  const root = await connect(ROOT);
  await root.hello();
  assert.equal(server.connectionCount(), 3);
});

test('close drops clients and unsubscribes from the engine', async () => {
  const { connect, engine, server } = await setup();
  const client = await connect();
  await client.hello();
  assert.equal(engine.listenerCount(), 1);
  await server.close();
  await client.closedPromise;
  assert.equal(engine.listenerCount(), 0);
});

test('stale socket file is replaced; a live one or a non-socket is left alone', async () => {
  const socketPath = tmpSocketPath();
  fs.mkdirSync(path.dirname(socketPath), { recursive: true });
  const live = net.createServer().listen(socketPath);
  await new Promise((resolve) => live.once('listening', resolve));
  const engine = new FakeEngine();
  const common = { engine, credentials: new FakeCredentials(), accounts: fakeAccounts, log: () => undefined };
  await assert.rejects(startControlServer({ path: socketPath, ...common }), /another engine is already listening/);
  await new Promise((resolve) => live.close(resolve));
  await makeStaleSocket(socketPath);
  assert.ok(fs.lstatSync(socketPath).isSocket(), 'stale socket file left behind');
  const server = await startControlServer({ path: socketPath, ...common });
  const client = await RawClient.connect(socketPath);
  assert.equal((await client.hello()).mode, 'client');
  client.close();
  await server.close();

  fs.writeFileSync(socketPath, 'precious');
  await assert.rejects(startControlServer({ path: socketPath, ...common }), /exists and is not a socket/);
  assert.equal(fs.readFileSync(socketPath, 'utf8'), 'precious');
});

test('a socket directory others may write to is refused (they could swap the socket for a symlink before the chmod)', async () => {
  const socketPath = tmpSocketPath();
  const dir = path.dirname(socketPath);
  fs.mkdirSync(dir, { recursive: true });
  const common = { engine: new FakeEngine(), credentials: new FakeCredentials(), accounts: fakeAccounts, log: () => undefined };
  for (const mode of [0o777, 0o775, 0o757]) {
    fs.chmodSync(dir, mode);
    const outcome = await startControlServer({ path: socketPath, ...common }).then(
      async (server) => (await server.close(), 'started'),
      (error: Error) => error.message,
    );
    assert.match(outcome, /writable by other users/, `mode ${mode.toString(8)}`);
    assert.equal(fs.existsSync(socketPath), false);
  }
  // sticky like /tmp: others cannot remove or rename our socket
  fs.chmodSync(dir, 0o1777);
  const server = await startControlServer({ path: socketPath, ...common });
  await server.close();
  fs.chmodSync(dir, 0o755);
});
