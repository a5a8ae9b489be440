import test from 'node:test';
import assert from 'node:assert/strict';
import { Nat, natRuleset, NAT_TABLE } from '../../../../electron/engine/server/nat';
import type { NetworkPort } from '../../../../electron/engine/ports';

test('the ruleset masquerades only the pool, out of the chosen interface or anything but the tunnel', () => {
  assert.match(natRuleset('10.77.0.0/24', 'braids0', 'eth0'), /ip saddr 10\.77\.0\.0\/24 oifname "eth0" masquerade/);
  assert.match(natRuleset('10.77.0.0/24', 'braids0'), /oifname != "braids0" masquerade/);
});

test('install replaces a leftover table, enables forwarding, and remove restores it', async () => {
  const calls: string[] = [];
  const sysctl = new Map([['net/ipv4/ip_forward', '0']]);
  const net: NetworkPort = {
    ip: async () => '',
    readSysctl: async (k) => sysctl.get(k),
    setSysctl: async (k, v) => void sysctl.set(k, v),
    nft: async (script) => void calls.push(script.split('\n')[0]),
  };
  const nat = new Nat(net);
  await nat.install('10.77.0.0/24', 'braids0');
  assert.deepEqual(calls, [`delete table ip ${NAT_TABLE}`, `table ip ${NAT_TABLE} {`]);
  assert.equal(sysctl.get('net/ipv4/ip_forward'), '1');
  await nat.remove();
  assert.equal(calls.at(-1), `delete table ip ${NAT_TABLE}`);
  assert.equal(sysctl.get('net/ipv4/ip_forward'), '0');
});
