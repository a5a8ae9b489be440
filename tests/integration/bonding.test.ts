// The bonding core end to end: a real `braid server` and a real braidd in a namespace lab with
// three shaped links, the native pump and kernel MPTCP in between.
//
//   client ns (braidd, braid0) --bl0 30M / bl1 20M / bl2 20M--> server ns (braid server, NAT)
//                                                                  --> internet ns (198.18.0.1)
import test from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import path from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { Lab } from '../netns/lab';
import { startIperfServer, runIperf } from '../netns/iperf';
import { BraidLab, fetchStatus, hashTransfer, waitForStatus, SERVER_PORT } from '../netns/braid';
import { generateKeyPair } from '../../electron/protocol/tunnel/keys';
import type { ClientStatus, ServerStatus } from '../../electron/protocol/control';

const FIXTURES = path.join(__dirname, 'fixtures');
const RATES = [30, 20, 20];
const tester = (() => {
  const k = generateKeyPair();
  return { secret: k.secret, public: k.public };
})();

let lab: Lab;
let braid: BraidLab;

const clientStatus = async () => (await fetchStatus(braid.clientSocket)) as ClientStatus;
const serverStatus = async () => (await fetchStatus(braid.serverSocket)) as ServerStatus;


async function deviceAttempt(mode: string, secret: string, serverPublic: string) {
  const p = lab.spawn('client', ['node', path.join(FIXTURES, 'device-attempt.js'), mode, lab.serverAddress, String(SERVER_PORT), secret, serverPublic]);
  const line = await p.waitFor(/result (\S+) (.*)/, 20_000);
  return { code: line[1], message: line[2], process: p };
}

test.before(async () => {
  lab = await Lab.create({ links: RATES.map((rateMbit) => ({ rateMbit })) });
  braid = new BraidLab(lab, {
    extraDevices: [{ name: 'tester', keys: tester, address: '10.77.0.3' }],
    // rekey every 64 frames so every transfer below also proves rekeying under load
    env: { BRAID_REKEY_AFTER_FRAMES: '64' },
  });
  await braid.start();
  await waitForStatus(braid.clientSocket, (s) => s.mode === 'client' && s.tunnel.state === 'connected', 15_000);
});

test.after(async () => {
  await braid?.stop();
  await lab?.destroy();
});

test('ping and a hashed TCP transfer reach the internet namespace through the tunnel', async () => {
  const ping = await lab.ping('client', lab.internetAddress, { count: 5, intervalMs: 200 });
  assert.equal(ping.received, 5, 'every ping through the tunnel is answered');
  const status = await clientStatus();
  assert.equal(status.tunnel.address, '10.77.0.2/24');
  assert.equal(status.tunnel.mptcp, true, 'the tunnel connection uses MPTCP, not a TCP fallback');
  const t = await hashTransfer(lab, 8 << 20, 9001);
  assert.equal(t.receivedBytes, t.sentBytes);
  assert.equal(t.receivedHash, t.sentHash, 'bytes arrive intact');
});

test('three links: every subflow carries traffic and the tunnel beats the fastest link', async (t) => {
  const server = await startIperfServer(lab, 'internet');
  try {
    const result = await runIperf(lab, 'client', lab.internetAddress, { seconds: 6, omitSeconds: 1 });
    const fastest = Math.max(...RATES);
    const status = await clientStatus();
    t.diagnostic(`tunnel ${result.mbit.toFixed(1)} Mbit/s over links ${RATES.join('/')}; per path bytes ${status.paths.map((p) => `${p.link}=${p.subflow?.bytesSent}`).join(' ')}`);
    for (const p of status.paths) {
      assert.ok(p.subflow, `${p.link} has a subflow (state ${p.state}, ${p.reason ?? ''})`);
      assert.ok(p.subflow.bytesSent > 100_000, `${p.link} carried ${p.subflow.bytesSent} bytes`);
      assert.equal(p.state, 'active');
    }
    assert.ok(result.mbit > fastest * 1.4, `tunnel ${result.mbit.toFixed(1)} Mbit/s vs fastest link ${fastest} Mbit/s`);
  } finally {
    await server.kill();
  }
});

test('the first link goes down mid-transfer: transfer intact, no reconnect, path failed', async () => {
  const before = await clientStatus();
  const t = await hashTransfer(lab, 24 << 20, 9002, async () => {
    await new Promise((r) => setTimeout(r, 1000));
    await lab.linkDown(0);
  });
  assert.equal(t.receivedHash, t.sentHash, 'transfer survived losing the link it started on');
  assert.equal(t.receivedBytes, 24 << 20);
  const after = await waitForStatus(
    braid.clientSocket,
    (s) => s.mode === 'client' && s.paths[0].state === 'failed',
    5000,
  ) as ClientStatus;
  assert.equal(after.tunnel.state, 'connected');
  assert.equal(after.tunnel.reconnects, before.tunnel.reconnects, 'the tunnel never reconnected');
  assert.match(after.paths[0].reason ?? '', /down/);
  await lab.linkUp(0);
});

