// The C packet pump end to end, in two network namespaces joined by a veth pair:
//
//   ns A ("server")                                   ns B ("client")
//   braid0 10.202.0.1/24                              braid0 10.202.0.2/24
//     | native tunnel, mode server                      | native tunnel, mode client
//   vethA  10.201.0.1/24 ===== one MPTCP connection ===== vethB  10.201.0.2/24
//   vethA2 10.203.0.1/24 ===== backup subflow ========== vethB2 10.203.0.2/24
//                              (endpoint "subflow backup dev vethB2", source-routed)
//
// Each end is a node child (fixtures/pump-peer.ts) run with `ip netns exec`. The handshake is
// out of scope: both ends get fixed test keys. Checks ping, a hashed TCP transfer, control
// frames, MPTCP info, throughput (iperf3), rekeying every 100 frames, a clean CLOSE, and that a
// forged or malformed frame ends only that session.
import test from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import path from 'node:path';
import readline from 'node:readline';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';

const FIXTURES = path.join(__dirname, 'fixtures');
const PEER = path.join(FIXTURES, 'pump-peer.js');
const TRANSFER = path.join(FIXTURES, 'pump-transfer.js');
const suffix = crypto.randomBytes(3).toString('hex');
const NS_A = `braid-pa-${suffix}`;
const NS_B = `braid-pb-${suffix}`;
const VETH_A = '10.201.0.1';
const VETH_B = '10.201.0.2';
const TUN_A = '10.202.0.1';
const TUN_B = '10.202.0.2';
const C2S = crypto.randomBytes(32).toString('hex');
const S2C = crypto.randomBytes(32).toString('hex');

function sh(args: string[], timeoutMs = 10_000): string {
  return execFileSync(args[0], args.slice(1), { timeout: timeoutMs, encoding: 'utf8' });
}

type Msg = Record<string, unknown> & { id?: number; event?: string };

class Peer {
  private nextId = 1;
  private readonly waiters: Array<{ pred: (m: Msg) => boolean; resolve: (m: Msg) => void }> = [];
  readonly messages: Msg[] = [];
  readonly proc: ChildProcess;

