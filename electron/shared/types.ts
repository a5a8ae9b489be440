// Domain types shared by main and the renderer. The renderer sees only these, never the
// engine's wire types (electron/protocol/control.ts): main converts them in one place
// (electron/main/engine-client/convert.ts). No Node or DOM types here.

export type LinkMode = 'on' | 'backup' | 'off';
export type LinkKind = 'ethernet' | 'wifi' | 'usb-tether' | 'wwan' | 'virtual' | 'unknown';
export type PathState = 'unavailable' | 'unreachable' | 'idle' | 'joining' | 'active' | 'backup' | 'failed';
export type TunnelState = 'disconnected' | 'connecting' | 'connected' | 'disconnecting' | 'error';

/** how main's link to the engine is doing (not the tunnel: the engine process itself) */
export type EngineHealthState =
  | 'connecting' //   first attempt, or reconnecting after a drop
  | 'ready' //        hello done, watch running
  | 'not-running' //  no socket / connection refused
  | 'starting' //     development: main spawned braidd and waits for its socket
  | 'untrusted' //    socket owned by someone else: refused
  | 'no-access' //    permission denied on the socket
  | 'incompatible' // protocol version mismatch
  | 'wrong-mode' //   the socket belongs to a braid server, not a client engine
  | 'error';

export interface EngineHealth {
  state: EngineHealthState;
  /** one sentence for the user: what is wrong and what to do */
  message: string;
  /** what this user may do (from the engine's hello), when ready */
  access?: 'read' | 'write';
  engineVersion?: string;
  socketPath: string;
  /** ms until the next connection attempt, when waiting */
  retryInMs?: number;
}

export interface SubflowView {
  localAddress: string;
  remoteAddress: string;
  rttMs: number;
  retransmits: number;
  backup: boolean;
}

export interface PathView {
  link: string;
  kind: LinkKind;
  mode: LinkMode;
  state: PathState;
  reason?: string;
  localAddress?: string;
  /** bits per second, upload / download through this link */
  upBps: number;
  downBps: number;
  /** bytes this session */
  upBytes: number;
  downBytes: number;
  /** 0..1 of the aggregate */
  share: number;
  rttMs?: number;
  /** data cap in bytes and bytes used this billing period, once the engine reports them */
  capBytes?: number;
  capUsedBytes?: number;
  /** what happens at the cap */
  capAction?: 'off' | 'backup';
  /** when the billing period ends (ms) */
  capPeriodEnd?: number;
}

export interface TunnelView {
  state: TunnelState;
  target: 'connected' | 'disconnected';
  cause?: string;
  since: number;
  server: string;
  address?: string;
  interface?: string;
  mptcp?: boolean;
  reconnects: number;
  /** the last path lost under traffic and how long traffic took to move on */
  lastFailover?: { link: string; gapMs: number; at: number };
  /** other MPTCP endpoint managers (NetworkManager, mptcpd), in words, when present */
  coexistence?: string;
}

export interface AggregateView {
  upBps: number;
  downBps: number;
  upBytes: number;
  downBytes: number;
}

export interface EventView {
  /** stable id for lists (time + kind + link + message) */
  id: string;
  at: number;
  kind: string;
  link?: string;
  message: string;
  severity: 'info' | 'warning' | 'error';
}

/** one point of the bandwidth chart: the aggregate and each link's total (up + down) bits/s */
export interface StatsSample {
  at: number;
  upBps: number;
  downBps: number;
  links: Record<string, number>;
}

export interface StatsHistory {
  /** oldest first */
  samples: StatsSample[];
  /** how many seconds main keeps */
  windowSeconds: number;
}

export type RoutingMode = 'full' | 'prefixes';

/** the user's settings as the renderer sees them (never the device secret) */
export interface SettingsView {
  server: { host: string; port: number; publicKey: string };
  device: { name: string; publicKey: string; hasSecret: boolean };
  routing: { mode: RoutingMode; prefixes: string[] };
  startAtLogin: boolean;
  notifications: boolean;
  /** where main writes the client config the user installs for the engine */
  clientConfigPath: string;
  /** when the client config was last written (ms), if ever */
  clientConfigWrittenAt?: number;
}

export interface ClientConfigExport {
  path: string;
  /** the command that installs it for the root-owned engine */
  installCommand: string;
}

export interface AppInfo {
  version: string;
  /** 'electron' or 'browser' (the browser host used by tests and machines without Electron) */
  host: 'electron' | 'browser';
  canQuit: boolean;
  canCopy: boolean;
  autostartSupported: boolean;
}

export interface AppSnapshot {
  /** sequence number of the last change included; changes with seq <= this are already in */
  seq: number;
  app: AppInfo;
  health: EngineHealth;
  tunnel: TunnelView | null;
  paths: PathView[];
  aggregate: AggregateView;
  events: EventView[];
  history: StatsHistory;
  settings: SettingsView;
}

export type IpcErrorCode =
  | 'bad-request' //        payload did not validate
  | 'unknown-channel'
  | 'forbidden-sender' //   not our window / wrong token
  | 'engine-unavailable' // no engine connection
  | 'forbidden' //          the engine refused a write for this user
  | 'unsupported' //        not possible in this host (e.g. quit in the browser host)
  | 'failed';

export type IpcResult<T> = { ok: true; value: T } | { ok: false; code: IpcErrorCode; message: string };

/** a change notification: every one carries a global sequence number */
export interface Notice<T> {
  seq: number;
  data: T;
}
