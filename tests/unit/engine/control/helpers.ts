// Shared fakes for control socket tests: an engine, credentials, accounts and a raw NDJSON client.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import test from 'node:test';
import type { ClientStatus, EngineStatus, HistorySample, LinkCap, LinkMode } from '../../../../electron/protocol/control';
import { EngineRequestError, type EngineApi } from '../../../../electron/engine/engine-api';
import type { AccountsPort } from '../../../../electron/engine/control/access';
import type { CredentialPort, PeerIdentity } from '../../../../electron/engine/control/credentials';

export function clientStatus(overrides: Partial<ClientStatus> = {}): ClientStatus {
  return {
    mode: 'client',
    version: '9.9.9',
    tunnel: { state: 'connected', target: 'connected', since: 1_700_000_000_000, server: '203.0.113.7:7443', reconnects: 0 },
    paths: [
      {
        link: 'eth0',
        kind: 'ethernet',
        mode: 'on',
        state: 'active',
        txBps: 1000,
        rxBps: 2000,
        txBytes: 10,
        rxBytes: 20,
        share: 1,
      },
    ],
    aggregate: { txBps: 1000, rxBps: 2000, txBytes: 10, rxBytes: 20 },
    events: [],
    ...overrides,
  };
}

export class FakeEngine implements EngineApi {
  readonly mode = 'client' as const;
  readonly version = '9.9.9';
  current: EngineStatus = clientStatus();
  readonly calls: string[] = [];
  /** what history() serves (filtered by sinceMs like the engine's ring) */
  samples: HistorySample[] = [];
  /** next write call throws this */
  failWith: Error | undefined;
  private readonly listeners = new Set<() => void>();

  status(): EngineStatus {
    return this.current;
  }
  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
  listenerCount(): number {
    return this.listeners.size;
  }
  change(status: EngineStatus = this.current): void {
    this.current = status;
    for (const listener of this.listeners) listener();
  }
  async setTargetState(state: 'connected' | 'disconnected'): Promise<void> {
    this.calls.push(`setTargetState ${state}`);
    this.throwIfAsked();
  }
  async setLinkMode(link: string, mode: LinkMode): Promise<void> {
    this.calls.push(`setLinkMode ${link} ${mode}`);
    this.throwIfAsked();
  }
  async setLinkCap(link: string, cap: LinkCap | null): Promise<void> {
    this.calls.push(`setLinkCap ${link} ${cap ? `${cap.bytes} day ${cap.billingDay} ${cap.action}` : 'none'}`);
    this.throwIfAsked();
  }
  history(sinceMs?: number): HistorySample[] {
    this.calls.push(`history ${sinceMs ?? 'all'}`);
    return this.samples.filter((s) => sinceMs === undefined || s.at > sinceMs);
  }
  private throwIfAsked(): void {
    const error = this.failWith;
    this.failWith = undefined;
    if (error) throw error;
  }
}

export { EngineRequestError };

/** hands out identities in connection order; `next` is used when the queue is empty */
export class FakeCredentials implements CredentialPort {
  readonly queue: Array<PeerIdentity | Error> = [];
  next: PeerIdentity = { pid: 100, uid: 0, gid: 0, groups: [] };
  identify(): PeerIdentity {
    const item = this.queue.shift() ?? this.next;
    if (item instanceof Error) throw item;
    return item;
  }
}

export const BRAID_GID = 1500;
export const fakeAccounts: AccountsPort = {
  group: (name) => (name === 'braid' ? { gid: BRAID_GID, members: ['alice'] } : undefined),
  userName: (uid) => ({ 1000: 'alice', 1001: 'bob' })[uid],
};

export const ROOT: PeerIdentity = { pid: 10, uid: 0, gid: 0, groups: [] };
export const BOB: PeerIdentity = { pid: 11, uid: 1001, gid: 1001, groups: [100] };

export function tmpSocketPath(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'braid-ctl-'));
  test.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  return path.join(dir, 'run', 'engine.sock');
}

/** a bare NDJSON client: tests see exactly what the server sends */
export class RawClient {
  readonly lines: unknown[] = [];
  private waiting: Array<() => void> = [];
  private buffer = '';
  closed = false;
  readonly closedPromise: Promise<void>;

  private constructor(readonly socket: net.Socket) {
    socket.setEncoding('utf8');
    socket.on('data', (text: string) => {
      this.buffer += text;
      let newline: number;
      while ((newline = this.buffer.indexOf('\n')) >= 0) {
        this.lines.push(JSON.parse(this.buffer.slice(0, newline)));
        this.buffer = this.buffer.slice(newline + 1);
      }
      this.wake();
    });
    socket.on('error', () => undefined);
    this.closedPromise = new Promise((resolve) =>
      socket.on('close', () => {
        this.closed = true;
        this.wake();
        resolve();
      }),
    );
  }

  static connect(socketPath: string): Promise<RawClient> {
    return new Promise((resolve, reject) => {
      const socket = net.connect(socketPath, () => resolve(new RawClient(socket)));
      socket.once('error', reject);
    });
  }

  send(text: string): void {
    this.socket.write(text);
  }

  request(id: number, method: string, params?: unknown): Promise<any> {
    this.send(`${JSON.stringify({ id, method, params })}\n`);
    return this.next((line: any) => line.id === id);
  }

  async hello(): Promise<any> {
    return (await this.request(0, 'hello', { version: 1, client: 'test' })).result;
  }

  /** resolves with the first unread line that matches (and removes it) */
  async next(match: (line: any) => boolean = () => true, timeoutMs = 3000): Promise<any> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const index = this.lines.findIndex(match);
      if (index >= 0) return this.lines.splice(index, 1)[0];
      if (this.closed) throw new Error(`connection closed; unread lines: ${JSON.stringify(this.lines)}`);
      if (Date.now() > deadline) throw new Error(`timed out; unread lines: ${JSON.stringify(this.lines)}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 50);
        this.waiting.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  close(): void {
    this.socket.destroy();
  }

  private wake(): void {
    const waiting = this.waiting;
    this.waiting = [];
    for (const wake of waiting) wake();
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** leaves a socket file nobody listens on, as an engine killed with SIGKILL does */
export async function makeStaleSocket(socketPath: string): Promise<void> {
  fs.mkdirSync(path.dirname(socketPath), { recursive: true });
  const script = `require('net').createServer().listen(${JSON.stringify(socketPath)}, () => console.log('up'))`;
  const child = spawn(process.execPath, ['-e', script]);
  await new Promise<void>((resolve) => child.stdout.once('data', () => resolve()));
  child.kill('SIGKILL');
  await new Promise((resolve) => child.once('exit', resolve));
}
