// The deterministic part of the handshake (docs/protocol.md, "Handshake"): message encoding
// and decoding, the transcript, signatures and the key schedule. No I/O and no randomness, so
// the test vectors are produced by exactly this code. handshake.ts runs it over a stream.
import crypto from 'node:crypto';
import type { Cipher } from '../../../native/lib/index';
import { KEY_BYTES, SIGNATURE_BYTES, sign, verify } from './keys';
import { aeadCipher, aeadDecipher, frameNonce, TAG_BYTES } from './frame';
import { AbortCode, type AbortName, CIPHER_NAMES, Violation } from './handshake-error';

export const MAGIC = Buffer.from('BRAID', 'ascii');
export const VERSION = 1;
/** largest value of a handshake message's u16 length (type + payload) */
export const MAX_MESSAGE = 1024;
export const HEADER_BYTES = 3; // u16 length | u8 type
export const MAX_ABORT_REASON = 200;

export const MessageType = { Hello: 1, ServerHello: 2, ClientAuth: 3, Abort: 127 } as const;
export type MessageType = (typeof MessageType)[keyof typeof MessageType];

/** HELLO bit / SERVER_HELLO id of each cipher (the numbers coincide: bit 0 = 1 = AES-256-GCM) */
export const CIPHER_ID: Record<Cipher, number> = { 'aes-256-gcm': 1, 'chacha20-poly1305': 2 };
const CIPHER_BY_ID = new Map<number, Cipher>([
  [1, 'aes-256-gcm'],
  [2, 'chacha20-poly1305'],
]);

const HELLO_LENGTH = 1 + MAGIC.length + 1 + 1 + KEY_BYTES; // 40
const SERVER_HELLO_LENGTH = 1 + 1 + KEY_BYTES + KEY_BYTES + SIGNATURE_BYTES; // 130
const CLIENT_AUTH_PLAIN = KEY_BYTES + SIGNATURE_BYTES; // 96
const CLIENT_AUTH_LENGTH = 1 + CLIENT_AUTH_PLAIN + TAG_BYTES; // 113

const SERVER_CONTEXT = Buffer.from('braid v1 server', 'ascii');
const CLIENT_CONTEXT = Buffer.from('braid v1 client', 'ascii');
const KEYS_INFO = 'braid v1 keys';

export interface Message {
  type: number;
  payload: Buffer;
  /** the full message bytes, length prefix included (what the transcript hashes) */
  raw: Buffer;
}

export function encodeMessage(type: MessageType, payload: Buffer): Buffer {
  const length = 1 + payload.length;
  if (length > MAX_MESSAGE) throw new Error(`handshake message of ${length} bytes exceeds ${MAX_MESSAGE}`);
  const header = Buffer.alloc(HEADER_BYTES);
  header.writeUInt16BE(length, 0);
  header.writeUInt8(type, 2);
  return Buffer.concat([header, payload]);
}

export function cipherMask(ciphers: readonly Cipher[]): number {
  return ciphers.reduce((mask, cipher) => mask | CIPHER_ID[cipher], 0);
}

export function describeMask(mask: number): string {
  const names = [...CIPHER_BY_ID].filter(([id]) => mask & id).map(([, cipher]) => CIPHER_NAMES[cipher]);
  return names.length > 0 ? names.join(', ') : `none (mask ${mask})`;
}

// HELLO = magic "BRAID" | u8 version | u8 ciphers | eph_c[32]

export function encodeHello(ciphers: number, ephemeral: Buffer): Buffer {
  return encodeMessage(MessageType.Hello, Buffer.concat([MAGIC, Buffer.of(VERSION, ciphers), ephemeral]));
}

export interface Hello {
  ciphers: number;
  ephemeral: Buffer;
}

