// The test vectors pin every implementation of the protocol to the same bytes:
// - regenerated from fixed keys by the real TypeScript handshake and framing, they must equal
//   the committed tests/unit/protocol/vectors.json and appear in docs/protocol.md;
// - the C addon (loadNative) must seal, open and rekey exactly like them (this fails, never
//   skips, when the addon is not built);
// - an independent Python implementation written from the document must agree.
import test from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { loadNative, type Cipher } from '../../../native/lib/index';
import { CIPHERS, MAX_PLAINTEXT, nextKey, openFrame, sealFrame } from '../../../electron/protocol/tunnel/frame';
import { computeVectors, markdown, readCommittedVectors, REPO, VECTORS_FILE } from './vectors';

const hex = (s: string): Buffer => Buffer.from(s, 'hex');

test('vectors regenerate byte for byte from the fixed keys', async () => {
  const committed = readCommittedVectors();
  const fresh = await computeVectors();
  assert.deepEqual(fresh, committed, 'run `node dist/tests/unit/protocol/vectors.js --write` only for a deliberate protocol change');
  assert.equal(committed.handshakes.length, 2);
  assert.deepEqual(committed.handshakes.map((h) => h.cipher), ['aes-256-gcm', 'chacha20-poly1305']);
  assert.equal(committed.frames.length, 6);
});

test('the committed vectors open with the TypeScript implementation', () => {
  const v = readCommittedVectors();
  for (const f of v.frames) assert.deepEqual(openFrame(f.cipher, hex(f.key), f.counter, hex(f.frame)), hex(f.plaintext));
  for (const h of v.handshakes) {
    const welcome = openFrame(h.cipher, hex(h.kS2c), 0, hex(h.welcomeFrame));
    assert.equal(welcome[0], 2);
    assert.equal(welcome.subarray(1).toString(), v.inputs.welcome);
  }
  assert.deepEqual(nextKey(hex(v.rekey.key)), hex(v.rekey.next));
});

test('docs/protocol.md carries the same vectors', () => {
  const doc = fs.readFileSync(path.join(REPO, 'docs', 'protocol.md'), 'utf8');
  assert.ok(doc.includes(markdown(readCommittedVectors())), 'paste `node dist/tests/unit/protocol/vectors.js --markdown` into docs/protocol.md');
});

test('native addon: sealFrame/openFrame/nextKey match the vectors and the TypeScript code', () => {
  const native = loadNative(); // throws (test fails) when native/build/Release/braid_native.node is missing
  const v = readCommittedVectors();
  for (const f of v.frames) {
    const key = hex(f.key);
    assert.equal(native.sealFrame(f.cipher, key, f.counter, hex(f.plaintext)).toString('hex'), f.frame, `C seal ${f.cipher} #${f.counter}`);
    assert.deepEqual(native.openFrame(f.cipher, key, f.counter, hex(f.frame)), hex(f.plaintext));
    assert.throws(() => native.openFrame(f.cipher, key, f.counter + 1, hex(f.frame)), 'C open with the wrong counter');
    const bad = hex(f.frame);
    bad[bad.length - 1]! ^= 1;
    assert.throws(() => native.openFrame(f.cipher, key, f.counter, bad), 'C open of a tampered frame');
  }
  for (const h of v.handshakes) {
    // the pump must be able to continue where the handshake left off (welcome = s2c counter 0)
    assert.deepEqual(native.openFrame(h.cipher, hex(h.kS2c), 0, hex(h.welcomeFrame)).subarray(1).toString(), v.inputs.welcome);
  }
  assert.equal(native.nextKey(hex(v.rekey.key)).toString('hex'), v.rekey.next);
  assert.equal(native.nextKey(hex(v.rekey.next)).toString('hex'), v.rekey.nextNext);

  // random keys, counters and sizes up to the largest frame, both directions TS <-> C
  for (const cipher of CIPHERS as Cipher[]) {
    for (const size of [1, 2, 11, 1500, 65546, MAX_PLAINTEXT]) {
      const key = crypto.randomBytes(32);
      const counter = crypto.randomInt(0, 2 ** 40);
      const plaintext = crypto.randomBytes(size);
      const fromTs = sealFrame(cipher, key, counter, plaintext);
      assert.deepEqual(native.sealFrame(cipher, key, counter, plaintext), fromTs, `${cipher} size ${size}`);
      assert.deepEqual(native.openFrame(cipher, key, counter, fromTs), plaintext);
      assert.deepEqual(openFrame(cipher, key, counter, native.sealFrame(cipher, key, counter, plaintext)), plaintext);
    }
    const key = crypto.randomBytes(32);
    assert.deepEqual(native.nextKey(key), nextKey(key));
  }
});

test('an independent Python implementation (pyca/cryptography) agrees with the vectors', (t) => {
  const probe = spawnSync('python3', ['-c', 'import cryptography'], { encoding: 'utf8' });
  if (probe.error || probe.status !== 0) {
    t.skip(`python3 with the cryptography package is not installed: ${probe.error?.message ?? probe.stderr.trim()}`);
    return;
  }
  const script = path.join(REPO, 'tests', 'unit', 'protocol', 'check_vectors.py');
  const run = spawnSync('python3', [script, VECTORS_FILE], { encoding: 'utf8', timeout: 30_000 });
  assert.equal(run.status, 0, `${run.stdout}\n${run.stderr}`);
  assert.match(run.stdout, /^ok \d+ checks/);
});
