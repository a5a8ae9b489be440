// One control client: NDJSON requests in, responses and watch notifications out. Everything a
// client sends is untrusted: every failure ends as an error response (or, for an oversized
// line or a client that stops reading, the end of this connection only), never as an exception
// that reaches the server or the engine.
import type net from 'node:net';
import {
  CONTROL_PROTOCOL_VERSION,
  MAX_CONTROL_FRAME,
  METHOD_ACCESS,
  MethodParams,
  RequestSchema,
  type EngineStatus,
  type ErrorCode,
  type LinkCap,
  type MethodName,
  type MethodParamsOf,
} from '../../protocol/control';
import { EngineRequestError, type EngineApi } from '../engine-api';
import type { Access } from './access';
import { pageHistory } from './history-page';
import { LineReader } from './line-reader';

export interface ConnectionOptions {
  engine: EngineApi;
  access: Access;
  /** a client whose unsent output exceeds this is dropped (it stopped reading) */
  maxBufferedBytes: number;
  /** minimum time between two watch notifications */
  notifyIntervalMs: number;
  /** requests waiting behind a slow one; beyond this the socket stops being read */
  maxQueued: number;
  log: (line: string) => void;
  /** a label for log lines, e.g. "uid 1000 pid 4242" */
  peer: string;
}

/** a watch sends the whole status on every change: more than a few on one connection would
 *  let one cheap request multiply the engine's work (and output) for every later change */
export const MAX_WATCHES_PER_CONNECTION = 8;

class RequestError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
  }
}

export class ControlConnection {
  private ready = false;
  private closed = false;
  private readonly watches = new Set<number>();
  private notifyTimer: NodeJS.Timeout | undefined;
  private lastNotifyAt = -Infinity;
  private queue: string[] = [];
  private working = false;
  private readonly reader: LineReader;

  constructor(
    private readonly socket: net.Socket,
    private readonly options: ConnectionOptions,
  ) {
    this.reader = new LineReader(MAX_CONTROL_FRAME, (line) => this.enqueue(line), () => this.oversize());
    socket.on('data', (chunk: Buffer) => this.guard(() => this.reader.push(chunk)));
    socket.on('error', () => this.dispose()); // ECONNRESET, EPIPE: the client went away
    socket.on('close', () => this.dispose());
  }

  /** the engine's status changed: schedule a coalesced notification for this client's watches */
  engineChanged(): void {
    if (this.closed || this.watches.size === 0 || this.notifyTimer) return;
    const wait = Math.max(0, this.lastNotifyAt + this.options.notifyIntervalMs - Date.now());
    // a zero wait still goes through a timer, so a burst of synchronous changes sends once
    this.notifyTimer = setTimeout(() => this.guard(() => this.notify()), wait);
  }

  close(): void {
    this.socket.destroy();
    this.dispose();
  }

  private dispose(): void {
    this.closed = true;
    this.queue = [];
    if (this.notifyTimer) clearTimeout(this.notifyTimer);
    this.notifyTimer = undefined;
  }

  private notify(): void {
    this.notifyTimer = undefined;
    if (this.closed || this.watches.size === 0) return;
    this.lastNotifyAt = Date.now();
    let status: EngineStatus;
    try {
      status = this.options.engine.status();
    } catch (error) {
      this.options.log(`control: engine status failed: ${(error as Error)?.stack ?? String(error)}`);
      return;
    }
    for (const watch of this.watches) this.send({ watch, status });
  }

  private enqueue(line: string): void {
    this.queue.push(line);
    if (this.queue.length >= this.options.maxQueued) this.socket.pause();
    if (!this.working) {
      this.drain().catch((error: unknown) => this.options.log(`control: ${(error as Error)?.stack ?? String(error)}`));
    }
  }

  /** requests are answered one at a time, in order: a status after a write sees the write */
  private async drain(): Promise<void> {
    this.working = true;
    try {
      while (!this.closed && this.queue.length > 0) {
        const line = this.queue.shift()!;
        if (this.queue.length < this.options.maxQueued / 2 && this.socket.isPaused()) this.socket.resume();
        await this.handle(line);
      }
    } finally {
      this.working = false;
    }
  }

  private async handle(line: string): Promise<void> {
    let id: number | null = null;
    try {
      let message: unknown;
      try {
        message = JSON.parse(line);
      } catch {
        throw new RequestError('bad-request', 'not valid JSON');
      }
      id = requestId(message);
      const request = RequestSchema.safeParse(message);
      if (!request.success) throw new RequestError('bad-request', `not a request: ${describeIssues(request.error.issues)}`);
      const result = await this.dispatch(request.data.method, request.data.params, request.data.id);
      this.send({ id, result });
    } catch (error) {
      if (error instanceof RequestError) return this.sendError(id, error.code, error.message);
      if (error instanceof EngineRequestError) return this.sendError(id, 'failed', error.message);
      this.options.log(`control: request from ${this.options.peer} failed: ${(error as Error)?.stack ?? String(error)}`);
      this.sendError(id, 'failed', `engine error: ${(error as Error)?.message ?? String(error)}`);
    }
  }

