// LinkManager decisions against a fake kernel (endpoints, routing tables, the server pin), a
// fake probe and a fake clock: what it installs, removes and reports for each link.
import test from 'node:test';
import assert from 'node:assert/strict';
import { JOIN_GRACE_MS, LinkManager, type LinkManagerPorts, type LinkOverride, type LinkRecord, type ProbeResult, type ReconcileContext } from '../../../../electron/engine/paths/link-manager';
import type { EndpointEntry, KernelPaths, RoutedLink } from '../../../../electron/engine/paths/kernel-paths';
import type { InterfaceSnapshot, Snapshot } from '../../../../electron/engine/netmon/snapshot';
import type { LinkKind, LinkMode } from '../../../../electron/protocol/control';
import type { SubflowInfo } from '../../../../native/lib';

const SERVER = { host: '203.0.113.7', port: 7443 };

/** the kernel state KernelPaths would leave, and every call made */
class FakeKernel {
  readonly endpoints = new Map<number, EndpointEntry>();
  readonly tables = new Map<number, RoutedLink>();
  readonly calls: string[] = [];
  pin?: { server: string; link: string; gateway: string };

  async applyRouting(link: RoutedLink): Promise<void> {
    this.calls.push(`route ${link.name} ${link.address} via ${link.gateway} table ${link.table}`);
    this.tables.set(link.table, { ...link });
  }
  async removeRouting(table: number): Promise<void> {
    this.calls.push(`unroute ${table}`);
    this.tables.delete(table);
  }
  async addEndpoint(link: { name: string; address: string; endpointId: number; backup: boolean }): Promise<void> {
    this.calls.push(`endpoint ${link.endpointId} ${link.name}${link.backup ? ' backup' : ''}`);
    this.endpoints.set(link.endpointId, { id: link.endpointId, address: link.address, dev: link.name, flags: link.backup ? ['subflow', 'backup'] : ['subflow'] });
  }
  async setEndpointBackup(endpointId: number, backup: boolean): Promise<void> {
    this.calls.push(`flag ${endpointId} ${backup ? 'backup' : 'nobackup'}`);
    const entry = this.endpoints.get(endpointId);
    if (entry) entry.flags = backup ? ['subflow', 'backup'] : ['subflow'];
  }
  async removeEndpoint(endpointId: number): Promise<void> {
    this.calls.push(`unendpoint ${endpointId}`);
    this.endpoints.delete(endpointId);
  }
  async listEndpoints(): Promise<EndpointEntry[]> {
    return [...this.endpoints.values()];
  }
  async rulePriorities(): Promise<number[]> {
    return [0, 32766, 32767, ...this.tables.keys()];
  }
  async pinServer(server: string, link: { name: string; gateway: string }): Promise<void> {
    if (this.pin?.link === link.name && this.pin.gateway === link.gateway) return;
    this.calls.push(`pin ${link.name}`);
    this.pin = { server, link: link.name, gateway: link.gateway };
  }
  get pinnedLink(): string | undefined {
    return this.pin?.link;
  }
  async unpinServer(): Promise<void> {
    this.pin = undefined;
  }
  forgetPin(): void {
    this.pin = undefined;
  }
  endpointOf(dev: string): EndpointEntry | undefined {
    return [...this.endpoints.values()].find((e) => e.dev === dev);
  }
  count(prefix: string): number {
    return this.calls.filter((c) => c.startsWith(prefix)).length;
  }
}

interface Options {
  ifaces?: InterfaceSnapshot[];
  intent?: Record<string, LinkMode>;
  overrides?: LinkOverride[];
  cap?: Record<string, LinkMode>;
  metered?: string[];
  allow?: string[];
}

function iface(name: string, ifindex: number, extra: Partial<InterfaceSnapshot> = {}): InterfaceSnapshot {
  const net = 10 + ifindex;
  return {
    name,
    ifindex,
    mac: `02:00:00:00:00:${String(ifindex).padStart(2, '0')}`,
    kind: 'ethernet',
    up: true,
    operstate: 'up',
    ipv4: `10.${net}.0.2`,
    ipv4Prefix: 24,
    gateway: `10.${net}.0.1`,
    ...extra,
  };
}

