import test from 'node:test';
import assert from 'node:assert/strict';
import type { Duplex } from 'node:stream';
import type { Cipher } from '../../../native/lib/index';
import {
  HandshakeError,
  clientHandshake,
  rejectUnknownDevice,
  serverHandshake,
  type AdmitResult,
  type ClientHandshakeOptions,
  type ServerHandshakeOptions,
} from '../../../electron/protocol/tunnel/handshake';
import { FrameReceiver, FrameSender, FrameType, openFrame, sealFrame } from '../../../electron/protocol/tunnel/frame';
import { formatKey, publicFromSecret, x25519, x25519KeyPair } from '../../../electron/protocol/tunnel/keys';
import {
  CIPHER_ID,
  MessageType,
  decodeAbort,
  deriveKeys,
  encodeHello,
  encodeMessage,
  openClientAuth,
  sealClientAuth,
  serverHelloUnsigned,
  signClient,
  signServer,
  transcriptHash,
  type Message,
} from '../../../electron/protocol/tunnel/handshake-wire';
import {
  ByteReader,
  DEVICE_PUBLIC,
  DEVICE_SECRET,
  SERVER_PUBLIC,
  SERVER_SECRET,
  WELCOME,
  delay,
  destroyedWithin,
  duplexPair,
  fixedKey,
  flipAt,
  mitm,
  oneByteAtATime,
  rejection,
  socketPair,
  type Tamper,
} from './helpers';

const admitAll = (): AdmitResult => ({ ok: true, welcome: WELCOME });
const clientOptions = (extra: Partial<ClientHandshakeOptions> = {}): ClientHandshakeOptions => ({
  deviceSecret: DEVICE_SECRET,
  serverPublic: SERVER_PUBLIC,
  ...extra,
});
const serverOptions = (extra: Partial<ServerHandshakeOptions> = {}): ServerHandshakeOptions => ({
  serverSecret: SERVER_SECRET,
  admit: admitAll,
  ...extra,
});

const HELLO_BYTES = 42;
const SERVER_HELLO_BYTES = 132;

function assertHandshakeError(err: unknown, code: string, side: 'client' | 'server', message?: RegExp | string): HandshakeError {
  assert.ok(err instanceof HandshakeError, `expected HandshakeError, got ${String(err)}`);
  assert.equal(err.code, code, err.message);
  assert.equal(err.side, side, err.message);
  if (typeof message === 'string') assert.equal(err.message, message);
  else if (message) assert.match(err.message, message);
  return err;
}

function message(raw: Buffer): Message {
  return { type: raw[2]!, payload: raw.subarray(3), raw };
}

/** runs both real sides over a client/server stream pair; both settle */
async function both(client: Duplex, server: Duplex, c: Partial<ClientHandshakeOptions> = {}, s: Partial<ServerHandshakeOptions> = {}) {
  const [clientResult, serverResult] = await Promise.allSettled([
    clientHandshake(client, clientOptions(c)),
    serverHandshake(server, serverOptions(s)),
  ]);
  return { clientResult, serverResult };
}

function fulfilled<T>(r: PromiseSettledResult<T>): T {
  if (r.status === 'rejected') throw r.reason;
  return r.value;
}

function rejected(r: PromiseSettledResult<unknown>): unknown {
  assert.equal(r.status, 'rejected', 'expected a rejection');
  return (r as PromiseRejectedResult).reason;
}

/** a hand-made server over a raw stream: correct up to CLIENT_AUTH, then says `reply` */
async function fakeServer(
  stream: Duplex,
  options: { cipher?: Cipher; ephemeral?: Buffer; serverSecret?: Buffer; reply?: (k: ReturnType<typeof deriveKeys>, cipher: Cipher) => Buffer },
) {
  const reader = new ByteReader(stream);
  const h1 = await reader.message();
  const cipher = options.cipher ?? 'aes-256-gcm';
  const secret = options.serverSecret ?? SERVER_SECRET;
  const eph = x25519KeyPair();
  const ephPublic = options.ephemeral ?? eph.public;
  const h2 = serverHelloUnsigned(cipher, ephPublic, publicFromSecret(secret));
  const sig = signServer(secret, h1, h2);
  stream.write(Buffer.concat([h2, sig]));
  const transcript = transcriptHash(h1, h2, sig);
  const shared = x25519(eph.secret, h1.subarray(h1.length - 32));
  assert.ok(shared);
  const k = deriveKeys(shared, transcript);
  const auth = openClientAuth(cipher, k.hs, message(await reader.message()));
  assert.deepEqual(auth.devicePublic, DEVICE_PUBLIC);
  if (options.reply) stream.write(options.reply(k, cipher));
  return { reader, k, cipher };
}

