import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { main, type CliDeps, type CliIo } from '../../../electron/cli/braid';
import { connectControl } from '../../../electron/engine/control/client';
import { startControlServer } from '../../../electron/engine/control/server';
import { generateKeyPair } from '../../../electron/protocol/tunnel/keys';
import type { RunOptions } from '../../../electron/engine/run';
import { BOB, FakeCredentials, FakeEngine, ROOT, clientStatus, fakeAccounts, tmpSocketPath } from '../engine/control/helpers';

interface Captured extends CliIo {
  out: string;
  err: string;
  interrupt(): void;
}

function fakeIo(stdin = ''): Captured {
  let interrupt = (): void => undefined;
  const interrupted = new Promise<void>((resolve) => (interrupt = resolve));
  const io: Captured = {
    out: '',
    err: '',
    stdout: (text) => void (io.out += text),
    stderr: (text) => void (io.err += text),
    readStdin: async () => stdin,
    stdinIsTTY: false,
    stdoutIsTTY: false,
    interrupted: () => interrupted,
    interrupt: () => interrupt(),
  };
  return io;
}

async function setup() {
  const engine = new FakeEngine();
  const credentials = new FakeCredentials();
  const socketPath = tmpSocketPath();
  const server = await startControlServer({ path: socketPath, engine, credentials, accounts: fakeAccounts, log: () => undefined });
  test.after(() => server.close());
  const runs: string[] = [];
  const deps: CliDeps = {
    // every command gets --socket through this: the default path is tested separately
    connect: (options) => connectControl({ ...options, path: options.path === undefined || options.path.startsWith('/run/') ? socketPath : options.path }),
    loadRun: async () => ({
      runClient: async (o: RunOptions) => void runs.push(`client ${JSON.stringify(o)}`),
      runServer: async (o: RunOptions) => void runs.push(`server ${JSON.stringify(o)}`),
    }),
    now: () => clientStatus().tunnel.since + 5000,
    exists: () => false,
  };
  return { engine, credentials, socketPath, deps, runs };
}

test('status: human and JSON', async () => {
  const { deps } = await setup();
  const io = fakeIo();
  assert.equal(await main(['status'], io, deps), 0);
  assert.match(io.out, /^connected to 203\.0\.113\.7:7443 for 5s\n/);
  assert.match(io.out, /\neth0 +ethernet +on +active /);
  assert.equal(io.err, '');
  const json = fakeIo();
  assert.equal(await main(['status', '--json'], json, deps), 0);
  assert.deepEqual(JSON.parse(json.out), clientStatus());
});

