// braidd in client mode: owns the tunnel state machine, the links and their paths, the stats
// sampler, and the user's persisted intent. Serves EngineApi to the control socket.
import { EventEmitter } from 'node:events';
import type { MptcpEvent, NativeAddon, NetlinkWatcher, SubflowInfo } from '../../native/lib';
import fs from 'node:fs';
import path from 'node:path';
import type { ClientStatus, EngineEvent, HistorySample, LinkCap, LinkMode, PathStatus } from '../protocol/control';
import { braidVersion } from '../protocol/version';
import type { EngineApi } from './engine-api';
import { EngineRequestError } from './engine-api';
import { describeCoexistence, findEndpointManagers, type Coexistence } from './netmon/coexistence';
import { LinkEnrichment, WorkerCollector } from './netmon/enrichment';
import { NetworkMonitor } from './netmon/monitor';
import { KernelPaths } from './paths/kernel-paths';
import { LinkManager, type LinkOverride, type LinkRecord, type ProbeResult } from './paths/link-manager';
import { subflowStatus, withShares } from './paths/path-status';
import { type Clock, type CommandRunner, type NetworkPort, systemClock } from './ports';
import { EventLog } from './stats/event-log';
import { FailoverMeter, SAMPLE_MS, type FailoverResult } from './stats/failover-meter';
import { History } from './stats/history';
import { RateMeter } from './stats/rate-meter';
import { UsageMeter } from './stats/usage-meter';
import { UsageStore } from './store/usage-store';
import { IntentStore } from './store/intent-store';
import { ClientConnector, type ClientSettings } from './tunnel/client-connector';
import type { Backoff } from './tunnel/machine';
import { TunnelMachine } from './tunnel/tunnel-machine';
import { SendBufferTuner, baseRttMs } from './tunnel/send-buffer';

export const ENGINE_VERSION = braidVersion();
const PROBE_TIMEOUT_MS = 1500;
/** how often foreign endpoints and other endpoint managers are looked for */
const COEXISTENCE_EVERY_MS = 5000;

export interface ClientEngineOptions {
  settings: ClientSettings;
  links: (LinkOverride & { cap?: LinkCap })[];
  interfaces: { allow: string[]; deny: string[] };
  backoff: Backoff;
  /** where intent (client-state.json) and usage (usage.json) are kept; none in some tests */
  stateDir?: string;
  limits?: { subflows: number; addAddrAccepted: number };
  native: NativeAddon;
  network: NetworkPort;
  runner: CommandRunner;
  clock?: Clock;
  log?: (line: string) => void;
}

export class ClientEngine implements EngineApi {
  readonly mode = 'client' as const;
  readonly version = ENGINE_VERSION;
  private readonly emitter = new EventEmitter();
  private readonly machine: TunnelMachine;
  private readonly connector: ClientConnector;
  private readonly kernel: KernelPaths;
  private readonly links: LinkManager;
  private readonly monitor: NetworkMonitor;
  /** systeminformation runs in a worker thread: its shell calls never block this loop */
  private readonly collector = new WorkerCollector();
  private readonly enrichment: LinkEnrichment;
  private readonly store: IntentStore;
  private readonly events = new EventLog();
  private readonly rates = new RateMeter();
  private readonly usage: UsageMeter;
  private readonly rateHistory = new History();
  private readonly configCapsApplied = new Set<string>();
  private readonly sendBuffer = new SendBufferTuner();
  private readonly clock: Clock;
  private target: 'connected' | 'disconnected';
  private linkModes: Record<string, LinkMode>;
  /** per-link rates from the last 1 Hz sample */
  private linkRates = new Map<string, { txBps: number; rxBps: number }>();
  private aggregate = { txBps: 0, rxBps: 0, txBytes: 0, rxBytes: 0 };
  private bytesBeforeSession = { tx: 0, rx: 0 };
  private sampler?: NodeJS.Timeout;
  private mptcpWatcher?: NetlinkWatcher;
  private stopping = false;
  private failover?: { meter: FailoverMeter; timer: NodeJS.Timeout };
  private lastFailover?: FailoverResult & { at: number };
  private coexistence: Coexistence = { networkManager: false, mptcpd: false };
  private coexistenceMessage?: string;
  private lastCoexistenceCheck = 0;
  private evictedEndpoints = 0;

