// A simulated client engine behind the EngineApi interface: links with capacities, modes,
// state changes and 1 Hz rates, for developing and testing the app without root or a lab.
// Served through the real control socket server by serveFakeEngine().
import { EventEmitter } from 'node:events';
import { startControlServer, type ControlServer } from '../../electron/engine/control/server';
import type { EngineApi } from '../../electron/engine/engine-api';
import { EngineRequestError } from '../../electron/engine/engine-api';
import type { ClientStatus, EngineEvent, LinkKind, LinkMode, PathState, PathStatus } from '../../electron/protocol/control';

export interface FakeLink {
  name: string;
  kind: LinkKind;
  capacityMbit: number;
  mode: LinkMode;
}

interface LinkRuntime extends FakeLink {
  up: boolean;
  txBytes: number;
  rxBytes: number;
  txBps: number;
  rxBps: number;
  rttMs: number;
}

export class FakeEngine implements EngineApi {
  readonly mode = 'client' as const;
  readonly version = '0.1.0-fake';
  private readonly emitter = new EventEmitter();
  private readonly links: LinkRuntime[];
  private state: ClientStatus['tunnel']['state'] = 'disconnected';
  private target: 'connected' | 'disconnected';
  private since = Date.now();
  private events: EngineEvent[] = [];
  private timer: NodeJS.Timeout;
  private connectTimer: NodeJS.Timeout | undefined;
  private readonly pathStates = new Map<string, PathState>();
  /** fraction of each link's capacity in use (the simulated load) */
  load = 0.8;

  constructor(links: FakeLink[], connected = true, private readonly tickMs = 1000) {
    this.links = links.map((l) => ({ ...l, up: true, txBytes: 0, rxBytes: 0, txBps: 0, rxBps: 0, rttMs: 12 + Math.random() * 30 }));
    this.target = connected ? 'connected' : 'disconnected';
    if (connected) this.beginConnect();
    this.timer = setInterval(() => this.tick(), tickMs);
    this.timer.unref();
  }

  status(): ClientStatus {
    const paths = this.paths();
    const txBps = paths.reduce((s, p) => s + p.txBps, 0);
    const rxBps = paths.reduce((s, p) => s + p.rxBps, 0);
    return {
      mode: 'client',
      version: this.version,
      tunnel: {
        state: this.state,
        target: this.target,
        since: this.since,
        server: '198.19.0.1:7443',
        address: this.state === 'connected' ? '10.77.0.2' : undefined,
        interface: 'braid0',
        mptcp: this.state === 'connected' ? true : undefined,
        reconnects: 0,
      },
      paths,
      aggregate: {
        txBps,
        rxBps,
        txBytes: this.links.reduce((s, l) => s + l.txBytes, 0),
        rxBytes: this.links.reduce((s, l) => s + l.rxBytes, 0),
      },
      events: [...this.events],
    };
  }

  onChange(listener: () => void): () => void {
    this.emitter.on('change', listener);
    return () => this.emitter.off('change', listener);
  }

  async setTargetState(state: 'connected' | 'disconnected'): Promise<void> {
    this.target = state;
    if (state === 'connected') this.beginConnect();
    else {
      clearTimeout(this.connectTimer);
      this.transition('disconnected');
    }
    this.changed();
  }

  async setLinkMode(link: string, mode: LinkMode): Promise<void> {
    const l = this.links.find((x) => x.name === link);
    if (!l) throw new EngineRequestError(`unknown link ${link}`);
    l.mode = mode;
    this.record('link-mode', `${link} set to ${mode}`, link);
    this.tick();
  }

  async setLinkCap(link: string): Promise<void> {
    if (!this.links.some((x) => x.name === link)) throw new EngineRequestError(`unknown link ${link}`);
    throw new EngineRequestError('data caps are not simulated by the fake engine');
  }

  /** the fake keeps no rate history */
  history(): [] {
    return [];
  }

  /** lab-like link failure */
  setLinkUp(link: string, up: boolean): void {
    const l = this.links.find((x) => x.name === link);
    if (l) l.up = up;
    this.tick();
  }

  stop(): void {
    clearInterval(this.timer);
    clearTimeout(this.connectTimer);
  }