const control = (json: unknown): Buffer => Buffer.concat([Buffer.of(FrameType.Control), Buffer.from(JSON.stringify(json))]);

/** a hand-made client over a raw stream: HELLO, then CLIENT_AUTH signed by `signer` */
async function fakeClient(stream: Duplex, options: { hello?: Buffer; signer?: Buffer; ephemeral?: Buffer } = {}) {
  const reader = new ByteReader(stream);
  const eph = x25519KeyPair();
  const h1 = options.hello ?? encodeHello(3, options.ephemeral ?? eph.public);
  stream.write(h1);
  const serverHello = await reader.message();
  if (serverHello[2] === MessageType.Abort) return { reader, abort: decodeAbort(message(serverHello)) };
  const h2 = serverHello.subarray(0, serverHello.length - 64);
  const sig = serverHello.subarray(serverHello.length - 64);
  const transcript = transcriptHash(h1, h2, sig);
  const k = deriveKeys(x25519(eph.secret, serverHello.subarray(4, 36))!, transcript);
  const cipher: Cipher = serverHello[3] === CIPHER_ID['aes-256-gcm'] ? 'aes-256-gcm' : 'chacha20-poly1305';
  stream.write(sealClientAuth(cipher, k.hs, DEVICE_PUBLIC, signClient(options.signer ?? DEVICE_SECRET, transcript)));
  return { reader, k, cipher, abort: undefined };
}

async function expectAbort(reader: ByteReader, code: number): Promise<string> {
  const abort = decodeAbort(message(await reader.message()));
  assert.equal(abort.code, code, `ABORT code (reason: ${abort.reason})`);
  await reader.closed();
  return abort.reason;
}

// --- success -----------------------------------------------------------------------------

test('handshake over TCP: both sides agree on keys, counters continue after the welcome', async () => {
  const [clientSocket, serverSocket] = await socketPair();
  const { clientResult, serverResult } = await both(clientSocket, serverSocket);
  const client = fulfilled(clientResult);
  const server = fulfilled(serverResult);
  assert.deepEqual(client.welcome, WELCOME);
  assert.deepEqual(server.devicePublic, DEVICE_PUBLIC);
  assert.equal(client.keys.cipher, 'aes-256-gcm', 'the server prefers AES-256-GCM');
  assert.equal(server.keys.cipher, 'aes-256-gcm');
  assert.deepEqual(client.keys.txKey, server.keys.rxKey);
  assert.deepEqual(client.keys.rxKey, server.keys.txKey);
  assert.notDeepEqual(client.keys.txKey, client.keys.rxKey);
  assert.deepEqual([client.keys.txCounter, client.keys.rxCounter], [0, 1]);
  assert.deepEqual([server.keys.txCounter, server.keys.rxCounter], [1, 0]);
  assert.equal(client.pending.length, 0);
  assert.equal(server.pending.length, 0);

  // frames flow both ways with the returned keys and counters
  const toClient = new FrameSender(server.keys.cipher, server.keys.txKey, server.keys.txCounter);
  const toServer = new FrameSender(client.keys.cipher, client.keys.txKey, client.keys.txCounter);
  const clientReader = new ByteReader(clientSocket);
  const serverReader = new ByteReader(serverSocket);
  serverSocket.write(toClient.seal(FrameType.Data, Buffer.alloc(100, 1)));
  clientSocket.write(toServer.seal(FrameType.Data, Buffer.alloc(100, 2)));
  const atClient = new FrameReceiver(client.keys.cipher, client.keys.rxKey, client.keys.rxCounter).open(await clientReader.frame());
  const atServer = new FrameReceiver(server.keys.cipher, server.keys.rxKey, server.keys.rxCounter).open(await serverReader.frame());
  assert.deepEqual(atClient.body, Buffer.alloc(100, 1));
  assert.deepEqual(atServer.body, Buffer.alloc(100, 2));
  clientSocket.destroy();
  serverSocket.destroy();
});

