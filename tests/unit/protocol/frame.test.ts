import test from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import {
  CIPHERS,
  FrameError,
  FrameReader,
  FrameReceiver,
  FrameSender,
  FrameType,
  MAX_PLAINTEXT,
  MAX_SEALED,
  MIN_SEALED,
  frameNonce,
  nextKey,
  openFrame,
  parsePlaintext,
  sealFrame,
} from '../../../electron/protocol/tunnel/frame';
import { fixedKey } from './helpers';

const KEY = fixedKey('frame test key');
const data = (n: number, fill = 0x5a): Buffer => Buffer.concat([Buffer.of(FrameType.Data), Buffer.alloc(n, fill)]);

function throwsFrame(fn: () => unknown, code: FrameError['code']): void {
  assert.throws(fn, (err: unknown) => err instanceof FrameError && err.code === code);
}

test('nonce is 4 zero bytes then the counter as u64 big-endian', () => {
  assert.equal(frameNonce(0).toString('hex'), '000000000000000000000000');
  assert.equal(frameNonce(1).toString('hex'), '000000000000000000000001');
  assert.equal(frameNonce(2 ** 32 + 5).toString('hex'), '000000000000000100000005');
  throwsFrame(() => frameNonce(-1), 'counter');
  throwsFrame(() => frameNonce(1.5), 'counter');
  throwsFrame(() => frameNonce(2 ** 53), 'counter');
});

