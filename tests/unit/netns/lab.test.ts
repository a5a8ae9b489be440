import test from 'node:test';
import assert from 'node:assert/strict';
import { linkAddressing, nsBase, parseNsName, parsePing, tbfParams } from '../../netns/lab';

test('tbfParams: 25 ms of queue plus a burst of max(16 KiB, 4 ms)', () => {
  const p50 = tbfParams(50);
  assert.equal(p50.rateBit, 50_000_000);
  assert.equal(p50.burstBytes, 25_000); // 6.25 MB/s * 4 ms
  assert.equal(p50.limitBytes, 156_250 + 25_000);
  const p10 = tbfParams(10);
  assert.equal(p10.burstBytes, 16 * 1024);
  assert.equal(p10.limitBytes, 31_250 + 16 * 1024);
  assert.throws(() => tbfParams(0));
  assert.throws(() => tbfParams(Number.NaN));
});

test('linkAddressing: one /24 per link, gateway .1, client .2, short interface names', () => {
  const l = linkAddressing(2);
  assert.deepEqual(l, { index: 2, name: 'bl2', clientAddress: '10.100.2.2', gateway: '10.100.2.1', prefixLen: 24, subnet: '10.100.2.0/24', serverIf: 'sl2' });
  assert.ok(linkAddressing(254).name.length <= 15);
  assert.throws(() => linkAddressing(255));
  assert.throws(() => linkAddressing(-1));
});

test('namespace names round-trip and other prefixes are ignored', () => {
  const base = nsBase('brl', 4242, 'a1b2c3');
  assert.deepEqual(parseNsName(`${base}-s`, 'brl'), { prefix: 'brl', pid: 4242, id: 'a1b2c3', role: 'server', base });
  assert.equal(parseNsName(`${base}-c`, 'brl')?.role, 'client');
  assert.equal(parseNsName(`${base}-i`, 'brl')?.role, 'internet');
  assert.equal(parseNsName(`${base}-s`, 'other'), null);
  assert.equal(parseNsName('brl-x-a1-s', 'brl'), null);
  assert.equal(parseNsName(`${base}-x`, 'brl'), null);
  assert.equal(parseNsName('brlx-12-ab-c', 'brl'), null);
});

test('parsePing: replies, losses, median', () => {
  const out = `PING 198.18.0.1 (198.18.0.1) 56(84) bytes of data.
64 bytes from 198.18.0.1: icmp_seq=1 ttl=63 time=0.412 ms
64 bytes from 198.18.0.1: icmp_seq=2 ttl=63 time=20.5 ms
64 bytes from 198.18.0.1: icmp_seq=4 ttl=63 time=3.10 ms

--- 198.18.0.1 ping statistics ---
4 packets transmitted, 3 received, 25% packet loss, time 603ms
rtt min/avg/max/mdev = 0.412/8.004/20.500/8.9 ms
`;
  const r = parsePing(out);
  assert.equal(r.transmitted, 4);
  assert.equal(r.received, 3);
  assert.deepEqual(r.rttsMs, [0.412, 20.5, 3.1]);
  assert.equal(r.medianMs, 3.1);
  assert.equal(r.minMs, 0.412);
  assert.equal(r.maxMs, 20.5);

  const none = parsePing(`PING 10.0.0.9 (10.0.0.9) 56(84) bytes of data.
From 10.100.0.2 icmp_seq=1 Destination Host Unreachable

--- 10.0.0.9 ping statistics ---
3 packets transmitted, 0 received, +3 errors, 100% packet loss, time 2030ms
`);
  assert.equal(none.transmitted, 3);
  assert.equal(none.received, 0);
  assert.equal(none.medianMs, null);
  assert.deepEqual(none.rttsMs, []);
});
