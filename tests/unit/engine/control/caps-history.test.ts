import test from 'node:test';
import assert from 'node:assert/strict';
import { MAX_CONTROL_FRAME, MethodParams, type HistorySample } from '../../../../electron/protocol/control';
import { connectControl } from '../../../../electron/engine/control/client';
import { resolveCap } from '../../../../electron/engine/control/connection';
import { fetchHistory, pageHistory } from '../../../../electron/engine/control/history-page';
import { startControlServer } from '../../../../electron/engine/control/server';
import { ServerEngine } from '../../../../electron/engine/server/server-engine';
import type { EngineApi } from '../../../../electron/engine/engine-api';
import { BOB, EngineRequestError, FakeCredentials, FakeEngine, RawClient, ROOT, clientStatus, fakeAccounts, tmpSocketPath } from './helpers';

async function setup() {
  const engine = new FakeEngine();
  const credentials = new FakeCredentials();
  const socketPath = tmpSocketPath();
  const server = await startControlServer({ path: socketPath, engine, credentials, accounts: fakeAccounts, log: () => undefined });
  const clients: RawClient[] = [];
  test.after(async () => {
    for (const client of clients) client.close();
    await server.close();
  });
  const connect = async (identity = ROOT): Promise<RawClient> => {
    credentials.queue.push(identity);
    const client = await RawClient.connect(socketPath);
    clients.push(client);
    await client.hello();
    return client;
  };
  return { engine, credentials, socketPath, connect };
}

const T0 = 1_767_225_600_000;
function samples(count: number, links = ['enp0s31f6', 'wlp2s0', 'wwan0']): HistorySample[] {
  return Array.from({ length: count }, (_, i) => ({
    at: T0 + i * 1000,
    aggregate: { txBps: 123_456_789 + i, rxBps: 987_654_321 + i },
    links: Object.fromEntries(links.map((name) => [name, { txBps: 41_152_263 + i, rxBps: 329_218_107 + i }])),
  }));
}

test('setLinkCap: write access; sets a cap, fills in billing day and action, removes with null', async () => {
  const { engine, connect } = await setup();
  const root = await connect(ROOT);
  assert.deepEqual(await root.request(1, 'setLinkCap', { link: 'wwan0', bytes: 10e9, billingDay: 5, action: 'backup' }), { id: 1, result: {} });
  assert.deepEqual(await root.request(2, 'setLinkCap', { link: 'wwan0', bytes: 2e9 }), { id: 2, result: {} });
  assert.deepEqual(await root.request(3, 'setLinkCap', { link: 'wwan0', bytes: null }), { id: 3, result: {} });
  assert.deepEqual(engine.calls, ['setLinkCap wwan0 10000000000 day 5 backup', 'setLinkCap wwan0 2000000000 day 1 off', 'setLinkCap wwan0 none']);

  // a link that already has a cap keeps its billing day and action unless the request says
  const paths = clientStatus().paths;
  engine.current = clientStatus({
    paths: [{ ...paths[0]!, link: 'wwan0', usage: { periodStart: T0, txBytes: 1, rxBytes: 2, cap: { bytes: 5e9, billingDay: 12, action: 'backup' }, capFraction: 0 } }],
  });
  await root.request(4, 'setLinkCap', { link: 'wwan0', bytes: 7e9 });
  await root.request(5, 'setLinkCap', { link: 'wwan0', bytes: 7e9, action: 'off' });
  assert.deepEqual(engine.calls.slice(3), ['setLinkCap wwan0 7000000000 day 12 backup', 'setLinkCap wwan0 7000000000 day 12 off']);

  engine.failWith = new EngineRequestError('unknown link wwan9');
  assert.deepEqual(await root.request(6, 'setLinkCap', { link: 'wwan9', bytes: 1 }), { id: 6, error: { code: 'failed', message: 'unknown link wwan9' } });

  const bob = await connect(BOB);
  const denied = await bob.request(7, 'setLinkCap', { link: 'wwan0', bytes: null });
  assert.deepEqual(denied.error, { code: 'forbidden', message: "setLinkCap needs root or membership of the engine's control group" });
  assert.equal(engine.calls.length, 6);
});