function subflow(link: LinkRecord, extra: Partial<SubflowInfo> = {}): SubflowInfo {
  return {
    id: link.ifindex,
    family: 4,
    localAddress: link.address ?? '',
    localPort: 40000 + link.ifindex,
    remoteAddress: SERVER.host,
    remotePort: SERVER.port,
    ifindex: link.ifindex,
    rttUs: 20_000,
    rttVarUs: 1000,
    minRttUs: 15_000,
    deliveryRate: 1_000_000,
    pacingRate: 1_000_000,
    totalRetrans: 0,
    retransmits: 0,
    bytesSent: 0,
    bytesAcked: 0,
    bytesReceived: 0,
    cwnd: 10,
    state: 1,
    backup: false,
    ...extra,
  } as SubflowInfo;
}

const flush = () => new Promise((resolve) => setImmediate(resolve));

function harness(options: Options = {}) {
  const kernel = new FakeKernel();
  const clock = { now: 1_000_000 };
  const probes: string[] = [];
  const logs: string[] = [];
  const added: string[] = [];
  const intent = { ...options.intent };
  const cap = { ...options.cap };
  const metered = new Set(options.metered ?? []);
  let probeResult: (name: string) => ProbeResult = () => ({ ok: true, mptcp: true });
  const ports: LinkManagerPorts = {
    kernel: kernel as unknown as KernelPaths,
    probe: async (link, server) => {
      assert.deepEqual(server, SERVER);
      probes.push(link.name);
      return probeResult(link.name);
    },
    now: () => clock.now,
    poke: () => undefined,
    log: (kind, message) => logs.push(`${kind}: ${message}`),
  };
  const manager = new LinkManager(
    ports,
    { allow: options.allow ?? [], deny: [], listed: (options.overrides ?? []).map((o) => o.name), tunName: 'braid0' },
    options.overrides ?? [],
    (identity, name) => intent[identity] ?? intent[`name:${name}`],
    (identity) => cap[identity],
    (link) => added.push(link.name),
    (name) => metered.has(name),
  );
  let ifaces = new Map((options.ifaces ?? []).map((i) => [i.name, i]));
  const h = {
    kernel,
    clock,
    probes,
    logs,
    added,
    intent,
    cap,
    metered,
    manager,
    setProbe(fn: (name: string) => ProbeResult) {
      probeResult = fn;
    },
    link: (name: string) => manager.get(name) as LinkRecord,
    /** replaces or removes interfaces and hands the new snapshot to the manager */
    set(name: string, next: InterfaceSnapshot | undefined) {
      ifaces = new Map(ifaces);
      if (next) ifaces.set(name, next);
      else ifaces.delete(name);
      manager.updateSnapshot(ifaces as Snapshot);
    },
    /** one reconcile pass, then lets finished probes land */
    async pass(subflows: SubflowInfo[] = [], context: Partial<ReconcileContext> = {}) {
      await manager.reconcile({ connected: true, server: SERVER, subflows, ...context });
      await flush();
    },
    /** takes a link from nothing to active: probe, endpoint, subflow */
    async join(name: string) {
      await h.pass(); // probe starts
      await h.pass(); // probe ok -> endpoint
      assert.ok(kernel.endpointOf(name), `${name} has an endpoint`);
      await h.pass([subflow(h.link(name))]);
      assert.equal(h.link(name).state, h.link(name).mode === 'backup' ? 'backup' : 'active');
    },
  };
  manager.updateSnapshot(ifaces as Snapshot);
  return h;
}

test('a link joins only after a probe through it reaches the server, and is active once its subflow appears', async () => {
  const h = harness({ ifaces: [iface('eth0', 2)] });
  await h.manager.reconcile({ connected: true, server: SERVER, subflows: [] });
  assert.equal(h.link('eth0').state, 'joining');
  assert.deepEqual(h.probes, ['eth0']);
  assert.equal(h.kernel.endpoints.size, 0, 'no endpoint before the probe answers');
  assert.deepEqual(h.kernel.tables.get(h.link('eth0').table), { name: 'eth0', address: '10.12.0.2', gateway: '10.12.0.1', table: h.link('eth0').table });
  await flush();
  await h.pass();
  assert.deepEqual(h.kernel.endpointOf('eth0'), { id: 64, address: '10.12.0.2', dev: 'eth0', flags: ['subflow'] });
  assert.equal(h.link('eth0').state, 'joining');
  await h.pass([subflow(h.link('eth0'))]);
  assert.equal(h.link('eth0').state, 'active');
  assert.equal(h.link('eth0').reason, undefined);
  assert.equal(h.probes.length, 1, 'one probe');
  assert.equal(h.kernel.pin?.link, 'eth0', 'the server route is pinned on the live link');
});

