import test from 'node:test';
import assert from 'node:assert/strict';
import { HandshakeGate } from '../../../../electron/engine/server/handshake-gate';

test('one source cannot hold more than its share of handshakes', () => {
  const gate = new HandshakeGate({ total: 10, perSource: 2 });
  const a1 = gate.admit('192.0.2.1', () => undefined);
  const a2 = gate.admit('192.0.2.1', () => undefined);
  assert.ok(a1 && a2);
  assert.equal(gate.admit('192.0.2.1', () => undefined), undefined, 'a third from the same address is refused');
  assert.ok(gate.admit('192.0.2.2', () => undefined), 'another address still gets in');
  a1.release();
  a1.release(); // releasing twice changes nothing
  assert.ok(gate.admit('192.0.2.1', () => undefined), 'a finished handshake frees its slot');
});

test('when every slot is taken the oldest handshake is aborted to make room', () => {
  const gate = new HandshakeGate({ total: 3, perSource: 3 });
  const aborted: string[] = [];
  for (const name of ['a', 'b', 'c']) gate.admit(`198.51.100.${name.charCodeAt(0)}`, () => aborted.push(name));
  const late = gate.admit('203.0.113.9', () => aborted.push('late'));
  assert.ok(late, 'a new device is never locked out');
  assert.deepEqual(aborted, ['a']);
  assert.equal(gate.size, 3);
});