for (const cipher of CIPHERS) {
  test(`${cipher}: seal/open round trip at the size limits, layout u32 L | ciphertext | tag`, () => {
    for (const size of [0, 1, 16, 1500, MAX_PLAINTEXT - 1]) {
      const plaintext = Buffer.concat([Buffer.of(FrameType.Control), crypto.randomBytes(size)]);
      const frame = sealFrame(cipher, KEY, 7, plaintext);
      assert.equal(frame.length, 4 + plaintext.length + 16);
      assert.equal(frame.readUInt32BE(0), plaintext.length + 16);
      assert.deepEqual(openFrame(cipher, KEY, 7, frame), plaintext);
    }
    throwsFrame(() => sealFrame(cipher, KEY, 0, Buffer.alloc(0)), 'bad-length');
    throwsFrame(() => sealFrame(cipher, KEY, 0, Buffer.alloc(MAX_PLAINTEXT + 1)), 'bad-length');
  });

  test(`${cipher}: the frame is AEAD with ad = the length bytes (checked against a direct node:crypto call)`, () => {
    const plaintext = data(20);
    const frame = sealFrame(cipher, KEY, 3, plaintext);
    const d = crypto.createDecipheriv(cipher as 'aes-256-gcm', KEY, frameNonce(3), { authTagLength: 16 });
    d.setAAD(frame.subarray(0, 4));
    d.setAuthTag(frame.subarray(frame.length - 16));
    assert.deepEqual(Buffer.concat([d.update(frame.subarray(4, frame.length - 16)), d.final()]), plaintext);
  });

  test(`${cipher}: wrong counter, key or cipher fails authentication`, () => {
    const frame = sealFrame(cipher, KEY, 5, data(30));
    throwsFrame(() => openFrame(cipher, KEY, 4, frame), 'auth-failed');
    throwsFrame(() => openFrame(cipher, KEY, 6, frame), 'auth-failed');
    throwsFrame(() => openFrame(cipher, fixedKey('other'), 5, frame), 'auth-failed');
    const other = CIPHERS.find((c) => c !== cipher)!;
    throwsFrame(() => openFrame(other, KEY, 5, frame), 'auth-failed');
  });

  test(`${cipher}: a replayed frame (same counter twice) fails`, () => {
    const tx = new FrameSender(cipher, KEY);
    const rx = new FrameReceiver(cipher, KEY);
    const first = tx.seal(FrameType.Data, Buffer.alloc(40, 1));
    tx.seal(FrameType.Data, Buffer.alloc(40, 2));
    assert.deepEqual(rx.open(first).body, Buffer.alloc(40, 1));
    throwsFrame(() => rx.open(first), 'auth-failed');
  });

  test(`${cipher}: reordered frames fail`, () => {
    const tx = new FrameSender(cipher, KEY);
    const rx = new FrameReceiver(cipher, KEY);
    const f0 = tx.seal(FrameType.Data, Buffer.alloc(40, 1));
    const f1 = tx.seal(FrameType.Data, Buffer.alloc(40, 2));
    throwsFrame(() => rx.open(f1), 'auth-failed');
    assert.equal(rx.counter, 0, 'a failed open does not advance');
    assert.deepEqual(rx.open(f0).body, Buffer.alloc(40, 1));
    assert.deepEqual(rx.open(f1).body, Buffer.alloc(40, 2));
  });

  test(`${cipher}: a dropped frame makes the next one fail`, () => {
    const tx = new FrameSender(cipher, KEY);
    const rx = new FrameReceiver(cipher, KEY);
    tx.seal(FrameType.Data, Buffer.alloc(40));
    throwsFrame(() => rx.open(tx.seal(FrameType.Data, Buffer.alloc(40))), 'auth-failed');
  });

  test(`${cipher}: truncated frames fail`, () => {
    const frame = sealFrame(cipher, KEY, 0, data(64));
    for (let cut = 1; cut <= frame.length; cut++) {
      throwsFrame(() => openFrame(cipher, KEY, 0, frame.subarray(0, frame.length - cut)), 'bad-length');
    }
    // truncated together with a rewritten length: the length is authenticated (ad)
    const shorter = Buffer.from(frame.subarray(0, frame.length - 1));
    shorter.writeUInt32BE(shorter.length - 4, 0);
    throwsFrame(() => openFrame(cipher, KEY, 0, shorter), 'auth-failed');
  });

  test(`${cipher}: flipping any bit of any byte fails`, () => {
    const frame = sealFrame(cipher, KEY, 9, data(24));
    for (let i = 0; i < frame.length; i++) {
      for (const mask of [0x01, 0x80]) {
        const bad = Buffer.from(frame);
        bad[i]! ^= mask;
        assert.throws(
          () => openFrame(cipher, KEY, 9, bad),
          (err: unknown) => err instanceof FrameError && (err.code === 'auth-failed' || err.code === 'bad-length'),
          `byte ${i} mask ${mask}`,
        );
      }
    }
  });

  test(`${cipher}: rekey switches both directions to the next key at counter 0`, () => {
    const tx = new FrameSender(cipher, KEY, 41);
    const rx = new FrameReceiver(cipher, KEY, 41);
    const before = tx.seal(FrameType.Data, Buffer.alloc(12, 1));
    const rekey = tx.rekey();
    assert.equal(tx.counter, 0);
    assert.equal(tx.epoch, 1);
    assert.deepEqual(openFrame(cipher, KEY, 42, rekey), Buffer.of(FrameType.Rekey), 'REKEY is sealed with the old key');
    const after = tx.seal(FrameType.Data, Buffer.alloc(12, 2));
    assert.deepEqual(openFrame(cipher, nextKey(KEY), 0, after), data(12, 2));
    throwsFrame(() => openFrame(cipher, KEY, 43, after), 'auth-failed');

    rx.open(before);
    assert.equal(rx.open(rekey).type, FrameType.Rekey);
    assert.equal(rx.counter, 0);
    assert.equal(rx.epoch, 1);
    assert.deepEqual(rx.open(after).body, Buffer.alloc(12, 2));
    // a REKEY replayed after the switch does not open under the new key
    throwsFrame(() => rx.open(rekey), 'auth-failed');
  });
}

test('nextKey is HKDF-SHA256(key, salt "", info "braid v1 rekey", 32), a chain', () => {
  const next = nextKey(KEY);
  assert.equal(next.length, 32);
  assert.deepEqual(next, Buffer.from(crypto.hkdfSync('sha256', KEY, Buffer.alloc(0), Buffer.from('braid v1 rekey'), 32)));
  // HKDF by hand (RFC 5869): PRK = HMAC(salt = 32 zero bytes, key); T1 = HMAC(PRK, info | 0x01)
  const prk = crypto.createHmac('sha256', Buffer.alloc(32)).update(KEY).digest();
  const t1 = crypto.createHmac('sha256', prk).update(Buffer.concat([Buffer.from('braid v1 rekey'), Buffer.of(1)])).digest();
  assert.deepEqual(next, t1);
  assert.notDeepEqual(nextKey(next), next);
  assert.notDeepEqual(next, KEY);
});