test('a link that goes down fails with its endpoint and routes removed; on return it is probed, re-added and active again', async () => {
  const h = harness({ ifaces: [iface('eth0', 2), iface('eth1', 3)] });
  await h.join('eth0');
  const sub1 = subflow(h.link('eth1'));
  await h.pass([subflow(h.link('eth0')), sub1]);
  h.set('eth0', iface('eth0', 2, { up: false, operstate: 'down', gateway: undefined }));
  await h.pass([sub1]);
  const down = h.link('eth0');
  assert.equal(down.state, 'failed');
  assert.equal(down.reason, 'link is down');
  assert.equal(h.kernel.endpointOf('eth0'), undefined, 'endpoint removed');
  assert.equal(h.kernel.tables.has(down.table), false, 'routing removed');

  h.set('eth0', iface('eth0', 2)); // back, with its address and route
  const probesBefore = h.probes.length;
  await h.pass([sub1]);
  assert.equal(h.probes.length, probesBefore + 1, 'reachability is proven again');
  assert.equal(h.kernel.endpointOf('eth0'), undefined);
  await h.pass([sub1]);
  assert.ok(h.kernel.endpointOf('eth0'), 'a fresh endpoint makes the kernel create a new subflow');
  assert.equal(h.link('eth0').state, 'joining');
  await h.pass([subflow(h.link('eth0'), { localPort: 50000 }), sub1]);
  assert.equal(h.link('eth0').state, 'active');
});

test('a link that is down while disconnected is unavailable, not failed', async () => {
  const h = harness({ ifaces: [iface('eth0', 2, { up: false, operstate: 'down' })] });
  await h.pass([], { connected: false, server: undefined });
  assert.equal(h.link('eth0').state, 'unavailable');
  assert.equal(h.link('eth0').reason, 'link is down');
});

test('an interface that disappears is unavailable; when it comes back it is probed again before it joins', async () => {
  const h = harness({ ifaces: [iface('usb0', 5, { kind: 'usb-tether' })], intent: { 'mac:02:00:00:00:00:05': 'on' } });
  await h.join('usb0');
  h.set('usb0', undefined); // unplugged
  await h.pass();
  assert.equal(h.link('usb0').state, 'unavailable');
  assert.equal(h.link('usb0').reason, 'interface not found');
  assert.equal(h.kernel.endpointOf('usb0'), undefined);
  h.set('usb0', iface('usb0', 9, { kind: 'usb-tether' })); // plugged in again: new ifindex
  await h.pass();
  assert.equal(h.probes.length, 2, 'probed again after coming back');
  assert.equal(h.kernel.endpointOf('usb0'), undefined, 'no endpoint before the new probe answers');
});

test('mode off removes the endpoint and the routes; on again re-adds them', async () => {
  const h = harness({ ifaces: [iface('eth0', 2), iface('wlan0', 3, { kind: 'wifi' })] });
  await h.join('eth0');
  h.intent['mac:02:00:00:00:00:02'] = 'off';
  await h.pass([subflow(h.link('eth0'))]);
  assert.equal(h.link('eth0').mode, 'off');
  assert.equal(h.link('eth0').state, 'idle');
  assert.equal(h.link('eth0').reason, 'turned off');
  assert.equal(h.kernel.endpointOf('eth0'), undefined);
  assert.equal(h.kernel.tables.has(h.link('eth0').table), false);
  assert.equal(h.link('eth0').subflow, undefined);
  h.intent['mac:02:00:00:00:00:02'] = 'on';
  const probes = h.probes.length;
  await h.pass();
  assert.equal(h.probes.length, probes + 1, 'turned on again, the link proves it reaches the server first');
  await h.pass();
  assert.ok(h.kernel.endpointOf('eth0'), 'endpoint back without a restart');
});

test("another tool's endpoint on a link's address is taken over, and said so", async () => {
  const h = harness({ ifaces: [iface('eth0', 2)] });
  h.kernel.endpoints.set(5, { id: 5, address: '10.12.0.2', dev: 'eth0', flags: ['signal'] });
  await h.join('eth0');
  assert.equal(h.kernel.endpoints.has(5), false, 'the foreign endpoint is gone');
  assert.equal(h.kernel.endpointOf('eth0')?.id, 64);
  assert.ok(h.logs.some((l) => l.startsWith('coexistence: removed MPTCP endpoint 10.12.0.2 (id 5)')));
});

