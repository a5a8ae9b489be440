import test from 'node:test';
import assert from 'node:assert/strict';
import { buildApi } from '../../../electron/shared/api-builder';
import { channelsOfKind, ipcChannels, listenerName } from '../../../electron/shared/ipc-channels';
import { invokePayloadSchema, ipcSchema } from '../../../electron/shared/ipc-schema';

test('the zod schema and the zod-free channel list name the same channels with the same kinds', () => {
  const kinds = Object.fromEntries(
    Object.entries(ipcSchema).map(([g, names]) => [g, Object.fromEntries(Object.entries(names).map(([n, d]) => [n, (d as { kind: string }).kind]))]),
  );
  assert.deepEqual(kinds, ipcChannels);
});

test('every invoke channel has a payload schema; notify channels and unknown names have none', () => {
  for (const c of channelsOfKind('invoke')) assert.ok(invokePayloadSchema(c), c);
  for (const c of channelsOfKind('notify')) assert.equal(invokePayloadSchema(c), undefined, c);
  for (const c of ['', 'app', 'app:', ':snapshot', 'app:snapshot:x', '__proto__:x', 'app:constructor', 'app:toString', 'nope:snapshot']) {
    assert.equal(invokePayloadSchema(c), undefined, c);
  }
});

test('the built API exposes exactly the schema: invokes by name, notifies as onName, nothing generic', async () => {
  const calls: [string, unknown][] = [];
  const listened: string[] = [];
  const api = buildApi({
    invoke: async (channel, payload) => {
      calls.push([channel, payload]);
      return { ok: true, value: null };
    },
    listen: (channel) => {
      listened.push(channel);
      return () => {};
    },
  }) as unknown as Record<string, Record<string, (...a: unknown[]) => unknown>>;
  for (const [group, names] of Object.entries(ipcChannels)) {
    const expected = Object.entries(names)
      .map(([n, k]) => (k === 'invoke' ? n : listenerName(n)))
      .sort();
    assert.deepEqual(Object.keys(api[group]!).sort(), expected, group);
  }
  assert.deepEqual(Object.keys(api).sort(), Object.keys(ipcChannels).sort());
  await api.links!.setMode!({ link: 'eth0', mode: 'off' });
  assert.deepEqual(calls, [['links:setMode', { link: 'eth0', mode: 'off' }]]);
  api.paths!.onChanged!(() => {});
  assert.deepEqual(listened, ['paths:changed']);
  assert.throws(() => api.paths!.onChanged!('not a function'), TypeError);
  assert.ok(Object.isFrozen(api) && Object.isFrozen(api.app));
});
