// Keeps main connected to the engine: checks the socket's owner, opens a session (hello and
// version check), watches status, and reconnects with backoff when the engine goes away.
// Publishes an EngineHealth the user can act on. Knows nothing about Electron.
import { EventEmitter } from 'node:events';
import type { ClientStatus, EngineStatus, HistorySample, LinkMode } from '../../protocol/control';
import { CONTROL_PROTOCOL_VERSION } from '../../protocol/control';
import type { EngineHealth } from '../../shared/types';
import { IpcError } from '../ipc/errors';
import { Backoff } from './backoff';
import { ControlCallError, SessionOpenError, type ControlSession, type OpenSession } from './session';
import type { TrustVerdict } from './socket-trust';

/** dev-mode engine process owner (see spawner.ts) */
export interface EngineSpawnerLike {
  /** start braidd if it is not running; it restarts itself with backoff after exits */
  ensureRunning(): void;
}

export interface SupervisorOptions {
  socketPath: string;
  open: OpenSession;
  checkTrust: (socketPath: string) => Promise<TrustVerdict>;
  backoff?: Backoff;
  spawner?: EngineSpawnerLike;
  log?: (message: string) => void;
}

export const NOT_RUNNING_MESSAGE = 'Engine not running — start it with `systemctl start braidd`';

export class EngineSupervisor extends EventEmitter<{ health: [EngineHealth]; status: [ClientStatus | null]; history: [HistorySample[]] }> {
  private session: ControlSession | undefined;
  private timer: NodeJS.Timeout | undefined;
  private running = false;
  private attemptInFlight = false;
  private readonly backoff: Backoff;
  private currentHealth: EngineHealth;
  private currentStatus: ClientStatus | null = null;

  constructor(private readonly options: SupervisorOptions) {
    super();
    this.backoff = options.backoff ?? new Backoff();
    this.currentHealth = { state: 'connecting', message: 'Connecting to the engine…', socketPath: options.socketPath };
  }

  get health(): EngineHealth {
    return this.currentHealth;
  }

  get status(): ClientStatus | null {
    return this.currentStatus;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.schedule(0);
  }

  stop(): void {
    this.running = false;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.session?.close();
    this.session = undefined;
  }

  /** try now instead of waiting for the backoff (e.g. the window was opened) */
  retryNow(): void {
    if (this.running && !this.session && !this.attemptInFlight) this.schedule(0);
  }

  async setTargetState(state: 'connected' | 'disconnected'): Promise<void> {
    await this.write((s) => s.setTargetState(state));
  }

  async setLinkMode(link: string, mode: LinkMode): Promise<void> {
    await this.write((s) => s.setLinkMode(link, mode));
  }

  private async write(fn: (s: ControlSession) => Promise<void>): Promise<void> {
    const session = this.session;
    if (!session || this.currentHealth.state !== 'ready') {
      throw new IpcError('engine-unavailable', this.currentHealth.message);
    }
    if (session.hello.access !== 'write') {
      throw new IpcError('forbidden', 'Your user may only watch the engine: add it to the braid group to change it');
    }
    try {
      await fn(session);
    } catch (err) {
      if (err instanceof ControlCallError) {
        throw new IpcError(err.code === 'forbidden' ? 'forbidden' : err.code === 'bad-request' ? 'bad-request' : 'failed', err.message);
      }
      throw err;
    }
  }

  private schedule(ms: number, health?: Omit<EngineHealth, 'socketPath' | 'retryInMs'>): void {
    if (!this.running) return;
    if (this.timer) clearTimeout(this.timer);
    if (health) this.setHealth({ ...health, socketPath: this.options.socketPath, retryInMs: ms || undefined });
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.attempt();
    }, ms);
  }

  private async attempt(): Promise<void> {
    if (!this.running || this.session || this.attemptInFlight) return;
    this.attemptInFlight = true;
    try {
      await this.tryConnect();
    } catch (err) {
      this.options.log?.(`engine connection: ${err instanceof Error ? err.message : String(err)}`);
      this.retry('error', `Could not talk to the engine: ${err instanceof Error ? err.message : String(err)}`);
    } finally {
      this.attemptInFlight = false;
    }
  }

  private async tryConnect(): Promise<void> {
    const path = this.options.socketPath;
    const verdict = await this.options.checkTrust(path);
    if (!verdict.ok) {
      if (verdict.reason === 'missing') return this.engineAbsent();
      return this.retry('untrusted', verdict.message);
    }
    let session: ControlSession;
    try {
      session = await this.options.open(path);
    } catch (err) {
      if (err instanceof SessionOpenError) {
        if (err.kind === 'not-running') return this.engineAbsent();
        if (err.kind === 'no-access') {
          return this.retry('no-access', `No permission to use the engine socket ${path}: add your user to the braid group`);
        }
        return this.retry('incompatible', `The engine speaks a different control protocol (this app: v${CONTROL_PROTOCOL_VERSION}): ${err.message}`);
      }
      throw err;
    }
    if (!this.running) return session.close();
    if (session.hello.version !== CONTROL_PROTOCOL_VERSION) {
      session.close();
      return this.retry('incompatible', `The engine speaks control protocol v${session.hello.version}, this app v${CONTROL_PROTOCOL_VERSION}: update both`);
    }
    if (session.hello.mode !== 'client') {
      session.close();
      return this.retry('wrong-mode', `${path} belongs to a braid server, not a client engine`);
    }
    this.session = session;
    session.onClose((err) => this.lost(session, err));
    let snapshot: EngineStatus;
    try {
      snapshot = await session.watch((status) => {
        if (this.session === session) this.accept(status);
      });
    } catch (err) {
      if (this.session === session) this.session = undefined;
      session.close();
      throw err;
    }
    if (this.session !== session) return;
    this.backoff.reset();
    this.accept(snapshot);
    this.setHealth({
      state: 'ready',
      message: session.hello.access === 'write' ? 'Engine running' : 'Engine running (read-only: your user may not change it)',
      access: session.hello.access,
      engineVersion: session.hello.engine,
      socketPath: path,
    });
    // the engine's last minutes fill the chart of an app that just started; an engine
    // without history (older protocol) is fine
    session.history().then(
      (samples) => {
        if (this.session === session && samples.length) this.emit('history', samples);
      },
      (err: unknown) => this.options.log?.(`engine history unavailable: ${err instanceof Error ? err.message : String(err)}`),
    );
  }

  private accept(status: EngineStatus): void {
    if (status.mode !== 'client') return;
    this.currentStatus = status;
    this.emit('status', status);
  }

  private lost(session: ControlSession, err?: Error): void {
    if (this.session !== session) return;
    this.session = undefined;
    this.currentStatus = null;
    this.emit('status', null);
    this.options.log?.(`engine connection closed${err ? `: ${err.message}` : ''}`);
    this.schedule(this.backoff.next(), { state: 'connecting', message: 'Lost the engine, reconnecting…' });
  }

  private engineAbsent(): void {
    if (this.options.spawner) {
      this.options.spawner.ensureRunning();
      return this.retry('starting', 'Starting the engine (development mode)…');
    }
    this.retry('not-running', NOT_RUNNING_MESSAGE);
  }

  private retry(state: EngineHealth['state'], message: string): void {
    this.schedule(this.backoff.next(), { state, message });
  }

  private setHealth(health: EngineHealth): void {
    const prev = this.currentHealth;
    this.currentHealth = health;
    if (prev.state !== health.state || prev.message !== health.message || prev.access !== health.access) {
      this.emit('health', health);
    }
  }
}