  private async dispatch(method: string, rawParams: unknown, id: number): Promise<unknown> {
    if (!Object.hasOwn(MethodParams, method)) throw new RequestError('unknown-method', `unknown method "${method}"`);
    const name = method as MethodName;
    if (name !== 'hello' && !this.ready) throw new RequestError('not-ready', 'send hello first');
    if (METHOD_ACCESS[name] === 'write' && this.options.access !== 'write') {
      throw new RequestError('forbidden', `${name} needs root or membership of the engine's control group`);
    }
    const params = MethodParams[name].safeParse(rawParams ?? {});
    if (!params.success) throw new RequestError('bad-request', `invalid params: ${describeIssues(params.error.issues)}`);
    const engine = this.options.engine;
    switch (name) {
      case 'hello': {
        const { version } = params.data as { version: number };
        if (version !== CONTROL_PROTOCOL_VERSION) {
          throw new RequestError(
            'version-mismatch',
            `the engine speaks control protocol version ${CONTROL_PROTOCOL_VERSION}, this client ${version}: update braid`,
          );
        }
        this.ready = true;
        return { version: CONTROL_PROTOCOL_VERSION, engine: engine.version, mode: engine.mode, access: this.options.access };
      }
      case 'status':
        return engine.status();
      case 'watch':
        if (!this.watches.has(id) && this.watches.size >= MAX_WATCHES_PER_CONNECTION) {
          throw new RequestError('bad-request', `at most ${MAX_WATCHES_PER_CONNECTION} watches per connection (there is no unwatch: reconnect)`);
        }
        this.watches.add(id);
        this.lastNotifyAt = Date.now(); // the snapshot counts toward the notification rate
        return engine.status();
      case 'setTargetState':
        await engine.setTargetState((params.data as { state: 'connected' | 'disconnected' }).state);
        return {};
      case 'setLinkMode': {
        const { link, mode } = params.data as { link: string; mode: 'on' | 'backup' | 'off' };
        await engine.setLinkMode(link, mode);
        return {};
      }
      case 'setLinkCap': {
        const request = params.data as MethodParamsOf<'setLinkCap'>;
        await engine.setLinkCap(request.link, resolveCap(request, currentCap(engine.status(), request.link)));
        return {};
      }
      case 'history': {
        const { sinceMs } = params.data as MethodParamsOf<'history'>;
        return pageHistory(engine.history(sinceMs));
      }
    }
  }

  private sendError(id: number | null, code: ErrorCode, message: string): void {
    this.send({ id, error: { code, message } });
  }

  private send(message: object): void {
    if (this.closed || this.socket.destroyed) return;
    this.socket.write(`${encodeFrame(message)}\n`);
    if (this.socket.writableLength > this.options.maxBufferedBytes) {
      this.options.log(`control: dropping ${this.options.peer}: it is not reading (${this.socket.writableLength} bytes queued)`);
      this.close();
    }
  }

  private oversize(): void {
    this.queue = [];
    this.sendError(null, 'frame-too-large', `a line may be at most ${MAX_CONTROL_FRAME} bytes; closing`);
    this.closed = true;
    this.socket.end();
    // a client that does not read its error must not keep the connection open
    setTimeout(() => this.socket.destroy(), 1000).unref();
  }

  private guard(fn: () => void): void {
    try {
      fn();
    } catch (error) {
      this.options.log(`control: error serving ${this.options.peer}: ${(error as Error)?.stack ?? String(error)}`);
      this.close();
    }
  }
}

/**
 * The cap a setLinkCap request asks for: a billing day or action left out keeps the link's
 * current one (changing the size of a cap should not move its billing day), else 1 and off.
 */
export function resolveCap(request: MethodParamsOf<'setLinkCap'>, current: LinkCap | undefined): LinkCap | null {
  if (request.bytes === null) return null;
  return {
    bytes: request.bytes,
    billingDay: request.billingDay ?? current?.billingDay ?? 1,
    action: request.action ?? current?.action ?? 'off',
  };
}

function currentCap(status: EngineStatus, link: string): LinkCap | undefined {
  return status.mode === 'client' ? status.paths.find((p) => p.link === link)?.usage?.cap : undefined;
}

function requestId(message: unknown): number | null {
  const id = (message as { id?: unknown } | null)?.id;
  return typeof id === 'number' && Number.isInteger(id) && id >= 0 ? id : null;
}

function describeIssues(issues: ReadonlyArray<{ path: PropertyKey[]; message: string }>): string {
  return issues
    .slice(0, 3)
    .map((issue) => (issue.path.length ? `${issue.path.map(String).join('.')}: ${issue.message}` : issue.message))
    .join('; ');
}

/**
 * JSON for one line, kept within MAX_CONTROL_FRAME: a status with a long event list loses its
 * oldest events until it fits (the newest matter most); anything else too large becomes an error.
 */
export function encodeFrame(message: object): string {
  let line = JSON.stringify(message);
  if (Buffer.byteLength(line) <= MAX_CONTROL_FRAME) return line;
  const holder = message as { result?: unknown; status?: unknown; id?: number | null };
  const key = 'status' in holder ? 'status' : 'result';
  const status = holder[key] as EngineStatus | undefined;
  if (status && typeof status === 'object' && Array.isArray((status as EngineStatus).events)) {
    let events = status.events;
    while (events.length > 0) {
      events = events.slice(Math.max(1, Math.floor(events.length / 4)));
      line = JSON.stringify({ ...message, [key]: { ...status, events } });
      if (Buffer.byteLength(line) <= MAX_CONTROL_FRAME) return line;
    }
  }
  return JSON.stringify({
    id: holder.id ?? null,
    error: { code: 'failed', message: 'the response is larger than the control protocol allows' },
  });
}