  constructor(private readonly options: ClientEngineOptions) {
    this.emitter.setMaxListeners(0);
    this.clock = options.clock ?? systemClock;
    this.store = new IntentStore(options.stateDir ? path.join(options.stateDir, 'client-state.json') : undefined);
    this.usage = new UsageMeter({
      store: new UsageStore(options.stateDir ? path.join(options.stateDir, 'usage.json') : undefined, (m) => this.record('warning', m)),
      clock: this.clock,
      warn: (message) => this.record('warning', message),
    });
    const intent = this.store.load();
    this.target = intent.target;
    this.linkModes = intent.linkModes;
    this.kernel = new KernelPaths(options.network);
    this.monitor = new NetworkMonitor(options.native, options.runner);
    this.enrichment = new LinkEnrichment({
      collect: () => this.collector.collect(),
      runner: options.runner,
      log: (message) => this.record('warning', message),
      // a metered flag can change a link's default mode; details show in status
      onUpdate: () => void this.reconcile().then(() => this.changed()),
    });
    this.links = new LinkManager(
      {
        kernel: this.kernel,
        probe: (link, server) => this.probe(link, server),
        now: () => this.clock.now(),
        poke: () => void this.reconcile(),
        log: (kind, message, link) => this.onLinkLog(kind, message, link),
      },
      {
        allow: options.interfaces.allow,
        deny: options.interfaces.deny,
        listed: options.links.map((l) => l.name),
        tunName: options.settings.tun.name,
      },
      options.links,
      (identity, name) => this.linkModes[identity] ?? this.linkModes[`name:${name}`],
      (identity) => (this.usage.isCapped(identity) ? this.usage.cap(identity)?.action : undefined),
      (link) => this.record('link-added', `new link ${link.name} (${link.kind}) joins as ${this.links.effectiveMode(link)}`, link.name),
      (name) => this.enrichment.isMetered(name),
    );
    this.connector = new ClientConnector(options.native, options.network, this.links, options.settings);
    this.machine = new TunnelMachine(this.connector, this.clock, options.backoff, {
      onTransition: (from, to) => this.onTransition(from, to),
      log: (kind, message) => this.record(kind, message),
    });
  }

  async start(): Promise<void> {
    await this.kernel.prepare(this.options.limits ?? { subflows: 8, addAddrAccepted: 8 });
    await this.links.sweep(); // leftovers of a crashed run use the same ids
    this.monitor.on('change', (snapshot) => {
      this.links.updateSnapshot(snapshot);
      this.enrichment.linksChanged(this.presentLinks());
      void this.reconcile();
    });
    this.monitor.on('error', (error) => this.record('error', `interface monitor: ${error.message}`));
    this.links.updateSnapshot(await this.monitor.start());
    this.enrichment.start(this.presentLinks());
    try {
      this.mptcpWatcher = this.options.native.watchMptcpEvents((event) => this.onMptcpEvent(event));
    } catch (error) {
      this.record('warning', `MPTCP events unavailable (${(error as Error).message}); path changes are seen once a second`);
    }
    this.sampler = setInterval(() => void this.tick(), 1000);
    this.sampler.unref();
    if (this.target === 'connected') this.machine.post({ type: 'connect' });
    await this.reconcile();
  }

