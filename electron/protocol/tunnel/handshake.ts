// Tunnel handshake (docs/protocol.md, "Handshake") over a Node Duplex stream - in production a
// net.Socket wrapping the MPTCP fd, which is handed to the native pump afterwards.
//
//   clientHandshake(stream, { deviceSecret, serverPublic, ciphers?, timeoutMs? })
//     => { keys, welcome, pending }
//   serverHandshake(stream, { serverSecret, admit, ciphers?, timeoutMs? })
//     => { keys, devicePublic, pending }
//
// - keys: SessionKeys for native addSession (tx/rx from this side's view, counters where the
//   handshake left them: the welcome used server->client counter 0).
// - pending: bytes read past the last handshake message; they belong to the frame stream.
//   On success the stream is paused, our listeners are gone and (for a net.Socket) reading is
//   stopped, so nothing more is pulled off the fd until the caller resumes it or hands it over.
// - On failure the promise rejects with HandshakeError {code, message, side}; side is the end
//   that decided to stop. A local check failure sends ABORT(code) to the peer first (after the
//   client's CLIENT_AUTH: a sealed CLOSE frame instead, the server already reads frames); the
//   server sends a sealed reject when admit() refuses. The stream is then closed: ended with a
//   short linger when we had something to say, destroyed otherwise.
// - timeoutMs (default 10 s) bounds the whole handshake, admit() included.
// - testOnlyEphemeralSecret fixes the X25519 ephemeral key for test vectors. Never in production:
//   a reused ephemeral key breaks forward secrecy.
import type { Duplex } from 'node:stream';
import type { Cipher, SessionKeys } from '../../../native/lib/index';
import { formatKey, KEY_BYTES, publicFromSecret, x25519KeyPair, x25519 } from './keys';
import { FrameType, LENGTH_BYTES, MIN_SEALED, openFrame, parsePlaintext, sealFrame, FrameError } from './frame';
import {
  HandshakeReplySchema,
  WelcomeMessageSchema,
  RejectMessageSchema,
  MAX_REJECT_MESSAGE,
  describeIssues,
  type WelcomeMessage,
  type RejectMessage,
} from './messages';
import {
  abortName,
  CIPHER_NAMES,
  HandshakeError,
  Violation,
  type AbortName,
  type Side,
} from './handshake-error';
import {
  MAX_MESSAGE,
  MessageType,
  cipherMask,
  decodeAbort,
  decodeHello,
  decodeServerHello,
  deriveKeys,
  describeMask,
  encodeAbort,
  encodeHello,
  openClientAuth,
  sealClientAuth,
  serverHelloUnsigned,
  signClient,
  signServer,
  transcriptHash,
  verifyClient,
  verifyServer,
  type Message,
} from './handshake-wire';

export { HandshakeError } from './handshake-error';
export type { WelcomeMessage } from './messages';

export const DEFAULT_HANDSHAKE_TIMEOUT_MS = 10_000;
/** the welcome/reject frame is a handshake message too: same size limit */
export const MAX_REPLY_SEALED = MAX_MESSAGE;
const LINGER_MS = 1000;
/** legit bytes ahead of the reader: under 1 KiB of handshake plus one socket read of frames */
const MAX_BUFFERED = 1 << 20;
const DEFAULT_CIPHERS: readonly Cipher[] = ['aes-256-gcm', 'chacha20-poly1305'];

export interface ClientHandshakeOptions {
  /** this device's Ed25519 secret (32-byte seed) */
  deviceSecret: Buffer;
  /** the pinned server public key */
  serverPublic: Buffer;
  /** ciphers this device accepts (default both) */
  ciphers?: readonly Cipher[];
  timeoutMs?: number;
  /** tests only (vectors): fixed X25519 ephemeral secret */
  testOnlyEphemeralSecret?: Buffer;
}

export interface ClientHandshakeResult {
  keys: SessionKeys;
  welcome: WelcomeMessage;
  pending: Buffer;
}

export type AdmitResult = { ok: true; welcome: WelcomeMessage } | { ok: false; code: string; message: string };

