// Test plumbing for the tunnel protocol: stream pairs (in memory and real TCP on 127.0.0.1),
// a man-in-the-middle relay with byte-level control, and a reader for raw peers.
import crypto from 'node:crypto';
import net from 'node:net';
import { Duplex } from 'node:stream';
import { publicFromSecret } from '../../../electron/protocol/tunnel/keys';

export const fixedKey = (label: string): Buffer => crypto.createHash('sha256').update(label).digest();

export const DEVICE_SECRET = fixedKey('braid test device');
export const DEVICE_PUBLIC = publicFromSecret(DEVICE_SECRET);
export const SERVER_SECRET = fixedKey('braid test server');
export const SERVER_PUBLIC = publicFromSecret(SERVER_SECRET);

export const WELCOME = {
  type: 'welcome' as const,
  address: '10.77.0.2/24',
  address6: null,
  mtu: 1500,
  server: 'braid 0.1.0',
};

/** in-memory connected pair: end() is a FIN, destroy() is seen by the peer as EOF */
class End extends Duplex {
  peer!: End;
  private eofPushed = false;
  override _read(): void {}
  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    if (!this.peer.destroyed && !this.peer.eofPushed) this.peer.push(chunk);
    callback();
  }
  override _final(callback: (error?: Error | null) => void): void {
    this.peer.eof();
    callback();
  }
  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.peer.eof();
    callback(error);
  }
  eof(): void {
    if (this.eofPushed || this.destroyed) return;
    this.eofPushed = true;
    this.push(null);
  }
}

export function duplexPair(): [Duplex, Duplex] {
  const a = new End();
  const b = new End();
  a.peer = b;
  b.peer = a;
  return [a, b];
}

/** a real TCP connection over loopback: [client socket, server socket] */
export async function socketPair(): Promise<[net.Socket, net.Socket]> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  const accepted = new Promise<net.Socket>((resolve) => server.once('connection', resolve));
  const client = net.connect(port, '127.0.0.1');
  await new Promise<void>((resolve, reject) => {
    client.once('connect', resolve);
    client.once('error', reject);
  });
  const socket = await accepted;
  server.close();
  return [client, socket];
}

export type Tamper = (chunk: Buffer, offset: number) => Buffer | Buffer[];

/**
 * client <-> [relay] <-> server. Each direction's chunks pass through a tamper function that
 * sees the chunk and its byte offset in that direction; it returns what to forward.
 */
export function mitm(toServer: Tamper = (c) => c, toClient: Tamper = (c) => c): {
  client: Duplex;
  server: Duplex;
  clientPeer: Duplex;
  serverPeer: Duplex;
} {
  const [client, clientPeer] = duplexPair();
  const [server, serverPeer] = duplexPair();
  const wire = (from: Duplex, to: Duplex, tamper: Tamper): void => {
    let offset = 0;
    from.on('data', (chunk: Buffer) => {
      const out = tamper(chunk, offset);
      offset += chunk.length;
      for (const piece of Array.isArray(out) ? out : [out]) if (piece.length > 0 && !to.destroyed) to.write(piece);
    });
    from.on('end', () => to.end());
    from.on('close', () => to.destroy());
  };
  wire(clientPeer, serverPeer, toServer);
  wire(serverPeer, clientPeer, toClient);
  return { client, server, clientPeer, serverPeer };
}

/** flips one bit at an absolute offset of a direction's byte stream */
export function flipAt(position: number, mask = 0x01): Tamper {
  return (chunk, offset) => {
    if (position < offset || position >= offset + chunk.length) return chunk;
    const copy = Buffer.from(chunk);
    copy[position - offset]! ^= mask;
    return copy;
  };
}

/** splits every chunk into single bytes */
export const oneByteAtATime: Tamper = (chunk) => [...chunk].map((b) => Buffer.of(b));

/** reads a raw byte stream for fake peers */
export class ByteReader {
  private buffer = Buffer.alloc(0);
  private waiters: Array<() => void> = [];
  ended = false;

  /** `initial`: bytes already taken off the stream (a handshake's pending) */
  constructor(stream: Duplex, initial: Buffer = Buffer.alloc(0)) {
    this.buffer = Buffer.from(initial);
    stream.on('data', (chunk: Buffer) => {
      this.buffer = Buffer.concat([this.buffer, chunk]);
      this.notify();
    });
    const end = (): void => {
      this.ended = true;
      this.notify();
    };
    stream.on('end', end);
    stream.on('close', end);
    stream.on('error', () => undefined);
    stream.resume(); // a stream handed over after a handshake is explicitly paused
  }

  async read(size: number): Promise<Buffer> {
    while (this.buffer.length < size) {
      if (this.ended) throw new Error(`stream ended after ${this.buffer.length} of ${size} bytes`);
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
    const out = this.buffer.subarray(0, size);
    this.buffer = this.buffer.subarray(size);
    return Buffer.from(out);
  }

  /** one u16-length handshake message, with its length prefix */
  async message(): Promise<Buffer> {
    const header = await this.read(2);
    return Buffer.concat([header, await this.read(header.readUInt16BE(0))]);
  }

  /** one u32-length frame, with its length prefix */
  async frame(): Promise<Buffer> {
    const header = await this.read(4);
    return Buffer.concat([header, await this.read(header.readUInt32BE(0))]);
  }

  /** resolves when the peer closed; returns whatever arrived and was not read */
  async closed(): Promise<Buffer> {
    while (!this.ended) await new Promise<void>((resolve) => this.waiters.push(resolve));
    return this.buffer;
  }

  private notify(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const wake of waiters) wake();
  }
}

/** resolves once the stream is destroyed; fails after `ms` */
export function destroyedWithin(stream: Duplex, ms = 2000): Promise<void> {
  if (stream.destroyed) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`stream still open after ${ms} ms`)), ms);
    stream.once('close', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

export const delay = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** awaits a promise that must reject, and returns the rejection */
export async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (err) {
    return err;
  }
  throw new Error('expected the promise to reject, it resolved');
}
