import test from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { decideAccess, systemAccounts } from '../../../../electron/engine/control/access';
import { procGroups, socketFd } from '../../../../electron/engine/control/credentials';
import { LineReader } from '../../../../electron/engine/control/line-reader';
import { encodeFrame } from '../../../../electron/engine/control/connection';
import { MAX_CONTROL_FRAME } from '../../../../electron/protocol/control';
import { clientStatus } from './helpers';

test('systemAccounts reads group members and user names from passwd/group files', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'braid-acct-'));
  test.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const group = path.join(dir, 'group');
  const passwd = path.join(dir, 'passwd');
  fs.writeFileSync(group, 'root:x:0:\n# comment\nbraid:x:977:alice,carol\nbroken:x:abc:\nempty:x:978:\n');
  fs.writeFileSync(passwd, 'root:x:0:0::/root:/bin/bash\nalice:x:1000:1000::/home/alice:/bin/bash\n');
  const accounts = systemAccounts({ group, passwd });
  assert.deepEqual(accounts.group('braid'), { gid: 977, members: ['alice', 'carol'] });
  assert.deepEqual(accounts.group('empty'), { gid: 978, members: [] });
  assert.equal(accounts.group('broken'), undefined);
  assert.equal(accounts.group('nope'), undefined);
  assert.equal(accounts.userName(1000), 'alice');
  assert.equal(accounts.userName(4242), undefined);
  assert.equal(systemAccounts({ group: '/nonexistent', passwd: '/nonexistent' }).group('braid'), undefined);

  assert.equal(decideAccess({ pid: 1, uid: 1000, gid: 1000, groups: [] }, 'braid', accounts), 'write');
  assert.equal(decideAccess({ pid: 1, uid: 1001, gid: 1001, groups: [] }, 'braid', accounts), 'read');
  assert.equal(decideAccess({ pid: 1, uid: 1001, gid: 1001, groups: [977] }, 'braid', accounts), 'write');
  assert.equal(decideAccess({ pid: 1, uid: 0, gid: 0, groups: [] }, undefined, accounts), 'write');
  assert.equal(decideAccess({ pid: 1, uid: 1000, gid: 977, groups: [] }, undefined, accounts), 'read');
});

test('procGroups trusts /proc only when the process still has the socket uid', () => {
  const status = 'Name:\tbash\nUid:\t1000\t1000\t1000\t1000\nGid:\t1000\t1000\t1000\t1000\nGroups:\t24 27 977 \n';
  assert.deepEqual(procGroups(42, 1000, () => status), [24, 27, 977]);
  assert.deepEqual(procGroups(42, 1001, () => status), [], 'pid reused by another user');
  assert.deepEqual(procGroups(42, 1000, () => status.replace('Groups:\t24 27 977 ', 'Groups:')), []);
  assert.deepEqual(procGroups(42, 1000, () => { throw new Error('ENOENT'); }), []);
  assert.deepEqual(procGroups(0, 1000, () => status), []);
});

test('procGroups reads a real process', { skip: process.geteuid?.() !== 0 ? 'needs root (setpriv --groups)' : false }, async () => {
  const child = spawn('setpriv', ['--groups=27,100', 'sleep', '10']);
  test.after(() => child.kill());
  // wait until setpriv has set the groups and exec'd sleep
  const deadline = Date.now() + 3000;
  while (Date.now() < deadline) {
    const comm = fs.existsSync(`/proc/${child.pid}/comm`) ? fs.readFileSync(`/proc/${child.pid}/comm`, 'utf8').trim() : '';
    if (comm === 'sleep') break;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  assert.deepEqual(procGroups(child.pid!, 0), [27, 100]);
  assert.deepEqual(procGroups(child.pid!, 1000), []);
});

test('socketFd refuses a socket without a descriptor', () => {
  assert.throws(() => socketFd({} as never), /no file descriptor/);
  assert.equal(socketFd({ _handle: { fd: 7 } } as never), 7);
});

test('LineReader splits lines across chunks and caps unfinished lines', () => {
  const lines: string[] = [];
  let oversize = 0;
  const reader = new LineReader(10, (l) => lines.push(l), () => oversize++);
  reader.push(Buffer.from('ab'));
  reader.push(Buffer.from('c\r\nde\n\n'));
  reader.push(Buffer.from('fgh'));
  reader.push(Buffer.from('ij\n'));
  assert.deepEqual(lines, ['abc', 'de', 'fghij']);
  reader.push(Buffer.from('0123456789')); // exactly 10 bytes pending: fine
  assert.equal(oversize, 0);
  reader.push(Buffer.from('X'));
  assert.equal(oversize, 1);
  reader.push(Buffer.from('more\n'));
  assert.deepEqual(lines, ['abc', 'de', 'fghij'], 'nothing read after an oversized line');

  const multi: string[] = [];
  const r2 = new LineReader(10, (l) => multi.push(l), () => multi.push('OVERSIZE'));
  r2.push(Buffer.from('ok\n0123456789A\nnever\n'));
  assert.deepEqual(multi, ['ok', 'OVERSIZE']);
  // a multi-byte character split between chunks
  const utf: string[] = [];
  const r3 = new LineReader(100, (l) => utf.push(l), () => undefined);
  const euro = Buffer.from('€\n');
  r3.push(euro.subarray(0, 1));
  r3.push(euro.subarray(1));
  assert.deepEqual(utf, ['€']);
});

test('encodeFrame keeps frames within the limit', () => {
  assert.equal(encodeFrame({ id: 1, result: {} }), '{"id":1,"result":{}}');
  const events = Array.from({ length: 50 }, (_, i) => ({ at: i, kind: 'k', message: 'x'.repeat(2000) }));
  const trimmed = JSON.parse(encodeFrame({ watch: 3, status: clientStatus({ events }) }));
  assert.equal(trimmed.watch, 3);
  assert.ok(trimmed.status.events.length < 50 && trimmed.status.events.length > 0);
  assert.equal(trimmed.status.events.at(-1).at, 49);
  const hopeless = JSON.parse(encodeFrame({ id: 9, result: { blob: 'x'.repeat(MAX_CONTROL_FRAME) } }));
  assert.deepEqual(hopeless, { id: 9, error: { code: 'failed', message: 'the response is larger than the control protocol allows' } });
});