test('status --watch prints the snapshot and each change until interrupted', async () => {
  const { deps, engine } = await setup();
  const io = fakeIo();
  const done = main(['status', '--watch', '--json'], io, deps);
  const waitFor = async (lines: number) => {
    const deadline = Date.now() + 3000;
    while (io.out.split('\n').filter(Boolean).length < lines && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
  };
  await waitFor(1);
  engine.change(clientStatus({ aggregate: { txBps: 42, rxBps: 0, txBytes: 0, rxBytes: 0 } }));
  await waitFor(2);
  io.interrupt();
  assert.equal(await done, 0);
  const lines = io.out.trim().split('\n').map((l) => JSON.parse(l));
  assert.equal(lines.length, 2);
  assert.equal(lines[1].aggregate.txBps, 42);
});

test('writes: connect, disconnect, link; forbidden for non-members with a hint', async () => {
  const { deps, engine, credentials } = await setup();
  credentials.next = ROOT;
  const io = fakeIo();
  assert.equal(await main(['link', 'wlan0', 'backup'], io, deps), 0);
  assert.equal(io.out, 'wlan0: backup\n');
  assert.equal(await main(['disconnect'], fakeIo(), deps), 0);
  assert.equal(await main(['connect'], fakeIo(), deps), 0);
  assert.deepEqual(engine.calls, ['setLinkMode wlan0 backup', 'setTargetState disconnected', 'setTargetState connected']);

  credentials.next = BOB;
  const denied = fakeIo();
  assert.equal(await main(['disconnect'], denied, deps), 1);
  assert.match(denied.err, /^braid: setTargetState needs root or membership of the engine's control group\nhint: use sudo/);
  assert.equal(engine.calls.length, 3);
});

test('connect --wait follows the tunnel to connected, fails on error, times out', async () => {
  const { deps, engine, credentials } = await setup();
  credentials.next = ROOT;
  const tunnel = clientStatus().tunnel;
  engine.current = clientStatus({ tunnel: { ...tunnel, state: 'disconnected', target: 'disconnected' } });
  engine.setTargetState = async (state) => {
    engine.calls.push(state);
    engine.change(clientStatus({ tunnel: { ...tunnel, state: 'connecting', target: state } }));
    setTimeout(() => engine.change(clientStatus({ tunnel: { ...tunnel, state: 'connected', target: state, address: '10.77.0.2' } })), 50);
  };
  const ok = fakeIo();
  assert.equal(await main(['connect', '--wait'], ok, deps), 0);
  assert.equal(ok.out, 'connected to 203.0.113.7:7443, address 10.77.0.2\n');

  engine.current = clientStatus({ tunnel: { ...tunnel, state: 'disconnected', target: 'disconnected' } });
  engine.setTargetState = async (state) => {
    setTimeout(() => engine.change(clientStatus({ tunnel: { ...tunnel, state: 'error', target: state, cause: 'server key not trusted' } })), 20);
  };
  const failed = fakeIo();
  assert.equal(await main(['connect', '--wait'], failed, deps), 1);
  assert.equal(failed.err, 'braid: could not connect: server key not trusted\n');

  engine.current = clientStatus({ tunnel: { ...tunnel, state: 'connecting', target: 'connected', cause: 'no links up' } });
  engine.setTargetState = async () => undefined;
  const slow = fakeIo();
  assert.equal(await main(['connect', '--wait', '--timeout', '0.3'], slow, deps), 1);
  assert.equal(slow.err, 'braid: still connecting after 0.3 s: no links up\n');

  // already there: no change event ever comes, the re-read status settles it
  engine.current = clientStatus();
  const already = fakeIo();
  assert.equal(await main(['connect', '--wait', '--timeout', '2'], already, deps), 0);
});

test('engine not running: exit 1 with the hint; falls back to the server socket when only it exists', async () => {
  const { deps, socketPath } = await setup();
  const missing = path.join(path.dirname(socketPath), 'nothing.sock');
  const io = fakeIo();
  const noEngine: CliDeps = { ...deps, connect: (o) => connectControl({ ...o, path: o.path === '/run/braid/engine.sock' ? missing : o.path }) };
  assert.equal(await main(['status'], io, noEngine), 1);
  assert.equal(io.err, 'braid: engine not running (start it with `systemctl start braidd`)\n');
  const server = fakeIo();
  assert.equal(await main(['status', '--socket', path.join(path.dirname(socketPath), 'server.sock')], server, deps), 1);
  assert.equal(server.err, 'braid: server not running (start it with `systemctl start braid-server`)\n');

  const tried: string[] = [];
  const fallback: CliDeps = {
    ...deps,
    exists: (p) => p === '/run/braid/server.sock',
    connect: (o) => {
      tried.push(o.path!);
      return connectControl({ ...o, path: o.path === '/run/braid/engine.sock' ? missing : socketPath });
    },
  };
  assert.equal(await main(['status', '--json'], fakeIo(), fallback), 0);
  assert.deepEqual(tried, ['/run/braid/engine.sock', '/run/braid/server.sock']);
});

test('keygen and pubkey', async () => {
  const io = fakeIo();
  assert.equal(await main(['keygen'], io), 0);
  const match = /^secret: (\S{44})\npublic: (\S{44})\n$/.exec(io.out);
  assert.ok(match, io.out);
  const pub = fakeIo(`${match[1]}\n`);
  assert.equal(await main(['pubkey'], pub), 0);
  assert.equal(pub.out, `${match[2]}\n`);

  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'braid-cli-'));
  test.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const keyFile = path.join(dir, 'device.key');
  const written = fakeIo();
  assert.equal(await main(['keygen', '--secret-file', keyFile], written), 0);
  assert.equal(fs.statSync(keyFile).mode & 0o777, 0o600);
  const fromFile = fakeIo();
  assert.equal(await main(['pubkey', '--secret-file', keyFile], fromFile), 0);
  assert.equal(fromFile.out, written.out);
  assert.match(written.out, /^\S{44}\n$/);
  const again = fakeIo();
  assert.equal(await main(['keygen', '--secret-file', keyFile], again), 1);
  assert.equal(again.err, `braid: ${keyFile} already exists; not overwriting a key\n`);

  const known = generateKeyPair();
  const check = fakeIo(`  ${known.secret}  \n`);
  assert.equal(await main(['pubkey'], check), 0);
  assert.equal(check.out, `${known.public}\n`);
  const bad = fakeIo('not-a-key');
  assert.equal(await main(['pubkey'], bad), 1);
  assert.match(bad.err, /^braid: the secret key must be 44 base64 characters encoding 32 bytes/);
});

