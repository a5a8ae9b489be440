// Client of the engine's control socket, for the CLI and (later) the Electron main process.
// Plain Node: never imports electron. Every frame in both directions is checked against the
// schemas in protocol/control.ts, so a mismatched engine fails loudly instead of half-working.
import net from 'node:net';
import path from 'node:path';
import {
  CONTROL_PROTOCOL_VERSION,
  DEFAULT_CONTROL_SOCKET,
  MAX_CONTROL_FRAME,
  MethodParams,
  ResponseSchema,
  WatchNotificationSchema,
  type EngineStatus,
  type ErrorCode,
  type HelloResult,
  type MethodName,
  type MethodParamsOf,
} from '../../protocol/control';
import { LineReader } from './line-reader';
import { MethodResults, type MethodResultOf } from './results';

export type ClientErrorCode =
  | ErrorCode //           the engine answered with this error
  | 'not-running' //       no socket, or nobody listening on it
  | 'permission-denied' // the socket (or its directory) is not accessible
  | 'connection' //        other socket errors
  | 'closed' //            the engine closed the connection
  | 'timeout'
  | 'protocol'; //         the engine sent something that is not valid protocol

export class ControlClientError extends Error {
  override name = 'ControlClientError';
  constructor(
    readonly code: ClientErrorCode,
    message: string,
  ) {
    super(message);
  }
}

export interface ConnectOptions {
  /** default /run/braid/engine.sock */
  path?: string;
  /** sent in hello, shown in engine logs, e.g. "braid-cli" */
  client?: string;
  /** for connect + hello, and per call (default 10 s) */
  timeoutMs?: number;
}

/** methods called through call(); hello is done by connect and watch has its own entry point */
export type CallMethod = Exclude<MethodName, 'hello' | 'watch'>;

export interface Watch {
  snapshot: EngineStatus;
  /** stops delivering notifications (the protocol has no unwatch: close ends the watch) */
  stop(): void;
}

interface Pending {
  method: MethodName;
  resolve: (value: unknown) => void;
  reject: (error: Error) => void;
  timer: NodeJS.Timeout;
}

export const NOT_RUNNING_MESSAGE = 'engine not running (start it with `systemctl start braidd`)';
export const SERVER_NOT_RUNNING_MESSAGE = 'server not running (start it with `systemctl start braid-server`)';

export async function connectControl(options: ConnectOptions | string = {}): Promise<ControlClient> {
  const opts = typeof options === 'string' ? { path: options } : options;
  const socketPath = opts.path ?? DEFAULT_CONTROL_SOCKET;
  const timeoutMs = opts.timeoutMs ?? 10_000;
  const socket = await open(socketPath, timeoutMs);
  const client = new ControlClient(socket, socketPath, timeoutMs);
  try {
    await client.hello(opts.client ?? 'braid');
  } catch (error) {
    client.close();
    throw error;
  }
  return client;
}

function open(socketPath: string, timeoutMs: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(socketPath);
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new ControlClientError('timeout', `no answer from the engine at ${socketPath}`));
    }, timeoutMs);
    socket.once('connect', () => {
      clearTimeout(timer);
      socket.removeAllListeners('error');
      resolve(socket);
    });
    socket.once('error', (error: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      reject(connectError(error, socketPath));
    });
  });
}

export function connectError(error: NodeJS.ErrnoException, socketPath: string): ControlClientError {
  switch (error.code) {
    case 'ENOENT':
    case 'ECONNREFUSED':
      return new ControlClientError(
        'not-running',
        path.basename(socketPath) === 'server.sock' ? SERVER_NOT_RUNNING_MESSAGE : NOT_RUNNING_MESSAGE,
      );
    case 'EACCES':
    case 'EPERM':
      return new ControlClientError('permission-denied', `permission denied opening the engine's control socket ${socketPath}`);
    default:
      return new ControlClientError('connection', `cannot connect to the engine at ${socketPath}: ${error.message}`);
  }
}

export class ControlClient {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private readonly watchers = new Map<number, (status: EngineStatus) => void>();
  private readonly closeListeners = new Set<(error?: Error) => void>();
  private closedWith: Error | undefined;
  private helloResult: HelloResult | undefined;

  constructor(
    private readonly socket: net.Socket,
    readonly path: string,
    private readonly timeoutMs: number,
  ) {
    const reader = new LineReader(
      MAX_CONTROL_FRAME,
      (line) => this.receive(line),
      () => this.fail(new ControlClientError('protocol', 'the engine sent a line longer than the protocol allows')),
    );
    socket.on('data', (chunk: Buffer) => reader.push(chunk));
    socket.on('error', (error) => this.fail(new ControlClientError('closed', `connection to the engine failed: ${error.message}`)));
    socket.on('close', () => this.fail(new ControlClientError('closed', 'the engine closed the connection')));
  }