  async stop(): Promise<void> {
    if (this.sampler) clearInterval(this.sampler);
    this.stopFailover();
    this.stopping = true;
    this.monitor.stop();
    this.enrichment.stop();
    this.collector.stop();
    this.mptcpWatcher?.stop();
    this.machine.post({ type: 'disconnect' });
    await this.machine.settle(10_000);
    this.usage.flush();
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
      paths: this.buildPaths(),
      aggregate: { ...this.aggregate },
      events: this.events.list(),
      ...(this.lastFailover ? { lastFailover: { link: this.lastFailover.link, gapMs: this.lastFailover.gapMs, at: this.lastFailover.at } } : {}),
      coexistence: { ...this.coexistence, ...(this.coexistenceMessage ? { message: this.coexistenceMessage } : {}) },
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
    const record = this.links.get(link);
    if (!record) throw new EngineRequestError(`unknown link ${link} (see braid links)`);
    this.linkModes[record.identity] = mode;
    delete this.linkModes[`name:${link}`];
    this.persist();
    this.record('link-mode', `${link} set to ${mode}`, link);
    await this.reconcile();
    this.changed();
  }

  async setLinkCap(link: string, cap: LinkCap | null): Promise<void> {
    const record = this.links.get(link);
    if (!record) throw new EngineRequestError(`unknown link ${link} (see braid links)`);
    this.usage.setCap(record.identity, cap);
    this.record('link-cap', cap ? `${link}: data cap set to ${cap.bytes} bytes per period (billing day ${cap.billingDay}, then ${cap.action})` : `${link}: data cap removed`, link);
    await this.reconcile();
    this.changed();
  }

  history(sinceMs?: number): HistorySample[] {
    return this.rateHistory.since(sinceMs);
  }

  private presentLinks(): string[] {
    return this.links.links().filter((l) => l.present).map((l) => l.name);
  }

  private persist(): void {
    this.store.save({ target: this.target, linkModes: this.linkModes });
  }

  private async probe(link: { name: string; address: string }, server: { host: string; port: number }): Promise<ProbeResult> {
    let fd: number | undefined;
    try {
      fd = await this.options.native.mptcpConnect({
        host: server.host,
        port: server.port,
        timeoutMs: PROBE_TIMEOUT_MS,
        localAddress: link.address,
        bindDevice: link.name,
      });
      return { ok: true, mptcp: this.options.native.isMptcp(fd) };
    } catch (error) {
      return { ok: false, error: (error as Error).message };
    } finally {
      if (fd !== undefined) this.options.native.close(fd);
    }
  }

  private subflows(): SubflowInfo[] {
    const active = this.connector.active;
    if (!active) return [];
    try {
      return this.options.native.mptcpFullInfo(active.fd).subflows;
    } catch {
      return [];
    }
  }

  private async reconcile(): Promise<void> {
    const connected = this.machine.current === 'connected';
    const server = this.connector.serverAddress;
    const active = this.connector.active;
    await this.links.reconcile({
      connected,
      server: server ? { host: server, port: this.options.settings.server.port } : undefined,
      subflows: connected ? this.subflows() : [],
      fallbackLink: connected && active && !active.mptcp ? active.primaryLink : undefined,
    });
    const now = this.clock.now();
    if (now - this.lastCoexistenceCheck >= COEXISTENCE_EVERY_MS) {
      this.lastCoexistenceCheck = now;
      await this.checkCoexistence();
    }
  }

  private async checkCoexistence(): Promise<void> {
    this.coexistence = findEndpointManagers();
    const evicted = await this.links.evictForeignEndpoints();
    if (evicted.length > 0) {
      this.evictedEndpoints += evicted.length;
      this.record('coexistence', `removed MPTCP endpoints Braid did not add on its links: ${evicted.join(', ')}; Braid manages MPTCP on these links`);
    }
    this.coexistenceMessage = describeCoexistence(this.coexistence, this.evictedEndpoints);
  }

