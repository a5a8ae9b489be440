// Raw 32-byte key material for the tunnel protocol (docs/protocol.md, "Keys"), over node:crypto.
//
// Identity keys are Ed25519: the secret is the 32-byte private seed, the public key the 32-byte
// public key, both written as standard base64 (44 characters). Ephemeral keys are X25519.
// node:crypto only takes keys as KeyObjects, so raw bytes are wrapped in fixed DER prefixes
// (PKCS#8 for private, SPKI for public keys; RFC 8410) - no parsing of our own.
import crypto from 'node:crypto';

export const KEY_BYTES = 32;
export const SIGNATURE_BYTES = 64;
export const KEY_BASE64_CHARS = 44;

const ED25519_PKCS8 = Buffer.from('302e020100300506032b657004220420', 'hex');
const ED25519_SPKI = Buffer.from('302a300506032b6570032100', 'hex');
const X25519_PKCS8 = Buffer.from('302e020100300506032b656e04220420', 'hex');
const X25519_SPKI = Buffer.from('302a300506032b656e032100', 'hex');

export interface KeyPairText {
  /** base64 Ed25519 private seed: keep it secret */
  secret: string;
  /** base64 Ed25519 public key: give it to the other side */
  public: string;
}

/** `braid keygen`: a fresh identity key pair as base64 text */
export function generateKeyPair(): KeyPairText {
  const secret = crypto.randomBytes(KEY_BYTES);
  try {
    return { secret: formatKey(secret), public: formatKey(publicFromSecret(secret)) };
  } finally {
    secret.fill(0);
  }
}

/** base64 text of a 32-byte key */
export function formatKey(key: Buffer): string {
  checkLength(key, 'key');
  return key.toString('base64');
}

/**
 * Parses base64 key text (surrounding whitespace ignored). `label` names the key in the error,
 * e.g. parseKey(text, 'server publicKey') throws
 * "server publicKey must be 44 base64 characters encoding 32 bytes (got 43 characters)".
 * Only canonical standard base64 is accepted, so every key has exactly one spelling.
 */
export function parseKey(text: unknown, label: string): Buffer {
  const expected = `${label} must be ${KEY_BASE64_CHARS} base64 characters encoding ${KEY_BYTES} bytes`;
  if (typeof text !== 'string') throw new KeyFormatError(`${expected} (got ${text === null ? 'null' : typeof text})`);
  const trimmed = text.trim();
  if (trimmed.length !== KEY_BASE64_CHARS) {
    throw new KeyFormatError(`${expected} (got ${trimmed.length} characters)`);
  }
  if (!/^[A-Za-z0-9+/]{43}=$/.test(trimmed)) {
    const hint = /^[A-Za-z0-9_-]{43}=?$/.test(trimmed) ? ': it looks like base64url (- and _), use + and /' : '';
    throw new KeyFormatError(`${expected} (it contains characters outside standard base64${hint})`);
  }
  const key = Buffer.from(trimmed, 'base64');
  if (key.length !== KEY_BYTES || key.toString('base64') !== trimmed) {
    throw new KeyFormatError(`${expected} (it is not canonical base64: the last character is wrong)`);
  }
  return key;
}

export class KeyFormatError extends Error {
  override name = 'KeyFormatError';
}

/** the Ed25519 public key of a 32-byte secret (private seed) */
export function publicFromSecret(secret: Buffer): Buffer {
  return rawPublic(crypto.createPublicKey(ed25519Private(secret)), ED25519_SPKI);
}

export function ed25519Private(secret: Buffer): crypto.KeyObject {
  checkLength(secret, 'Ed25519 secret');
  return crypto.createPrivateKey({ key: Buffer.concat([ED25519_PKCS8, secret]), format: 'der', type: 'pkcs8' });
}

export function ed25519Public(publicKey: Buffer): crypto.KeyObject {
  checkLength(publicKey, 'Ed25519 public key');
  return crypto.createPublicKey({ key: Buffer.concat([ED25519_SPKI, publicKey]), format: 'der', type: 'spki' });
}

export function sign(secret: Buffer, message: Buffer): Buffer {
  return crypto.sign(null, message, ed25519Private(secret));
}

/** false for a wrong signature and for a public key OpenSSL cannot use (never throws on bad input) */
export function verify(publicKey: Buffer, message: Buffer, signature: Buffer): boolean {
  if (publicKey.length !== KEY_BYTES || signature.length !== SIGNATURE_BYTES) return false;
  try {
    return crypto.verify(null, message, ed25519Public(publicKey), signature);
  } catch {
    return false;
  }
}

export interface X25519KeyPair {
  secret: Buffer;
  public: Buffer;
}

/** a fresh ephemeral X25519 key pair, or the one derived from a given secret (test vectors) */
export function x25519KeyPair(secret?: Buffer): X25519KeyPair {
  const bytes = secret ? Buffer.from(secret) : crypto.randomBytes(KEY_BYTES);
  checkLength(bytes, 'X25519 secret');
  const publicKey = rawPublic(crypto.createPublicKey(x25519Private(bytes)), X25519_SPKI);
  return { secret: bytes, public: publicKey };
}

/**
 * X25519(secret, peerPublic). Returns null when the result would be all zero (the peer sent a
 * low-order point): OpenSSL refuses that derivation, and we check the bytes as well.
 */
export function x25519(secret: Buffer, peerPublic: Buffer): Buffer | null {
  checkLength(peerPublic, 'X25519 public key');
  let shared: Buffer;
  try {
    const publicKey = crypto.createPublicKey({
      key: Buffer.concat([X25519_SPKI, peerPublic]),
      format: 'der',
      type: 'spki',
    });
    shared = crypto.diffieHellman({ privateKey: x25519Private(secret), publicKey });
  } catch {
    return null;
  }
  return shared.every((b) => b === 0) ? null : shared;
}

function x25519Private(secret: Buffer): crypto.KeyObject {
  checkLength(secret, 'X25519 secret');
  return crypto.createPrivateKey({ key: Buffer.concat([X25519_PKCS8, secret]), format: 'der', type: 'pkcs8' });
}

function rawPublic(key: crypto.KeyObject, spkiPrefix: Buffer): Buffer {
  const der = key.export({ format: 'der', type: 'spki' });
  if (der.length !== spkiPrefix.length + KEY_BYTES || !der.subarray(0, spkiPrefix.length).equals(spkiPrefix)) {
    throw new Error('unexpected SPKI encoding from OpenSSL');
  }
  return Buffer.from(der.subarray(spkiPrefix.length));
}

function checkLength(key: Buffer, what: string): void {
  if (!Buffer.isBuffer(key) || key.length !== KEY_BYTES) {
    throw new KeyFormatError(`${what} must be ${KEY_BYTES} bytes`);
  }
}
