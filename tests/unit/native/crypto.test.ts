// The C addon's frame sealing must produce exactly the bytes node:crypto (the same OpenSSL)
// produces for docs/protocol.md's frame format, and must reject anything else.
import test from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { loadNative, type Cipher } from '../../../native/lib/index';

const native = loadNative();
const ciphers: Cipher[] = ['aes-256-gcm', 'chacha20-poly1305'];
const key = Buffer.from('000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f', 'hex');
const otherKey = Buffer.alloc(32, 0x42);

/** Reference implementation of one frame with node:crypto. */
function referenceSeal(cipher: Cipher, k: Buffer, counter: bigint, plaintext: Buffer): Buffer {
  const nonce = Buffer.alloc(12);
  nonce.writeBigUInt64BE(counter, 4);
  const prefix = Buffer.alloc(4);
  prefix.writeUInt32BE(plaintext.length + 16);
  const c =
    cipher === 'aes-256-gcm'
      ? crypto.createCipheriv('aes-256-gcm', k, nonce, { authTagLength: 16 })
      : crypto.createCipheriv('chacha20-poly1305', k, nonce, { authTagLength: 16 });
  c.setAAD(prefix);
  return Buffer.concat([prefix, c.update(plaintext), c.final(), c.getAuthTag()]);
}

const samples: Array<[string, Buffer]> = [
  ['type byte only (REKEY)', Buffer.from([3])],
  ['CONTROL json', Buffer.concat([Buffer.from([2]), Buffer.from('{"type":"keepalive"}')])],
  ['DATA 1500', Buffer.concat([Buffer.from([1]), crypto.randomBytes(10 + 1490)])],
  ['DATA max', Buffer.concat([Buffer.from([1]), crypto.randomBytes(70000 - 1)])],
];
const counters = [0, 1, 255, 256, 2 ** 32 + 7, Number.MAX_SAFE_INTEGER];

for (const cipher of ciphers) {
  test(`${cipher}: sealFrame matches node:crypto byte for byte`, () => {
    for (const [name, pt] of samples) {
      for (const counter of counters) {
        const frame = native.sealFrame(cipher, key, counter, pt);
        const expected = referenceSeal(cipher, key, BigInt(counter), pt);
        assert.equal(frame.length, 4 + pt.length + 16, name);
        assert.ok(frame.equals(expected), `${name} counter ${counter}`);
        assert.ok(native.openFrame(cipher, key, counter, frame).equals(pt), `${name} round trip`);
      }
    }
  });

  test(`${cipher}: openFrame opens node:crypto frames`, () => {
    const pt = Buffer.concat([Buffer.from([2]), Buffer.from('hello')]);
    const frame = referenceSeal(cipher, key, 41n, pt);
    assert.ok(native.openFrame(cipher, key, 41, frame).equals(pt));
  });

  test(`${cipher}: tampering, wrong counter and wrong key are rejected`, () => {
    const pt = Buffer.concat([Buffer.from([1]), crypto.randomBytes(100)]);
    const frame = native.sealFrame(cipher, key, 9, pt);
    // every byte position after the prefix: ciphertext and tag
    for (let i = 4; i < frame.length; i += 7) {
      const bad = Buffer.from(frame);
      bad[i] ^= 0x01;
      assert.throws(() => native.openFrame(cipher, key, 9, bad), /authentication/, `byte ${i}`);
    }
    assert.throws(() => native.openFrame(cipher, key, 8, frame), /authentication/);
    assert.throws(() => native.openFrame(cipher, key, 10, frame), /authentication/);
    assert.throws(() => native.openFrame(cipher, otherKey, 9, frame), /authentication/);
    const otherCipher: Cipher = cipher === 'aes-256-gcm' ? 'chacha20-poly1305' : 'aes-256-gcm';
    assert.throws(() => native.openFrame(otherCipher, key, 9, frame), /authentication/);
    // the length prefix is authenticated data and must match the frame
    const truncated = frame.subarray(0, frame.length - 1);
    assert.throws(() => native.openFrame(cipher, key, 9, truncated), RangeError);
    // the frame still opens untouched (nothing was modified in place)
    assert.ok(native.openFrame(cipher, key, 9, frame).equals(pt));
  });
}

test('a length prefix that is authenticated: re-prefixed frame fails', () => {
  // Same ciphertext with a prefix claiming the same length cannot be forged without the key;
  // a frame sealed for a different length prefix fails even when the sizes are made to match.
  const pt = Buffer.from([2, 0x41, 0x42]);
  const frame = native.sealFrame('aes-256-gcm', key, 0, pt);
  const forged = Buffer.concat([frame, Buffer.alloc(1)]);
  forged.writeUInt32BE(frame.length - 4 + 1, 0);
  assert.throws(() => native.openFrame('aes-256-gcm', key, 0, forged), /authentication/);
});

test('nextKey equals HKDF-SHA256(key, salt "", info "braid v1 rekey", 32)', () => {
  let k: Buffer = key;
  for (let i = 0; i < 5; i++) {
    const next = native.nextKey(k);
    const expected = Buffer.from(crypto.hkdfSync('sha256', k, Buffer.alloc(0), 'braid v1 rekey', 32));
    assert.ok(next.equals(expected), `step ${i}`);
    assert.ok(!next.equals(k));
    k = next;
  }
});

test('argument validation throws clear errors', () => {
  assert.throws(() => native.sealFrame('rc4' as Cipher, key, 0, Buffer.from([1])), RangeError);
  assert.throws(() => native.sealFrame('aes-256-gcm', Buffer.alloc(16), 0, Buffer.from([1])), /32 bytes/);
  assert.throws(() => native.sealFrame('aes-256-gcm', key, -1, Buffer.from([1])), RangeError);
  assert.throws(() => native.sealFrame('aes-256-gcm', key, 1.5, Buffer.from([1])), RangeError);
  assert.throws(() => native.sealFrame('aes-256-gcm', key, 0, Buffer.alloc(0)), RangeError);
  assert.throws(() => native.sealFrame('aes-256-gcm', key, 0, Buffer.alloc(70001)), RangeError);
  assert.throws(() => native.sealFrame('aes-256-gcm', key, 0, 'x' as unknown as Buffer), TypeError);
  assert.throws(() => native.nextKey(Buffer.alloc(31)), /32 bytes/);
  assert.throws(() => native.openFrame('aes-256-gcm', key, 0, Buffer.alloc(10)), RangeError);
});