test('engine and server run through run.ts with the given options', async () => {
  const { deps, runs } = await setup();
  assert.equal(await main(['engine', '--config', '/tmp/c.json', '--socket', '/tmp/e.sock'], fakeIo(), deps), 0);
  assert.equal(await main(['server'], fakeIo(), deps), 0);
  assert.deepEqual(runs, [
    'client {"config":"/tmp/c.json","socket":"/tmp/e.sock"}',
    'server {"config":"/etc/braid/server.json"}',
  ]);
  const failing: CliDeps = {
    ...deps,
    loadRun: async () => ({
      runClient: async () => {
        throw new Error('c.json: server.port: must be at most 65535\nc.json: links: is required');
      },
      runServer: async () => undefined,
    }),
  };
  const io = fakeIo();
  assert.equal(await main(['engine'], io, failing), 1);
  assert.equal(io.err, 'braid: c.json: server.port: must be at most 65535\nbraid: c.json: links: is required\n');
});

test('usage errors exit 2 with the command usage; help and version exit 0', async () => {
  const io = fakeIo();
  assert.equal(await main(['link', 'eth0'], io), 2);
  assert.match(io.err, /^braid: expected 2 arguments, got 1\nusage: braid link NAME on\|backup\|off/);
  const none = fakeIo();
  assert.equal(await main([], none), 2);
  assert.match(none.err, /^braid: missing command\nusage: braid COMMAND/);
  const help = fakeIo();
  assert.equal(await main(['status', '--help'], help), 0);
  assert.match(help.out, /^usage: braid status/);
  const version = fakeIo();
  assert.equal(await main(['--version'], version), 0);
  const pkg = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', '..', '..', 'package.json'), 'utf8'));
  assert.equal(version.out, `braid ${pkg.version}\n`);
});

test('links: table and JSON; on a server it says where links are', async () => {
  const { deps, engine } = await setup();
  const paths = clientStatus().paths;
  engine.current = clientStatus({
    paths: [{ ...paths[0]!, usage: { periodStart: 0, txBytes: 2e9, rxBytes: 5e8, cap: { bytes: 10e9, billingDay: 5, action: 'off' }, capFraction: 0.25 } }],
  });
  const io = fakeIo();
  assert.equal(await main(['links'], io, deps), 0);
  assert.match(io.out, /^LINK +KIND +MODE +STATE +UP +DOWN +RTT +THIS PERIOD\neth0 +ethernet +on +active +1\.00 kbit\/s +2\.00 kbit\/s +- +2\.50 GB \/ 10\.0 GB \(25%\)\n/);
  assert.match(io.out, /\neth0: cap 10\.0 GB a period from day 5, then off\n$/);
  const json = fakeIo();
  assert.equal(await main(['links', '--json'], json, deps), 0);
  assert.deepEqual(JSON.parse(json.out), engine.current.mode === 'client' ? engine.current.paths : undefined);

  engine.current = { mode: 'server', version: '9', listen: '0.0.0.0:7443', devices: [], aggregate: clientStatus().aggregate, events: [] };
  const server = fakeIo();
  assert.equal(await main(['links'], server, deps), 1);
  assert.equal(server.err, 'braid: this is a braid server: links belong to the devices (`braid status` lists them)\n');
});

