// The one error type of the tunnel handshake, shared by the wire codec and the state machine.
import type { Cipher } from '../../../native/lib/index';

export type Side = 'client' | 'server';

/** ABORT codes on the wire (docs/protocol.md) and their names */
export const AbortCode = {
  version: 1,
  'no-common-cipher': 2,
  'server-key-not-trusted': 3,
  'bad-signature': 4,
  malformed: 5,
} as const;
export type AbortName = keyof typeof AbortCode;

export function abortName(code: number): AbortName | undefined {
  return (Object.keys(AbortCode) as AbortName[]).find((name) => AbortCode[name] === code);
}

export type HandshakeErrorCode =
  | AbortName // a protocol check failed (ours: we sent ABORT; the peer's: we received it)
  | 'aborted' //   the peer sent an ABORT code this version does not know
  | 'unknown-device' // the server's reject codes (any lowercase-dashed string may arrive)
  | 'server-error'
  | 'timeout' //   the whole handshake took longer than timeoutMs
  | 'closed' //    the peer closed the connection before the handshake finished
  | 'socket-error' // the stream failed (ECONNRESET, ...)
  | 'internal'; //   a bug or an unexpected exception on our side (see cause)

export class HandshakeError extends Error {
  override name = 'HandshakeError';
  constructor(
    /** what went wrong; a server reject carries the server's code (may be one we do not know) */
    readonly code: HandshakeErrorCode | (string & {}),
    message: string,
    /** the end that decided to stop: ourselves, or the peer (ABORT, reject, close) */
    readonly side: Side,
    /** the peer's ABORT reason text, sanitized; not part of message because it is not ours */
    readonly peerReason?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** a local protocol check failed: the handshake sends ABORT(code) and fails with message */
export class Violation extends Error {
  constructor(
    readonly code: AbortName,
    message: string,
  ) {
    super(message);
  }
}

export const CIPHER_NAMES: Record<Cipher, string> = {
  'aes-256-gcm': 'AES-256-GCM',
  'chacha20-poly1305': 'ChaCha20-Poly1305',
};
