import test from 'node:test';
import assert from 'node:assert/strict';
import { parseEndpoints } from '../../../../electron/engine/paths/kernel-paths';

test('`ip mptcp endpoint show` lines parse into id, address, device and flags', () => {
  // real output of iproute2 6.x (trailing spaces included)
  const out = ['10.9.0.3 id 3 signal ', 'fd00::5 id 5 subflow fullmesh dev d0 ', '10.9.0.2 id 64 subflow backup dev bl0 ', '10.9.0.4 port 5000 id 4 signal ', ''].join('\n');
  assert.deepEqual(parseEndpoints(out), [
    { id: 3, address: '10.9.0.3', dev: undefined, flags: ['signal'] },
    { id: 5, address: 'fd00::5', dev: 'd0', flags: ['subflow', 'fullmesh'] },
    { id: 64, address: '10.9.0.2', dev: 'bl0', flags: ['subflow', 'backup'] },
    { id: 4, address: '10.9.0.4', dev: undefined, flags: ['signal'] },
  ]);
});

test('a device named like a flag is the device, not a flag; junk lines are skipped', () => {
  assert.deepEqual(parseEndpoints('192.0.2.9 id 65 subflow dev backup\n'), [{ id: 65, address: '192.0.2.9', dev: 'backup', flags: ['subflow'] }]);
  assert.deepEqual(parseEndpoints('Error: something went wrong\n\n  \n'), []);
});
