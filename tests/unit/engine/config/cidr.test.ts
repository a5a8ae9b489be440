import test from 'node:test';
import assert from 'node:assert/strict';
import {
  allocatePool,
  checkCidr,
  cidrContains,
  formatIPv4,
  hostRange,
  isIPv6,
  parseCidr4,
  parseIPv4,
} from '../../../../electron/engine/config/cidr';

function cidr(text: string) {
  const result = parseCidr4(text);
  assert.ok(result.ok, text);
  return result.value;
}

test('parseIPv4 accepts dotted quads and rejects everything else', () => {
  assert.equal(parseIPv4('10.77.0.1'), 0x0a4d0001);
  assert.equal(parseIPv4('255.255.255.255'), 0xffffffff);
  assert.equal(parseIPv4('0.0.0.0'), 0);
  for (const bad of ['256.0.0.1', '10.0.0', '10.0.0.1.2', '010.0.0.1', '1.2.3.-1', '1.2.3.4 ', '', 'a.b.c.d', '1..2.3']) {
    assert.equal(parseIPv4(bad), undefined, bad);
  }
  assert.equal(formatIPv4(0x0a4d0001), '10.77.0.1');
  assert.equal(formatIPv4(0xffffffff), '255.255.255.255');
});

test('parseCidr4 reports host bits with the likely intended network', () => {
  assert.deepEqual(cidr('10.77.0.0/24'), { network: 0x0a4d0000, prefix: 24 });
  assert.deepEqual(cidr('0.0.0.0/0'), { network: 0, prefix: 0 });
  const bits = parseCidr4('10.77.0.1/24');
  assert.deepEqual(bits, { ok: false, reason: 'has host bits set (did you mean 10.77.0.0/24?)' });
  for (const bad of ['10.77.0.0', '10.77.0.0/33', '10.77.0.0/024', '10.77.0/24', 'fd00::/8', '10.77.0.0/']) {
    assert.equal(parseCidr4(bad).ok, false, bad);
  }
});

test('checkCidr validates IPv4 and IPv6 prefixes', () => {
  assert.deepEqual(checkCidr('10.0.0.0/8'), { ok: true, value: { family: 4, prefix: 8 } });
  assert.deepEqual(checkCidr('fd00::/8'), { ok: true, value: { family: 6, prefix: 8 } });
  assert.deepEqual(checkCidr('2001:db8::/32'), { ok: true, value: { family: 6, prefix: 32 } });
  assert.deepEqual(checkCidr('::/0'), { ok: true, value: { family: 6, prefix: 0 } });
  assert.deepEqual(checkCidr('::ffff:10.0.0.0/104'), { ok: true, value: { family: 6, prefix: 104 } });
  assert.equal(checkCidr('2001:db8::1/32').ok, false);
  assert.equal(checkCidr('::ffff:10.0.0.1/104').ok, false);
  assert.equal(checkCidr('2001:db8::/129').ok, false);
  assert.equal(checkCidr('2001:db8:::/32').ok, false);
  assert.equal(checkCidr('fe80::1%eth0/64').ok, false);
  assert.equal(isIPv6('fe80::1%eth0'), false);
});

test('hostRange excludes network and broadcast', () => {
  assert.deepEqual(hostRange(cidr('10.77.0.0/24')), { first: 0x0a4d0001, last: 0x0a4d00fe, count: 254 });
  assert.deepEqual(hostRange(cidr('10.77.0.0/30')), { first: 0x0a4d0001, last: 0x0a4d0002, count: 2 });
  assert.equal(hostRange(cidr('10.77.0.0/31')).count, 0);
  assert.ok(cidrContains(cidr('10.77.0.0/24'), parseIPv4('10.77.0.200')!));
  assert.ok(!cidrContains(cidr('10.77.0.0/24'), parseIPv4('10.77.1.0')!));
  assert.ok(cidrContains(cidr('0.0.0.0/0'), parseIPv4('203.0.113.7')!));
});

test('allocatePool: server first host, fixed addresses kept, the rest fill the gaps in order', () => {
  const result = allocatePool(cidr('10.77.0.0/24'), [undefined, '10.77.0.2', undefined, '10.77.0.10']);
  assert.deepEqual(result, {
    ok: true,
    value: { server: '10.77.0.1', devices: ['10.77.0.3', '10.77.0.2', '10.77.0.4', '10.77.0.10'] },
  });
  assert.deepEqual(allocatePool(cidr('10.77.0.0/24'), []), { ok: true, value: { server: '10.77.0.1', devices: [] } });
});

test('allocatePool reports every problem with its device index', () => {
  const result = allocatePool(cidr('10.77.0.0/24'), ['10.77.1.5', '10.77.0.1', '10.77.0.255', '10.77.0.0', '10.77.0.9', '10.77.0.9', 'x']);
  assert.deepEqual(result, {
    ok: false,
    problems: [
      { index: 0, reason: '10.77.1.5 is outside the pool 10.77.0.0/24' },
      { index: 1, reason: "10.77.0.1 is the server's own address (the pool's first host)" },
      { index: 2, reason: '10.77.0.255 is the network or broadcast address of 10.77.0.0/24' },
      { index: 3, reason: '10.77.0.0 is the network or broadcast address of 10.77.0.0/24' },
      { index: 5, reason: '10.77.0.9 is already used by devices[4]' },
      { index: 6, reason: 'must be an IPv4 address' },
    ],
  });
});

test('allocatePool: exhaustion and pools too small', () => {
  // /30: two hosts, the server takes one, one device fits
  assert.deepEqual(allocatePool(cidr('10.77.0.0/30'), [undefined]), {
    ok: true,
    value: { server: '10.77.0.1', devices: ['10.77.0.2'] },
  });
  assert.deepEqual(allocatePool(cidr('10.77.0.0/30'), [undefined, undefined]), {
    ok: false,
    problems: [{ index: 1, reason: 'no free address left in the pool 10.77.0.0/30' }],
  });
  const tiny = allocatePool(cidr('10.77.0.0/31'), []);
  assert.equal(tiny.ok, false);
  assert.equal(!tiny.ok && tiny.problems[0]!.index, -1);
});
