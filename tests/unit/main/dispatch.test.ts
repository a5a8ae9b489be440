import test from 'node:test';
import assert from 'node:assert/strict';
import type { IpcHandlers } from '../../../electron/shared/ipc-schema';
import { createDispatch } from '../../../electron/main/ipc/dispatch';
import { IpcError } from '../../../electron/main/ipc/errors';

function handlers(seen: unknown[]): IpcHandlers {
  const record = (v: unknown) => {
    seen.push(v);
    return null;
  };
  const view = {} as never;
  return {
    app: { snapshot: () => ({}) as never, copyText: () => ({ copied: false }), quit: () => null },
    tunnel: { connect: () => record('connect'), disconnect: () => record('disconnect') },
    links: {
      setMode: (p) => {
        if (p.link === 'forbidden0') throw new IpcError('forbidden', 'read-only user');
        if (p.link === 'boom0') throw new Error('kaboom');
        return record(p);
      },
    },
    stats: { history: () => ({ samples: [], windowSeconds: 600 }) },
    settings: {
      get: () => view,
      update: (p) => {
        seen.push(p);
        return view;
      },
      generateDeviceKey: () => view,
      importInvite: () => view,
      writeClientConfig: () => ({ path: '', installCommand: '' }),
    },
  };
}

test('valid calls reach their handler with the parsed payload', async () => {
  const seen: unknown[] = [];
  const dispatch = createDispatch(handlers(seen));
  assert.deepEqual(await dispatch('links:setMode', { link: 'wlan0', mode: 'backup' }), { ok: true, value: null });
  assert.deepEqual(await dispatch('tunnel:connect', {}), { ok: true, value: null });
  assert.deepEqual(await dispatch('tunnel:disconnect', undefined), { ok: true, value: null }); // no payload = {}
  assert.deepEqual(seen, [{ link: 'wlan0', mode: 'backup' }, 'connect', 'disconnect']);
});

test('malformed calls are rejected before any handler runs', async () => {
  const seen: unknown[] = [];
  const dispatch = createDispatch(handlers(seen));
  const cases: [unknown, unknown, string][] = [
    [42, {}, 'unknown-channel'],
    [null, {}, 'unknown-channel'],
    ['links:nope', {}, 'unknown-channel'],
    ['paths:changed', {}, 'unknown-channel'], // a notify channel is not invokable
    ['__proto__:toString', {}, 'unknown-channel'],
    ['app:constructor', {}, 'unknown-channel'],
    ['links:setMode', { link: 'wlan0', mode: 'turbo' }, 'bad-request'],
    ['links:setMode', { link: 'wlan0' }, 'bad-request'],
    ['links:setMode', { link: '', mode: 'on' }, 'bad-request'],
    ['links:setMode', { link: 'x'.repeat(65), mode: 'on' }, 'bad-request'],
    ['links:setMode', { link: 'eth0; rm -rf /', mode: 'on' }, 'bad-request'],
    ['links:setMode', { link: 'eth0', mode: 'on', extra: 1 }, 'bad-request'],
    ['links:setMode', 'eth0 on', 'bad-request'],
    ['links:setMode', [], 'bad-request'],
    ['tunnel:connect', { force: true }, 'bad-request'],
    ['stats:history', { seconds: 0 }, 'bad-request'],
    ['stats:history', { seconds: 1.5 }, 'bad-request'],
    ['stats:history', { seconds: '60' }, 'bad-request'],
    ['settings:update', { server: { port: 70000 } }, 'bad-request'],
    ['settings:update', { server: { host: 'evil host' } }, 'bad-request'],
    ['settings:update', { routing: { prefixes: ['not a prefix'] } }, 'bad-request'],
    ['settings:update', { routing: { mode: 'everything' } }, 'bad-request'],
    ['settings:update', { device: { secret: 'sneaky' } }, 'bad-request'],
    ['settings:update', { unknown: true }, 'bad-request'],
    ['settings:update', { startAtLogin: 'yes' }, 'bad-request'],
    ['settings:importInvite', { invite: 'x' }, 'bad-request'],
    ['app:copyText', { text: 'x'.repeat(5000) }, 'bad-request'],
  ];
  for (const [channel, payload, code] of cases) {
    const result = await dispatch(channel, payload);
    assert.equal(result.ok, false, `${String(channel)} ${JSON.stringify(payload)} should fail`);
    if (!result.ok) {
      assert.equal(result.code, code, `${String(channel)} ${JSON.stringify(payload)}: ${result.message}`);
      assert.ok(result.message.length > 0);
    }
  }
  assert.deepEqual(seen, [], 'no handler ran');
});

test('handler errors become results: IpcError keeps its code, anything else is "failed"', async () => {
  const logged: string[] = [];
  const dispatch = createDispatch(handlers([]), (m) => logged.push(m));
  assert.deepEqual(await dispatch('links:setMode', { link: 'forbidden0', mode: 'on' }), { ok: false, code: 'forbidden', message: 'read-only user' });
  assert.deepEqual(await dispatch('links:setMode', { link: 'boom0', mode: 'on' }), { ok: false, code: 'failed', message: 'kaboom' });
  assert.equal(logged.length, 1);
});