test('an unknown device and a wrongly pinned server key are refused on both sides; the admitted device keeps working', async () => {
  const stranger = generateKeyPair();
  const unknown = await deviceAttempt('handshake', stranger.secret, braid.serverKeys.public);
  assert.equal(unknown.code, 'unknown-device', unknown.message);
  assert.match(unknown.message, /not admitted/);
  const wrongPin = await deviceAttempt('handshake', braid.deviceKeys.secret, generateKeyPair().public);
  assert.equal(wrongPin.code, 'server-key-not-trusted', wrongPin.message);
  const events = (await serverStatus()).events.map((e) => e.message).join('\n');
  assert.match(events, /not admitted/, 'the server reports the unknown device');
  assert.match(events, /does not trust this server's key/i, 'the server reports the client distrusting its key');
  const ping = await lab.ping('client', lab.internetAddress, { count: 3, intervalMs: 200 });
  assert.equal(ping.received, 3, 'the admitted device still works');
});

test('random bytes and a forged frame after the handshake close only that session', async () => {
  for (const [mode, reason] of [['garbage', /bad-frame|auth-failed/], ['bitflip', /auth-failed/]] as const) {
    const attempt = await deviceAttempt(mode, tester.secret, braid.serverKeys.public);
    assert.equal(attempt.code, 'ok', attempt.message);
    await attempt.process.waitFor(/closed-by-server/, 5000);
    const server = await serverStatus();
    const closed = server.events.filter((e) => e.kind === 'device-closed' && e.message.startsWith('tester'));
    assert.match(closed.at(-1)?.message ?? '', reason);
    assert.equal(server.devices.find((d) => d.name === 'laptop')?.connected, true, 'the other device stays connected');
    const ping = await lab.ping('client', lab.internetAddress, { count: 3, intervalMs: 200 });
    assert.equal(ping.received, 3, `the admitted device still works after ${mode}`);
  }
});

/** sends raw lines on the control socket and collects the answers (one per line) */
async function rawControl(socketPath: string, lines: string[]): Promise<{ answers: unknown[]; closedByEngine: boolean }> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(socketPath);
    const answers: unknown[] = [];
    let buffer = '';
    let closedByEngine = false;
    const timer = setTimeout(() => socket.destroy(), 3000);
    socket.on('data', (chunk) => {
      buffer += chunk.toString();
      let nl;
      while ((nl = buffer.indexOf('\n')) >= 0) {
        answers.push(JSON.parse(buffer.slice(0, nl)));
        buffer = buffer.slice(nl + 1);
      }
    });
    socket.on('end', () => (closedByEngine = true));
    socket.on('close', () => {
      clearTimeout(timer);
      resolve({ answers, closedByEngine });
    });
    socket.on('error', reject);
    socket.on('connect', () => {
      for (const line of lines) socket.write(line);
    });
  });
}

test('the control socket: bad frames get errors, other users cannot write, the engine carries on', async () => {
  const { answers, closedByEngine } = await rawControl(braid.clientSocket, [
    'this is not json\n',
    '{"id":1,"method":"hello","params":{"version":1}}\n',
    '{"id":2,"method":"setTargetState","params":{"state":"sideways"}}\n',
    `${'x'.repeat(70_000)}\n`,
  ]);
  const codes = answers.map((a) => (a as { error?: { code: string } }).error?.code ?? 'ok');
  assert.deepEqual(codes, ['bad-request', 'ok', 'bad-request', 'frame-too-large']);
  assert.ok(closedByEngine, 'the oversized frame closed that connection');
  const caller = path.join(FIXTURES, 'control-caller.js');
  const { stdout } = await promisify(execFile)('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, caller, braid.clientSocket]);
  assert.match(stdout, /^status connected$/m, 'an ordinary user may read the status');
  assert.match(stdout, /^write forbidden /m, 'but may not change the tunnel');
  const status = await clientStatus();
  assert.equal(status.tunnel.state, 'connected', 'the engine was not disturbed');
  assert.equal((await lab.ping('client', lab.internetAddress, { count: 2, intervalMs: 200 })).received, 2);
});

test('the server restarts: the client reconnects by itself and traffic flows again', async () => {
  const before = await clientStatus();
  await braid.server?.kill(3000);
  await waitForStatus(braid.clientSocket, (s) => s.mode === 'client' && s.tunnel.state !== 'connected', 10_000);
  await braid.startServer();
  const after = await waitForStatus(braid.clientSocket, (s) => s.mode === 'client' && s.tunnel.state === 'connected', 15_000) as ClientStatus;
  assert.ok(after.tunnel.reconnects > before.tunnel.reconnects);
  const ping = await lab.ping('client', lab.internetAddress, { count: 3, intervalMs: 200 });
  assert.equal(ping.received, 3);
});
