import test from 'node:test';
import assert from 'node:assert/strict';
import { buildSnapshot, diffSnapshots, isEmptyDelta } from '../../../../electron/engine/netmon/snapshot';
import { NetworkMonitor } from '../../../../electron/engine/netmon/monitor';
import type { LinkKind } from '../../../../electron/protocol/control';

// shaped like `ip -j addr show` and `ip -j -4 route show table main` (iproute2 6.x)
const lo = {
  ifindex: 1,
  ifname: 'lo',
  flags: ['LOOPBACK', 'UP', 'LOWER_UP'],
  operstate: 'UNKNOWN',
  link_type: 'loopback',
  address: '00:00:00:00:00:00',
  addr_info: [{ family: 'inet', local: '127.0.0.1', prefixlen: 8, scope: 'host' }],
};
const eth0 = {
  ifindex: 2,
  ifname: 'eth0',
  flags: ['BROADCAST', 'MULTICAST', 'UP', 'LOWER_UP'],
  operstate: 'UP',
  link_type: 'ether',
  address: '02:fc:00:00:00:01',
  addr_info: [
    { family: 'inet6', local: 'fe80::1', prefixlen: 64, scope: 'link' },
    { family: 'inet', local: '192.0.2.2', prefixlen: 24, scope: 'global' },
    { family: 'inet', local: '192.0.2.99', prefixlen: 24, scope: 'global' },
  ],
};
const wlan0 = {
  ifindex: 3,
  ifname: 'wlan0',
  flags: ['BROADCAST', 'MULTICAST', 'UP', 'LOWER_UP'],
  operstate: 'UP',
  link_type: 'ether',
  address: '0a:00:00:00:00:03',
  addr_info: [{ family: 'inet', local: '10.1.0.5', prefixlen: 16, scope: 'global' }],
};
// cable out: UP but no carrier
const eth1 = {
  ifindex: 4,
  ifname: 'eth1',
  flags: ['NO-CARRIER', 'BROADCAST', 'MULTICAST', 'UP'],
  operstate: 'DOWN',
  link_type: 'ether',
  address: '02:fc:00:00:00:04',
  addr_info: [{ family: 'inet', local: '172.16.0.2', prefixlen: 24, scope: 'global' }],
};
// raw-IP modem: no MAC
const wwan0 = {
  ifindex: 5,
  ifname: 'wwan0',
  flags: ['POINTOPOINT', 'NOARP', 'UP', 'LOWER_UP'],
  operstate: 'UNKNOWN',
  link_type: 'none',
  addr_info: [{ family: 'inet', local: '100.64.3.4', prefixlen: 30, scope: 'global' }],
};
const routes = [
  { dst: 'default', gateway: '192.0.2.1', dev: 'eth0', metric: 100, flags: [] },
  { dst: 'default', gateway: '192.0.2.254', dev: 'eth0', metric: 50, flags: [] },
  { dst: 'default', gateway: '10.1.0.1', dev: 'wlan0', metric: 600, flags: [] },
  { dst: 'default', gateway: '10.1.255.254', dev: 'wlan0', flags: [] }, // no metric printed: 0
  { dst: '192.0.2.0/24', dev: 'eth0', protocol: 'kernel', scope: 'link', prefsrc: '192.0.2.2', flags: [] },
  { dst: '172.16.0.0/24', gateway: '172.16.0.1', dev: 'eth1', flags: [] }, // not a default route
  { dst: 'default', dev: 'wwan0', scope: 'link', flags: [] }, // point-to-point: no gateway
];
const kinds: Record<string, LinkKind> = { eth0: 'ethernet', wlan0: 'wifi', eth1: 'ethernet', wwan0: 'wwan', lo: 'ethernet' };
const classify = (name: string) => kinds[name] ?? 'unknown';
const clone = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;

test('a snapshot has per interface its state, first global IPv4 and the lowest-metric default gateway', () => {
  const snapshot = buildSnapshot([lo, eth0, wlan0, eth1, wwan0], routes, classify);
  assert.deepEqual([...snapshot.keys()], ['lo', 'eth0', 'wlan0', 'eth1', 'wwan0']);
  assert.deepEqual(snapshot.get('eth0'), {
    name: 'eth0',
    ifindex: 2,
    mac: '02:fc:00:00:00:01',
    kind: 'ethernet',
    up: true,
    operstate: 'up',
    ipv4: '192.0.2.2',
    ipv4Prefix: 24,
    gateway: '192.0.2.254',
  });
  assert.equal(snapshot.get('wlan0')?.gateway, '10.1.255.254', 'a route without a metric has metric 0');
  const lo0 = snapshot.get('lo');
  assert.equal(lo0?.kind, 'virtual', 'loopback is virtual whatever sysfs says');
  assert.equal(lo0?.ipv4, undefined, 'host-scope addresses are not usable');
  assert.equal(lo0?.mac, undefined);
  const cableOut = snapshot.get('eth1');
  assert.equal(cableOut?.up, false, 'UP without LOWER_UP is down');
  assert.equal(cableOut?.operstate, 'down');
  assert.equal(cableOut?.gateway, undefined, 'only default routes give a gateway');
  const modem = snapshot.get('wwan0');
  assert.equal(modem?.up, true, 'operstate unknown with carrier is up');
  assert.equal(modem?.mac, undefined, 'no MAC on a raw-IP link');
  assert.equal(modem?.gateway, undefined);
});

