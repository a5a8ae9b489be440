import test from 'node:test';
import assert from 'node:assert/strict';
import {
  KeyFormatError,
  formatKey,
  generateKeyPair,
  parseKey,
  publicFromSecret,
  sign,
  verify,
  x25519,
  x25519KeyPair,
} from '../../../electron/protocol/tunnel/keys';

const hex = (s: string): Buffer => Buffer.from(s, 'hex');

test('generateKeyPair: base64 secret and public that belong together, fresh every time', () => {
  const a = generateKeyPair();
  const b = generateKeyPair();
  for (const text of [a.secret, a.public]) assert.match(text, /^[A-Za-z0-9+/]{43}=$/);
  assert.deepEqual(publicFromSecret(parseKey(a.secret, 'secret')), parseKey(a.public, 'public'));
  assert.notEqual(a.secret, b.secret);
  assert.notEqual(a.public, b.public);
});

test('Ed25519 matches RFC 8032 test 1 (public key derivation and signature)', () => {
  const secret = hex('9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60');
  const publicKey = hex('d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a');
  const signature = hex(
    'e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b',
  );
  assert.deepEqual(publicFromSecret(secret), publicKey);
  assert.deepEqual(sign(secret, Buffer.alloc(0)), signature);
  assert.equal(verify(publicKey, Buffer.alloc(0), signature), true);
  assert.equal(verify(publicKey, Buffer.from('x'), signature), false);
  const flipped = Buffer.from(signature);
  flipped[10]! ^= 1;
  assert.equal(verify(publicKey, Buffer.alloc(0), flipped), false);
  assert.equal(verify(publicKey.subarray(1), Buffer.alloc(0), signature), false);
  assert.equal(verify(publicKey, Buffer.alloc(0), signature.subarray(1)), false);
});

test('X25519 matches RFC 7748 section 6.1 and refuses a low-order point', () => {
  const alice = x25519KeyPair(hex('77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a'));
  const bob = x25519KeyPair(hex('5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb'));
  assert.deepEqual(alice.public, hex('8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a'));
  assert.deepEqual(bob.public, hex('de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f'));
  const shared = hex('4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742');
  assert.deepEqual(x25519(alice.secret, bob.public), shared);
  assert.deepEqual(x25519(bob.secret, alice.public), shared);
  assert.equal(x25519(alice.secret, Buffer.alloc(32)), null);
  assert.equal(x25519(alice.secret, Buffer.concat([Buffer.of(1), Buffer.alloc(31)])), null); // order 4 point
  assert.notDeepEqual(x25519KeyPair().secret, x25519KeyPair().secret);
});

test('parseKey: accepts canonical base64 of 32 bytes (whitespace around ignored)', () => {
  const key = Buffer.alloc(32, 0xab);
  assert.deepEqual(parseKey(`  ${formatKey(key)}\n`, 'server publicKey'), key);
});

test('parseKey: clear errors naming the key', () => {
  const valid = formatKey(Buffer.alloc(32, 7));
  const cases: Array<[unknown, RegExp]> = [
    [valid.slice(1), /^server publicKey must be 44 base64 characters encoding 32 bytes \(got 43 characters\)$/],
    ['', /\(got 0 characters\)$/],
    [Buffer.alloc(33).toString('base64'), /\(got 44 characters\)$|outside standard base64/],
    [valid.replace(/^./, '!'), /contains characters outside standard base64\)$/],
    [formatKey(Buffer.alloc(32, 0xfb)).replace(/\+/g, '-').replace(/\//g, '_'), /looks like base64url/],
    [valid.slice(0, 42) + 'B=', /not canonical base64/], // low bits of the last character set
    [undefined, /\(got undefined\)$/],
    [null, /\(got null\)$/],
    [42, /\(got number\)$/],
  ];
  for (const [input, expected] of cases) {
    assert.throws(
      () => parseKey(input, 'server publicKey'),
      (err: unknown) => {
        assert.ok(err instanceof KeyFormatError);
        assert.match(err.message, /^server publicKey must be 44 base64 characters encoding 32 bytes/);
        assert.match(err.message, expected, `input ${String(input)}`);
        return true;
      },
    );
  }
});

test('formatKey and publicFromSecret refuse keys that are not 32 bytes', () => {
  assert.throws(() => formatKey(Buffer.alloc(31)), KeyFormatError);
  assert.throws(() => publicFromSecret(Buffer.alloc(33)), KeyFormatError);
});