export interface ServerHandshakeOptions {
  /** this server's Ed25519 secret (32-byte seed) */
  serverSecret: Buffer;
  /** decides on a device whose signature verified; may be async; a throw rejects with server-error */
  admit: (devicePublic: Buffer) => AdmitResult | Promise<AdmitResult>;
  /** ciphers this server accepts, most preferred first (default AES-256-GCM, ChaCha20-Poly1305) */
  ciphers?: readonly Cipher[];
  timeoutMs?: number;
  /** tests only (vectors): fixed X25519 ephemeral secret */
  testOnlyEphemeralSecret?: Buffer;
}

export interface ServerHandshakeResult {
  keys: SessionKeys;
  devicePublic: Buffer;
  pending: Buffer;
}

/** the standard refusal for a key that is not in the server's config */
export function rejectUnknownDevice(devicePublic: Buffer): AdmitResult {
  return {
    ok: false,
    code: 'unknown-device',
    message: `device key ${formatKey(devicePublic)} is not admitted by this server`,
  };
}

export function clientHandshake(stream: Duplex, options: ClientHandshakeOptions): Promise<ClientHandshakeResult> {
  const ciphers = options.ciphers ?? DEFAULT_CIPHERS;
  checkKeyOption(options.deviceSecret, 'deviceSecret');
  checkKeyOption(options.serverPublic, 'serverPublic');
  if (ciphers.length === 0) throw new TypeError('ciphers must name at least one cipher');
  const devicePublic = publicFromSecret(options.deviceSecret);

  return run(stream, 'client', options.timeoutMs, async (ch) => {
    const offered = cipherMask(ciphers);
    const eph = x25519KeyPair(options.testOnlyEphemeralSecret);
    const h1 = encodeHello(offered, eph.public);
    ch.send(h1);

    const hello = decodeServerHello(await ch.message('SERVER_HELLO', MessageType.ServerHello), offered);
    if (!hello.serverPublic.equals(options.serverPublic)) {
      throw new Violation(
        'server-key-not-trusted',
        `server key not trusted: server presented ${formatKey(hello.serverPublic)}, expected ${formatKey(options.serverPublic)}`,
      );
    }
    if (!verifyServer(hello.serverPublic, h1, hello.unsigned, hello.signature)) {
      throw new Violation('bad-signature', 'server signature did not verify (the server does not hold the key it presented)');
    }
    const shared = sharedSecret(eph.secret, hello.ephemeral);
    const transcript = transcriptHash(h1, hello.unsigned, hello.signature);
    const k = deriveKeys(shared, transcript);
    shared.fill(0);
    eph.secret.fill(0);
    ch.send(sealClientAuth(hello.cipher, k.hs, devicePublic, signClient(options.deviceSecret, transcript)));
    k.hs.fill(0);

    // From here the server reads frames: report our own failures with a sealed CLOSE frame.
    ch.goodbye = (v) => sealFrame(hello.cipher, k.c2s, 0, Buffer.concat([Buffer.of(FrameType.Close), Buffer.from(v.message)]));
    const frame = await ch.serverReply();
    let plaintext: Buffer;
    try {
      plaintext = openFrame(hello.cipher, k.s2c, 0, frame);
    } catch (err) {
      throw new Violation('malformed', `the server's welcome frame failed authentication (${(err as Error).message})`);
    }
    const reply = decodeReply(plaintext);
    if (reply.type === 'reject') {
      ch.goodbye = null;
      throw new HandshakeError(reply.code, `server rejected this device (${reply.code}): ${reply.message}`, 'server');
    }
    const keys: SessionKeys = { cipher: hello.cipher, txKey: k.c2s, rxKey: k.s2c, txCounter: 0, rxCounter: 1 };
    return { keys, welcome: reply, pending: ch.finish() };
  });
}