test('setLinkCap: invalid params are a bad request and never reach the engine', async () => {
  const { engine, connect } = await setup();
  const root = await connect(ROOT);
  const bad = [
    { link: 'wwan0', bytes: 0 },
    { link: 'wwan0', bytes: -5 },
    { link: 'wwan0', bytes: 1.5 },
    { link: 'wwan0', bytes: '10GB' },
    { link: 'wwan0', bytes: 2 ** 60 },
    { link: 'wwan0', bytes: 1, billingDay: 29 },
    { link: 'wwan0', bytes: 1, billingDay: 0 },
    { link: 'wwan0', bytes: 1, action: 'throttle' },
    { link: 'wwan0', bytes: null, billingDay: 5 },
    { link: 'wwan0' },
    { link: '', bytes: 1 },
    { link: 'wwan0', bytes: 1, extra: true },
  ];
  for (const [i, params] of bad.entries()) {
    const answer = await root.request(10 + i, 'setLinkCap', params);
    assert.equal(answer.error?.code, 'bad-request', JSON.stringify(params));
  }
  const nullWithDay = await root.request(99, 'setLinkCap', { link: 'wwan0', bytes: null, billingDay: 5 });
  assert.match(nullWithDay.error.message, /billingDay and action need bytes/);
  assert.deepEqual(engine.calls, []);
});

test('resolveCap: request first, then the current cap, then day 1 and off', () => {
  const current = { bytes: 1, billingDay: 9, action: 'backup' as const };
  assert.deepEqual(resolveCap({ link: 'x', bytes: 5 }, undefined), { bytes: 5, billingDay: 1, action: 'off' });
  assert.deepEqual(resolveCap({ link: 'x', bytes: 5 }, current), { bytes: 5, billingDay: 9, action: 'backup' });
  assert.deepEqual(resolveCap({ link: 'x', bytes: 5, billingDay: 3, action: 'off' }, current), { bytes: 5, billingDay: 3, action: 'off' });
  assert.equal(resolveCap({ link: 'x', bytes: null }, current), null);
});

test('history: read access; samples after sinceMs; pages that fit in one frame', async () => {
  const { engine, connect } = await setup();
  const bob = await connect(BOB); // reading history needs no write access
  assert.deepEqual(await bob.request(1, 'history', {}), { id: 1, result: { samples: [], more: false } });
  engine.samples = samples(600);
  const first = await bob.request(2, 'history');
  assert.ok(JSON.stringify(first).length <= MAX_CONTROL_FRAME);
  assert.equal(first.result.more, true, 'ten minutes of three links do not fit in one frame');
  assert.deepEqual(first.result.samples, engine.samples.slice(0, first.result.samples.length));
  const recent = await bob.request(3, 'history', { sinceMs: T0 + 594_000 });
  assert.deepEqual(recent.result, { samples: engine.samples.slice(595), more: false });
  assert.deepEqual(engine.calls, ['history all', 'history all', `history ${T0 + 594_000}`]);
  assert.equal((await bob.request(4, 'history', { sinceMs: 'soon' })).error.code, 'bad-request');
});

test('fetchHistory follows the pages: every sample once, in order', async () => {
  const { engine, socketPath, credentials } = await setup();
  engine.samples = samples(600);
  credentials.queue.push(BOB);
  const client = await connectControl({ path: socketPath, client: 'test' });
  test.after(() => client.close());
  const all = await fetchHistory(client);
  assert.deepEqual(all, engine.samples);
  const pages = engine.calls.length;
  assert.ok(pages >= 2 && pages <= 4, `${pages} pages`);
  assert.deepEqual(await fetchHistory(client, T0 + 598_000), engine.samples.slice(599));
});

test('pageHistory: the oldest samples within the budget', () => {
  const all = samples(10);
  const one = Buffer.byteLength(JSON.stringify(all[0])) + 1;
  assert.deepEqual(pageHistory(all, one * 3), { samples: all.slice(0, 3), more: true });
  assert.deepEqual(pageHistory(all, one * 3 - 1), { samples: all.slice(0, 2), more: true });
  assert.deepEqual(pageHistory(all, one * 10), { samples: all, more: false });
  assert.deepEqual(pageHistory([]), { samples: [], more: false });
});

test('a server engine refuses caps and history with a plain message', async () => {
  const server: EngineApi = Object.create(ServerEngine.prototype) as ServerEngine;
  await assert.rejects(server.setLinkCap('wwan0', null), /not on the server/);
  assert.throws(() => server.history(), /not on the server/);
  assert.equal(MethodParams.history.safeParse({}).success, true);
});