/** checks magic first, then version (a newer HELLO may be longer), then the v1 size */
export function decodeHello(message: Message): Hello {
  const p = message.payload;
  if (p.length < MAGIC.length + 1 || !p.subarray(0, MAGIC.length).equals(MAGIC)) {
    throw new Violation('malformed', 'not a Braid client (HELLO magic missing)');
  }
  const version = p[MAGIC.length];
  if (version !== VERSION) {
    throw new Violation('version', `device speaks protocol version ${version}, this server speaks ${VERSION}`);
  }
  if (message.raw.length !== 2 + HELLO_LENGTH) {
    throw new Violation('malformed', `HELLO has ${message.raw.length - 2} bytes, expected ${HELLO_LENGTH}`);
  }
  return { ciphers: p[MAGIC.length + 1]!, ephemeral: Buffer.from(p.subarray(MAGIC.length + 2)) };
}

// SERVER_HELLO = u8 cipher | eph_s[32] | server_pub[32] | sig_s[64]

/** H2: SERVER_HELLO without sig_s, its length prefix still counting sig_s */
export function serverHelloUnsigned(cipher: Cipher, ephemeral: Buffer, serverPublic: Buffer): Buffer {
  const header = Buffer.alloc(HEADER_BYTES);
  header.writeUInt16BE(SERVER_HELLO_LENGTH, 0);
  header.writeUInt8(MessageType.ServerHello, 2);
  return Buffer.concat([header, Buffer.of(CIPHER_ID[cipher]), ephemeral, serverPublic]);
}

export interface ServerHello {
  cipher: Cipher;
  ephemeral: Buffer;
  serverPublic: Buffer;
  signature: Buffer;
  /** H2 */
  unsigned: Buffer;
}

export function decodeServerHello(message: Message, offered: number): ServerHello {
  if (message.raw.length !== 2 + SERVER_HELLO_LENGTH) {
    throw new Violation('malformed', `SERVER_HELLO has ${message.raw.length - 2} bytes, expected ${SERVER_HELLO_LENGTH}`);
  }
  const id = message.payload[0]!;
  const cipher = CIPHER_BY_ID.get(id);
  if (cipher === undefined || (offered & id) === 0) {
    throw new Violation('no-common-cipher', `server chose cipher ${id}, but this device offered only ${describeMask(offered)}`);
  }
  const p = message.payload;
  return {
    cipher,
    ephemeral: Buffer.from(p.subarray(1, 1 + KEY_BYTES)),
    serverPublic: Buffer.from(p.subarray(1 + KEY_BYTES, 1 + 2 * KEY_BYTES)),
    signature: Buffer.from(p.subarray(1 + 2 * KEY_BYTES)),
    unsigned: Buffer.from(message.raw.subarray(0, message.raw.length - SIGNATURE_BYTES)),
  };
}

// ABORT = u8 code | utf-8 reason

export function encodeAbort(code: AbortName, reason: string): Buffer {
  return encodeMessage(MessageType.Abort, Buffer.concat([Buffer.of(AbortCode[code]), Buffer.from(clip(reason), 'utf8')]));
}

export function decodeAbort(message: Message): { code: number; reason: string } {
  if (message.payload.length < 1) throw new Violation('malformed', 'ABORT without a code');
  return { code: message.payload[0]!, reason: clip(message.payload.subarray(1).toString('utf8')) };
}

/** peer text goes into logs: no control characters, bounded length */
function clip(text: string): string {
  const clean = text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, ' ').trim();
  return clean.length > MAX_ABORT_REASON ? `${clean.slice(0, MAX_ABORT_REASON - 1)}…` : clean;
}

// Transcript, signatures, key schedule

const sha256 = (...parts: Buffer[]): Buffer => crypto.createHash('sha256').update(Buffer.concat(parts)).digest();

/** sig_s = Ed25519-Sign(server_secret, "braid v1 server" | SHA256(H1 | H2)) */
export function signServer(serverSecret: Buffer, h1: Buffer, h2: Buffer): Buffer {
  return sign(serverSecret, Buffer.concat([SERVER_CONTEXT, sha256(h1, h2)]));
}