export function serverHandshake(stream: Duplex, options: ServerHandshakeOptions): Promise<ServerHandshakeResult> {
  const ciphers = options.ciphers ?? DEFAULT_CIPHERS;
  checkKeyOption(options.serverSecret, 'serverSecret');
  if (ciphers.length === 0) throw new TypeError('ciphers must name at least one cipher');
  const serverPublic = publicFromSecret(options.serverSecret);

  return run(stream, 'server', options.timeoutMs, async (ch) => {
    const first = await ch.message('HELLO', MessageType.Hello);
    const hello = decodeHello(first);
    const cipher = ciphers.find((c) => (hello.ciphers & cipherMask([c])) !== 0);
    if (cipher === undefined) {
      throw new Violation(
        'no-common-cipher',
        `no common cipher: device offers ${describeMask(hello.ciphers)}, this server accepts ${ciphers.map((c) => CIPHER_NAMES[c]).join(', ')}`,
      );
    }
    const eph = x25519KeyPair(options.testOnlyEphemeralSecret);
    const shared = sharedSecret(eph.secret, hello.ephemeral);
    eph.secret.fill(0);
    const h2 = serverHelloUnsigned(cipher, eph.public, serverPublic);
    const signature = signServer(options.serverSecret, first.raw, h2);
    ch.send(Buffer.concat([h2, signature]));
    const transcript = transcriptHash(first.raw, h2, signature);
    const k = deriveKeys(shared, transcript);
    shared.fill(0);

    const auth = openClientAuth(cipher, k.hs, await ch.message('CLIENT_AUTH', MessageType.ClientAuth));
    k.hs.fill(0);
    const devicePublic = Buffer.from(auth.devicePublic);
    if (!verifyClient(devicePublic, transcript, auth.signature)) {
      throw new Violation('bad-signature', `device signature did not verify (device key ${formatKey(devicePublic)})`);
    }

    const decision = await admitDevice(options.admit, devicePublic);
    if (!decision.ok) {
      await ch.sendAndEnd(sealReply(cipher, k.s2c, decision.reject));
      throw new HandshakeError(
        decision.reject.code,
        `device ${formatKey(devicePublic)} rejected (${decision.reject.code}): ${decision.reject.message}`,
        'server',
        undefined,
        { cause: decision.cause },
      );
    }
    // The welcome must reach the kernel before the caller takes the fd away from Node.
    await ch.sendFlushed(sealReply(cipher, k.s2c, decision.welcome));
    const keys: SessionKeys = { cipher, txKey: k.s2c, rxKey: k.c2s, txCounter: 1, rxCounter: 0 };
    return { keys, devicePublic, pending: ch.finish() };
  });
}

type Decision = { ok: true; welcome: WelcomeMessage } | { ok: false; reject: RejectMessage; cause?: unknown };

async function admitDevice(admit: ServerHandshakeOptions['admit'], devicePublic: Buffer): Promise<Decision> {
  const serverError = (detail: string, cause?: unknown): Decision => ({
    ok: false,
    reject: { type: 'reject', code: 'server-error', message: `the server failed while admitting this device: ${detail}` },
    cause,
  });
  let result: AdmitResult;
  try {
    result = await admit(Buffer.from(devicePublic));
  } catch (err) {
    return serverError('admission check failed', err);
  }
  if (typeof result !== 'object' || result === null) return serverError('admission check returned no decision');
  if (result.ok) {
    const welcome = WelcomeMessageSchema.safeParse(result.welcome);
    if (!welcome.success) return serverError(`invalid welcome (${describeIssues(welcome.error)})`, welcome.error);
    return { ok: true, welcome: welcome.data };
  }
  // long messages are shortened (here and again in sealReply to fit the frame), not refused
  const message = typeof result.message === 'string' ? result.message.slice(0, MAX_REJECT_MESSAGE) : result.message;
  const reject = RejectMessageSchema.safeParse({ type: 'reject', code: result.code, message });
  if (!reject.success) return serverError(`invalid reject (${describeIssues(reject.error)})`, reject.error);
  return { ok: false, reject: reject.data };
}

/** seals the welcome/reject as CONTROL at counter 0, shortening a reject message to fit */
function sealReply(cipher: Cipher, key: Buffer, reply: WelcomeMessage | RejectMessage): Buffer {
  const room = MAX_REPLY_SEALED - MIN_SEALED;
  const encode = (r: WelcomeMessage | RejectMessage): Buffer => Buffer.from(JSON.stringify(r));
  let json = encode(reply);
  if (json.length > room && reply.type === 'reject') {
    // the longest prefix of the message that fits (binary search: characters vary in size)
    let lo = 0;
    let hi = reply.message.length;
    while (lo < hi) {
      const mid = Math.ceil((lo + hi) / 2);
      if (encode({ ...reply, message: reply.message.slice(0, mid) }).length <= room) lo = mid;
      else hi = mid - 1;
    }
    json = encode({ ...reply, message: reply.message.slice(0, lo) });
  }
  if (json.length > room) throw new Error(`welcome of ${json.length} bytes does not fit a handshake frame`);
  return sealFrame(cipher, key, 0, Buffer.concat([Buffer.of(FrameType.Control), json]));
}