test('switching between on and backup flips the endpoint flag live', async () => {
  const h = harness({ ifaces: [iface('eth0', 2), iface('eth1', 3)] });
  await h.join('eth0');
  await h.join('eth1');
  const subs = () => [subflow(h.link('eth0')), subflow(h.link('eth1'))];
  const endpointCalls = h.kernel.count('endpoint ');
  h.intent['mac:02:00:00:00:00:03'] = 'backup';
  await h.pass(subs());
  assert.equal(h.kernel.count('flag 65 backup'), 1);
  assert.deepEqual(h.kernel.endpointOf('eth1')?.flags, ['subflow', 'backup']);
  assert.equal(h.link('eth1').state, 'backup');
  await h.pass(subs());
  assert.equal(h.kernel.count('flag '), 1, 'flagged once, not on every pass');
  h.intent['mac:02:00:00:00:00:03'] = 'on';
  await h.pass(subs());
  assert.equal(h.kernel.count('flag 65 nobackup'), 1);
  assert.equal(h.link('eth1').state, 'active');
  assert.equal(h.kernel.count('endpoint '), endpointCalls, 'the endpoint was never re-created');
});

test('a probe that fails leaves the link unreachable with the reason, and is retried after the delay', async () => {
  const h = harness({ ifaces: [iface('eth0', 2)] });
  h.setProbe(() => ({ ok: false, error: 'connect ETIMEDOUT' }));
  await h.pass();
  await h.pass();
  assert.equal(h.link('eth0').state, 'unreachable');
  assert.equal(h.link('eth0').reason, 'server unreachable through this link: connect ETIMEDOUT');
  assert.equal(h.kernel.endpoints.size, 0);
  h.clock.now += 4000;
  await h.pass();
  assert.equal(h.probes.length, 1, 'not retried before the delay');
  h.setProbe(() => ({ ok: true, mptcp: true }));
  h.clock.now += 1000;
  await h.pass();
  assert.equal(h.probes.length, 2, 'retried after 5 s');
  await h.pass();
  assert.ok(h.kernel.endpointOf('eth0'), 'joins once the server answers');
});

test('a path that strips MPTCP fails with that reason and gets no endpoint', async () => {
  const h = harness({ ifaces: [iface('eth0', 2)] });
  h.setProbe(() => ({ ok: true, mptcp: false }));
  await h.pass();
  await h.pass();
  assert.equal(h.link('eth0').state, 'failed');
  assert.match(h.link('eth0').reason ?? '', /MPTCP is stripped on this path/);
  assert.equal(h.kernel.endpoints.size, 0);
});

test('without a subflow after the grace time the endpoint is re-created up to 3 times, then the link fails', async () => {
  const h = harness({ ifaces: [iface('eth0', 2)] });
  await h.pass();
  await h.pass();
  assert.equal(h.kernel.count('endpoint 64'), 1);
  h.clock.now += JOIN_GRACE_MS - 100;
  await h.pass();
  assert.equal(h.kernel.count('endpoint 64'), 1, 'not before the grace time');
  for (let rejoin = 1; rejoin <= 3; rejoin++) {
    h.clock.now += JOIN_GRACE_MS;
    await h.pass();
    assert.equal(h.kernel.count('endpoint 64'), 1 + rejoin, `re-creation ${rejoin}`);
    assert.equal(h.link('eth0').state, 'joining');
  }
  h.clock.now += JOIN_GRACE_MS;
  await h.pass();
  assert.equal(h.kernel.count('endpoint 64'), 4, 'no fourth re-creation');
  assert.equal(h.link('eth0').state, 'failed');
  assert.match(h.link('eth0').reason ?? '', /^no subflow: the server refused the join/);
  h.clock.now += 10_000; // now and then the whole join is tried again, from the probe
  await h.pass();
  await h.pass();
  assert.equal(h.probes.length, 2);
});

test('the server route stays on a live "on" link and moves when that link dies', async () => {
  const h = harness({ ifaces: [iface('usb0', 2, { kind: 'usb-tether' }), iface('eth0', 3), iface('wlan0', 4, { kind: 'wifi' })] });
  await h.pass();
  assert.equal(h.kernel.pin?.link, 'eth0', 'an on link is preferred to an earlier backup link');
  h.set('eth0', iface('eth0', 3, { up: false, operstate: 'down', gateway: undefined }));
  await h.pass();
  assert.deepEqual(h.kernel.pin, { server: SERVER.host, link: 'wlan0', gateway: '10.14.0.1' });
  h.set('wlan0', iface('wlan0', 4, { kind: 'wifi', up: false, operstate: 'down' }));
  await h.pass();
  assert.equal(h.kernel.pin?.link, 'usb0', 'a backup link when nothing else is left');
  h.set('eth0', iface('eth0', 3));
  await h.pass();
  assert.equal(h.kernel.pin?.link, 'usb0', 'a live pin is not moved back and forth');
});