test('parsePlaintext: known types only; REKEY has no body; DATA carries a virtio_net_hdr', () => {
  assert.deepEqual(parsePlaintext(Buffer.from([FrameType.Close, 0x68, 0x69])), { type: FrameType.Close, body: Buffer.from('hi') });
  assert.equal(parsePlaintext(Buffer.of(FrameType.Rekey)).type, FrameType.Rekey);
  assert.equal(parsePlaintext(data(10)).type, FrameType.Data);
  for (const bad of [Buffer.of(0), Buffer.of(5), Buffer.of(255, 1), Buffer.of(FrameType.Rekey, 0), data(9)]) {
    throwsFrame(() => parsePlaintext(bad), 'bad-type');
  }
  const rx = new FrameReceiver('aes-256-gcm', KEY);
  throwsFrame(() => rx.open(sealFrame('aes-256-gcm', KEY, 0, Buffer.of(9, 1, 2))), 'bad-type');
});

test('FrameReader: frames come out whole at every chunk boundary', () => {
  const tx = new FrameSender('chacha20-poly1305', KEY);
  const frames = [data(10), Buffer.of(FrameType.Rekey), data(300), Buffer.from([FrameType.Close, 0x62])].map((p) =>
    tx.seal(p[0] as FrameType, p.subarray(1)),
  );
  const stream = Buffer.concat(frames);
  const collect = (chunks: Buffer[]): Buffer[] => {
    const reader = new FrameReader();
    const out = chunks.flatMap((chunk) => reader.push(chunk));
    assert.equal(reader.buffered, 0);
    return out;
  };
  for (let cut = 0; cut <= stream.length; cut++) {
    assert.deepEqual(collect([stream.subarray(0, cut), stream.subarray(cut)]), frames, `split at ${cut}`);
  }
  for (let cut = 1; cut < stream.length; cut += 7) {
    assert.deepEqual(collect([stream.subarray(0, cut), stream.subarray(cut, cut + 5), stream.subarray(cut + 5)]), frames);
  }
  assert.deepEqual(collect([...stream].map((b) => Buffer.of(b))), frames, 'one byte at a time');
  const reader = new FrameReader();
  assert.deepEqual(reader.push(stream.subarray(0, 40)), [frames[0]]);
  assert.equal(reader.buffered, 40 - frames[0]!.length);
  assert.deepEqual(reader.takeRest(), stream.subarray(frames[0]!.length, 40));
});

test('FrameReader: lengths outside 17..70016 fail as soon as the length is in', () => {
  const header = (n: number): Buffer => {
    const b = Buffer.alloc(4);
    b.writeUInt32BE(n);
    return b;
  };
  for (const bad of [0, 1, MIN_SEALED - 1, MAX_SEALED + 1, 0xffffffff]) {
    const reader = new FrameReader();
    assert.deepEqual(reader.push(header(bad).subarray(0, 3)), []);
    throwsFrame(() => reader.push(header(bad).subarray(3)), 'bad-length');
  }
  for (const good of [MIN_SEALED, MAX_SEALED]) {
    const reader = new FrameReader();
    assert.deepEqual(reader.push(header(good)), []);
    assert.equal(reader.push(Buffer.alloc(good)).length, 1);
  }
  const small = new FrameReader(1024);
  throwsFrame(() => small.push(header(1025)), 'bad-length');
  // the largest frame really seals and opens
  const big = sealFrame('aes-256-gcm', KEY, 0, Buffer.alloc(MAX_PLAINTEXT, 1));
  assert.equal(big.length, 4 + MAX_SEALED);
  assert.equal(openFrame('aes-256-gcm', KEY, 0, big).length, MAX_PLAINTEXT);
});