function decodeReply(plaintext: Buffer): WelcomeMessage | RejectMessage {
  let opened;
  try {
    opened = parsePlaintext(plaintext);
  } catch (err) {
    throw new Violation('malformed', `the server's reply is not a frame this device knows (${(err as FrameError).message})`);
  }
  if (opened.type !== FrameType.Control) {
    throw new Violation('malformed', `the server replied with frame type ${opened.type} instead of a welcome`);
  }
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(opened.body));
  } catch {
    throw new Violation('malformed', `the server's welcome is not UTF-8 JSON`);
  }
  const reply = HandshakeReplySchema.safeParse(json);
  if (!reply.success) throw new Violation('malformed', `the server sent an invalid welcome: ${describeIssues(reply.error)}`);
  return reply.data;
}

function sharedSecret(secret: Buffer, peerEphemeral: Buffer): Buffer {
  const shared = x25519(secret, peerEphemeral);
  if (shared === null) throw new Violation('malformed', 'peer ephemeral key is a low-order point (X25519 result is all zero)');
  return shared;
}

function checkKeyOption(key: unknown, name: string): void {
  if (!Buffer.isBuffer(key) || key.length !== KEY_BYTES) throw new TypeError(`${name} must be a ${KEY_BYTES}-byte Buffer`);
}

const PEER_ABORT_TEXT: Record<Side, Record<AbortName, string>> = {
  // what a server reports when the device aborted
  client: {
    version: "device aborted: it does not support this server's protocol version",
    'no-common-cipher': 'device aborted: it shares no cipher with this server',
    'server-key-not-trusted':
      "device aborted: it does not trust this server's key (check the server public key in the device's config)",
    'bad-signature': "device aborted: this server's signature did not verify",
    malformed: "device aborted: it found this server's handshake malformed",
  },
  // what a device reports when the server aborted
  server: {
    version: "server aborted: it does not support this device's protocol version (update Braid on one side)",
    'no-common-cipher': 'server aborted: it shares no cipher with this device',
    'server-key-not-trusted': 'server aborted: it does not trust its own key',
    'bad-signature': "server aborted: this device's signature did not verify",
    malformed: "server aborted: it found this device's handshake malformed",
  },
};

function peerAbort(message: Message, peer: Side): HandshakeError {
  const { code, reason } = decodeAbort(message);
  const name = abortName(code);
  const text = name ? PEER_ABORT_TEXT[peer][name] : `${peer === 'client' ? 'device' : 'server'} aborted with unknown code ${code}`;
  return new HandshakeError(name ?? 'aborted', text, peer, reason);
}

const otherSide = (side: Side): Side => (side === 'client' ? 'server' : 'client');
const peerName = (side: Side): string => (side === 'client' ? 'device' : 'server');

/**
 * Runs one side's handshake body over the stream: buffers incoming bytes, cuts handshake
 * messages, enforces size and time limits, and on failure says goodbye and closes.
 */
async function run<T>(
  stream: Duplex,
  role: Side,
  timeoutMs = DEFAULT_HANDSHAKE_TIMEOUT_MS,
  body: (ch: Channel) => Promise<T>,
): Promise<T> {
  const ch = new Channel(stream, role);
  const timer = setTimeout(() => {
    ch.fail(new HandshakeError('timeout', `handshake timed out after ${timeoutMs} ms (waiting for ${ch.expecting})`, role));
  }, timeoutMs);
  try {
    const work = body(ch);
    work.catch(() => undefined); // the race below reports it
    return await Promise.race([work, ch.failed]);
  } catch (err) {
    throw ch.close(err);
  } finally {
    clearTimeout(timer);
  }
}

/** the libuv stream handle behind a net.Socket (what net's own pause()/resume() drive) */
interface ReadHandle {
  reading?: boolean;
  readStart?: () => number;
  readStop?: () => number;
}

