// Tunnel frames (docs/protocol.md, "Frames" and "Rekey") in TypeScript over node:crypto.
// The native pump does the same in C on the data path; this module is for the handshake's
// first frames, tests, and the test vectors that pin both implementations to the same bytes.
//
//   u32 L | AEAD(key, nonce = 4 zero bytes | u64 counter, ad = the 4 length bytes, type | body)
//
// sealFrame/openFrame/nextKey have the same signatures and results as the addon's
// (native/lib/index.ts). FrameReader cuts a byte stream into frames; FrameSender and
// FrameReceiver keep one direction's key and counter and follow REKEY.
import crypto from 'node:crypto';
import type { Cipher } from '../../../native/lib/index';

export type { Cipher };
export const CIPHERS: readonly Cipher[] = ['aes-256-gcm', 'chacha20-poly1305'];

export const LENGTH_BYTES = 4;
export const TAG_BYTES = 16;
export const NONCE_BYTES = 12;
export const KEY_BYTES = 32;
/** smallest sealed part: a type byte and the tag */
export const MIN_SEALED = 1 + TAG_BYTES;
/** largest sealed part (a 64 KiB GSO packet + virtio_net_hdr + type fits with room to spare) */
export const MAX_SEALED = 70016;
export const MAX_PLAINTEXT = MAX_SEALED - TAG_BYTES;
/** a 10-byte virtio_net_hdr starts every DATA body */
export const VNET_HDR_BYTES = 10;

export const FrameType = { Data: 1, Control: 2, Rekey: 3, Close: 4 } as const;
export type FrameType = (typeof FrameType)[keyof typeof FrameType];

export type FrameErrorCode =
  | 'bad-length' //     L outside MIN_SEALED..max, or a frame buffer whose size does not match L
  | 'auth-failed' //    AEAD open failed: forged, replayed, reordered, truncated or corrupted
  | 'bad-type' //       opened fine but the type byte is not one we know (or REKEY with a body)
  | 'counter'; //       the counter is not a safe non-negative integer

