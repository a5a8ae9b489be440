// Link details that rtnetlink does not give: Wi-Fi SSID and signal, speed, duplex, DHCP,
// vendor/model (systeminformation) and NetworkManager's metered flag (nmcli). For display,
// and metered for a link's default mode. systeminformation's Linux calls run synchronous shell
// commands per interface (63 ms with 2 interfaces, 2 s with 81, measured), so they run in a
// worker thread; nmcli runs as a child process. Neither blocks the engine's event loop, and a
// missing tool means "unknown", never an error.
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { LinkDetails, Metered } from '../../protocol/control';
import type { CommandRunner } from '../ports';

/** the parts of systeminformation's answers the engine uses (posted by the worker) */
export interface RawInterface {
  iface: string;
  type?: string;
  speed?: number | null;
  duplex?: string;
  dhcp?: boolean;
}
export interface RawWifiConnection {
  iface: string;
  ssid?: string;
  signalLevel?: number | null;
  quality?: number | null;
  model?: string | null;
}
export interface RawWifiInterface {
  iface: string;
  vendor?: string | null;
  model?: string | null;
}
export interface RawEnrichment {
  interfaces: RawInterface[];
  wifiConnections: RawWifiConnection[];
  wifiInterfaces: RawWifiInterface[];
}

export interface WorkerRequest {
  id: number;
}
export type WorkerReply = { id: number; ok: true; data: RawEnrichment } | { id: number; ok: false; error: string };

export type SystemDetails = Omit<LinkDetails, 'metered'>;

export const DEFAULT_WORKER_FILE = path.join(__dirname, 'enrichment-worker.js');
/** at most one systeminformation pass this often, however often links change */
export const MIN_INTERVAL_MS = 5000;
/** and one this often anyway (SSID, signal and speed change without a netlink event) */
export const PERIOD_MS = 60_000;
/** a pass that takes longer is abandoned and its worker replaced */
const COLLECT_TIMEOUT_MS = 30_000;

const finite = (n: number | null | undefined): number | undefined => (typeof n === 'number' && Number.isFinite(n) ? n : undefined);

/** per interface name; absent fields are unknown (systeminformation reports -1 or '' for them) */
export function detailsFromRaw(raw: RawEnrichment): Map<string, SystemDetails> {
  const out = new Map<string, SystemDetails>();
  const entry = (iface: string) => out.get(iface) ?? out.set(iface, {}).get(iface)!;
  for (const i of raw.interfaces) {
    if (!i.iface) continue;
    const d = entry(i.iface);
    if (i.type) d.type = i.type;
    const speed = finite(i.speed);
    if (speed !== undefined && speed > 0) d.speedMbps = speed;
    const duplex = i.duplex?.toLowerCase();
    if (duplex === 'full' || duplex === 'half') d.duplex = duplex;
    if (typeof i.dhcp === 'boolean') d.dhcp = i.dhcp;
  }
  for (const w of raw.wifiInterfaces) {
    if (!w.iface) continue;
    const d = entry(w.iface);
    if (w.vendor) d.vendor = w.vendor;
    if (w.model) d.model = w.model;
  }
  for (const c of raw.wifiConnections) {
    if (!c.iface || !c.ssid) continue;
    const d = entry(c.iface);
    const signalDbm = finite(c.signalLevel);
    // systeminformation derives quality from the signal; without a signal it means nothing
    const quality = signalDbm === undefined ? undefined : finite(c.quality);
    d.wifi = { ssid: c.ssid, ...(signalDbm !== undefined ? { signalDbm } : {}), ...(quality !== undefined ? { quality } : {}) };
    if (!d.model && c.model) d.model = c.model;
  }
  return out;
}

/** `nmcli -t -g GENERAL.METERED device show IFACE`: yes, no, yes (guessed), no (guessed), unknown */
export function parseMetered(stdout: string): Metered {
  const value = stdout.trim().toLowerCase();
  if (/^yes\b/.test(value)) return 'yes';
  if (/^no\b/.test(value)) return 'no';
  return 'unknown';
}

