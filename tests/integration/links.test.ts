// Links: the engine's own link handling in a namespace lab — links appearing, modes applied
// live, flaps, blackholes, refused joins, backup links and data caps.
//
//   client ns: bl0 20M, bl1 20M, bl2 20M (+ bl3 added at run time) --> server ns --> internet ns
import test from 'node:test';
import assert from 'node:assert/strict';
import { Lab } from '../netns/lab';
import { startIperfServer, runIperf } from '../netns/iperf';
import { BraidLab, fetchStatus, hashTransfer, waitForStatus } from '../netns/braid';
import { parseEndpoints } from '../../electron/engine/paths/kernel-paths';
import { connectControl } from '../../electron/engine/control/client';
import type { ClientStatus, PathStatus } from '../../electron/protocol/control';

const isClient = (s: { mode: string }): s is ClientStatus => s.mode === 'client';
const pathOf = (s: ClientStatus, link: string) => s.paths.find((p) => p.link === link) as PathStatus;

async function connected(braid: BraidLab): Promise<ClientStatus> {
  return (await waitForStatus(braid.clientSocket, (s) => isClient(s) && s.tunnel.state === 'connected', 15_000)) as ClientStatus;
}

async function waitPath(braid: BraidLab, link: string, predicate: (p: PathStatus) => boolean, timeoutMs: number): Promise<PathStatus> {
  const status = (await waitForStatus(braid.clientSocket, (s) => isClient(s) && Boolean(pathOf(s, link)) && predicate(pathOf(s, link)), timeoutMs)) as ClientStatus;
  return pathOf(status, link);
}

async function endpoints(lab: Lab) {
  return parseEndpoints((await lab.exec('client', ['ip', 'mptcp', 'endpoint', 'show'])).stdout);
}


const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** a lab with links at these rates, a connected Braid in it and an iperf3 server; all torn down after the test */
async function connectedLab(t: { after(fn: () => Promise<void>): void }, rates: number[], options: ConstructorParameters<typeof BraidLab>[1] = {}) {
  const lab = await Lab.create({ links: rates.map((rateMbit) => ({ rateMbit })) });
  const braid = new BraidLab(lab, options);
  const iperf = await startIperfServer(lab, 'internet');
  t.after(async () => {
    await iperf.kill();
    await braid.stop();
    await lab.destroy();
  });
  await braid.start();
  await connected(braid);
  return { lab, braid };
}