  constructor(
    readonly ns: string,
    args: string[],
  ) {
    this.proc = spawn('ip', ['netns', 'exec', ns, process.execPath, PEER, ...args], {
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    readline.createInterface({ input: this.proc.stdout! }).on('line', (line) => {
      let m: Msg;
      try {
        m = JSON.parse(line) as Msg;
      } catch {
        return;
      }
      this.messages.push(m);
      for (let i = 0; i < this.waiters.length; i++) {
        if (this.waiters[i].pred(m)) {
          this.waiters[i].resolve(m);
          this.waiters.splice(i, 1);
          i--;
        }
      }
    });
  }

  wait(pred: (m: Msg) => boolean, what: string, timeoutMs = 10_000): Promise<Msg> {
    const seen = this.messages.find(pred);
    if (seen) {
      this.messages.splice(this.messages.indexOf(seen), 1);
      return Promise.resolve(seen);
    }
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${this.ns}: timed out waiting for ${what}`)), timeoutMs);
      this.waiters.push({
        pred,
        resolve: (m) => {
          clearTimeout(timer);
          this.messages.splice(this.messages.indexOf(m), 1);
          resolve(m);
        },
      });
    });
  }

  async cmd(cmd: string, extra: object = {}, timeoutMs = 10_000): Promise<Msg> {
    const id = this.nextId++;
    this.proc.stdin!.write(`${JSON.stringify({ id, cmd, ...extra })}\n`);
    const reply = await this.wait((m) => m.id === id, `reply to ${cmd}`, timeoutMs);
    if (!reply.ok) throw new Error(`${this.ns}: ${cmd} failed: ${String(reply.error)}`);
    return reply;
  }

  async stats(): Promise<Record<string, number>> {
    return (await this.cmd('stats')).stats as Record<string, number>;
  }

  async end(): Promise<void> {
    if (this.proc.exitCode !== null || this.proc.signalCode !== null) return;
    const exited = new Promise((resolve) => this.proc.once('exit', resolve));
    this.proc.stdin!.end();
    const timer = setTimeout(() => this.proc.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
  }
}

/** Starts one session on both ends (server accepts, client connects). */
async function connect(a: Peer, b: Peer, extra: object = {}): Promise<{ sa: number; sb: number; mptcp: boolean }> {
  const accept = a.cmd('session', { txKey: S2C, rxKey: C2S, ...extra });
  const conn = await b.cmd('session', { txKey: C2S, rxKey: S2C, ...extra });
  const acc = await accept;
  return { sa: acc.session as number, sb: conn.session as number, mptcp: conn.mptcp as boolean };
}

function run(ns: string, args: string[], timeoutMs: number): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve, reject) => {
    const p = spawn('ip', ['netns', 'exec', ns, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    p.stdout.on('data', (d: Buffer) => (out += d.toString()));
    const timer = setTimeout(() => {
      p.kill('SIGKILL');
      reject(new Error(`${args.join(' ')} in ${ns}: time limit ${timeoutMs} ms`));
    }, timeoutMs);
    p.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, out });
    });
  });
}

/** Hashed TCP transfer from B to A through the tunnel. */
async function transfer(bytes: number, port: number): Promise<{ sent: Msg; received: Msg }> {
  const sink = spawn('ip', ['netns', 'exec', NS_A, process.execPath, TRANSFER, 'sink', TUN_A, String(port)], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const lines = readline.createInterface({ input: sink.stdout });
  const received = new Promise<Msg>((resolve, reject) => {
    const timer = setTimeout(() => {
      sink.kill('SIGKILL');
      reject(new Error('sink: time limit'));
    }, 60_000);
    lines.on('line', (l) => {
      const m = JSON.parse(l) as Msg;
      if (m.listening) return;
      clearTimeout(timer);
      resolve(m);
    });
  });
  await new Promise<void>((resolve) => lines.once('line', () => resolve()));
  const src = await run(NS_B, [process.execPath, TRANSFER, 'source', TUN_A, String(port), String(bytes)], 60_000);
  assert.equal(src.code, 0, 'source exit code');
  return { sent: JSON.parse(src.out.trim()) as Msg, received: await received };
}

test('native packet pump between two namespaces', { timeout: 240_000 }, async (t) => {
  assert.equal(process.getuid?.(), 0, 'this test needs root (network namespaces)');
  let a: Peer | undefined;
  let b: Peer | undefined;
  try {
    sh(['ip', 'netns', 'add', NS_A]);
    sh(['ip', 'netns', 'add', NS_B]);
    sh(['ip', 'link', 'add', 'vethA', 'netns', NS_A, 'type', 'veth', 'peer', 'name', 'vethB', 'netns', NS_B]);
    for (const [ns, dev, addr] of [
      [NS_A, 'vethA', VETH_A],
      [NS_B, 'vethB', VETH_B],
    ]) {
      sh(['ip', '-n', ns, 'link', 'set', 'lo', 'up']);
      sh(['ip', '-n', ns, 'addr', 'add', `${addr}/24`, 'dev', dev]);
      sh(['ip', '-n', ns, 'link', 'set', dev, 'up']);
    }
    // A second link for a backup subflow: it leaves B through vethB2 (source routing) and
    // reaches A's listening address 10.201.0.1 over vethA2.
    sh(['ip', 'link', 'add', 'vethA2', 'netns', NS_A, 'type', 'veth', 'peer', 'name', 'vethB2', 'netns', NS_B]);
    for (const [ns, dev, addr] of [
      [NS_A, 'vethA2', '10.203.0.1'],
      [NS_B, 'vethB2', '10.203.0.2'],
    ]) {
      sh(['ip', '-n', ns, 'addr', 'add', `${addr}/24`, 'dev', dev]);
      sh(['ip', '-n', ns, 'link', 'set', dev, 'up']);
      sh(['ip', '-n', ns, 'mptcp', 'limits', 'set', 'subflows', '2']);
    }
    sh(['ip', '-n', NS_B, 'route', 'add', `${VETH_A}/32`, 'dev', 'vethB2', 'table', '100']);
    sh(['ip', '-n', NS_B, 'rule', 'add', 'from', '10.203.0.2', 'table', '100']);
    sh(['ip', '-n', NS_B, 'mptcp', 'endpoint', 'add', '10.203.0.2', 'dev', 'vethB2', 'subflow', 'backup']);
    const ifindex = (ns: string, dev: string) =>
      (JSON.parse(sh(['ip', '-n', ns, '-j', 'link', 'show', dev])) as Array<{ ifindex: number }>)[0].ifindex;
    a = new Peer(NS_A, ['server', TUN_A, VETH_A, TUN_B]);
    b = new Peer(NS_B, ['client', TUN_B, VETH_A, TUN_A]);
    const readyA = await a.wait((m) => m.event === 'ready', 'ready');
    await b.wait((m) => m.event === 'ready', 'ready');
    t.diagnostic(`TUN offload: ${String(readyA.offload)}`);
    const A = a;
    let B = b;

    let s = await connect(A, B);
    assert.equal(s.mptcp, true, 'the connection uses MPTCP');

    await t.test('ping across the tunnel', async () => {
      const r = await run(NS_B, ['ping', '-c', '3', '-i', '0.2', '-W', '2', TUN_A], 15_000);
      assert.equal(r.code, 0, r.out);
      const st = await B.stats();
      assert.ok(st.txPackets >= 3 && st.rxPackets >= 3, JSON.stringify(st));
    });

    await t.test('server mode drops packets whose source is not the peer address', async () => {
      sh(['ip', '-n', NS_B, 'addr', 'add', '10.202.0.99/24', 'dev', 'braid0']);
      try {
        const before = await A.stats();
        const r = await run(NS_B, ['ping', '-c', '3', '-i', '0.2', '-W', '1', '-I', '10.202.0.99', TUN_A], 15_000);
        assert.notEqual(r.code, 0, 'a spoofed source must not get through');
        const after = await A.stats();
        assert.ok(after.rxDrops >= before.rxDrops + 3, `rxDrops ${before.rxDrops} -> ${after.rxDrops}`);
      } finally {
        sh(['ip', '-n', NS_B, 'addr', 'del', '10.202.0.99/24', 'dev', 'braid0']);
      }
    });

    await t.test('control frames reach JS on the other side', async () => {
      await B.cmd('control', { text: '{"type":"keepalive","n":1}' });
      const ev = await A.wait((m) => m.event === 'control', 'control event');
      assert.equal(ev.data, '{"type":"keepalive","n":1}');
    });

    await t.test('MPTCP_FULL_INFO: both subflows with addresses, ifindex, tcp_info and backup flag', async () => {
      type Full = { subflows: Array<Record<string, unknown>>; info: Record<string, unknown> };
      const deadline = Date.now() + 5000;
      let fi = (await B.cmd('fullInfo')).fullInfo as Full;
      while (fi.subflows.length < 2 && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 100));
        fi = (await B.cmd('fullInfo')).fullInfo as Full;
      }
      assert.equal(fi.subflows.length, 2, JSON.stringify(fi));
      const main = fi.subflows.find((f) => f.localAddress === VETH_B)!;
      const backup = fi.subflows.find((f) => f.localAddress === '10.203.0.2')!;
      assert.ok(main && backup, JSON.stringify(fi.subflows));
      assert.equal(main.remoteAddress, VETH_A);
      assert.equal(main.remotePort, 7000);
      assert.equal(main.family, 4);
      assert.equal(main.state, 1);
      assert.equal(main.ifindex, ifindex(NS_B, 'vethB'));
      assert.equal(main.backup, false);
      assert.ok((main.bytesSent as number) > 0 && (main.bytesReceived as number) > 0);
      assert.ok((main.rttUs as number) > 0 && (main.cwnd as number) > 0);
      assert.equal(backup.ifindex, ifindex(NS_B, 'vethB2'));
      assert.equal(backup.backup, true);
      assert.equal(fi.info.subflows, 1, 'one additional subflow');
      // the server sees the backup subflow too, flagged by the peer, arriving over vethA2
      const fa = (await A.cmd('fullInfo')).fullInfo as Full;
      const remoteBackup = fa.subflows.find((f) => f.remoteAddress === '10.203.0.2');
      assert.ok(remoteBackup, JSON.stringify(fa.subflows));
      assert.equal(remoteBackup.backup, true);
      assert.equal(remoteBackup.ifindex, ifindex(NS_A, 'vethA2'));
    });

    await t.test('8 MiB TCP transfer arrives intact', async () => {
      const { sent, received } = await transfer(8 * 1024 * 1024, 9000);
      assert.equal(received.bytes, 8 * 1024 * 1024);
      assert.equal(received.sha256, sent.sha256);
    });

    await t.test('throughput: 5 s of iperf3 through the tunnel', async () => {
      const server = spawn('ip', ['netns', 'exec', NS_A, 'iperf3', '-s', '-1', '-B', TUN_A, '-p', '5201'], {
        stdio: 'ignore',
      });
      try {
        await new Promise((r) => setTimeout(r, 500));
        const r = await run(NS_B, ['iperf3', '-c', TUN_A, '-p', '5201', '-t', '5', '-J'], 30_000);
        assert.equal(r.code, 0, r.out.slice(0, 500));
        const j = JSON.parse(r.out) as { end: { sum_received: { bits_per_second: number } } };
        const mbps = j.end.sum_received.bits_per_second / 1e6;
        const st = await B.stats();
        t.diagnostic(`iperf3 through the pump: ${mbps.toFixed(0)} Mbit/s; client stats ${JSON.stringify(st)}`);
        // Low bar: catches a broken or pathologically slow pump without flaking on a busy box.
        assert.ok(mbps > 100, `${mbps} Mbit/s`);
      } finally {
        server.kill();
      }
    });

    await t.test('close() sends CLOSE: local on one side, peer-bye with the reason on the other', async () => {
      await B.cmd('close', { text: 'test done' });
      const eb = await B.wait((m) => m.event === 'closed' && m.session === s.sb, 'client closed');
      const ea = await A.wait((m) => m.event === 'closed' && m.session === s.sa, 'server closed');
      assert.equal(eb.reason, 'local');
      assert.equal(ea.reason, 'peer-bye');
      assert.equal(ea.message, 'test done');
    });

    await t.test('rekeyAfterFrames=100 keeps data intact across many rekeys', async () => {
      s = await connect(A, B, { rekeyAfterFrames: 100, cipher: 'chacha20-poly1305' });
      // GSO super-packets carry up to 64 KiB per frame: 96 MiB is well over 1000 frames.
      const { sent, received } = await transfer(96 * 1024 * 1024, 9001);
      assert.equal(received.sha256, sent.sha256);
      const deadline = Date.now() + 5000;
      let sb = await B.stats();
      let sa = await A.stats();
      while (sa.rxEpoch !== sb.txEpoch && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 100));
        sb = await B.stats();
        sa = await A.stats();
      }
      t.diagnostic(`client ${JSON.stringify(sb)} server ${JSON.stringify(sa)}`);
      assert.ok(sb.txEpoch >= 10, `client tx epochs ${sb.txEpoch}`);
      assert.equal(sa.rxEpoch, sb.txEpoch);
      assert.ok(sa.txEpoch >= 1 && sb.rxEpoch === sa.txEpoch, 'the other direction rekeys too');
    });

    await t.test('a forged frame ends only that session with auth-failed', async () => {
      await B.cmd('forge', { text: 'auth' });
      const ea = await A.wait((m) => m.event === 'closed' && m.session === s.sa, 'server closed');
      assert.equal(ea.reason, 'auth-failed');
      const eb = await B.wait((m) => m.event === 'closed' && m.session === s.sb, 'client closed');
      assert.ok(['peer-closed', 'socket-error'].includes(eb.reason as string), String(eb.reason));
      const pong = await A.cmd('ping');
      assert.equal(pong.pong, true, 'the server process keeps running');
      // the tunnel itself still works with a new session
      s = await connect(A, B);
      const r = await run(NS_B, ['ping', '-c', '2', '-i', '0.2', '-W', '2', TUN_A], 15_000);
      assert.equal(r.code, 0, r.out);
    });

    await t.test('a frame length outside 17..70016 ends the session with bad-frame', async () => {
      await B.cmd('forge', { text: 'length' });
      const ea = await A.wait((m) => m.event === 'closed' && m.session === s.sa, 'server closed');
      assert.equal(ea.reason, 'bad-frame');
      await B.wait((m) => m.event === 'closed' && m.session === s.sb, 'client closed');
    });

    await t.test('pending bytes from the handshake and non-zero counters continue the stream', async () => {
      // the client sealed counters 0 and 1 itself; the server read all of frame 0 and 10 bytes
      // of frame 1 before handing over: its pump must finish frame 1 from the socket
      const frame0 = 4 + 1 + 'pending-0'.length + 16;
      s = await connect(A, B, { pendingBytes: frame0 + 10 });
      const c0 = await A.wait((m) => m.event === 'control' && m.session === s.sa, 'pending-0');
      const c1 = await A.wait((m) => m.event === 'control' && m.session === s.sa, 'pending-1');
      assert.equal(c0.data, 'pending-0');
      assert.equal(c1.data, 'pending-1');
      const r = await run(NS_B, ['ping', '-c', '2', '-i', '0.2', '-W', '2', TUN_A], 15_000);
      assert.equal(r.code, 0, 'client pump continued at counter 2');
      await B.cmd('close', { text: 'next' });
      await B.wait((m) => m.event === 'closed' && m.session === s.sb, 'client closed');
      await A.wait((m) => m.event === 'closed' && m.session === s.sa, 'server closed');
    });

    await t.test('close() under full load ends both sides promptly', async () => {
      s = await connect(A, B);
      let client: ChildProcess | undefined;
      const server = spawn('ip', ['netns', 'exec', NS_A, 'iperf3', '-s', '-1', '-B', TUN_A, '-p', '5202'], {
        stdio: 'ignore',
      });
      try {
        await new Promise((r) => setTimeout(r, 500));
        // the client's iperf3 is killed below: with the session gone its TCP flow just stalls
        client = spawn('ip', ['netns', 'exec', NS_B, 'iperf3', '-c', TUN_A, '-p', '5202', '-t', '4'], {
          stdio: 'ignore',
        });
        await new Promise((r) => setTimeout(r, 1500));
        const started = Date.now();
        await B.cmd('close', { text: 'under load' });
        const eb = await B.wait((m) => m.event === 'closed' && m.session === s.sb, 'client closed', 5000);
        const ea = await A.wait((m) => m.event === 'closed' && m.session === s.sa, 'server closed', 5000);
        t.diagnostic(`closed under load in ${Date.now() - started} ms: ${String(eb.reason)} / ${String(ea.reason)}`);
        assert.equal(eb.reason, 'local');
        assert.equal(ea.reason, 'peer-bye');
        assert.equal(ea.message, 'under load');
      } finally {
        client?.kill('SIGKILL');
        server.kill('SIGKILL');
      }
      assert.equal((await B.cmd('ping')).pong, true);
    });

    await t.test('process.exit() with a live session exits cleanly; the peer sees the end', async () => {
      s = await connect(A, B);
      const old = B;
      const exited = new Promise<number | null>((resolve) => old.proc.once('exit', (code) => resolve(code)));
      await old.cmd('exit');
      const timeout = new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), 5000));
      assert.equal(await Promise.race([exited, timeout]), 0, 'exit code');
      const ea = await A.wait((m) => m.event === 'closed' && m.session === s.sa, 'server closed');
      t.diagnostic(`after exit the server saw ${String(ea.reason)}: ${String(ea.message)}`);
      assert.ok(['peer-bye', 'peer-closed'].includes(ea.reason as string), String(ea.reason));
      // a fresh client process can open braid0 again and connect
      b = B = new Peer(NS_B, ['client', TUN_B, VETH_A, TUN_A]);
      await B.wait((m) => m.event === 'ready', 'ready');
    });

    await t.test('stop() stops the tunnels cleanly', async () => {
      s = await connect(A, B);
      await B.cmd('stop');
      const eb = await B.wait((m) => m.event === 'closed' && m.session === s.sb, 'client closed');
      assert.equal(eb.reason, 'local');
      const ea = await A.wait((m) => m.event === 'closed' && m.session === s.sa, 'server closed');
      assert.equal(ea.reason, 'peer-bye');
      await A.cmd('stop');
      assert.equal((await A.cmd('ping')).pong, true);
    });
  } finally {
    await Promise.all([a?.end(), b?.end()]);
    for (const ns of [NS_A, NS_B]) {
      try {
        sh(['ip', 'netns', 'del', ns]);
      } catch {
        /* not created */
      }
    }
  }
});