test('the server route leaves a link that cannot reach the server', async () => {
  const h = harness({ ifaces: [iface('eth0', 2), iface('wlan0', 3, { kind: 'wifi' })] });
  h.setProbe((name) => (name === 'eth0' ? { ok: false, error: 'connect ETIMEDOUT' } : { ok: true, mptcp: true }));
  await h.manager.reconcile({ connected: true, server: SERVER, subflows: [] });
  assert.equal(h.kernel.pin?.link, 'eth0', 'pinned while the probe runs');
  await flush();
  await h.pass();
  assert.equal(h.link('eth0').state, 'unreachable');
  assert.equal(h.kernel.tables.has(h.link('eth0').table), true, 'its routing stays for the next probe');
  assert.equal(h.kernel.pin?.link, 'wlan0');
});

test('endpoints someone else added on our links are removed; others and ours are left alone', async () => {
  const h = harness({ ifaces: [iface('eth0', 2), iface('wlan0', 3, { kind: 'wifi' })] });
  await h.join('eth0');
  h.kernel.endpoints.set(1, { id: 1, address: '10.12.0.2', flags: ['subflow'] }); // NetworkManager, by address
  h.kernel.endpoints.set(2, { id: 2, address: '192.168.9.9', dev: 'wlan0', flags: ['signal'] }); // by device
  h.kernel.endpoints.set(3, { id: 3, address: '172.17.0.1', dev: 'docker0', flags: ['signal'] }); // not ours to judge
  const evicted = await h.manager.evictForeignEndpoints();
  assert.deepEqual(evicted, ['10.12.0.2 (id 1, eth0)', '192.168.9.9 (id 2, wlan0)']);
  assert.deepEqual([...h.kernel.endpoints.keys()].sort(), [3, 64, 65]);
});

test('a crashed run is swept: only our endpoint ids and rule priorities go', async () => {
  const h = harness({ ifaces: [] });
  h.kernel.endpoints.set(2, { id: 2, address: '10.0.0.9', flags: [] });
  h.kernel.endpoints.set(64, { id: 64, address: '10.0.0.8', flags: [] });
  h.kernel.endpoints.set(127, { id: 127, address: '10.0.0.7', flags: [] });
  h.kernel.tables.set(7100, { name: 'x', address: '10.0.0.8', gateway: '10.0.0.1', table: 7100 });
  await h.manager.sweep();
  assert.deepEqual([...h.kernel.endpoints.keys()], [2]);
  assert.deepEqual(h.kernel.calls.filter((c) => c.startsWith('unroute')), ['unroute 7100']);
});

test('default modes by kind and metered flag; the user, the config and a data cap come first', async () => {
  const h = harness({
    ifaces: [
      iface('eth0', 2),
      iface('wlan0', 3, { kind: 'wifi' }),
      iface('usb0', 4, { kind: 'usb-tether' }),
      iface('wwan0', 5, { kind: 'wwan', mac: undefined }),
      iface('eth1', 6),
      iface('eth2', 7),
    ],
    metered: ['wlan0', 'eth1', 'eth2'],
    intent: { 'mac:02:00:00:00:00:06': 'on' },
    overrides: [{ name: 'eth2', mode: 'on' }],
    cap: {},
  });
  const mode = (name: string) => h.manager.effectiveMode(h.link(name));
  assert.equal(mode('eth0'), 'on');
  assert.equal(mode('wlan0'), 'backup', 'metered wifi starts as backup');
  assert.equal(mode('usb0'), 'backup');
  assert.equal(mode('wwan0'), 'backup');
  assert.equal(mode('eth1'), 'on', "the user's persisted choice beats metered");
  assert.equal(mode('eth2'), 'on', 'a configured mode beats metered');
  h.metered.delete('wlan0');
  assert.equal(mode('wlan0'), 'on', 'metered is only a default, read live');
  h.cap['mac:02:00:00:00:00:02'] = 'backup';
  assert.equal(mode('eth0'), 'backup', 'a cap demotes on to backup');
  h.cap['mac:02:00:00:00:00:04'] = 'off';
  assert.equal(mode('usb0'), 'off');
  await h.pass();
  await h.pass();
  assert.deepEqual(h.kernel.endpointOf('eth0')?.flags, ['subflow', 'backup'], 'installed as a backup endpoint');
});