test('cipher choice: ChaCha20-Poly1305 when the device offers only it, or when the server prefers it', async () => {
  for (const [c, s] of [
    [['chacha20-poly1305'], undefined],
    [undefined, ['chacha20-poly1305', 'aes-256-gcm']],
    [['aes-256-gcm', 'chacha20-poly1305'], ['chacha20-poly1305']],
  ] as Array<[Cipher[] | undefined, Cipher[] | undefined]>) {
    const [a, b] = duplexPair();
    const { clientResult, serverResult } = await both(a, b, { ciphers: c }, { ciphers: s });
    assert.equal(fulfilled(clientResult).keys.cipher, 'chacha20-poly1305');
    assert.deepEqual(fulfilled(clientResult).keys.rxKey, fulfilled(serverResult).keys.txKey);
  }
});

test('handshake succeeds when every byte arrives in its own chunk', async () => {
  const m = mitm(oneByteAtATime, oneByteAtATime);
  const { clientResult, serverResult } = await both(m.client, m.server);
  assert.deepEqual(fulfilled(clientResult).keys.txKey, fulfilled(serverResult).keys.rxKey);
  assert.equal(fulfilled(clientResult).pending.length, 0);
});

test('async admit is awaited', async () => {
  const [a, b] = duplexPair();
  const { clientResult } = await both(a, b, {}, { admit: async () => (await delay(20), admitAll()) });
  assert.deepEqual(fulfilled(clientResult).welcome, WELCOME);
});

test('pending: bytes that arrive with the welcome are returned, later bytes are left unread', async () => {
  const held: Buffer[] = [];
  const m = mitm(undefined, (chunk, offset) => {
    // hold everything after SERVER_HELLO (the welcome) so it arrives together with a frame
    const cut = Math.max(0, Math.min(chunk.length, SERVER_HELLO_BYTES - offset));
    held.push(chunk.subarray(cut));
    return chunk.subarray(0, cut);
  });
  const clientPromise = clientHandshake(m.client, clientOptions());
  const server = await serverHandshake(m.server, serverOptions());
  const sender = new FrameSender(server.keys.cipher, server.keys.txKey, server.keys.txCounter);
  const frame1 = sender.seal(FrameType.Data, Buffer.alloc(50, 7));
  const frame2 = sender.seal(FrameType.Data, Buffer.alloc(50, 8));
  m.clientPeer.write(Buffer.concat([...held, frame1, frame2.subarray(0, 10)]));
  const client = await clientPromise;
  assert.deepEqual(client.pending, Buffer.concat([frame1, frame2.subarray(0, 10)]));
  assert.equal(m.client.listenerCount('data'), 0);
  assert.equal(m.client.isPaused(), true);
  m.clientPeer.write(frame2.subarray(10));
  await delay(10);
  assert.equal(m.client.readableLength, frame2.length - 10, 'later bytes stay in the stream');
  const rx = new FrameReceiver(client.keys.cipher, client.keys.rxKey, client.keys.rxCounter);
  assert.deepEqual(rx.open(frame1).body, Buffer.alloc(50, 7));
  assert.deepEqual(rx.open(Buffer.concat([client.pending.subarray(frame1.length), m.client.read() as Buffer])).body, Buffer.alloc(50, 8));
});

test('TCP: after the handshake Node stops reading the socket, so the bytes stay in the kernel for the pump', async () => {
  const [clientSocket, serverSocket] = await socketPair();
  const { clientResult, serverResult } = await both(clientSocket, serverSocket);
  const client = fulfilled(clientResult);
  const server = fulfilled(serverResult);
  const sender = new FrameSender(server.keys.cipher, server.keys.txKey, server.keys.txCounter);
  const frame = sender.seal(FrameType.Data, Buffer.alloc(1000, 3));
  serverSocket.write(frame);
  await delay(100);
  assert.equal(clientSocket.readableLength, 0, 'nothing was pulled into the Node stream');
  assert.equal(clientSocket.listenerCount('data'), 0);
  const reader = new ByteReader(clientSocket); // resumes: the bytes were waiting in the kernel
  const got = await reader.frame();
  const rx = new FrameReceiver(client.keys.cipher, client.keys.rxKey, client.keys.rxCounter);
  assert.deepEqual(rx.open(Buffer.concat([client.pending, got])).body, Buffer.alloc(1000, 3));
  clientSocket.destroy();
  serverSocket.destroy();
});