test('cap: sets and removes a cap, shows what the engine enforces; write access needed', async () => {
  const { deps, engine, credentials } = await setup();
  credentials.next = ROOT;
  const io = fakeIo();
  assert.equal(await main(['cap', 'wwan0', '10GB', '--billing-day', '5', '--action', 'backup'], io, deps), 0);
  assert.equal(io.out, 'wwan0: cap 10.0 GB\n'); // the fake engine reports no usage for wwan0
  // once the engine reports the cap, the CLI shows it with the usage
  engine.setLinkCap = async (link, cap) => {
    engine.calls.push(`setLinkCap ${link} ${cap?.bytes}`);
    const paths = clientStatus().paths;
    engine.current = clientStatus({ paths: [{ ...paths[0]!, link, usage: { periodStart: 0, txBytes: 1e9, rxBytes: 0, cap: cap ?? undefined, capFraction: cap ? 1e9 / cap.bytes : undefined } }] });
  };
  const shown = fakeIo();
  assert.equal(await main(['cap', 'wwan0', '4GB'], shown, deps), 0);
  assert.equal(shown.out, 'wwan0: cap 4.00 GB a period from day 1, then off; used this period: 1.00 GB / 4.00 GB (25%)\n');
  const removed = fakeIo();
  assert.equal(await main(['cap', 'wwan0', 'off'], removed, deps), 0);
  assert.equal(removed.out, 'wwan0: no data cap\n');
  assert.deepEqual(engine.calls, ['setLinkCap wwan0 10000000000 day 5 backup', 'setLinkCap wwan0 4000000000', 'setLinkCap wwan0 undefined']);

  credentials.next = BOB;
  const denied = fakeIo();
  assert.equal(await main(['cap', 'wwan0', 'off'], denied, deps), 1);
  assert.match(denied.err, /^braid: setLinkCap needs root or membership of the engine's control group\nhint: use sudo/);
  const usage = fakeIo();
  assert.equal(await main(['cap', 'wwan0', '10 XB'], usage, deps), 2);
  assert.match(usage.err, /^braid: size: unknown unit "XB": use B, kB, MB, GB, TB or KiB, MiB, GiB, TiB\nusage: braid cap NAME SIZE/);
});

test('status shows usage, caps and the last failover', async () => {
  const { deps, engine } = await setup();
  const paths = clientStatus().paths;
  engine.current = clientStatus({
    paths: [{ ...paths[0]!, usage: { periodStart: 0, txBytes: 3e9, rxBytes: 0, cap: { bytes: 3e9, billingDay: 1, action: 'off' }, capFraction: 1 } }],
    lastFailover: { link: 'wlan0', gapMs: 380, at: clientStatus().tunnel.since },
  });
  const io = fakeIo();
  assert.equal(await main(['status'], io, deps), 0);
  assert.match(io.out, /\nlast failover: 380 ms when wlan0 was lost, 5s ago\n/);
  assert.match(io.out, /SHARE +PERIOD\n/);
  assert.match(io.out, / 3\.00 GB \/ 3\.00 GB \(100%\)\n/);
  assert.match(io.out, /\neth0 reached its data cap of 3\.00 GB: off until the next billing period\n/);
});