class Channel {
  expecting = 'HELLO';
  /** what to send when a local check fails (null: nothing, just close) */
  goodbye: ((v: Violation) => Buffer) | null = (v) => encodeAbort(v.code, v.message);
  readonly failed: Promise<never>;
  private rejectFailed!: (error: HandshakeError) => void;
  private buffer = Buffer.alloc(0);
  private wake: (() => void) | null = null;
  private failure: HandshakeError | null = null;
  private ended = false; // we already sent our last bytes and ended the stream
  private eof = false; // the peer closed; buffered bytes are still read before it counts
  private readonly peer: Side;

  private readonly onData = (chunk: Buffer | string): void => {
    this.buffer = Buffer.concat([this.buffer, typeof chunk === 'string' ? Buffer.from(chunk) : chunk]);
    // a peer sending while we are not reading (e.g. during admit) cannot make us buffer much
    if (this.buffer.length > MAX_BUFFERED) {
      this.fail(new HandshakeError('malformed', `${peerName(this.peer)} sent ${this.buffer.length} bytes the handshake did not ask for`, this.role));
    }
    this.wake?.();
  };
  // EOF is noticed by the reader after it used up the buffered bytes, so an ABORT followed by a
  // close is reported as the ABORT
  private readonly onEnd = (): void => {
    this.eof = true;
    this.wake?.();
  };
  private readonly onClose = this.onEnd;
  private readonly onError = (err: Error): void => {
    this.fail(new HandshakeError('socket-error', `connection failed during the handshake: ${err.message}`, this.peer, undefined, { cause: err }));
  };

  constructor(
    private readonly stream: Duplex,
    private readonly role: Side,
  ) {
    this.peer = otherSide(role);
    this.failed = new Promise<never>((_, reject) => (this.rejectFailed = reject));
    this.failed.catch(() => undefined);
    stream.on('data', this.onData);
    stream.on('end', this.onEnd);
    stream.on('close', this.onClose);
    stream.on('error', this.onError);
    if (stream.destroyed || stream.readableEnded) this.eof = true;
  }

  fail(error: HandshakeError): void {
    if (this.failure) return;
    this.failure = error;
    this.rejectFailed(error);
    this.wake?.();
  }

  send(bytes: Buffer): void {
    if (this.failure) throw this.failure; // timed out while the body was busy: stop here
    this.stream.write(bytes);
  }

