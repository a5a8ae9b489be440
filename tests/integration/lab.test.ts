// The namespace lab itself (tests/netns): topology, shaping, raw MPTCP, link controls, teardown
// (destroy, exit and signal hooks, crash sweep). Needs root. ~20 s.
import test, { after, before } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { existingNamespaces, Lab } from '../netns/lab';
import { runIperf, startIperfServer } from '../netns/iperf';
import { applyMptcpPolicy, readMib } from '../netns/mptcp-policy';

const execFileP = promisify(execFile);
const LAB_JS = path.resolve(__dirname, '../netns/lab.js');

let lab: Lab;

before(async () => {
  lab = await Lab.create({ links: [{ rateMbit: 50 }, { rateMbit: 20 }, { rateMbit: 10 }] });
});
after(async () => {
  await lab?.destroy();
});

async function sh(ns: 'client' | 'server' | 'internet', argv: string[]): Promise<string> {
  return (await lab.exec(ns, argv)).stdout;
}

test('builds three namespaces with TBF on both ends of every link and the sysctls set', async () => {
  assert.deepEqual(await existingNamespaces(lab.namespaces), lab.namespaces);
  assert.deepEqual(lab.links.map((l) => [l.name, l.clientAddress, l.gateway, l.serverIf, l.rateMbit]), [
    ['bl0', '10.100.0.2', '10.100.0.1', 'sl0', 50],
    ['bl1', '10.100.1.2', '10.100.1.1', 'sl1', 20],
    ['bl2', '10.100.2.2', '10.100.2.1', 'sl2', 10],
  ]);
  for (const l of lab.links) {
    assert.match(await sh('client', ['tc', 'qdisc', 'show', 'dev', l.name]), new RegExp(`tbf .*rate ${l.rateMbit}Mbit`));
    assert.match(await sh('server', ['tc', 'qdisc', 'show', 'dev', l.serverIf]), new RegExp(`tbf .*rate ${l.rateMbit}Mbit`));
  }
  for (const ns of ['client', 'server', 'internet'] as const) {
    assert.equal((await sh(ns, ['sysctl', '-n', 'net.ipv4.conf.all.rp_filter'])).trim(), '2');
    assert.equal((await sh(ns, ['sysctl', '-n', 'net.mptcp.enabled'])).trim(), '1');
    assert.equal((await sh(ns, ['sysctl', '-n', 'net.ipv4.tcp_congestion_control'])).trim(), 'cubic');
  }
  assert.equal((await sh('server', ['sysctl', '-n', 'net.ipv4.ip_forward'])).trim(), '1');
  assert.equal((await sh('client', ['sysctl', '-n', 'net.ipv4.conf.bl1.rp_filter'])).trim(), '2');
});

test('each link pings its gateway; the public address and the internet host are reachable', async () => {
  for (const l of lab.links) {
    const r = await lab.ping('client', l.gateway, { count: 3, intervalMs: 20, source: l.name });
    assert.equal(r.received, 3, `link ${l.name}`);
    assert.equal(r.rttsMs.length, 3);
  }
  assert.equal((await lab.ping('client', lab.serverAddress, { count: 2, intervalMs: 20 })).received, 2);
  assert.equal((await lab.ping('server', lab.internetAddress, { count: 2, intervalMs: 20 })).received, 2);
  assert.equal((await lab.ping('internet', lab.serverAddress, { count: 2, intervalMs: 20 })).received, 2);
});

test('lab NAT is opt-in: without it the internet host cannot answer the client', async () => {
  const off = await lab.ping('client', lab.internetAddress, { count: 2, intervalMs: 50, replyTimeoutMs: 300 });
  assert.equal(off.received, 0, 'internet host answered without NAT: it must have no route back');
  await lab.setNat(true);
  const on = await lab.ping('client', lab.internetAddress, { count: 2, intervalMs: 50 });
  assert.equal(on.received, 2);
  await lab.setNat(false);
  assert.equal((await lab.ping('client', lab.internetAddress, { count: 1, replyTimeoutMs: 300 })).received, 0);
});

test('TBF holds: 3 s of iperf3 over the 20 Mbit/s link measures 17-21 Mbit/s each way', async () => {
  const server = await startIperfServer(lab, 'server', { mptcp: true });
  try {
    const l = lab.links[1];
    const up = await runIperf(lab, 'client', l.gateway, { seconds: 3 });
    const down = await runIperf(lab, 'client', l.gateway, { seconds: 3, reverse: true });
    assert.ok(up.mbit >= 17 && up.mbit <= 21, `upload ${up.mbit.toFixed(2)} Mbit/s`);
    assert.ok(down.mbit >= 17 && down.mbit <= 21, `download ${down.mbit.toFixed(2)} Mbit/s`);
  } finally {
    await server.kill();
  }
});