// --- authentication failures --------------------------------------------------------------

test('wrong pinned server key: the client aborts with code 3 and the server says why', async () => {
  const [clientSocket, serverSocket] = await socketPair();
  const pinned = publicFromSecret(fixedKey('some other server'));
  const { clientResult, serverResult } = await both(clientSocket, serverSocket, { serverPublic: pinned });
  assertHandshakeError(
    rejected(clientResult),
    'server-key-not-trusted',
    'client',
    `server key not trusted: server presented ${formatKey(SERVER_PUBLIC)}, expected ${formatKey(pinned)}`,
  );
  const err = assertHandshakeError(
    rejected(serverResult),
    'server-key-not-trusted',
    'client',
    "device aborted: it does not trust this server's key (check the server public key in the device's config)",
  );
  assert.match(err.peerReason ?? '', /^server key not trusted/);
  await Promise.all([destroyedWithin(clientSocket), destroyedWithin(serverSocket)]);
});

test('unknown device: the server sends a sealed reject and the client says so', async () => {
  const [clientSocket, serverSocket] = await socketPair();
  const { clientResult, serverResult } = await both(clientSocket, serverSocket, {}, { admit: rejectUnknownDevice });
  assertHandshakeError(
    rejected(clientResult),
    'unknown-device',
    'server',
    `server rejected this device (unknown-device): device key ${formatKey(DEVICE_PUBLIC)} is not admitted by this server`,
  );
  assertHandshakeError(
    rejected(serverResult),
    'unknown-device',
    'server',
    `device ${formatKey(DEVICE_PUBLIC)} rejected (unknown-device): device key ${formatKey(DEVICE_PUBLIC)} is not admitted by this server`,
  );
  await Promise.all([destroyedWithin(clientSocket), destroyedWithin(serverSocket)]);
});

test('forged server signature: the client aborts with code 4', async () => {
  const m = mitm(undefined, flipAt(2 + 1 + 1 + 32 + 32 + 5));
  const { clientResult, serverResult } = await both(m.client, m.server);
  assertHandshakeError(rejected(clientResult), 'bad-signature', 'client', /^server signature did not verify/);
  assertHandshakeError(rejected(serverResult), 'bad-signature', 'client', "device aborted: this server's signature did not verify");
});

test('a man in the middle downgrading the cipher offer is caught by the signature', async () => {
  const m = mitm((chunk, offset) => {
    if (offset > 9 || offset + chunk.length <= 9) return chunk;
    const copy = Buffer.from(chunk);
    assert.equal(copy[9 - offset], 3);
    copy[9 - offset] = 2; // offer only ChaCha20-Poly1305
    return copy;
  });
  const { clientResult, serverResult } = await both(m.client, m.server);
  assertHandshakeError(rejected(clientResult), 'bad-signature', 'client');
  assertHandshakeError(rejected(serverResult), 'bad-signature', 'client');
});

test('a swapped ephemeral key in HELLO is caught by the signature', async () => {
  const m = mitm(flipAt(HELLO_BYTES - 3));
  const { clientResult } = await both(m.client, m.server);
  assertHandshakeError(rejected(clientResult), 'bad-signature', 'client');
});

test('tampered CLIENT_AUTH: the server aborts with code 5', async () => {
  const m = mitm(flipAt(HELLO_BYTES + 20));
  const { clientResult, serverResult } = await both(m.client, m.server);
  assertHandshakeError(rejected(serverResult), 'malformed', 'server', /^CLIENT_AUTH failed authentication/);
  assertHandshakeError(rejected(clientResult), 'malformed', 'server', "server aborted: it found this device's handshake malformed");
});