  /** resolves once the bytes were handed to the kernel (net.Socket write callback) */
  sendFlushed(bytes: Buffer): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      this.stream.write(bytes, (err) => (err ? reject(this.failure ?? err) : resolve()));
    });
  }

  sendAndEnd(bytes: Buffer): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    this.ended = true;
    this.goodbye = null;
    return new Promise((resolve) => this.stream.end(bytes, () => resolve()));
  }

  /** next handshake message; ABORT from the peer and any other type than `type` fail */
  async message(name: string, type: number): Promise<Message> {
    this.expecting = name;
    await this.until(() => this.buffer.length >= 2 && this.checkLength() && this.buffer.length >= 2 + this.buffer.readUInt16BE(0));
    const message = this.take(2 + this.buffer.readUInt16BE(0));
    if (message.type === MessageType.Abort) throw peerAbort(message, this.peer);
    if (message.type !== type) {
      throw new Violation('malformed', `expected ${name} from the ${peerName(this.peer)}, got handshake message type ${message.type}`);
    }
    return message;
  }

  /**
   * The server's answer to CLIENT_AUTH: its sealed CONTROL frame, or an ABORT. A frame here is
   * at most MAX_REPLY_SEALED bytes, so its u32 length starts with two zero bytes, while a
   * handshake message's u16 length is never zero: the first two bytes tell them apart.
   */
  async serverReply(): Promise<Buffer> {
    this.expecting = 'the welcome';
    await this.until(() => this.buffer.length >= 2);
    if (this.buffer.readUInt16BE(0) !== 0) {
      await this.message('the welcome', -1); // throws: ABORT (peer's reason) or malformed
    }
    await this.until(() => {
      if (this.buffer.length < LENGTH_BYTES) return false;
      const sealed = this.buffer.readUInt32BE(0);
      if (sealed < MIN_SEALED || sealed > MAX_REPLY_SEALED) {
        throw new Violation('malformed', `the server's welcome frame has length ${sealed}, outside ${MIN_SEALED}..${MAX_REPLY_SEALED}`);
      }
      return this.buffer.length >= LENGTH_BYTES + sealed;
    });
    const size = LENGTH_BYTES + this.buffer.readUInt32BE(0);
    const frame = Buffer.from(this.buffer.subarray(0, size));
    this.buffer = this.buffer.subarray(size);
    return frame;
  }

  /** success: stop reading (without losing bytes) and return what is left over */
  finish(): Buffer {
    if (this.failure) throw this.failure;
    this.detach();
    const stream = this.stream;
    stream.pause();
    const rest: Buffer[] = [this.buffer];
    for (let chunk = stream.read(); chunk !== null; chunk = stream.read()) {
      rest.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
    }
    // net.Socket keeps reading into its buffer while paused until highWaterMark. Stop it the way
    // net does for its own paused sockets, so the remaining bytes stay in the kernel for the
    // pump, and restart it the same way if the caller resumes the stream instead.
    const handle = (stream as unknown as { _handle?: ReadHandle | null })._handle;
    if (handle && typeof handle.readStop === 'function' && typeof handle.readStart === 'function' && handle.reading) {
      handle.reading = false;
      handle.readStop();
      stream.once('resume', () => {
        if (!handle.reading && !stream.destroyed) {
          handle.reading = true;
          handle.readStart?.();
        }
      });
    }
    this.buffer = Buffer.alloc(0);
    return Buffer.concat(rest);
  }

  /** failure: turn err into a HandshakeError, tell the peer when we may, and close */
  close(err: unknown): HandshakeError {
    const error =
      err instanceof HandshakeError
        ? err
        : err instanceof Violation
          ? new HandshakeError(err.code, err.message, this.role)
          : new HandshakeError('internal', `handshake failed: ${(err as Error)?.message ?? String(err)}`, this.role, undefined, { cause: err });
    this.fail(error);
    this.detach();
    this.stream.on('error', () => undefined); // late errors while closing are expected
    const farewell = err instanceof Violation && this.goodbye ? this.goodbye(err) : null;
    if (farewell && !this.stream.destroyed && !this.ended) {
      this.stream.end(farewell);
      this.linger();
    } else if (this.ended && error.side === this.role && error.code !== 'timeout') {
      this.linger();
    } else {
      this.stream.destroy();
    }
    return error;
  }

  /** closes after the peer saw our last bytes: drain and wait for its close, briefly */
  private linger(): void {
    const stream = this.stream;
    const timer = setTimeout(() => stream.destroy(), LINGER_MS);
    timer.unref?.();
    stream.once('close', () => clearTimeout(timer));
    stream.once('end', () => stream.destroy());
    stream.resume();
  }

  private detach(): void {
    this.stream.off('data', this.onData);
    this.stream.off('end', this.onEnd);
    this.stream.off('close', this.onClose);
    this.stream.off('error', this.onError);
    this.wake = null;
  }

  /** oversized (or empty) handshake messages fail as soon as their length is in */
  private checkLength(): boolean {
    const length = this.buffer.readUInt16BE(0);
    if (length === 0 || length > MAX_MESSAGE) {
      throw new Violation('malformed', `${peerName(this.peer)} sent a handshake message of ${length} bytes (allowed 1..${MAX_MESSAGE})`);
    }
    return true;
  }

  private take(size: number): Message {
    const raw = Buffer.from(this.buffer.subarray(0, size));
    this.buffer = this.buffer.subarray(size);
    return { type: raw[2]!, payload: raw.subarray(3), raw };
  }

  private until(ready: () => boolean): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const check = (): void => {
        if (this.failure) {
          this.wake = null;
          reject(this.failure);
          return;
        }
        let done: boolean;
        try {
          done = ready();
        } catch (err) {
          this.wake = null;
          reject(err);
          return;
        }
        if (done) {
          this.wake = null;
          resolve();
        } else if (this.eof) {
          this.wake = null;
          reject(this.closedError());
        }
      };
      this.wake = check;
      check();
    });
  }

  private closedError(): HandshakeError {
    const have = this.buffer.length > 0 ? ` (${this.buffer.length} bytes of it had arrived)` : '';
    return new HandshakeError('closed', `${peerName(this.peer)} closed the connection during the handshake, waiting for ${this.expecting}${have}`, this.peer);
  }
}

