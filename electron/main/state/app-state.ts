// Main's view model: what every window shows, with a global sequence number. Each change is
// published once as a notice (group:name), only when its content really changed, so windows
// can take a snapshot and then apply notices with a larger seq.
import type { ClientStatus, HistorySample } from '../../protocol/control';
import type { NotifyMessage } from '../../shared/ipc-schema';
import type {
  AggregateView,
  AppInfo,
  AppSnapshot,
  EngineHealth,
  EventView,
  PathView,
  SettingsView,
  StatsSample,
  TunnelView,
} from '../../shared/types';
import { historyToSample, toAggregateView, toEventView, toPathView, toStatsSample, toTunnelView } from '../engine-client/convert';
import { StatsRing } from './stats-ring';

const ZERO: AggregateView = { upBps: 0, downBps: 0, upBytes: 0, downBytes: 0 };

export class AppState {
  private seq = 0;
  private listeners = new Set<(message: NotifyMessage) => void>();
  private tunnel: TunnelView | null = null;
  private paths: PathView[] = [];
  private aggregate: AggregateView = ZERO;
  private events: EventView[] = [];
  private readonly last = new Map<string, string>();
  readonly ring: StatsRing;

  constructor(
    readonly app: AppInfo,
    private health: EngineHealth,
    private settings: SettingsView,
    private readonly now: () => number = Date.now,
    windowSeconds = 600,
  ) {
    this.ring = new StatsRing(windowSeconds);
  }

  subscribe(listener: (message: NotifyMessage) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  snapshot(): AppSnapshot {
    return {
      seq: this.seq,
      app: this.app,
      health: this.health,
      tunnel: this.tunnel,
      paths: this.paths,
      aggregate: this.aggregate,
      events: this.events,
      history: { samples: this.ring.all(), windowSeconds: this.ring.windowSeconds },
      settings: this.settings,
    };
  }

  get currentHealth(): EngineHealth {
    return this.health;
  }
  get currentTunnel(): TunnelView | null {
    return this.tunnel;
  }
  get currentPaths(): PathView[] {
    return this.paths;
  }
  get currentAggregate(): AggregateView {
    return this.aggregate;
  }
  get currentEvents(): EventView[] {
    return this.events;
  }
  get currentSettings(): SettingsView {
    return this.settings;
  }

  setHealth(health: EngineHealth): void {
    this.health = health;
    this.publishIfChanged('app', 'health', health);
  }

  setSettings(settings: SettingsView): void {
    this.settings = settings;
    this.publishIfChanged('settings', 'changed', settings);
  }

  /** a new engine status (or null: no engine) */
  setStatus(status: ClientStatus | null): void {
    this.tunnel = status ? toTunnelView(status) : null;
    this.paths = status ? status.paths.map(toPathView) : [];
    this.aggregate = status ? toAggregateView(status) : ZERO;
    this.events = status ? status.events.map(toEventView) : this.events;
    this.publishIfChanged('tunnel', 'changed', this.tunnel);
    this.publishIfChanged('paths', 'changed', this.paths);
    this.publishIfChanged('links', 'events', this.events);
    if (status) {
      const sample = this.ring.add(toStatsSample(status, this.now()));
      this.publish({ group: 'stats', name: 'sample', notice: { seq: ++this.seq, data: sample } });
    }
  }

  /** the engine's rate history: fills seconds main has no sample for, then resends the chart */
  mergeHistory(samples: HistorySample[]): void {
    this.ring.merge(samples.map(historyToSample), this.now());
    this.publish({
      group: 'stats',
      name: 'reset',
      notice: { seq: ++this.seq, data: { samples: this.ring.all(), windowSeconds: this.ring.windowSeconds } },
    });
  }

  private publishIfChanged(group: NotifyMessage['group'], name: string, data: unknown): void {
    const key = `${group}:${name}`;
    const text = JSON.stringify(data);
    if (this.last.get(key) === text) return;
    this.last.set(key, text);
    this.publish({ group, name, notice: { seq: ++this.seq, data } } as NotifyMessage);
  }

  private publish(message: NotifyMessage): void {
    for (const listener of this.listeners) listener(message);
  }

  /** for tests and the tray: the latest sample */
  lastSample(): StatsSample | undefined {
    const all = this.ring.all();
    return all[all.length - 1];
  }
}
