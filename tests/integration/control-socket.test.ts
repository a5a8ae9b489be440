// The control socket against the real kernel: SO_PEERCRED through the native addon and
// /proc/<pid>/status groups decide read vs write for client processes running as other users.
// Needs root (setpriv switches the children to uid 65534). No network traffic.
import test from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { startControlServer, type ControlServer } from '../../electron/engine/control/server';
import { connectControl } from '../../electron/engine/control/client';
import type { EngineApi } from '../../electron/engine/engine-api';
import type { ClientStatus } from '../../electron/protocol/control';

const run = promisify(execFile);
const isRoot = process.geteuid?.() === 0;
const NOBODY = 65534;
// a group that exists on Debian and Arch alike; the children are given it as a supplementary group
const WRITE_GROUP = 'users';
const WRITE_GID = Number(fs.readFileSync('/etc/group', 'utf8').match(/^users:[^:]*:(\d+):/m)?.[1] ?? NaN);

const status: ClientStatus = {
  mode: 'client',
  version: 'integration',
  tunnel: { state: 'disconnected', target: 'disconnected', since: 0, server: '192.0.2.1:7443', reconnects: 0 },
  paths: [],
  aggregate: { txBps: 0, rxBps: 0, txBytes: 0, rxBytes: 0 },
  events: [],
};

class RecordingEngine implements EngineApi {
  readonly mode = 'client' as const;
  readonly version = 'integration';
  readonly calls: string[] = [];
  status() {
    return status;
  }
  onChange() {
    return () => undefined;
  }
  async setTargetState(state: 'connected' | 'disconnected') {
    this.calls.push(`setTargetState ${state}`);
  }
  async setLinkMode(link: string, mode: string) {
    this.calls.push(`setLinkMode ${link} ${mode}`);
  }
  async setLinkCap(link: string) {
    this.calls.push(`setLinkCap ${link}`);
  }
  history() {
    return [];
  }
}

/** what a child process reports: its hello access, whether status worked, what a write did */
const CHILD = `
const { connectControl } = require(process.argv[2]);
(async () => {
  const out = { uid: process.getuid() };
  try {
    const client = await connectControl({ path: process.argv[3], client: 'integration', timeoutMs: 5000 });
    out.access = client.info.access;
    out.state = (await client.call('status', {})).tunnel.state;
    try {
      await client.call('setTargetState', { state: 'connected' });
      out.write = 'ok';
    } catch (error) {
      out.write = error.code;
    }
    client.close();
  } catch (error) {
    out.connect = error.code + ': ' + error.message;
  }
  console.log(JSON.stringify(out));
})();
`;

let dir = '';
let socketPath = '';
let script = '';
let server: ControlServer | undefined;
const engine = new RecordingEngine();

async function child(setprivArgs: string[], socket = socketPath): Promise<Record<string, unknown>> {
  const clientModule = path.resolve(__dirname, '../../electron/engine/control/client.js');
  const { stdout } = await run('setpriv', [...setprivArgs, process.execPath, script, clientModule, socket], { timeout: 15_000 });
  return JSON.parse(stdout.trim()) as Record<string, unknown>;
}

test('control socket with real SO_PEERCRED', { skip: isRoot ? false : 'needs root to run clients as another uid' }, async (t) => {
  assert.ok(Number.isInteger(WRITE_GID), 'group "users" exists');
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'braid-ctl-int-'));
  fs.chmodSync(dir, 0o755);
  socketPath = path.join(dir, 'run', 'engine.sock');
  script = path.join(dir, 'child.js');
  fs.writeFileSync(script, CHILD, { mode: 0o644 });
  const logs: string[] = [];
  // default credentials (native addon) and accounts (/etc/group, /etc/passwd)
  server = await startControlServer({ path: socketPath, engine, group: WRITE_GROUP, log: (l) => logs.push(l) });
  t.after(async () => {
    await server?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  await t.test('an unprivileged uid reads but may not write', async () => {
    const result = await child([`--reuid=${NOBODY}`, `--regid=${NOBODY}`, '--clear-groups']);
    assert.deepEqual(result, { uid: NOBODY, access: 'read', state: 'disconnected', write: 'forbidden' });
    assert.deepEqual(engine.calls, []);
  });

  await t.test('the same uid with the control group as a supplementary group may write', async () => {
    const result = await child([`--reuid=${NOBODY}`, `--regid=${NOBODY}`, `--groups=${WRITE_GID}`]);
    assert.deepEqual(result, { uid: NOBODY, access: 'write', state: 'disconnected', write: 'ok' });
    assert.deepEqual(engine.calls, ['setTargetState connected']);
  });

  await t.test('the control group as primary group may write', async () => {
    const result = await child([`--reuid=${NOBODY}`, `--regid=${WRITE_GID}`, '--clear-groups']);
    assert.equal(result.access, 'write');
  });

  await t.test('root may write', async () => {
    const client = await connectControl({ path: socketPath });
    assert.equal(client.info.access, 'write');
    await client.call('setLinkMode', { link: 'eth0', mode: 'backup' });
    client.close();
    assert.equal(engine.calls.at(-1), 'setLinkMode eth0 backup');
  });

  await t.test('a socket directory the caller cannot enter gives a clear error', async () => {
    const closedDir = path.join(dir, 'closed');
    fs.mkdirSync(closedDir, { mode: 0o700 });
    fs.chmodSync(closedDir, 0o700);
    const result = await child([`--reuid=${NOBODY}`, `--regid=${NOBODY}`, '--clear-groups'], path.join(closedDir, 'engine.sock'));
    assert.equal(result.connect, `permission-denied: permission denied opening the engine's control socket ${path.join(closedDir, 'engine.sock')}`);
  });

  assert.deepEqual(logs, []);
});