/** NetworkManager's metered flag; no nmcli, no NetworkManager or an unmanaged device: unknown */
export async function nmcliMetered(runner: CommandRunner, iface: string): Promise<Metered> {
  try {
    const { stdout, code } = await runner.run(['nmcli', '-t', '-g', 'GENERAL.METERED', 'device', 'show', iface], { allowFailure: true });
    return code === 0 ? parseMetered(stdout) : 'unknown';
  } catch {
    return 'unknown';
  }
}

/**
 * Runs systeminformation in a worker thread, one pass per collect(). The worker is kept between
 * passes (unref'd then, so it never keeps the engine alive) and replaced when it dies or hangs.
 */
export class WorkerCollector {
  private worker?: Worker;
  private nextId = 1;
  private inflight?: { id: number; worker: Worker; resolve(data: RawEnrichment): void; reject(error: Error): void; timer: NodeJS.Timeout };

  constructor(
    private readonly file = DEFAULT_WORKER_FILE,
    private readonly timeoutMs = COLLECT_TIMEOUT_MS,
  ) {}

  collect(): Promise<RawEnrichment> {
    if (this.inflight) return Promise.reject(new Error('a collection is already running'));
    return new Promise((resolve, reject) => {
      let worker: Worker;
      try {
        worker = this.ensure();
      } catch (error) {
        reject(error instanceof Error ? error : new Error(String(error)));
        return;
      }
      const id = this.nextId++;
      const timer = setTimeout(() => {
        this.settle(id, new Error(`systeminformation did not answer within ${this.timeoutMs} ms`));
        this.discard(worker);
      }, this.timeoutMs);
      timer.unref();
      this.inflight = { id, worker, resolve, reject, timer };
      worker.ref(); // an answer is awaited: like any pending I/O it keeps the loop alive
      worker.postMessage({ id } satisfies WorkerRequest);
    });
  }

  stop(): void {
    if (this.inflight) this.settle(this.inflight.id, new Error('stopped'));
    if (this.worker) this.discard(this.worker);
  }

  private ensure(): Worker {
    if (this.worker) return this.worker;
    // a runaway systeminformation must not take the engine's memory with it
    const worker = new Worker(this.file, { resourceLimits: { maxOldGenerationSizeMb: 64 } });
    worker.unref();
    worker.on('message', (reply: WorkerReply) => this.settle(reply.id, reply.ok ? undefined : new Error(reply.error), reply.ok ? reply.data : undefined));
    worker.on('error', (error) => this.lost(worker, error));
    worker.on('exit', (code) => this.lost(worker, new Error(`enrichment worker exited (code ${code})`)));
    this.worker = worker;
    return worker;
  }

  private settle(id: number, error: Error | undefined, data?: RawEnrichment): void {
    const inflight = this.inflight;
    if (!inflight || inflight.id !== id) return;
    this.inflight = undefined;
    clearTimeout(inflight.timer);
    inflight.worker.unref();
    if (error || !data) inflight.reject(error ?? new Error('empty answer'));
    else inflight.resolve(data);
  }

  private lost(worker: Worker, error: Error): void {
    if (this.inflight?.worker === worker) this.settle(this.inflight.id, error);
    if (this.worker === worker) this.worker = undefined;
  }

  private discard(worker: Worker): void {
    if (this.worker === worker) this.worker = undefined;
    void worker.terminate().catch(() => undefined);
  }
}

export interface EnrichmentOptions {
  /** one systeminformation pass (WorkerCollector.collect in the engine) */
  collect: () => Promise<RawEnrichment>;
  /** the engine's command runner, for nmcli (async child process) */
  runner: CommandRunner;
  /** told once, the first time details cannot be gathered */
  log: (message: string) => void;
  /** details or a metered flag changed */
  onUpdate: () => void;
  minIntervalMs?: number;
  periodMs?: number;
  now?: () => number;
}

/**
 * Keeps the details of the engine's links: a systeminformation pass at start, after link
 * changes (at most every MIN_INTERVAL_MS) and every PERIOD_MS; the metered flag of a link as
 * soon as it is first seen (it decides the link's default mode) and with every pass.
 */