test('raw MPTCP over the 3 links clearly beats one TCP flow over the best link', async () => {
  const server = await startIperfServer(lab, 'server', { mptcp: true });
  const policy = await applyMptcpPolicy(lab);
  try {
    // every link reaches the public address through its own gateway (source routing)
    for (const l of lab.links) {
      const route = await sh('client', ['ip', '-o', 'route', 'get', lab.serverAddress, 'from', l.clientAddress]);
      assert.match(route, new RegExp(`via ${l.gateway.replace(/\./g, '\\.')} dev ${l.name}`));
      assert.equal((await lab.ping('client', lab.serverAddress, { count: 1, source: l.clientAddress })).received, 1);
    }
    const tcp = await runIperf(lab, 'client', lab.serverAddress, { seconds: 3, bind: lab.links[0].clientAddress });
    const before = await readMib(lab, 'client');
    const mptcp = await runIperf(lab, 'client', lab.serverAddress, { seconds: 3, mptcp: true });
    const afterMib = await readMib(lab, 'client');
    const joins = afterMib.MPTcpExtMPJoinSynAckRx - before.MPTcpExtMPJoinSynAckRx;
    const conns = afterMib.MPTcpExtMPCapableSYNACKRX - before.MPTcpExtMPCapableSYNACKRX;
    assert.ok(conns >= 1, 'iperf3 under mptcpize did not use MPTCP');
    assert.equal(joins / conns, 2, `expected 2 extra subflows per connection, got ${joins}/${conns}`);
    assert.ok(tcp.mbit >= 40 && tcp.mbit <= 52, `TCP over the 50 Mbit/s link: ${tcp.mbit.toFixed(1)}`);
    assert.ok(mptcp.mbit >= 1.3 * tcp.mbit, `MPTCP ${mptcp.mbit.toFixed(1)} vs TCP ${tcp.mbit.toFixed(1)} Mbit/s`);
    assert.ok(mptcp.mbit <= 82, `MPTCP ${mptcp.mbit.toFixed(1)} exceeds the 80 Mbit/s sum: shaping leaks`);
  } finally {
    await policy.remove();
    await server.kill();
  }
  assert.equal((await sh('client', ['ip', 'mptcp', 'endpoint', 'show'])).trim(), '', 'policy.remove() left endpoints');
  assert.doesNotMatch(await sh('client', ['ip', 'rule']), /lookup 73\d\d/);
});

test('linkDown/linkUp (admin and carrier), blackhole and setRate', async () => {
  // -I <dev>: through that link only (the server owns every gateway address, so without it a
  // ping to a dead link's gateway would just take link 0)
  // three tries: right after a link returns, the first echo may be lost to neighbour resolution
  const reach = async (i: number) => (await lab.ping('client', lab.links[i].gateway, { count: 3, intervalMs: 100, replyTimeoutMs: 300, source: lab.links[i].name })).received >= 1;

  await lab.linkDown(2);
  assert.match(await sh('client', ['ip', '-o', 'link', 'show', 'bl2']), /state DOWN/);
  assert.doesNotMatch(await sh('client', ['ip', '-o', 'link', 'show', 'bl2']), /[<,]UP[,>]/);
  assert.equal(await reach(2), false);
  assert.doesNotMatch(await sh('client', ['ip', 'route']), /dev bl2/);
  await lab.linkUp(2);
  assert.equal(await reach(2), true);
  assert.match(await sh('client', ['ip', 'route', 'show', 'default']), /via 10\.100\.2\.1 dev bl2 metric 102/);

  await lab.linkDown(1, { mode: 'carrier' });
  const bl1 = await sh('client', ['ip', '-o', 'link', 'show', 'bl1']);
  assert.match(bl1, /NO-CARRIER/);
  assert.match(bl1, /[<,]UP[,>]/);
  assert.equal(await reach(1), false);
  await lab.linkUp(1);
  assert.equal(await reach(1), true);

  await lab.blackhole(0, true);
  assert.equal(await reach(0), false);
  assert.match(await sh('client', ['ip', '-o', 'link', 'show', 'bl0']), /state UP/);
  assert.equal(await reach(1), true, 'blackhole of link 0 must not touch link 1');
  await lab.blackhole(0, false);
  assert.equal(await reach(0), true);

  await lab.setRate(2, 5);
  assert.match(await sh('client', ['tc', 'qdisc', 'show', 'dev', 'bl2']), /tbf .*rate 5Mbit/);
  assert.match(await sh('server', ['tc', 'qdisc', 'show', 'dev', 'sl2']), /tbf .*rate 5Mbit/);
  await lab.setRate(2, undefined);
  assert.doesNotMatch(await sh('client', ['tc', 'qdisc', 'show', 'dev', 'bl2']), /tbf/);
  assert.doesNotMatch(await sh('server', ['tc', 'qdisc', 'show', 'dev', 'sl2']), /tbf/);
  assert.equal(lab.links[2].rateMbit, undefined);
  await lab.setRate(2, 10);
});