test('bad device signature: the server aborts with code 4', async () => {
  const [a, b] = duplexPair();
  const serverPromise = serverHandshake(b, serverOptions());
  const fake = await fakeClient(a, { signer: fixedKey('not the device') });
  assert.equal(await expectAbort(fake.reader, 4), `device signature did not verify (device key ${formatKey(DEVICE_PUBLIC)})`);
  assertHandshakeError(await rejection(serverPromise), 'bad-signature', 'server', /^device signature did not verify/);
});

test('tampered welcome: the client fails and tells the server with a sealed CLOSE frame', async () => {
  const m = mitm(undefined, flipAt(SERVER_HELLO_BYTES + 10));
  const { clientResult, serverResult } = await both(m.client, m.server);
  assertHandshakeError(rejected(clientResult), 'malformed', 'client', /^the server's welcome frame failed authentication/);
  const server = fulfilled(serverResult); // the server cannot know yet; its pump will read the CLOSE
  const frame = await new ByteReader(m.server, server.pending).frame();
  const closed = new FrameReceiver(server.keys.cipher, server.keys.rxKey, server.keys.rxCounter).open(frame);
  assert.equal(closed.type, FrameType.Close);
  assert.match(closed.body.toString(), /welcome frame failed authentication/);
});

// --- malformed input ------------------------------------------------------------------------

async function serverGets(bytes: Buffer, abortCode: number, code: string, text: RegExp) {
  const [a, b] = duplexPair();
  const serverPromise = serverHandshake(b, serverOptions({ timeoutMs: 2000 }));
  const reader = new ByteReader(a);
  a.write(bytes);
  assertHandshakeError(await rejection(serverPromise), code, 'server', text);
  await expectAbort(reader, abortCode);
}

test('server: garbage (an HTTP request) is refused as an oversized message, with ABORT 5', async () => {
  await serverGets(Buffer.from('GET / HTTP/1.1\r\nHost: braid\r\n\r\n'), 5, 'malformed', /^device sent a handshake message of 18245 bytes \(allowed 1\.\.1024\)$/);
});

test('server: an oversized length fails before the body arrives; a zero length too', async () => {
  await serverGets(Buffer.from([0x04, 0x01]), 5, 'malformed', /message of 1025 bytes/);
  await serverGets(Buffer.from([0x00, 0x00, 0x01]), 5, 'malformed', /message of 0 bytes/);
});

test('server: HELLO checks (magic, version, size, cipher, first message type, low-order key)', async () => {
  const eph = x25519KeyPair().public;
  const good = encodeHello(3, eph);
  const withByte = (at: number, value: number): Buffer => {
    const copy = Buffer.from(good);
    copy[at] = value;
    return copy;
  };
  await serverGets(withByte(3, 0x62), 5, 'malformed', /^not a Braid client/);
  await serverGets(withByte(8, 2), 1, 'version', /^device speaks protocol version 2, this server speaks 1$/);
  await serverGets(withByte(9, 0), 2, 'no-common-cipher', /^no common cipher: device offers none \(mask 0\)/);
  await serverGets(withByte(9, 4), 2, 'no-common-cipher', /mask 4/);
  await serverGets(encodeMessage(MessageType.Hello, Buffer.concat([good.subarray(3), Buffer.of(0)])), 5, 'malformed', /^HELLO has 41 bytes, expected 40$/);
  await serverGets(encodeMessage(MessageType.ClientAuth, Buffer.alloc(10)), 5, 'malformed', /^expected HELLO from the device, got handshake message type 3$/);
  await serverGets(encodeHello(3, Buffer.alloc(32)), 5, 'malformed', /low-order point/);
});

test('no common cipher between real sides: the server aborts with code 2', async () => {
  const [a, b] = duplexPair();
  const { clientResult, serverResult } = await both(a, b, { ciphers: ['aes-256-gcm'] }, { ciphers: ['chacha20-poly1305'] });
  assertHandshakeError(rejected(clientResult), 'no-common-cipher', 'server', 'server aborted: it shares no cipher with this device');
  assertHandshakeError(
    rejected(serverResult),
    'no-common-cipher',
    'server',
    'no common cipher: device offers AES-256-GCM, this server accepts ChaCha20-Poly1305',
  );
});

test('client: SERVER_HELLO checks (size, type, chosen cipher, low-order key), each answered with ABORT', async () => {
  const cases: Array<[Buffer | ((h1: Buffer) => Buffer), number, string, RegExp]> = [
    [Buffer.from('HTTP/1.1 400 Bad Request\r\n\r\n'), 5, 'malformed', /^server sent a handshake message of 18516 bytes/],
    [encodeMessage(MessageType.ServerHello, Buffer.alloc(100)), 5, 'malformed', /^SERVER_HELLO has 101 bytes, expected 130$/],
    [encodeMessage(MessageType.Hello, Buffer.alloc(39)), 5, 'malformed', /^expected SERVER_HELLO from the server, got handshake message type 1$/],
  ];
  for (const [reply, abortCode, code, text] of cases) {
    const [a, b] = duplexPair();
    const clientPromise = clientHandshake(a, clientOptions({ timeoutMs: 2000 }));
    const reader = new ByteReader(b);
    const h1 = await reader.message();
    b.write(typeof reply === 'function' ? reply(h1) : reply);
    assertHandshakeError(await rejection(clientPromise), code, 'client', text);
    await expectAbort(reader, abortCode);
  }
  // a properly signed SERVER_HELLO that picks a cipher the device did not offer
  {
    const [a, b] = duplexPair();
    const clientPromise = clientHandshake(a, clientOptions({ ciphers: ['aes-256-gcm'] }));
    const fake = fakeServer(b, { cipher: 'chacha20-poly1305' });
    fake.catch(() => undefined);
    assertHandshakeError(
      await rejection(clientPromise),
      'no-common-cipher',
      'client',
      'server chose cipher 2, but this device offered only AES-256-GCM',
    );
  }
  // a properly signed SERVER_HELLO with a low-order ephemeral key
  {
    const [a, b] = duplexPair();
    const clientPromise = clientHandshake(a, clientOptions());
    const fake = fakeServer(b, { ephemeral: Buffer.alloc(32) });
    fake.catch(() => undefined);
    assertHandshakeError(await rejection(clientPromise), 'malformed', 'client', /low-order point/);
  }
});

test('truncated messages: the peer closing mid-message is reported as closed, with how far it got', async () => {
  {
    const [a, b] = duplexPair();
    const clientPromise = clientHandshake(a, clientOptions());
    const reader = new ByteReader(b);
    await reader.message();
    b.end(Buffer.alloc(50, 0).fill(0x84, 1, 2)); // u16 length 132, then only 48 more bytes
    assertHandshakeError(
      await rejection(clientPromise),
      'closed',
      'server',
      'server closed the connection during the handshake, waiting for SERVER_HELLO (50 bytes of it had arrived)',
    );
  }
  {
    const [a, b] = duplexPair();
    const serverPromise = serverHandshake(b, serverOptions());
    a.end(encodeHello(3, x25519KeyPair().public).subarray(0, 20));
    assertHandshakeError(await rejection(serverPromise), 'closed', 'client', /^device closed the connection during the handshake, waiting for HELLO \(20 bytes/);
  }
  {
    const [a, b] = duplexPair();
    const serverPromise = serverHandshake(b, serverOptions());
    const reader = new ByteReader(a);
    a.write(encodeHello(3, x25519KeyPair().public));
    await reader.read(SERVER_HELLO_BYTES); // then hang up instead of sending CLIENT_AUTH
    a.destroy();
    assertHandshakeError(await rejection(serverPromise), 'closed', 'client', /waiting for CLIENT_AUTH/);
  }
});

test('client: welcome checks (size, type, JSON, schema); failures are told with a sealed CLOSE', async () => {
  const cases: Array<[(k: ReturnType<typeof deriveKeys>, c: Cipher) => Buffer, RegExp]> = [
    [(k, c) => sealFrame(c, k.s2c, 0, control({ ...WELCOME, mtu: 'big' })), /^the server sent an invalid welcome: mtu: /],
    [(k, c) => sealFrame(c, k.s2c, 0, control({ ...WELCOME, address: '10.77.0.300/24' })), /invalid welcome: address: /],
    [(k, c) => sealFrame(c, k.s2c, 0, control({ type: 'hello' })), /invalid welcome/],
    [(k, c) => sealFrame(c, k.s2c, 0, Buffer.concat([Buffer.of(FrameType.Control), Buffer.from('{nope')])), /not UTF-8 JSON/],
    [(k, c) => sealFrame(c, k.s2c, 0, Buffer.concat([Buffer.of(FrameType.Data), Buffer.alloc(20)])), /replied with frame type 1 instead of a welcome/],
    [(k, c) => sealFrame(c, k.s2c, 1, control(WELCOME)), /welcome frame failed authentication/],
    [(k, c) => sealFrame(c, k.s2c, 0, control({ ...WELCOME, server: 'x'.repeat(1100) })), /welcome frame has length 1\d{3}, outside 17\.\.1024$/],
  ];
  for (const [reply, text] of cases) {
    const [a, b] = duplexPair();
    const clientPromise = clientHandshake(a, clientOptions());
    const fake = await fakeServer(b, { reply });
    assertHandshakeError(await rejection(clientPromise), 'malformed', 'client', text);
    const close = openFrame(fake.cipher, fake.k.c2s, 0, await fake.reader.frame());
    assert.equal(close[0], FrameType.Close);
    assert.match(close.subarray(1).toString(), text);
  }
});

test('client: unknown welcome fields from a newer server are accepted and stripped', async () => {
  const [a, b] = duplexPair();
  const clientPromise = clientHandshake(a, clientOptions());
  await fakeServer(b, { reply: (k, c) => sealFrame(c, k.s2c, 0, control({ ...WELCOME, dns: ['10.77.0.1'] })) });
  assert.deepEqual((await clientPromise).welcome, WELCOME);
});

// --- ABORT handling -------------------------------------------------------------------------

test('ABORT from the server: code names, sanitized reason, unknown codes, ABORT then close', async () => {
  const cases: Array<[Buffer, string, string | RegExp, string | undefined]> = [
    [encodeMessage(MessageType.Abort, Buffer.concat([Buffer.of(1), Buffer.from('too\u0000new\n')])), 'version', /^server aborted: it does not support this device's protocol version/, 'too new'],
    [encodeMessage(MessageType.Abort, Buffer.of(99)), 'aborted', 'server aborted with unknown code 99', ''],
    [encodeMessage(MessageType.Abort, Buffer.alloc(0)), 'malformed', 'ABORT without a code', undefined],
  ];
  for (const [abort, code, text, reason] of cases) {
    const [a, b] = duplexPair();
    const clientPromise = clientHandshake(a, clientOptions());
    await new ByteReader(b).message();
    b.end(abort); // ABORT and close in the same tick: the ABORT still wins
    const err = assertHandshakeError(await rejection(clientPromise), code, code === 'malformed' ? 'client' : 'server', text);
    assert.equal(err.peerReason, reason);
  }
});

test('ABORT from the server in place of the welcome is read as an ABORT, not as a frame', async () => {
  const [a, b] = duplexPair();
  const clientPromise = clientHandshake(a, clientOptions());
  await fakeServer(b, { reply: () => encodeMessage(MessageType.Abort, Buffer.concat([Buffer.of(4), Buffer.from('nope')])) });
  const err = assertHandshakeError(await rejection(clientPromise), 'bad-signature', 'server', "server aborted: this device's signature did not verify");
  assert.equal(err.peerReason, 'nope');
});

test('ABORT from the device is reported by the server with the device as the side', async () => {
  const [a, b] = duplexPair();
  const serverPromise = serverHandshake(b, serverOptions());
  a.write(encodeMessage(MessageType.Abort, Buffer.concat([Buffer.of(5), Buffer.from('bye')])));
  const err = assertHandshakeError(await rejection(serverPromise), 'malformed', 'client', "device aborted: it found this server's handshake malformed");
  assert.equal(err.peerReason, 'bye');
});

// --- timeouts ---------------------------------------------------------------------------------

test('timeouts bound the whole handshake on both sides, admit included', async () => {
  {
    const [a, b] = duplexPair();
    const started = Date.now();
    const err = await rejection(serverHandshake(b, serverOptions({ timeoutMs: 150 })));
    assertHandshakeError(err, 'timeout', 'server', 'handshake timed out after 150 ms (waiting for HELLO)');
    assert.ok(Date.now() - started >= 140 && Date.now() - started < 2000);
    await new ByteReader(a).closed(); // the server closed the connection
  }
  {
    const [a, b] = duplexPair();
    const reader = new ByteReader(b);
    const err = await rejection(clientHandshake(a, clientOptions({ timeoutMs: 150 })));
    assertHandshakeError(err, 'timeout', 'client', 'handshake timed out after 150 ms (waiting for SERVER_HELLO)');
    await reader.closed();
  }
  {
    const [a, b] = duplexPair();
    const { clientResult, serverResult } = await both(a, b, {}, { timeoutMs: 150, admit: () => new Promise<AdmitResult>(() => undefined) });
    assertHandshakeError(rejected(serverResult), 'timeout', 'server', /waiting for CLIENT_AUTH/);
    assertHandshakeError(rejected(clientResult), 'closed', 'server', /waiting for the welcome/);
  }
});

test('a device flooding the server while admit runs is cut off', async () => {
  const [a, b] = duplexPair();
  const serverPromise = serverHandshake(b, serverOptions({ admit: () => new Promise<AdmitResult>(() => undefined) }));
  const fake = await fakeClient(a);
  for (let i = 0; i < 20; i++) a.write(Buffer.alloc(64 * 1024));
  assertHandshakeError(await rejection(serverPromise), 'malformed', 'server', /^device sent \d+ bytes the handshake did not ask for$/);
  await fake.reader.closed();
});

// --- server decisions and options -------------------------------------------------------------

test('admit throwing or returning an invalid welcome rejects the device with server-error', async () => {
  {
    const [a, b] = duplexPair();
    const boom = new Error('database gone');
    const { clientResult, serverResult } = await both(a, b, {}, { admit: () => { throw boom; } });
    assertHandshakeError(rejected(clientResult), 'server-error', 'server', /^server rejected this device \(server-error\): the server failed while admitting this device/);
    const err = assertHandshakeError(rejected(serverResult), 'server-error', 'server');
    assert.equal(err.cause, boom);
  }
  {
    const [a, b] = duplexPair();
    const { clientResult, serverResult } = await both(a, b, {}, { admit: () => ({ ok: true, welcome: { ...WELCOME, address: 'nope' } }) });
    assertHandshakeError(rejected(clientResult), 'server-error', 'server', /invalid welcome \(address: /);
    assertHandshakeError(rejected(serverResult), 'server-error', 'server', /invalid welcome \(address: /);
  }
});

test('a long reject message is shortened to fit the 1024-byte handshake frame', async () => {
  const [a, b] = duplexPair();
  const { clientResult } = await both(a, b, {}, { admit: () => ({ ok: false, code: 'device-disabled', message: 'é'.repeat(3000) }) });
  const err = assertHandshakeError(rejected(clientResult), 'device-disabled', 'server', /^server rejected this device \(device-disabled\): é+$/);
  assert.ok(err.message.length > 300 && err.message.length < 1024);
});

test('options are checked up front; a closed stream fails at once', async () => {
  const [a] = duplexPair();
  assert.throws(() => clientHandshake(a, clientOptions({ serverPublic: Buffer.alloc(31) })), /serverPublic must be a 32-byte Buffer/);
  assert.throws(() => clientHandshake(a, clientOptions({ ciphers: [] })), /at least one cipher/);
  assert.throws(() => serverHandshake(a, serverOptions({ serverSecret: Buffer.alloc(0) })), /serverSecret must be a 32-byte Buffer/);
  a.destroy();
  assertHandshakeError(await rejection(clientHandshake(a, clientOptions())), 'closed', 'server', /waiting for SERVER_HELLO/);
});

test('the tamper helper itself changes what it should (guards the tests above)', () => {
  const tamper: Tamper = flipAt(5);
  assert.deepEqual(tamper(Buffer.alloc(4), 0), Buffer.alloc(4));
  assert.deepEqual(tamper(Buffer.alloc(4), 4), Buffer.from([0, 1, 0, 0]));
});
