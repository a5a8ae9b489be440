// braidd in client mode: owns the tunnel state machine, the links and their paths, the stats
// sampler, and the user's persisted intent. Serves EngineApi to the control socket.
import { EventEmitter } from 'node:events';
import type { NativeAddon, SubflowInfo } from '../../native/lib';
import type { ClientStatus, EngineEvent, LinkMode, PathStatus } from '../protocol/control';
import type { EngineApi } from './engine-api';
import { braidVersion } from '../protocol/version';
import { EngineRequestError } from './engine-api';
import { classifyLink, linkIfindex, linkIsUp } from './netmon/classify';
import type { LinkPlan, LinkSpec } from './paths/link-plan';
import { PathManager } from './paths/path-manager';
import { type LinkObservation, pathState, subflowForLink, subflowStatus, withShares } from './paths/path-status';
import { type Clock, type NetworkPort, systemClock } from './ports';
import { EventLog } from './stats/event-log';
import { RateMeter } from './stats/rate-meter';
import { IntentStore } from './store/intent-store';
import { ClientConnector, type ClientSettings } from './tunnel/client-connector';
import type { Backoff } from './tunnel/machine';
import { TunnelMachine } from './tunnel/tunnel-machine';

export const ENGINE_VERSION = braidVersion();

export interface ClientEngineOptions {
  settings: ClientSettings;
  links: LinkSpec[];
  backoff: Backoff;
  stateFile?: string;
  limits?: { subflows: number; addAddrAccepted: number };
  native: NativeAddon;
  network: NetworkPort;
  clock?: Clock;
  log?: (line: string) => void;
}

export class ClientEngine implements EngineApi {
  readonly mode = 'client' as const;
  readonly version = ENGINE_VERSION;
  private readonly emitter = new EventEmitter();
  private readonly machine: TunnelMachine;
  private readonly connector: ClientConnector;
  private readonly paths: PathManager;
  private readonly store: IntentStore;
  private readonly events = new EventLog();
  private readonly rates = new RateMeter();
  private readonly clock: Clock;
  private target: 'connected' | 'disconnected';
  private linkModes: Record<string, LinkMode>;
  private lastPlans: LinkPlan[] = [];
  private connectedAt = 0;
  private pathStatuses: PathStatus[] = [];
  private aggregate = { txBps: 0, rxBps: 0, txBytes: 0, rxBytes: 0 };
  private bytesBeforeSession = { tx: 0, rx: 0 };
  private sampler?: NodeJS.Timeout;
  /** set by stop(): the engine is going away, so reaching `disconnected` must not reconnect */
  private stopping = false;
  private readonly lastPathStates = new Map<string, string>();

  constructor(private readonly options: ClientEngineOptions) {
    this.emitter.setMaxListeners(0);
    this.clock = options.clock ?? systemClock;
    this.store = new IntentStore(options.stateFile);
    const intent = this.store.load();
    this.target = intent.target;
    this.linkModes = intent.linkModes;
    this.paths = new PathManager(options.network, options.limits);
    this.connector = new ClientConnector(options.native, options.network, this.paths, options.settings, () => this.linkSpecs());
    const wrappedConnector = {
      connect: async (attempt: number, onClosed: (reason: string, message: string) => void) => {
        const session = await this.connector.connect(attempt, onClosed);
        this.lastPlans = await this.paths.inspect(this.linkSpecs());
        return session;
      },
      teardown: () => this.connector.teardown(),
    };
    this.machine = new TunnelMachine(wrappedConnector, this.clock, options.backoff, {
      onTransition: (from, to) => this.onTransition(from, to),
      log: (kind, message) => this.record(kind, message),
    });
  }

  async start(): Promise<void> {
    await this.paths.sweep(this.linkSpecs()); // leftovers of a crashed run use the same ids
    this.sampler = setInterval(() => this.sample(), 1000);
    this.sampler.unref();
    if (this.target === 'connected') this.machine.post({ type: 'connect' });
    this.changed();
  }

  async stop(): Promise<void> {
    if (this.sampler) clearInterval(this.sampler);
    this.stopping = true;
    this.machine.post({ type: 'disconnect' });
    await this.machine.settle(10_000);
  }

  status(): ClientStatus {
    return {
      mode: 'client',
      version: this.version,
      tunnel: {
        state: this.machine.current,
        target: this.target,
        cause: this.machine.cause,
        since: this.machine.since,
        server: `${this.options.settings.server.host}:${this.options.settings.server.port}`,
        address: this.connector.active?.address,
        interface: this.options.settings.tun.name,
        mptcp: this.connector.active?.mptcp,
        reconnects: this.machine.reconnects,
      },
      paths: this.pathStatuses.length > 0 ? this.pathStatuses : this.observePaths([]),
      aggregate: { ...this.aggregate },
      events: this.events.list(),
    };
  }

  onChange(listener: () => void): () => void {
    this.emitter.on('change', listener);
    return () => this.emitter.off('change', listener);
  }