test('addLink adds a shaped, routed link at runtime', async () => {
  const l = await lab.addLink({ rateMbit: 30 });
  assert.equal(l.name, 'bl3');
  assert.equal(lab.links.length, 4);
  assert.equal((await lab.ping('client', l.gateway, { count: 2, intervalMs: 20 })).received, 2);
  assert.match(await sh('server', ['tc', 'qdisc', 'show', 'dev', 'sl3']), /tbf .*rate 30Mbit/);
  assert.match(await sh('client', ['ip', 'route', 'show', 'default']), /via 10\.100\.3\.1 dev bl3 metric 103/);
});

/** runs a child node process that creates a lab, prints its namespaces, then does `then` */
function childLab(then: string): { proc: ReturnType<typeof spawn>; namespaces: Promise<string[]> } {
  const js = `const {Lab}=require(${JSON.stringify(LAB_JS)});
    Lab.create({links:[{rateMbit:10}],sweep:false}).then(async (lab)=>{
      console.log(JSON.stringify(lab.namespaces));
      lab.spawn('client',['sleep','60']);
      ${then}
    }).catch((e)=>{console.error(e);process.exit(3)});`;
  const proc = spawn(process.execPath, ['-e', js], { stdio: ['ignore', 'pipe', 'inherit'] });
  const namespaces = new Promise<string[]>((resolve, reject) => {
    let out = '';
    proc.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const line = out.split('\n')[0];
      if (out.includes('\n')) resolve(JSON.parse(line) as string[]);
    });
    proc.once('exit', (code, sig) => reject(new Error(`child exited ${code ?? sig} before printing`)));
  });
  return { proc, namespaces };
}

/** dead: no such pid, or a zombie waiting for its parent to reap it */
async function gone(pid: number, timeoutMs = 2000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    let state: string;
    try {
      const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
      state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    } catch {
      return true;
    }
    if (state === 'Z' || state === 'X') return true;
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 20));
  }
}

const exited = (p: ReturnType<typeof spawn>) =>
  new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) => {
    if (p.exitCode !== null || p.signalCode !== null) r({ code: p.exitCode, signal: p.signalCode });
    else p.once('exit', (code, signal) => r({ code, signal }));
  });

test('teardown: exit hook, SIGTERM hook, and crash sweep of a SIGKILLed owner', async () => {
  // exit without destroy(): the 'exit' hook deletes the namespaces
  const a = childLab('process.exit(0);');
  const nsA = await a.namespaces;
  assert.deepEqual(await exited(a.proc), { code: 0, signal: null });
  assert.deepEqual(await existingNamespaces(nsA), []);

  // SIGTERM: cleaned up, and the process still dies by the signal
  const b = childLab('setInterval(()=>{},1000);');
  const nsB = await b.namespaces;
  assert.deepEqual(await existingNamespaces(nsB), nsB);
  // a live owner's lab is never swept
  assert.deepEqual((await Lab.sweepStale()).filter((n) => nsB.includes(n)), []);
  b.proc.kill('SIGTERM');
  assert.equal((await exited(b.proc)).signal, 'SIGTERM');
  assert.deepEqual(await existingNamespaces(nsB), []);

  // SIGKILL: nothing runs in the child; the namespaces (and its sleep) stay until swept
  const c = childLab("process.kill(process.pid,'SIGKILL');");
  const nsC = await c.namespaces;
  assert.equal((await exited(c.proc)).signal, 'SIGKILL');
  assert.deepEqual(await existingNamespaces(nsC), nsC);
  const leftover = (await execFileP('ip', ['netns', 'pids', nsC[0]])).stdout.trim();
  assert.notEqual(leftover, '', 'expected the killed owner\'s sleep to survive in the namespace');
  const swept = await Lab.sweepStale();
  assert.deepEqual(swept.filter((n) => nsC.includes(n)).sort(), [...nsC].sort());
  assert.deepEqual(await existingNamespaces(nsC), []);
  assert.ok(await gone(Number(leftover.split(/\s+/)[0])), 'sweep left the killed owner\'s process running');
  // ours survived every sweep
  assert.deepEqual(await existingNamespaces(lab.namespaces), lab.namespaces);
});

test('destroy kills spawned and stray processes, deletes every namespace, and is idempotent', async () => {
  const p = lab.spawn('server', ['sleep', '60']);
  const stray = Number((await sh('client', ['sh', '-c', 'sleep 60 >/dev/null 2>&1 & echo $!'])).trim());
  assert.ok(stray > 1);
  const names = lab.namespaces;
  await Promise.all([lab.destroy(), lab.destroy()]);
  await lab.destroy();
  assert.deepEqual(await existingNamespaces(names), []);
  assert.equal(p.running, false);
  assert.ok(await gone(stray), 'stray process survived destroy()');
  assert.throws(() => lab.spawn('client', ['true']), /destroyed/);
});