test('administratively down and lower-layer-down interfaces are down', () => {
  const adminDown = { ...clone(eth0), flags: ['BROADCAST', 'MULTICAST'], operstate: 'DOWN' };
  const lowerDown = { ...clone(wlan0), operstate: 'LOWERLAYERDOWN' };
  // a driver without operstate support: UNKNOWN, and only the missing LOWER_UP tells
  const noCarrier = { ...clone(wwan0), flags: ['NO-CARRIER', 'POINTOPOINT', 'NOARP', 'UP'] };
  const snapshot = buildSnapshot([adminDown, lowerDown, noCarrier], [], classify);
  assert.equal(snapshot.get('eth0')?.up, false);
  assert.equal(snapshot.get('wlan0')?.up, false);
  assert.equal(snapshot.get('wwan0')?.up, false);
});

test('the delta names added, removed and changed interfaces; an identical re-read is empty', () => {
  const before = buildSnapshot([lo, eth0, wlan0, eth1], routes, classify);
  assert.ok(isEmptyDelta(diffSnapshots(before, buildSnapshot(clone([lo, eth0, wlan0, eth1]), clone(routes), classify))));

  const renumbered = clone(wlan0);
  renumbered.addr_info[0].local = '10.1.0.77';
  const carrier = { ...clone(eth1), flags: ['BROADCAST', 'MULTICAST', 'UP', 'LOWER_UP'], operstate: 'UP' };
  const after = buildSnapshot([lo, eth0, renumbered, carrier, wwan0], routes, classify);
  const delta = diffSnapshots(before, after);
  assert.deepEqual(delta, { added: ['wwan0'], removed: [], changed: ['wlan0', 'eth1'] });
  assert.ok(!isEmptyDelta(delta));

  const removed = diffSnapshots(after, buildSnapshot([lo, eth0, renumbered, carrier], routes, classify));
  assert.deepEqual(removed, { added: [], removed: ['wwan0'], changed: [] });
});

test('a new gateway, a new prefix or a new MAC is a change', () => {
  const before = buildSnapshot([eth0, wlan0], routes, classify);
  const gateway = diffSnapshots(before, buildSnapshot([eth0, wlan0], routes.filter((r) => r.gateway !== '192.0.2.254'), classify));
  assert.deepEqual(gateway.changed, ['eth0']);
  const prefix = clone(wlan0);
  prefix.addr_info[0].prefixlen = 24;
  assert.deepEqual(diffSnapshots(before, buildSnapshot([eth0, prefix], routes, classify)).changed, ['wlan0']);
  const mac = { ...clone(eth0), address: '02:fc:00:00:00:99' };
  assert.deepEqual(diffSnapshots(before, buildSnapshot([mac, wlan0], routes, classify)).changed, ['eth0']);
});

test('the monitor turns a burst of netlink events into one re-read, one snapshot and one delta', async (t) => {
  let addrs = [lo, eth0];
  let reads = 0;
  let notify: () => void = () => undefined;
  const native = {
    watchNetlink: (callback: () => void) => {
      notify = callback;
      return { stop: () => undefined };
    },
  };
  const runner = {
    run: async (argv: string[]) => {
      if (argv.includes('addr')) reads += 1;
      return { stdout: JSON.stringify(argv.includes('addr') ? addrs : routes), code: 0 };
    },
  };
  const monitor = new NetworkMonitor(native as never, runner, { debounceMs: 20, resyncMs: 60_000 });
  t.after(() => monitor.stop());
  const first = await monitor.start();
  assert.deepEqual([...first.keys()], ['lo', 'eth0']);
  const changes: { names: string[]; added: string[] }[] = [];
  monitor.on('change', (snapshot, delta) => changes.push({ names: [...snapshot.keys()], added: delta.added }));
  addrs = [lo, eth0, wlan0];
  for (let i = 0; i < 10; i++) notify();
  await new Promise((r) => setTimeout(r, 120));
  assert.equal(reads, 2, 'one read at start, one for the burst');
  assert.deepEqual(changes, [{ names: ['lo', 'eth0', 'wlan0'], added: ['wlan0'] }]);
  notify(); // nothing changed: no event
  await new Promise((r) => setTimeout(r, 80));
  assert.equal(changes.length, 1);
});