test('links that come, go and misbehave', async (t) => {
  const { lab, braid } = await connectedLab(t, [20, 20, 20], { allow: ['bl*'] });
  for (const link of ['bl0', 'bl1', 'bl2']) await waitPath(braid, link, (p) => p.state === 'active', 5000);

  await t.test('a link added while connected is detected, probed and joined within 2 s, then carries traffic', async () => {
    const added = await lab.addLink({ rateMbit: 20 });
    const started = Date.now(); // the link is up with an address and a route, as after DHCP
    const joined = await waitPath(braid, added.name, (p) => p.state === 'active', 2000);
    t.diagnostic(`${added.name} active ${Date.now() - started} ms after it appeared`);
    assert.ok(joined.subflow, 'the new link has a subflow');
    const before = joined.subflow.bytesSent;
    await runIperf(lab, 'client', lab.internetAddress, { seconds: 3 });
    const after = pathOf((await fetchStatus(braid.clientSocket)) as ClientStatus, added.name);
    assert.ok((after.subflow?.bytesSent ?? 0) - before > 500_000, `new link carried ${(after.subflow?.bytesSent ?? 0) - before} bytes`);
    const events = ((await fetchStatus(braid.clientSocket)) as ClientStatus).events;
    assert.ok(events.some((e) => e.kind === 'link-added' && e.link === added.name), 'a linkAdded event was emitted');
  });

  await t.test('setting a link off removes its endpoint and subflow; traffic goes on without it', async () => {
    const control = await connectControl({ path: braid.clientSocket });
    try {
      await control.call('setLinkMode', { link: 'bl1', mode: 'off' });
      const off = await waitPath(braid, 'bl1', (p) => p.mode === 'off' && !p.subflow, 3000);
      assert.equal(off.state, 'idle');
      assert.ok(!(await endpoints(lab)).some((e) => e.dev === 'bl1'), 'no endpoint for bl1 in the kernel');
      const counter = async () => Number((await lab.exec('client', ['cat', '/sys/class/net/bl1/statistics/tx_bytes'])).stdout);
      const c0 = await counter();
      const result = await runIperf(lab, 'client', lab.internetAddress, { seconds: 3 });
      const c1 = await counter();
      assert.ok(result.mbit > 30, `traffic goes on over the other links (${result.mbit.toFixed(1)} Mbit/s)`);
      assert.ok(c1 - c0 < 50_000, `bl1 sent only ${c1 - c0} bytes while off`);
      await control.call('setLinkMode', { link: 'bl1', mode: 'on' });
      await waitPath(braid, 'bl1', (p) => p.state === 'active', 3000);
      assert.ok((await endpoints(lab)).some((e) => e.dev === 'bl1'), 'the endpoint is back');
    } finally {
      control.close();
    }
  });

  await t.test('a link that flaps gets its subflow back within 2 s of returning and carries traffic again', async () => {
    await lab.linkDown(2);
    await waitPath(braid, 'bl2', (p) => p.state === 'failed', 3000);
    await sleep(3000);
    const back = Date.now();
    await lab.linkUp(2);
    const active = await waitPath(braid, 'bl2', (p) => p.state === 'active' && Boolean(p.subflow), 2000 + (Date.now() - back));
    t.diagnostic(`bl2 active again ${Date.now() - back} ms after it came back`);
    const before = active.subflow?.bytesSent ?? 0;
    await runIperf(lab, 'client', lab.internetAddress, { seconds: 2 });
    const after = pathOf((await fetchStatus(braid.clientSocket)) as ClientStatus, 'bl2');
    assert.ok((after.subflow?.bytesSent ?? 0) - before > 200_000, 'the returned link carries traffic');
  });

  await t.test('a blackholed link is reported failed or unreachable with a reason; the tunnel keeps working', async () => {
    await lab.blackhole(0, true);
    try {
      const transfer = hashTransfer(lab, 6 << 20, 9101);
      const reported = await waitPath(braid, 'bl0', (p) => p.state === 'failed' || p.state === 'unreachable', 10_000);
      assert.ok(reported.reason && reported.reason.length > 10, `reason given: ${reported.reason}`);
      const t1 = await transfer;
      assert.equal(t1.receivedHash, t1.sentHash, 'the transfer completes intact over the other links');
      const status = (await fetchStatus(braid.clientSocket)) as ClientStatus;
      assert.equal(status.tunnel.state, 'connected');
    } finally {
      await lab.blackhole(0, false);
    }
    await waitPath(braid, 'bl0', (p) => p.state === 'active', 15_000);
  });

  await t.test('a link whose joins are refused is reported as such', async () => {
    // the server end of bl1 drops every MP_JOIN SYN: the tunnel's probe (MP_CAPABLE) passes,
    // the join never completes
    const rule = ['nft', 'add', 'rule', 'inet', 'braidtest', 'input', 'iifname', lab.links[1].serverIf, 'tcp', 'option', 'mptcp', 'subtype', '1', 'drop'];
    // (subtype 1 = MP_JOIN)
    await lab.exec('server', ['nft', 'add', 'table', 'inet', 'braidtest']);
    await lab.exec('server', ['nft', 'add', 'chain', 'inet', 'braidtest', 'input', '{ type filter hook input priority -10; }']);
    await lab.exec('server', rule);
    try {
      const control = await connectControl({ path: braid.clientSocket });
      await control.call('setLinkMode', { link: 'bl1', mode: 'off' });
      await waitPath(braid, 'bl1', (p) => p.state === 'idle', 3000);
      await control.call('setLinkMode', { link: 'bl1', mode: 'on' });
      control.close();
      const failed = await waitPath(braid, 'bl1', (p) => p.state === 'failed', 15_000);
      assert.match(failed.reason ?? '', /join|MPTCP/);
    } finally {
      await lab.exec('server', ['nft', 'delete', 'table', 'inet', 'braidtest']);
    }
  });

  await t.test('a link whose MPTCP options are stripped is reported as such', async () => {
    // a middlebox on bl2 blanks the MPTCP option of every packet towards the server
    await lab.exec('server', ['nft', 'add', 'table', 'inet', 'braidstrip']);
    await lab.exec('server', ['nft', 'add', 'chain', 'inet', 'braidstrip', 'input', '{ type filter hook prerouting priority -300; }']);
    await lab.exec('server', ['nft', 'add', 'rule', 'inet', 'braidstrip', 'input', 'iifname', lab.links[2].serverIf, 'tcp', 'option', 'mptcp', 'exists', 'reset', 'tcp', 'option', 'mptcp']);
    try {
      const control = await connectControl({ path: braid.clientSocket });
      await control.call('setLinkMode', { link: 'bl2', mode: 'off' });
      await waitPath(braid, 'bl2', (p) => p.state === 'idle', 3000);
      await control.call('setLinkMode', { link: 'bl2', mode: 'on' });
      control.close();
      const stripped = await waitPath(braid, 'bl2', (p) => p.state === 'failed', 10_000);
      assert.match(stripped.reason ?? '', /stripped/);
      assert.equal(((await fetchStatus(braid.clientSocket)) as ClientStatus).tunnel.state, 'connected');
    } finally {
      await lab.exec('server', ['nft', 'delete', 'table', 'inet', 'braidstrip']);
    }
  });

  await t.test('MPTCP endpoints someone else added on our links are taken over and reported', async () => {
    // what NetworkManager or mptcpd would do: an endpoint of their own on bl0's address, here
    // while bl0 is off (the kernel takes one endpoint per address), then bl0 is turned on
    const control = await connectControl({ path: braid.clientSocket });
    await control.call('setLinkMode', { link: 'bl0', mode: 'off' });
    await waitPath(braid, 'bl0', (p) => p.state === 'idle', 3000);
    await lab.exec('client', ['ip', 'mptcp', 'endpoint', 'add', lab.links[0].clientAddress, 'id', '5', 'signal']);
    await control.call('setLinkMode', { link: 'bl0', mode: 'on' });
    control.close();
    await waitPath(braid, 'bl0', (p) => p.state === 'active', 5000);
    const status = (await waitForStatus(
      braid.clientSocket,
      (s) => isClient(s) && s.events.some((e) => e.kind === 'coexistence'),
      8000,
    )) as ClientStatus;
    assert.ok(!(await endpoints(lab)).some((e) => e.id === 5), 'the foreign endpoint is gone');
    assert.match(status.coexistence?.message ?? '', /Braid owns the endpoints/);
  });
});