test('a metered link joins as a backup endpoint', async () => {
  const h = harness({ ifaces: [iface('wlan0', 3, { kind: 'wifi' })], metered: ['wlan0'] });
  await h.pass();
  await h.pass();
  assert.deepEqual(h.kernel.endpointOf('wlan0')?.flags, ['subflow', 'backup']);
  await h.pass([subflow(h.link('wlan0'), { backup: true })]);
  assert.equal(h.link('wlan0').state, 'backup');
});

test('links that appear after the first snapshot are announced; disconnected links hold no endpoint', async () => {
  const h = harness({ ifaces: [iface('eth0', 2)] });
  assert.deepEqual(h.added, [], 'links present at start are not new');
  h.set('eth1', iface('eth1', 3));
  assert.deepEqual(h.added, ['eth1']);
  h.set('veth0', iface('veth0', 4, { kind: 'virtual' }));
  assert.equal(h.manager.get('veth0'), undefined, 'virtual interfaces are not links by default');
  await h.join('eth0');
  await h.pass([], { connected: false, server: undefined });
  assert.equal(h.link('eth0').state, 'idle');
  assert.equal(h.kernel.endpointOf('eth0'), undefined);
});

test('a renumbered link moves its routes and endpoint to the new address', async () => {
  const h = harness({ ifaces: [iface('eth0', 2)] });
  await h.join('eth0');
  h.set('eth0', iface('eth0', 2, { ipv4: '10.12.0.77' }));
  await h.pass();
  assert.equal(h.kernel.tables.get(h.link('eth0').table)?.address, '10.12.0.77');
  assert.equal(h.kernel.endpointOf('eth0')?.address, '10.12.0.77');
});

test('a link without an address or a gateway says which is missing', async () => {
  const h = harness({ ifaces: [iface('eth0', 2, { ipv4: undefined }), iface('eth1', 3, { gateway: undefined })] });
  await h.pass();
  assert.equal(h.link('eth0').state, 'unavailable');
  assert.equal(h.link('eth0').reason, 'no IPv4 address');
  assert.equal(h.link('eth1').state, 'unavailable');
  assert.match(h.link('eth1').reason ?? '', /^no gateway/);
  assert.equal(h.kernel.tables.size, 0);
});

test('the link the connection started on gets an endpoint, and going backup flags its first subflow', async () => {
  const h = harness({ ifaces: [iface('eth0', 2)] });
  // the connection's first subflow exists before any endpoint of ours
  await h.pass([subflow(h.link('eth0'))]);
  assert.equal(h.link('eth0').state, 'active');
  assert.deepEqual(h.kernel.endpointOf('eth0')?.flags, ['subflow'], 'an endpoint now backs the first subflow');
  h.intent[h.link('eth0').identity] = 'backup';
  await h.pass([subflow(h.link('eth0'))]);
  assert.equal(h.link('eth0').state, 'backup');
  assert.ok(h.kernel.calls.includes('flag 64 backup'), 'the live subflow is told it is a backup (MP_PRIO)');
});

test('a tunnel that fell back to plain TCP: its link carries it, the others say why they cannot join', async () => {
  const h = harness({ ifaces: [iface('eth0', 2), iface('eth1', 3)] });
  await h.join('eth1');
  await h.pass([], { fallbackLink: 'eth0' });
  assert.equal(h.link('eth0').state, 'active');
  assert.match(h.link('eth0').reason ?? '', /fell back to plain TCP/);
  assert.equal(h.link('eth1').state, 'failed');
  assert.match(h.link('eth1').reason ?? '', /MPTCP is stripped/);
  assert.equal(h.kernel.endpointOf('eth1'), undefined, 'no endpoint left for a join that cannot happen');
});

test('a subflow in RTO backoff is failed only once it has moved nothing for a while', async () => {
  const h = harness({ ifaces: [iface('eth0', 2)] });
  await h.join('eth0');
  const stuck = subflow(h.link('eth0'), { retransmits: 3, bytesAcked: 5000 });
  await h.pass([stuck]);
  assert.equal(h.link('eth0').state, 'active', 'a short backoff (another link just failed over) is not a dead path');
  h.clock.now += 3500;
  await h.pass([stuck]);
  assert.equal(h.link('eth0').state, 'failed');
  assert.match(h.link('eth0').reason ?? '', /does not answer/);
  await h.pass([subflow(h.link('eth0'), { retransmits: 0, bytesAcked: 9000 })]);
  assert.equal(h.link('eth0').state, 'active', 'moving data again clears it');
});