  private onTransition(from: string, to: string): void {
    if (to === 'connected') {
      this.sendBuffer.reset();
      const stats = this.connector.active?.session.stats();
      this.bytesBeforeSession = { tx: this.aggregate.txBytes - (stats?.txBytes ?? 0), rx: this.aggregate.rxBytes - (stats?.rxBytes ?? 0) };
    }
    if (to === 'disconnected' && this.target === 'connected' && !this.stopping) this.machine.post({ type: 'connect' });
    this.record('tunnel', `${from} -> ${to}`);
    void this.reconcile().then(() => this.changed());
  }

  private onMptcpEvent(event: MptcpEvent): void {
    if (event.type === 'sub-closed' || event.type === 'sub-established' || event.type === 'sub-priority') {
      if (event.type === 'sub-closed') this.maybeStartFailover(this.linkOfAddress(event.saddr) ?? event.saddr);
      void this.reconcile().then(() => this.changed());
    }
  }

  private linkOfAddress(address: string): string | undefined {
    return this.links.links().find((l) => l.address === address)?.name;
  }

  private onLinkLog(kind: string, message: string, link?: string): void {
    if (kind === 'coexistence') {
      this.evictedEndpoints += 1;
      this.coexistenceMessage = describeCoexistence(this.coexistence, this.evictedEndpoints);
    }
    // a path that was carrying traffic and is now gone starts a failover measurement
    if (kind === 'path' && link && /^\S+: (active|backup) -> (failed|unavailable|unreachable|idle)/.test(message) && !/turned off/.test(message)) {
      this.maybeStartFailover(link);
    }
    this.record(kind, message, link);
  }

  private totalBytes(): number {
    const stats = this.connector.active?.session.stats();
    return stats ? stats.txBytes + stats.rxBytes : 0;
  }

  private maybeStartFailover(link: string): void {
    if (this.failover || this.machine.current !== 'connected') return;
    const rate = this.aggregate.txBps + this.aggregate.rxBps;
    if (!FailoverMeter.worthMeasuring(rate)) return;
    // count from when the interface monitor saw the link go, not from when we noticed the path
    const lostAt = this.links.get(link)?.lostAt;
    const now = this.clock.now();
    const meter = new FailoverMeter(link, lostAt !== undefined && now - lostAt < 1000 ? lostAt : now, rate);
    meter.feed(this.totalBytes(), this.clock.now());
    const timer = setInterval(() => {
      const result = meter.feed(this.totalBytes(), this.clock.now());
      if (!result) return;
      this.stopFailover();
      this.lastFailover = { ...result, at: this.clock.now() };
      this.record(
        'failover',
        result.timedOut ? `lost ${result.link}: traffic had not recovered after ${result.gapMs} ms` : `lost ${result.link}: traffic moved to the other links in ${result.gapMs} ms`,
        result.link,
        { gapMs: result.gapMs },
      );
    }, SAMPLE_MS);
    this.failover = { meter, timer };
  }

  private stopFailover(): void {
    if (this.failover) clearInterval(this.failover.timer);
    this.failover = undefined;
  }

  /** once a second: converge the links, then take the statistics from the fresh state */
  private async tick(): Promise<void> {
    await this.reconcile();
    this.sample();
  }

