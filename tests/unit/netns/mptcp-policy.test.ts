import test from 'node:test';
import assert from 'node:assert/strict';
import { parseEndpoints, parseLimits } from '../../netns/mptcp-policy';

test('parseEndpoints reads address, id, flags and dev', () => {
  const eps = parseEndpoints('10.100.0.2 id 1 subflow dev bl0 \n10.100.1.2 id 2 subflow backup dev bl1 \n10.9.9.9 id 7 signal \n');
  assert.deepEqual(eps, [
    { address: '10.100.0.2', id: 1, flags: ['subflow'], dev: 'bl0' },
    { address: '10.100.1.2', id: 2, flags: ['subflow', 'backup'], dev: 'bl1' },
    { address: '10.9.9.9', id: 7, flags: ['signal'], dev: undefined },
  ]);
  assert.deepEqual(parseEndpoints(''), []);
});

test('parseLimits reads both limits and rejects garbage', () => {
  assert.deepEqual(parseLimits('add_addr_accepted 0 subflows 2 \n'), { subflows: 2, addAddrAccepted: 0 });
  assert.throws(() => parseLimits('nonsense'));
});