export class FrameError extends Error {
  override name = 'FrameError';
  constructor(
    readonly code: FrameErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/** 4 zero bytes | u64 BE counter */
export function frameNonce(counter: number): Buffer {
  if (!Number.isSafeInteger(counter) || counter < 0) {
    throw new FrameError('counter', `frame counter must be a non-negative safe integer, got ${counter}`);
  }
  const nonce = Buffer.alloc(NONCE_BYTES);
  nonce.writeBigUInt64BE(BigInt(counter), 4);
  return nonce;
}

/** seals plaintext (type byte + body) into a full wire frame (u32 length | ciphertext | tag) */
export function sealFrame(cipher: Cipher, key: Buffer, counter: number, plaintext: Buffer): Buffer {
  if (plaintext.length < 1 || plaintext.length > MAX_PLAINTEXT) {
    throw new FrameError('bad-length', `frame plaintext must be 1..${MAX_PLAINTEXT} bytes, got ${plaintext.length}`);
  }
  const header = Buffer.alloc(LENGTH_BYTES);
  header.writeUInt32BE(plaintext.length + TAG_BYTES);
  const c = aeadCipher(cipher, checkKey(key), frameNonce(counter));
  c.setAAD(header, { plaintextLength: plaintext.length });
  const body = Buffer.concat([c.update(plaintext), c.final()]);
  return Buffer.concat([header, body, c.getAuthTag()]);
}

/** opens a full wire frame; returns the plaintext (type byte + body) or throws FrameError */
export function openFrame(cipher: Cipher, key: Buffer, counter: number, frame: Buffer): Buffer {
  if (frame.length < LENGTH_BYTES) throw new FrameError('bad-length', `frame of ${frame.length} bytes has no length`);
  const sealed = frame.readUInt32BE(0);
  checkSealedLength(sealed, MAX_SEALED);
  if (frame.length !== LENGTH_BYTES + sealed) {
    throw new FrameError('bad-length', `frame says ${sealed} sealed bytes but carries ${frame.length - LENGTH_BYTES}`);
  }
  const d = aeadDecipher(cipher, checkKey(key), frameNonce(counter));
  d.setAAD(frame.subarray(0, LENGTH_BYTES), { plaintextLength: sealed - TAG_BYTES });
  d.setAuthTag(frame.subarray(frame.length - TAG_BYTES));
  const out = d.update(frame.subarray(LENGTH_BYTES, frame.length - TAG_BYTES));
  try {
    return Buffer.concat([out, d.final()]);
  } catch {
    out.fill(0);
    throw new FrameError('auth-failed', `frame ${counter} failed authentication (forged, replayed, reordered or corrupted)`);
  }
}

/** node:crypto's typings pick the AEAD overload by literal algorithm name */
export function aeadCipher(cipher: Cipher, key: Buffer, nonce: Buffer): crypto.CipherGCM | crypto.CipherChaCha20Poly1305 {
  return cipher === 'aes-256-gcm'
    ? crypto.createCipheriv(cipher, key, nonce, { authTagLength: TAG_BYTES })
    : crypto.createCipheriv(cipher, key, nonce, { authTagLength: TAG_BYTES });
}

export function aeadDecipher(cipher: Cipher, key: Buffer, nonce: Buffer): crypto.DecipherGCM | crypto.DecipherChaCha20Poly1305 {
  return cipher === 'aes-256-gcm'
    ? crypto.createDecipheriv(cipher, key, nonce, { authTagLength: TAG_BYTES })
    : crypto.createDecipheriv(cipher, key, nonce, { authTagLength: TAG_BYTES });
}

/** the rekey step: next = HKDF-SHA256(ikm = key, salt = "", info = "braid v1 rekey", L = 32) */
export function nextKey(key: Buffer): Buffer {
  return Buffer.from(crypto.hkdfSync('sha256', checkKey(key), Buffer.alloc(0), 'braid v1 rekey', KEY_BYTES));
}

export function checkSealedLength(sealed: number, max: number): void {
  if (sealed < MIN_SEALED || sealed > max) {
    throw new FrameError('bad-length', `frame length ${sealed} outside ${MIN_SEALED}..${max}`);
  }
}

function checkKey(key: Buffer): Buffer {
  if (!Buffer.isBuffer(key) || key.length !== KEY_BYTES) throw new Error(`frame key must be ${KEY_BYTES} bytes`);
  return key;
}

/**
 * Incremental frame parser for a byte stream: push() any chunking, get back the complete wire
 * frames (each still sealed). A length outside MIN_SEALED..maxSealed throws as soon as the
 * 4 length bytes are in, before the body is buffered.
 */
export class FrameReader {
  private chunks: Buffer[] = [];
  private size = 0;

  constructor(private readonly maxSealed: number = MAX_SEALED) {}

  push(chunk: Buffer): Buffer[] {
    if (chunk.length > 0) {
      this.chunks.push(chunk);
      this.size += chunk.length;
    }
    const frames: Buffer[] = [];
    for (;;) {
      if (this.size < LENGTH_BYTES) break;
      const buffer = this.flatten();
      const sealed = buffer.readUInt32BE(0);
      checkSealedLength(sealed, this.maxSealed);
      if (buffer.length < LENGTH_BYTES + sealed) break;
      frames.push(Buffer.from(buffer.subarray(0, LENGTH_BYTES + sealed)));
      this.replace(buffer.subarray(LENGTH_BYTES + sealed));
    }
    return frames;
  }

  /** bytes of an incomplete frame held so far */
  get buffered(): number {
    return this.size;
  }

  /** removes and returns the bytes of the incomplete frame held so far */
  takeRest(): Buffer {
    const rest = this.flatten();
    this.replace(Buffer.alloc(0));
    return Buffer.from(rest);
  }

  private flatten(): Buffer {
    if (this.chunks.length !== 1) this.chunks = [Buffer.concat(this.chunks, this.size)];
    return this.chunks[0] ?? Buffer.alloc(0);
  }

  private replace(rest: Buffer): void {
    this.chunks = rest.length > 0 ? [rest] : [];
    this.size = rest.length;
  }
}

export interface OpenedFrame {
  type: FrameType;
  body: Buffer;
}

/** splits an opened plaintext into type and body; unknown types and REKEY with a body throw */
export function parsePlaintext(plaintext: Buffer): OpenedFrame {
  const type = plaintext[0];
  if (type !== FrameType.Data && type !== FrameType.Control && type !== FrameType.Rekey && type !== FrameType.Close) {
    throw new FrameError('bad-type', `unknown frame type ${type}`);
  }
  if (type === FrameType.Rekey && plaintext.length !== 1) {
    throw new FrameError('bad-type', `REKEY frame with a ${plaintext.length - 1}-byte body`);
  }
  if (type === FrameType.Data && plaintext.length < 1 + VNET_HDR_BYTES) {
    throw new FrameError('bad-type', `DATA frame shorter than its virtio_net_hdr`);
  }
  return { type, body: plaintext.subarray(1) };
}

/** one sending direction: seals with the current key and counter, then advances */
export class FrameSender {
  private key: Buffer;
  private nextCounter: number;
  private generation = 0;

  constructor(
    readonly cipher: Cipher,
    key: Buffer,
    counter = 0,
  ) {
    this.key = Buffer.from(checkKey(key));
    this.nextCounter = counter;
  }

  get counter(): number {
    return this.nextCounter;
  }

  /** rekey generation (0 = the handshake's key) */
  get epoch(): number {
    return this.generation;
  }

  seal(type: FrameType, body: Buffer = Buffer.alloc(0)): Buffer {
    const frame = sealFrame(this.cipher, this.key, this.nextCounter, Buffer.concat([Buffer.of(type), body]));
    this.nextCounter += 1;
    return frame;
  }

  /** seals REKEY under the current key, then switches to the next key at counter 0 */
  rekey(): Buffer {
    const frame = this.seal(FrameType.Rekey);
    const next = nextKey(this.key);
    this.key.fill(0);
    this.key = next;
    this.nextCounter = 0;
    this.generation += 1;
    return frame;
  }

  wipe(): void {
    this.key.fill(0);
  }
}

/** one receiving direction: opens frames strictly in order and follows REKEY */
export class FrameReceiver {
  private key: Buffer;
  private nextCounter: number;
  private generation = 0;

  constructor(
    readonly cipher: Cipher,
    key: Buffer,
    counter = 0,
  ) {
    this.key = Buffer.from(checkKey(key));
    this.nextCounter = counter;
  }

  get counter(): number {
    return this.nextCounter;
  }

  get epoch(): number {
    return this.generation;
  }

  /** opens the next frame; a failure leaves the state unchanged (the session must end anyway) */
  open(frame: Buffer): OpenedFrame {
    const opened = parsePlaintext(openFrame(this.cipher, this.key, this.nextCounter, frame));
    this.nextCounter += 1;
    if (opened.type === FrameType.Rekey) {
      const next = nextKey(this.key);
      this.key.fill(0);
      this.key = next;
      this.nextCounter = 0;
      this.generation += 1;
    }
    return opened;
  }

  wipe(): void {
    this.key.fill(0);
  }
}