  private sample(): void {
    try {
      const now = this.clock.now();
      const active = this.connector.active;
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
      } else {
        this.aggregate = { ...this.aggregate, txBps: 0, rxBps: 0 };
      }
      this.meterUsage();
      this.tuneSendBuffer();
      this.sampleLinkRates(now);
      const paths = this.buildPaths();
      this.rateHistory.push({
        at: now,
        aggregate: { txBps: this.aggregate.txBps, rxBps: this.aggregate.rxBps },
        links: Object.fromEntries(paths.map((p) => [p.link, { txBps: p.txBps, rxBps: p.rxBps }])),
      });
      this.changed();
    } catch (error) {
      this.record('error', `stats sampling failed: ${(error as Error).message}`);
    }
  }

  private tuneSendBuffer(): void {
    const active = this.connector.active;
    if (!active) return;
    const size = this.sendBuffer.update(this.aggregate.txBps / 8, baseRttMs(this.links.links().flatMap((l) => (l.subflow ? [l.subflow] : []))));
    if (size === undefined) return;
    try {
      this.options.native.setSendBuffer(active.fd, size);
    } catch (error) {
      this.record('warning', `cannot size the tunnel's send buffer: ${(error as Error).message}`);
    }
  }

  /** per-link data use from the interface counters: what a metered plan bills */
  private meterUsage(): void {
    for (const link of this.links.links()) {
      const configured = this.options.links.find((l) => l.name === link.name);
      if (configured?.cap && !this.configCapsApplied.has(link.identity)) {
        this.usage.setDefaultCap(link.identity, configured.cap);
        this.configCapsApplied.add(link.identity);
      }
      if (!link.present) {
        this.usage.forgetCounters(link.identity);
        continue;
      }
      const counters = readInterfaceCounters(link.name);
      if (counters) this.usage.record(link.identity, link.name, counters.tx, counters.rx);
      for (const event of this.usage.check(link.identity)) {
        const used = `${Math.round((event.usedBytes / event.cap.bytes) * 100)} % of its ${event.cap.bytes}-byte cap`;
        if (event.kind === 'cap-warning') this.record('cap-warning', `${link.name} has used ${used}`, link.name, { threshold: event.threshold });
        else {
          this.record('cap-reached', `${link.name} reached its data cap (${used}): switched to ${event.action} until the next billing period`, link.name, { action: event.action });
          void this.reconcile();
        }
      }
    }
  }

  private sampleLinkRates(now: number): void {
    const live = new Set(['agg-tx', 'agg-rx']);
    for (const link of this.links.links()) {
      const subflow = link.subflow;
      const key = `${link.name}/${subflow?.localPort ?? 'none'}`;
      live.add(`${key}/tx`).add(`${key}/rx`);
      this.linkRates.set(link.name, {
        txBps: subflow ? this.rates.sample(`${key}/tx`, subflow.bytesAcked, now) : 0,
        rxBps: subflow ? this.rates.sample(`${key}/rx`, subflow.bytesReceived, now) : 0,
      });
    }
    this.rates.forgetExcept(live); // every re-joined subflow has a new port: drop the old ones
  }

  /** built on every status read from the live link records, so state changes show at once */
  private buildPaths(): PathStatus[] {
    return withShares(this.links.links().map((link) => this.pathOf(link)));
  }

  private pathOf(link: LinkRecord): Omit<PathStatus, 'share'> {
    const subflow = link.subflow;
    const rates = (subflow && this.linkRates.get(link.name)) || { txBps: 0, rxBps: 0 };
    const details = this.enrichment.details(link.name);
    return {
      link: link.name,
      identity: link.identity,
      usage: this.usage.usageStatus(link.identity),
      kind: link.kind,
      mode: link.mode,
      state: link.state,
      reason: link.reason,
      localAddress: link.address,
      gateway: link.gateway,
      subflow: subflow ? subflowStatus(subflow) : undefined,
      ...rates,
      txBytes: subflow?.bytesAcked ?? 0,
      rxBytes: subflow?.bytesReceived ?? 0,
      ...(details ? { details } : {}),
    };
  }

  private record(kind: string, message: string, link?: string, data?: Record<string, unknown>): void {
    const event: EngineEvent = { at: this.clock.now(), kind, message, ...(link ? { link } : {}), ...(data ? { data } : {}) };
    this.events.add(event);
    this.options.log?.(`${kind}: ${message}`);
    this.changed();
  }

  private changed(): void {
    this.emitter.emit('change');
  }
}

function readInterfaceCounters(name: string): { tx: number; rx: number } | undefined {
  try {
    const dir = `/sys/class/net/${name}/statistics`;
    return { tx: Number(fs.readFileSync(`${dir}/tx_bytes`, 'utf8')), rx: Number(fs.readFileSync(`${dir}/rx_bytes`, 'utf8')) };
  } catch {
    return undefined;
  }
}