  async setTargetState(state: 'connected' | 'disconnected'): Promise<void> {
    this.target = state;
    this.persist();
    this.machine.post({ type: state === 'connected' ? 'connect' : 'disconnect' });
    this.changed();
  }

  async setLinkMode(link: string, mode: LinkMode): Promise<void> {
    if (!this.options.links.some((l) => l.name === link)) throw new EngineRequestError(`unknown link ${link}`);
    this.linkModes[link] = mode;
    this.persist();
    this.record('link-mode', `${link} set to ${mode}`, link);
    if (this.machine.current === 'connected' && this.connector.active) {
      await this.paths.apply(this.linkSpecs(), this.connector.active.serverAddress);
      this.lastPlans = await this.paths.inspect(this.linkSpecs());
    }
    this.sample();
  }

  /** the socket fd of the live session, for tests and diagnostics */
  get sessionFd(): number | undefined {
    return this.connector.active?.fd;
  }

  private linkSpecs(): LinkSpec[] {
    return this.options.links.map((l) => ({ ...l, mode: this.linkModes[l.name] ?? l.mode }));
  }

  private persist(): void {
    this.store.save({ target: this.target, linkModes: this.linkModes });
  }

  private onTransition(from: string, to: string): void {
    if (to === 'connected') {
      this.connectedAt = this.clock.now();
      const stats = this.connector.active?.session.stats();
      this.bytesBeforeSession = { tx: this.aggregate.txBytes - (stats?.txBytes ?? 0), rx: this.aggregate.rxBytes - (stats?.rxBytes ?? 0) };
    }
    if (to === 'disconnected' && this.target === 'connected' && !this.stopping) this.machine.post({ type: 'connect' });
    this.record('tunnel', `${from} -> ${to}`);
    this.sample();
  }

  private sample(): void {
    try {
      const now = this.clock.now();
      const active = this.connector.active;
      let subflows: SubflowInfo[] = [];
      if (active) {
        const stats = active.session.stats();
        const txBytes = this.bytesBeforeSession.tx + stats.txBytes;
        const rxBytes = this.bytesBeforeSession.rx + stats.rxBytes;
        this.aggregate = {
          txBps: this.rates.sample('agg-tx', txBytes, now),
          rxBps: this.rates.sample('agg-rx', rxBytes, now),
          txBytes,
          rxBytes,
        };
        try {
          subflows = this.options.native.mptcpFullInfo(active.fd).subflows;
        } catch {
          subflows = [];
        }
      } else {
        this.aggregate = { ...this.aggregate, txBps: 0, rxBps: 0 };
      }
      this.pathStatuses = this.observePaths(subflows, now);
      this.changed();
    } catch (error) {
      this.record('error', `stats sampling failed: ${(error as Error).message}`);
    }
  }

  private observePaths(subflows: SubflowInfo[], now = this.clock.now()): PathStatus[] {
    const live = this.machine.current === 'connected';
    const statuses = this.linkSpecs().map((spec, index) => {
      const plan = this.lastPlans.find((p) => p.name === spec.name) ?? this.lastPlans[index];
      const up = linkIsUp(spec.name);
      const link: LinkObservation = {
        name: spec.name,
        kind: classifyLink(spec.name),
        mode: spec.mode,
        exists: up !== undefined,
        up: up === true,
        address: plan?.address,
        ifindex: linkIfindex(spec.name),
        plan,
      };
      const subflow = live ? subflowForLink(link, subflows) : undefined;
      const { state, reason } = pathState(link, { tunnel: this.machine.current, connectedForMs: now - this.connectedAt, subflows }, subflow);
      const txBytes = subflow?.bytesAcked ?? 0;
      const rxBytes = subflow?.bytesReceived ?? 0;
      const key = subflow ? `${spec.name}/${subflow.localPort}` : `${spec.name}/none`;
      const path: Omit<PathStatus, 'share'> = {
        link: spec.name,
        kind: link.kind,
        mode: spec.mode,
        state,
        reason,
        localAddress: plan?.address,
        gateway: plan?.gateway,
        subflow: subflow ? subflowStatus(subflow) : undefined,
        txBps: subflow ? this.rates.sample(`${key}/tx`, txBytes, now) : 0,
        rxBps: subflow ? this.rates.sample(`${key}/rx`, rxBytes, now) : 0,
        txBytes,
        rxBytes,
      };
      this.notePathState(spec.name, state, reason);
      return path;
    });
    return withShares(statuses);
  }

  private notePathState(link: string, state: string, reason?: string): void {
    const previous = this.lastPathStates.get(link);
    if (previous === state) return;
    this.lastPathStates.set(link, state);
    if (previous !== undefined) this.record('path', `${link}: ${previous} -> ${state}${reason ? ` (${reason})` : ''}`, link);
  }

  private record(kind: string, message: string, link?: string): void {
    const event: EngineEvent = { at: this.clock.now(), kind, message, ...(link ? { link } : {}) };
    this.events.add(event);
    this.options.log?.(`${kind}: ${message}`);
    this.changed();
  }

  private changed(): void {
    this.emitter.emit('change');
  }
}
