// Interface monitor: rtnetlink events (from the native watcher) trigger a debounced re-read of
// addresses and routes, turned into one snapshot plus a delta. React in milliseconds, never
// poll the kernel in a loop; a slow periodic re-read only guards against a lost event.
import { EventEmitter } from 'node:events';
import type { NativeAddon, NetlinkWatcher } from '../../../native/lib';
import type { CommandRunner } from '../ports';
import { classifyLink } from './classify';
import { buildSnapshot, diffSnapshots, isEmptyDelta, type Snapshot, type SnapshotDelta } from './snapshot';

export interface MonitorOptions {
  debounceMs?: number;
  /** safety re-read interval in case an event was lost (default 10 s) */
  resyncMs?: number;
}

export declare interface NetworkMonitor {
  on(event: 'change', listener: (snapshot: Snapshot, delta: SnapshotDelta) => void): this;
  on(event: 'error', listener: (error: Error) => void): this;
}

export class NetworkMonitor extends EventEmitter {
  private current: Snapshot = new Map();
  private watcher?: NetlinkWatcher;
  private debounce?: NodeJS.Timeout;
  private resync?: NodeJS.Timeout;
  private reading = false;
  private rereadWanted = false;

  constructor(
    private readonly native: Pick<NativeAddon, 'watchNetlink'>,
    private readonly runner: CommandRunner,
    private readonly options: MonitorOptions = {},
  ) {
    super();
  }

  async start(): Promise<Snapshot> {
    this.watcher = this.native.watchNetlink(() => this.schedule());
    this.resync = setInterval(() => this.schedule(), this.options.resyncMs ?? 10_000);
    this.resync.unref();
    await this.reread();
    return this.current;
  }

  stop(): void {
    this.watcher?.stop();
    this.watcher = undefined;
    if (this.debounce) clearTimeout(this.debounce);
    if (this.resync) clearInterval(this.resync);
  }

  snapshot(): Snapshot {
    return this.current;
  }

  private schedule(): void {
    if (this.debounce) return;
    this.debounce = setTimeout(() => {
      this.debounce = undefined;
      void this.reread();
    }, this.options.debounceMs ?? 30);
  }

  /** one read at a time; events during a read cause exactly one more read after it */
  private async reread(): Promise<void> {
    if (this.reading) {
      this.rereadWanted = true;
      return;
    }
    this.reading = true;
    try {
      const [addrs, routes] = await Promise.all([
        this.runner.run(['ip', '-j', 'addr', 'show']),
        this.runner.run(['ip', '-j', '-4', 'route', 'show', 'table', 'main']),
      ]);
      const next = buildSnapshot(JSON.parse(addrs.stdout || '[]'), JSON.parse(routes.stdout || '[]'), (name) => classifyLink(name));
      const delta = diffSnapshots(this.current, next);
      this.current = next;
      if (!isEmptyDelta(delta)) this.emit('change', next, delta);
    } catch (error) {
      this.emit('error', error instanceof Error ? error : new Error(String(error)));
    } finally {
      this.reading = false;
      if (this.rereadWanted) {
        this.rereadWanted = false;
        this.schedule();
      }
    }
  }
}