test('a backup link carries almost nothing until the others fail, then carries the transfer', async (t) => {
  const { lab, braid } = await connectedLab(t, [20, 20, 20], { links: [{ index: 0 }, { index: 1 }, { index: 2, mode: 'backup' }] });
  await waitPath(braid, 'bl2', (p) => p.state === 'backup', 5000);
  const counters = async () =>
    Promise.all([0, 1, 2].map(async (i) => Number((await lab.exec('server', ['cat', `/sys/class/net/${lab.links[i].serverIf}/statistics/rx_bytes`])).stdout)));
  const c0 = await counters();
  await runIperf(lab, 'client', lab.internetAddress, { seconds: 4 });
  const c1 = await counters();
  const carried = c1.map((v, i) => v - c0[i]);
  const share = carried[2] / carried.reduce((a, b) => a + b, 0);
  t.diagnostic(`bytes per link ${carried.join(' / ')}; backup share ${(share * 100).toFixed(2)} %`);
  assert.ok(share <= 0.05, `backup carried ${(share * 100).toFixed(2)} % of the bytes`);

  const result = await hashTransfer(lab, 8 << 20, 9201, async () => {
    await sleep(800);
    await lab.linkDown(0);
    await lab.linkDown(1);
  });
  assert.equal(result.receivedHash, result.sentHash, 'the transfer completes intact on the backup link');
  const c2 = await counters();
  assert.ok(c2[2] - c1[2] > 2_000_000, `the backup link took the traffic (${c2[2] - c1[2]} bytes)`);
});

test('a data cap reached during a transfer demotes the link, says why, and the transfer completes', async (t) => {
  const lab = await Lab.create({ links: [{ rateMbit: 20 }, { rateMbit: 20 }] });
  const braid = new BraidLab(lab, { links: [{ index: 0 }, { index: 1, cap: { bytes: '10MB', action: 'off' } }] });
  t.after(async () => {
    await braid.stop();
    await lab.destroy();
  });
  await braid.start();
  await connected(braid);
  await waitPath(braid, 'bl1', (p) => p.state === 'active', 5000);
  const result = await hashTransfer(lab, 28 << 20, 9301);
  assert.equal(result.receivedHash, result.sentHash, 'the transfer completes');
  const status = (await fetchStatus(braid.clientSocket)) as ClientStatus;
  const events = status.events.filter((e) => e.link === 'bl1').map((e) => e.kind);
  assert.ok(events.includes('cap-warning'), `a warning came first (${events.join(', ')})`);
  assert.ok(events.includes('cap-reached'), 'the cap event says why');
  const capped = pathOf(status, 'bl1');
  assert.equal(capped.mode, 'off');
  assert.ok((capped.usage?.capFraction ?? 0) >= 1);
  assert.ok(!(await endpoints(lab)).some((e) => e.dev === 'bl1'), 'the capped link left the connection');
});

test('link modes persist across an engine restart', async (t) => {
  const lab = await Lab.create({ links: [{ rateMbit: 20 }, { rateMbit: 20 }] });
  const braid = new BraidLab(lab);
  t.after(async () => {
    await braid.stop();
    await lab.destroy();
  });
  await braid.start();
  await connected(braid);
  const control = await connectControl({ path: braid.clientSocket });
  await control.call('setLinkMode', { link: 'bl1', mode: 'backup' });
  control.close();
  await waitPath(braid, 'bl1', (p) => p.state === 'backup', 3000);
  await braid.client?.kill(5000);
  await braid.startClient();
  await connected(braid);
  const restored = await waitPath(braid, 'bl1', (p) => p.state === 'backup', 5000);
  assert.equal(restored.mode, 'backup');
});