export class LinkEnrichment {
  private system = new Map<string, SystemDetails>();
  private readonly metered = new Map<string, Metered>();
  private tracked = new Set<string>();
  private collecting = false;
  private again = false;
  private lastStart = Number.NEGATIVE_INFINITY;
  private timer?: NodeJS.Timeout;
  private period?: NodeJS.Timeout;
  private failureLogged = false;
  private stopped = false;

  constructor(private readonly options: EnrichmentOptions) {}

  start(links: string[]): void {
    this.tracked = new Set(links); // the first pass, right now, reads their metered flags
    this.period = setInterval(() => this.refresh(), this.options.periodMs ?? PERIOD_MS);
    this.period.unref();
    this.refresh();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    if (this.period) clearInterval(this.period);
    this.timer = this.period = undefined;
  }

  /** the engine's links, after the monitor saw a change: refresh soon */
  linksChanged(links: string[]): void {
    const fresh = this.track(links);
    // new links get their metered flag at once (it decides their mode), not after the interval
    if (!this.refresh() && fresh.length > 0) void this.readMetered(fresh).then((changed) => changed && !this.stopped && this.options.onUpdate());
  }

  details(name: string): LinkDetails | undefined {
    const system = this.system.get(name);
    const metered = this.metered.get(name);
    if (!system && metered === undefined) return undefined;
    return { ...system, metered: metered ?? 'unknown' };
  }

  isMetered(name: string): boolean {
    return this.metered.get(name) === 'yes';
  }

  /** returns the names not tracked before */
  private track(links: string[]): string[] {
    const next = new Set(links);
    for (const name of this.tracked) if (!next.has(name)) this.metered.delete(name); // re-read if it returns
    const fresh = links.filter((name) => !this.tracked.has(name));
    this.tracked = next;
    return fresh;
  }

  /** true when a pass started right now */
  private refresh(): boolean {
    if (this.stopped) return false;
    if (this.collecting) {
      this.again = true;
      return false;
    }
    const wait = this.lastStart + (this.options.minIntervalMs ?? MIN_INTERVAL_MS) - this.now();
    if (wait > 0) {
      if (!this.timer) {
        this.timer = setTimeout(() => {
          this.timer = undefined;
          this.refresh();
        }, wait);
        this.timer.unref();
      }
      return false;
    }
    void this.run();
    return true;
  }

  private async run(): Promise<void> {
    this.collecting = true;
    this.lastStart = this.now();
    let changed = false;
    try {
      const [system, meteredChanged] = await Promise.all([this.collectSystem(), this.readMetered([...this.tracked])]);
      changed = meteredChanged;
      if (!this.stopped && !sameDetails(this.system, system)) {
        this.system = system;
        changed = true;
      }
    } finally {
      this.collecting = false;
      if (changed && !this.stopped) this.options.onUpdate();
      if (this.again) {
        this.again = false;
        this.refresh();
      }
    }
  }

  /** a failed pass (worker died, module missing, timeout) leaves no stale details behind */
  private async collectSystem(): Promise<Map<string, SystemDetails>> {
    try {
      return detailsFromRaw(await this.options.collect());
    } catch (error) {
      if (!this.failureLogged) {
        this.failureLogged = true;
        this.options.log(`link details (Wi-Fi, speed, DHCP) unavailable: ${(error as Error).message}; links work without them`);
      }
      return new Map();
    }
  }

  private async readMetered(names: string[]): Promise<boolean> {
    let changed = false;
    for (const name of names) {
      if (this.stopped) break;
      const value = await nmcliMetered(this.options.runner, name);
      if (this.stopped || !this.tracked.has(name)) continue;
      if (this.metered.get(name) !== value) changed = true;
      this.metered.set(name, value);
    }
    return changed;
  }

  private now(): number {
    return this.options.now?.() ?? Date.now();
  }
}

function sameDetails(a: Map<string, SystemDetails>, b: Map<string, SystemDetails>): boolean {
  const text = (m: Map<string, SystemDetails>) => JSON.stringify([...m.entries()].sort(([x], [y]) => x.localeCompare(y)));
  return text(a) === text(b);
}
