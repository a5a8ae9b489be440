// Addon functions that need no network: SO_PEERCRED on a unix socket, fd helpers, and the
// argument validation every entry point does before touching the kernel.
import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { loadNative } from '../../../native/lib/index';

const native = loadNative();
const fdOf = (s: net.Socket | net.Server) => (s as unknown as { _handle: { fd: number } })._handle.fd;

test('peerCred reports the connecting process', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'braid-native-'));
  const sockPath = path.join(dir, 's.sock');
  const server = net.createServer();
  try {
    const accepted = new Promise<net.Socket>((resolve) => server.once('connection', resolve));
    await new Promise<void>((resolve) => server.listen(sockPath, resolve));
    const client = net.connect(sockPath);
    const conn = await accepted;
    const cred = native.peerCred(fdOf(conn));
    assert.deepEqual(cred, { pid: process.pid, uid: process.getuid!(), gid: process.getgid!() });
    client.destroy();
    conn.destroy();
  } finally {
    server.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('dup and close', () => {
  const fd = fs.openSync(__filename, 'r');
  try {
    const copy = native.dup(fd);
    assert.ok(copy > 2 && copy !== fd);
    assert.equal(fs.fstatSync(copy).ino, fs.fstatSync(fd).ino);
    native.close(copy);
    assert.throws(() => fs.fstatSync(copy), /EBADF/);
    assert.throws(() => native.close(copy), (e: NodeJS.ErrnoException) => e.code === 'EBADF');
    assert.throws(() => native.dup(-1), RangeError);
  } finally {
    fs.closeSync(fd);
  }
});

test('peerCred of a non-socket fails with the errno', () => {
  const fd = fs.openSync(__filename, 'r');
  try {
    assert.throws(() => native.peerCred(fd), (e: NodeJS.ErrnoException) => e.code === 'ENOTSOCK');
  } finally {
    fs.closeSync(fd);
  }
});

test('createTunnel refuses what is not a TUN device', () => {
  const fd = fs.openSync(__filename, 'r');
  try {
    assert.throws(() => native.createTunnel(fd, 'client'), /not a TUN device/);
    assert.throws(() => native.createTunnel(fd, 'peer' as 'client'), RangeError);
    assert.throws(() => native.createTunnel('3' as unknown as number, 'client'), TypeError);
  } finally {
    fs.closeSync(fd);
  }
});

test('socket functions validate their options before any syscall', () => {
  const connect = native.mptcpConnect as (o: unknown) => Promise<number>;
  assert.throws(() => connect(undefined), TypeError);
  assert.throws(() => connect({ port: 1, timeoutMs: 10 }), /options.host/);
  assert.throws(() => connect({ host: '10.0.0.1', port: 70000, timeoutMs: 10 }), RangeError);
  assert.throws(() => connect({ host: '10.0.0.1', port: 1 }), /options.timeoutMs/);
  assert.throws(() => connect({ host: '10.0.0.1', port: 1, timeoutMs: 10, mark: -1 }), /options.mark/);
  assert.throws(() => connect({ host: '10.0.0.1', port: 1, timeoutMs: 10, congestion: 5 }), /options.congestion/);
  assert.throws(() => connect({ host: '10.0.0.1', port: 1, timeoutMs: 10, bindDevice: 'x'.repeat(20) }), /too long/);
  const listen = native.mptcpListen as (o: unknown) => number;
  assert.throws(() => listen({ host: '0.0.0.0' }), /options.port/);
  assert.throws(() => listen({ host: '0.0.0.0', port: 1, notsentLowat: 1.5 }), /notsentLowat/);
  assert.throws(() => native.isMptcp(-5), RangeError);
  assert.throws(() => native.mptcpInfo(NaN), RangeError);
  assert.throws(() => native.openTun({ name: 'a-name-longer-than-15' }), /too long/);
});

test('a watcher stop() kept after its object was collected is safe to call', () => {
  // the object and its stop function share the native watcher; collecting the object must
  // not free what stop() still uses (this crashed the process with SIGSEGV)
  const lib = path.join(__dirname, '..', '..', '..', 'native', 'lib', 'index.js');
  const script = `
    const native = require(${JSON.stringify(lib)}).loadNative();
    (async () => {
      let a = native.watchNetlink(() => {});
      const stopA = a.stop;
      a = null;
      for (let i = 0; i < 5; i++) { global.gc(); await new Promise((r) => setImmediate(r)); }
      const b = native.watchNetlink(() => {});
      stopA();
      stopA();
      b.stop();
      console.log('done');
    })();`;
  const r = spawnSync(process.execPath, ['--expose-gc', '-e', script], { encoding: 'utf8', timeout: 20_000 });
  assert.equal(r.signal, null, `child killed by ${r.signal}`);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout.trim(), 'done');
});