  private beginConnect(): void {
    if (this.state === 'connected' || this.state === 'connecting') return;
    this.transition('connecting');
    this.connectTimer = setTimeout(() => this.transition('connected'), 400);
  }

  private transition(to: ClientStatus['tunnel']['state']): void {
    const from = this.state;
    this.state = to;
    this.since = Date.now();
    this.record('tunnel', `${from} -> ${to}`);
    if (to === 'connected') this.record('connected', 'tunnel up as 10.77.0.2');
  }

  private stateOf(l: LinkRuntime): { state: PathState; reason?: string } {
    if (l.mode === 'off') return { state: 'idle', reason: 'turned off' };
    if (this.state !== 'connected') return { state: l.up ? 'idle' : 'unavailable', reason: l.up ? undefined : 'link is down' };
    if (!l.up) return { state: 'failed', reason: 'link is down' };
    return { state: l.mode === 'backup' ? 'backup' : 'active' };
  }

  private paths(): PathStatus[] {
    const total = this.links.reduce((s, l) => s + l.txBps + l.rxBps, 0);
    return this.links.map((l) => {
      const { state, reason } = this.stateOf(l);
      return {
        link: l.name,
        kind: l.kind,
        mode: l.mode,
        state,
        reason,
        localAddress: `10.100.${this.links.indexOf(l)}.2`,
        subflow:
          state === 'active' || state === 'backup'
            ? {
                localAddress: `10.100.${this.links.indexOf(l)}.2:40000`,
                remoteAddress: '198.19.0.1:7443',
                rttMs: l.rttMs,
                deliveryRateBps: l.capacityMbit * 1e6,
                retransmits: 0,
                bytesSent: l.txBytes,
                bytesReceived: l.rxBytes,
                backup: l.mode === 'backup',
              }
            : undefined,
        txBps: l.txBps,
        rxBps: l.rxBps,
        txBytes: l.txBytes,
        rxBytes: l.rxBytes,
        share: total > 0 ? (l.txBps + l.rxBps) / total : 0,
      };
    });
  }

  private tick(): void {
    const seconds = this.tickMs / 1000;
    const anyActive = this.links.some((l) => this.stateOf(l).state === 'active');
    for (const l of this.links) {
      const { state, reason } = this.stateOf(l);
      const carries = state === 'active' || (state === 'backup' && !anyActive);
      const wobble = 0.85 + Math.random() * 0.3;
      l.rxBps = carries ? l.capacityMbit * 1e6 * this.load * wobble : 0;
      l.txBps = carries ? l.rxBps * 0.08 : 0;
      l.rxBytes += (l.rxBps / 8) * seconds;
      l.txBytes += (l.txBps / 8) * seconds;
      l.rttMs = Math.max(4, l.rttMs + (Math.random() - 0.5) * 2);
      const previous = this.pathStates.get(l.name);
      if (previous !== undefined && previous !== state) {
        this.events.push({ at: Date.now(), kind: 'path', link: l.name, message: `${l.name}: ${previous} -> ${state}${reason ? ` (${reason})` : ''}` });
      }
      this.pathStates.set(l.name, state);
    }
    this.trim();
    this.changed();
  }

  private record(kind: string, message: string, link?: string): void {
    this.events.push({ at: Date.now(), kind, message, ...(link ? { link } : {}) });
    this.trim();
    this.changed();
  }

  private trim(): void {
    if (this.events.length > 50) this.events = this.events.slice(-50);
  }

  private changed(): void {
    this.emitter.emit('change');
  }
}

export const DEFAULT_FAKE_LINKS: FakeLink[] = [
  { name: 'eth0', kind: 'ethernet', capacityMbit: 50, mode: 'on' },
  { name: 'wlan0', kind: 'wifi', capacityMbit: 20, mode: 'on' },
  { name: 'usb0', kind: 'usb-tether', capacityMbit: 10, mode: 'on' },
];

/** the fake engine behind the real control socket server */
export async function serveFakeEngine(socketPath: string, engine = new FakeEngine(DEFAULT_FAKE_LINKS)): Promise<{ engine: FakeEngine; control: ControlServer; close(): Promise<void> }> {
  const control = await startControlServer({ path: socketPath, engine, log: () => {} });
  return {
    engine,
    control,
    async close() {
      await control.close();
      engine.stop();
    },
  };
}