export function verifyServer(serverPublic: Buffer, h1: Buffer, h2: Buffer, signature: Buffer): boolean {
  return verify(serverPublic, Buffer.concat([SERVER_CONTEXT, sha256(h1, h2)]), signature);
}

/** SHA256(H1 | H2 | sig_s): the HKDF salt and what the device signs */
export function transcriptHash(h1: Buffer, h2: Buffer, serverSignature: Buffer): Buffer {
  return sha256(h1, h2, serverSignature);
}

/** sig_c = Ed25519-Sign(device_secret, "braid v1 client" | SHA256(H1 | H2 | sig_s)) */
export function signClient(deviceSecret: Buffer, transcript: Buffer): Buffer {
  return sign(deviceSecret, Buffer.concat([CLIENT_CONTEXT, transcript]));
}

export function verifyClient(devicePublic: Buffer, transcript: Buffer, signature: Buffer): boolean {
  return verify(devicePublic, Buffer.concat([CLIENT_CONTEXT, transcript]), signature);
}

export interface HandshakeKeys {
  hs: Buffer;
  c2s: Buffer;
  s2c: Buffer;
}

/** okm = HKDF-SHA256(shared, salt = transcript, "braid v1 keys", 96) = k_hs | k_c2s | k_s2c */
export function deriveKeys(shared: Buffer, transcript: Buffer): HandshakeKeys {
  const okm = Buffer.from(crypto.hkdfSync('sha256', shared, transcript, KEYS_INFO, 3 * KEY_BYTES));
  return {
    hs: Buffer.from(okm.subarray(0, KEY_BYTES)),
    c2s: Buffer.from(okm.subarray(KEY_BYTES, 2 * KEY_BYTES)),
    s2c: Buffer.from(okm.subarray(2 * KEY_BYTES)),
  };
}

// CLIENT_AUTH = AEAD(k_hs, nonce counter 0, ad = its 3 header bytes, device_pub | sig_c)

export function sealClientAuth(cipher: Cipher, hsKey: Buffer, devicePublic: Buffer, signature: Buffer): Buffer {
  const header = Buffer.alloc(HEADER_BYTES);
  header.writeUInt16BE(CLIENT_AUTH_LENGTH, 0);
  header.writeUInt8(MessageType.ClientAuth, 2);
  const c = aeadCipher(cipher, hsKey, frameNonce(0));
  c.setAAD(header, { plaintextLength: CLIENT_AUTH_PLAIN });
  const sealed = Buffer.concat([c.update(Buffer.concat([devicePublic, signature])), c.final(), c.getAuthTag()]);
  return Buffer.concat([header, sealed]);
}

export function openClientAuth(cipher: Cipher, hsKey: Buffer, message: Message): { devicePublic: Buffer; signature: Buffer } {
  if (message.raw.length !== 2 + CLIENT_AUTH_LENGTH) {
    throw new Violation('malformed', `CLIENT_AUTH has ${message.raw.length - 2} bytes, expected ${CLIENT_AUTH_LENGTH}`);
  }
  const sealed = message.payload;
  const d = aeadDecipher(cipher, hsKey, frameNonce(0));
  d.setAAD(message.raw.subarray(0, HEADER_BYTES), { plaintextLength: CLIENT_AUTH_PLAIN });
  d.setAuthTag(sealed.subarray(sealed.length - TAG_BYTES));
  const head = d.update(sealed.subarray(0, sealed.length - TAG_BYTES));
  let plain: Buffer;
  try {
    plain = Buffer.concat([head, d.final()]);
  } catch {
    throw new Violation('malformed', 'CLIENT_AUTH failed authentication (the device derived different keys)');
  }
  return { devicePublic: plain.subarray(0, KEY_BYTES), signature: plain.subarray(KEY_BYTES) };
}