  /** what the engine said in hello: its version, mode and what this caller may do */
  get info(): HelloResult {
    if (!this.helloResult) throw new Error('not connected');
    return this.helloResult;
  }

  /** done by connectControl */
  async hello(client: string): Promise<HelloResult> {
    this.helloResult = (await this.request('hello', { version: CONTROL_PROTOCOL_VERSION, client })) as HelloResult;
    return this.helloResult;
  }

  call<M extends CallMethod>(method: M, params: MethodParamsOf<M>): Promise<MethodResultOf<M>> {
    return this.request(method, params) as Promise<MethodResultOf<M>>;
  }

  /** snapshot now, then `listener` with each new status (at most a few per second) */
  async watch(listener: (status: EngineStatus) => void): Promise<Watch> {
    const id = this.nextId; // request() takes this id
    this.watchers.set(id, listener);
    try {
      const snapshot = (await this.request('watch', {})) as EngineStatus;
      return { snapshot, stop: () => this.watchers.delete(id) };
    } catch (error) {
      this.watchers.delete(id);
      throw error;
    }
  }

  /** called once when the connection ends (error undefined after close()) */
  onClose(listener: (error?: Error) => void): () => void {
    this.closeListeners.add(listener);
    return () => this.closeListeners.delete(listener);
  }

  close(): void {
    this.fail(undefined);
  }

  private request(method: MethodName, params: unknown): Promise<unknown> {
    if (this.closedWith) return Promise.reject(this.closedWith);
    const checked = MethodParams[method].safeParse(params);
    if (!checked.success) {
      return Promise.reject(new ControlClientError('bad-request', `invalid ${method} params: ${checked.error.issues[0]?.message}`));
    }
    const id = this.nextId++;
    const line = `${JSON.stringify({ id, method, params: checked.data })}\n`;
    if (Buffer.byteLength(line) > MAX_CONTROL_FRAME) {
      return Promise.reject(new ControlClientError('frame-too-large', `${method} request is too large`));
    }
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new ControlClientError('timeout', `the engine did not answer ${method} within ${this.timeoutMs} ms`));
      }, this.timeoutMs);
      this.pending.set(id, { method, resolve, reject, timer });
      this.socket.write(line);
    });
  }

  private receive(line: string): void {
    let message: unknown;
    try {
      message = JSON.parse(line);
    } catch {
      return this.fail(new ControlClientError('protocol', 'the engine sent a line that is not JSON'));
    }
    if (message && typeof message === 'object' && 'watch' in message) {
      const notification = WatchNotificationSchema.safeParse(message);
      if (!notification.success) return this.fail(protocolError('watch notification', notification.error.issues));
      this.watchers.get(notification.data.watch)?.(notification.data.status);
      return;
    }
    const response = ResponseSchema.safeParse(message);
    if (!response.success) return this.fail(protocolError('response', response.error.issues));
    const { id } = response.data;
    const pending = id === null ? undefined : this.pending.get(id);
    if ('error' in response.data) {
      const { code, message: text } = response.data.error;
      const error = new ControlClientError(code, text);
      // id null: the engine could not tie the error to a request (frame-too-large, bad JSON)
      if (!pending) return code === 'frame-too-large' ? this.fail(error) : undefined;
      this.settle(id!, pending);
      return pending.reject(error);
    }
    if (!pending) return; // an answer to a call that already timed out
    this.settle(id!, pending);
    const result = MethodResults[pending.method].safeParse(response.data.result);
    if (!result.success) return pending.reject(protocolError(`${pending.method} result`, result.error.issues));
    pending.resolve(result.data);
  }

  private settle(id: number, pending: Pending): void {
    clearTimeout(pending.timer);
    this.pending.delete(id);
  }

  private fail(error: Error | undefined): void {
    if (this.closedWith) return;
    this.closedWith = error ?? new ControlClientError('closed', 'the connection was closed');
    this.socket.destroy();
    for (const [id, pending] of this.pending) {
      this.settle(id, pending);
      pending.reject(this.closedWith);
    }
    this.watchers.clear();
    for (const listener of this.closeListeners) listener(error);
    this.closeListeners.clear();
  }
}

function protocolError(what: string, issues: ReadonlyArray<{ path: PropertyKey[]; message: string }>): ControlClientError {
  const first = issues[0];
  const where = first?.path.length ? `${first.path.map(String).join('.')}: ` : '';
  return new ControlClientError('protocol', `the engine sent an invalid ${what} (${where}${first?.message ?? 'invalid'}); are braid and braidd the same version?`);
}
