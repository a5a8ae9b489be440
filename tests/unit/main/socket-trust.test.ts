import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { checkSocket, judgeSocket, trustedUids, uidFromPasswd } from '../../../electron/main/engine-client/socket-trust';

const passwd = 'root:x:0:0:root:/root:/bin/bash\nbraidd:x:973:973:Braid:/var/lib/braid:/usr/bin/nologin\nann:x:1000:1000::/home/ann:/bin/bash\n';

test('uids from passwd', () => {
  assert.equal(uidFromPasswd(passwd, 'braidd'), 973);
  assert.equal(uidFromPasswd(passwd, 'nobody'), undefined);
  assert.equal(uidFromPasswd('braidd:x:notanumber:1::/:/bin/false', 'braidd'), undefined);
});

test('only root or the service user may own the socket', () => {
  const trusted = new Set([0, 973]);
  const sock = (uid: number) => ({ uid, isSocket: () => true });
  assert.deepEqual(judgeSocket(sock(0), trusted, '/s'), { ok: true, uid: 0 });
  assert.deepEqual(judgeSocket(sock(973), trusted, '/s'), { ok: true, uid: 973 });
  const bad = judgeSocket(sock(1000), trusted, '/s');
  assert.equal(bad.ok, false);
  assert.ok(!bad.ok && bad.reason === 'untrusted-owner' && /uid 1000/.test(bad.message));
  const file = judgeSocket({ uid: 0, isSocket: () => false }, trusted, '/s');
  assert.ok(!file.ok && file.reason === 'not-a-socket');
});

test('trustedUids reads the service user; checkSocket stats a real socket', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'braid-trust-'));
  try {
    fs.writeFileSync(path.join(dir, 'passwd'), passwd);
    assert.deepEqual([...(await trustedUids('braidd', path.join(dir, 'passwd')))].sort(), [0, 973]);
    assert.deepEqual([...(await trustedUids('missing', path.join(dir, 'passwd')))], [0]);
    const sockPath = path.join(dir, 'e.sock');
    assert.deepEqual(await checkSocket(sockPath, new Set([0])), { ok: false, reason: 'missing' });
    const server = net.createServer().listen(sockPath);
    await new Promise((r) => server.once('listening', r));
    const me = process.getuid!();
    assert.deepEqual(await checkSocket(sockPath, new Set([me])), { ok: true, uid: me });
    const other = await checkSocket(sockPath, new Set([me + 1]));
    assert.equal(other.ok, false);
    server.close();
    fs.writeFileSync(path.join(dir, 'plain'), '');
    const plain = await checkSocket(path.join(dir, 'plain'), new Set([me]));
    assert.ok(!plain.ok && plain.reason === 'not-a-socket');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
