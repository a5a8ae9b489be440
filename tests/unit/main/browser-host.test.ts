import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import WebSocket from 'ws';
import type { NotifyMessage } from '../../../electron/shared/ipc-schema';
import type { AppCore } from '../../../electron/main/app-core';
import { routeRequest, startBrowserHost } from '../../../electron/main/browser-host';
import { createDispatch } from '../../../electron/main/ipc/dispatch';

function fakeCore(calls: unknown[]): AppCore & { emit(m: NotifyMessage): void } {
  const listeners = new Set<(m: NotifyMessage) => void>();
  const handlers = {
    app: { snapshot: () => ({ seq: 1 }) as never, copyText: () => ({ copied: false }), quit: () => null },
    tunnel: { connect: () => (calls.push('connect'), null), disconnect: () => null },
    links: { setMode: (p: unknown) => (calls.push(p), null) },
    stats: { history: () => ({ samples: [], windowSeconds: 600 }) },
    settings: { get: () => ({}) as never, update: () => ({}) as never, generateDeviceKey: () => ({}) as never, importInvite: () => ({}) as never, writeClientConfig: () => ({ path: '', installCommand: '' }) },
  };
  return {
    dispatch: createDispatch(handlers),
    subscribe: (l: (m: NotifyMessage) => void) => (listeners.add(l), () => listeners.delete(l)),
    emit: (m: NotifyMessage) => listeners.forEach((l) => l(m)),
  } as unknown as AppCore & { emit(m: NotifyMessage): void };
}

function get(url: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string; headers: http.IncomingHttpHeaders }> {
  return new Promise((resolve, reject) => {
    http.get(url, { headers }, (res) => {
      let body = '';
      res.on('data', (d) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode!, body, headers: res.headers }));
    }).on('error', reject);
  });
}

function open(url: string, origin: string): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { origin });
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
  });
}

test('routing checks Host and the token', () => {
  assert.equal(routeRequest('/tok/app.js', '127.0.0.1:80', 80, 'tok'), '/app.js');
  assert.equal(routeRequest('/tok/', '127.0.0.1:80', 80, 'tok'), '/');
  assert.equal(routeRequest('/tok', '127.0.0.1:80', 80, 'tok'), '/');
  assert.equal(routeRequest('/tok/app.js', 'evil.example:80', 80, 'tok'), null, 'DNS rebinding');
  assert.equal(routeRequest('/tox/app.js', '127.0.0.1:80', 80, 'tok'), null);
  assert.equal(routeRequest('/app.js', '127.0.0.1:80', 80, 'tok'), null);
});

test('serves the renderer only under the token, with a CSP; the WebSocket carries validated invokes and notices', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'braid-host-'));
  fs.writeFileSync(path.join(dir, 'index.html'), '<!doctype html><title>t</title>');
  fs.writeFileSync(path.join(dir, 'app.js'), 'void 0;');
  fs.writeFileSync(path.join(os.tmpdir(), 'braid-host-secret.txt'), 'secret');
  const calls: unknown[] = [];
  const core = fakeCore(calls);
  const host = await startBrowserHost({ core, rendererDir: dir });
  const base = `http://127.0.0.1:${host.port}`;
  try {
    assert.match(host.url, new RegExp(`^${base}/[A-Za-z0-9_-]{24}/$`));
    const index = await get(host.url);
    assert.equal(index.status, 200);
    assert.match(String(index.headers['content-security-policy']), /script-src 'self'/);
    assert.equal((await get(`${host.url}app.js`)).headers['content-type'], 'text/javascript; charset=utf-8');
    assert.equal((await get(`${base}/`)).status, 404);
    assert.equal((await get(`${base}/wrongtoken/`)).status, 404);
    assert.equal((await get(`${host.url}..%2F..%2Fbraid-host-secret.txt`)).status, 404);
    assert.equal((await get(host.url, { Host: `evil.example:${host.port}` })).status, 404);

    const wsUrl = `ws://127.0.0.1:${host.port}/${host.token}/ipc`;
    await assert.rejects(open(wsUrl, 'http://evil.example'), 'foreign origin refused');
    await assert.rejects(open(`ws://127.0.0.1:${host.port}/nope/ipc`, base), 'wrong token refused');

    const ws = await open(wsUrl, base);
    const messages: { t: string; id?: number; result?: { ok: boolean; code?: string }; channel?: string }[] = [];
    ws.on('message', (d) => messages.push(JSON.parse(String(d))));
    ws.send(JSON.stringify({ t: 'invoke', id: 1, channel: 'links:setMode', payload: { link: 'eth0', mode: 'off' } }));
    ws.send(JSON.stringify({ t: 'invoke', id: 2, channel: 'links:setMode', payload: { link: 'eth0', mode: 'turbo' } }));
    ws.send(JSON.stringify({ t: 'invoke', id: 3, channel: 'paths:changed', payload: {} }));
    core.emit({ group: 'tunnel', name: 'changed', notice: { seq: 5, data: null } });
    const deadline = Date.now() + 2000;
    while (messages.length < 4 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    const byId = (id: number) => messages.find((m) => m.id === id)!.result!;
    assert.deepEqual(byId(1), { ok: true, value: null });
    assert.equal(byId(2).code, 'bad-request');
    assert.equal(byId(3).code, 'unknown-channel');
    assert.ok(messages.some((m) => m.t === 'notify' && m.channel === 'tunnel:changed'));
    assert.deepEqual(calls, [{ link: 'eth0', mode: 'off' }]);

    // not JSON: the host closes that socket
    const closed = new Promise<number>((r) => ws.once('close', (code) => r(code)));
    ws.send('not json');
    assert.equal(await closed, 1003);
  } finally {
    await host.close();
    fs.rmSync(dir, { recursive: true, force: true });
    fs.rmSync(path.join(os.tmpdir(), 'braid-host-secret.txt'), { force: true });
  }
});

test('a malformed percent-escape in the path is a 404, not a crash of the host', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'braid-host-'));
  fs.writeFileSync(path.join(dir, 'index.html'), '<!doctype html><title>t</title>');
  const host = await startBrowserHost({ core: fakeCore([]), rendererDir: dir });
  try {
    assert.equal((await get(`${host.url}%E0%A4%A`)).status, 404);
    assert.equal((await get(`${host.url}%`)).status, 404);
    assert.equal((await get(host.url)).status, 200, 'the host still serves');
  } finally {
    await host.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
