// Pure selectors: everything the views show is derived here, so it is unit-tested without a DOM.
import { formatBytes, formatRate, isCarryingPath, overallState, type OverallState } from '../../electron/shared/derive';
import type { EngineHealth, EventView, PathView, SettingsView, StatsSample, TunnelView } from '../../electron/shared/types';
import type { DataState } from './reducers';

export { formatBytes, formatRate };

const NO_HEALTH: EngineHealth = { state: 'connecting', message: 'Connecting to Braid…', socketPath: '' };

export function selectOverall(s: Pick<DataState, 'health' | 'tunnel' | 'paths'>): OverallState {
  return overallState(s.health ?? NO_HEALTH, s.tunnel, s.paths);
}

export function engineReady(s: Pick<DataState, 'health'>): boolean {
  return s.health?.state === 'ready';
}

export function canWrite(s: Pick<DataState, 'health'>): boolean {
  return s.health?.state === 'ready' && s.health.access === 'write';
}

/** total throughput through the tunnel, bits/s (up + down), from the paths or the last sample */
export function aggregateBps(s: Pick<DataState, 'samples' | 'tunnel'>): { total: number; up: number; down: number } {
  const last = s.samples[s.samples.length - 1];
  if (!last || !s.tunnel) return { total: 0, up: 0, down: 0 };
  return { total: last.upBps + last.downBps, up: last.upBps, down: last.downBps };
}

export function activePathCount(paths: PathView[]): number {
  return paths.filter((p) => p.state === 'active').length;
}

export function carryingPathCount(paths: PathView[]): number {
  return paths.filter(isCarryingPath).length;
}

/** does the switch show "on"? It follows the user's target, not the transient state */
export function switchOn(tunnel: TunnelView | null): boolean {
  return tunnel?.target === 'connected';
}

export const OVERALL_TITLE: Record<OverallState, string> = {
  off: 'Off',
  connecting: 'Connecting…',
  connected: 'Connected',
  degraded: 'Connected, degraded',
  error: 'Not working',
};

/** header title and the line under it */
export function connectionSummary(s: Pick<DataState, 'health' | 'tunnel' | 'paths'>): { title: string; detail: string } {
  const overall = selectOverall(s);
  const health = s.health;
  if (!health || health.state !== 'ready' || !s.tunnel) {
    return { title: health?.state === 'connecting' ? 'Connecting to the engine…' : 'Engine unavailable', detail: health?.message ?? '' };
  }
  const t = s.tunnel;
  const active = activePathCount(s.paths);
  const wanted = s.paths.filter((p) => p.mode === 'on').length;
  const standby = s.paths.filter((p) => p.mode === 'backup' && p.state === 'backup').length;
  if (t.state === 'disconnected' && t.target === 'disconnected') {
    return { title: 'Off', detail: `Traffic goes over your normal connection. Server ${t.server}` };
  }
  if (t.state === 'error') return { title: OVERALL_TITLE.error, detail: t.cause ?? 'The tunnel failed' };
  if (t.state === 'disconnecting') return { title: 'Disconnecting…', detail: `Server ${t.server}` };
  if (t.state !== 'connected') {
    return { title: 'Connecting…', detail: t.cause ? `Last attempt: ${t.cause}` : `Reaching ${t.server}` };
  }
  const parts = [`${active} of ${wanted} ${wanted === 1 ? 'link' : 'links'} active`];
  if (standby) parts.push(`${standby} backup standing by`);
  parts.push(`server ${t.server}`);
  if (t.address) parts.push(`tunnel address ${t.address}`);
  if (t.lastFailover) parts.push(`last failover ${Math.round(t.lastFailover.gapMs)} ms (${t.lastFailover.link})`);
  if (t.mptcp === false) parts.unshift('Multipath TCP unavailable: fell back to a single path');
  return { title: OVERALL_TITLE[overall], detail: parts.join(' · ') };
}

export type Tone = 'good' | 'standby' | 'busy' | 'bad' | 'muted';

/** a path's state in words, with a tone for its colour */
export function pathStateLabel(p: PathView): { label: string; tone: Tone; detail?: string } {
  if (p.mode === 'off') return { label: 'Off', tone: 'muted', detail: 'Not used by Braid' };
  switch (p.state) {
    case 'active':
      return { label: 'Active', tone: 'good' };
    case 'backup':
      return { label: 'Standing by', tone: 'standby', detail: 'Backup: used when the other links fail' };
    case 'joining':
      return { label: 'Joining…', tone: 'busy' };
    case 'idle':
      return { label: 'Idle', tone: 'muted', detail: p.reason ?? 'Braid is not connected' };
    case 'failed':
      return { label: 'Failed', tone: 'bad', detail: p.reason };
    case 'unreachable':
      return { label: 'Cannot reach server', tone: 'bad', detail: p.reason };
    case 'unavailable':
      return { label: 'Unavailable', tone: 'muted', detail: p.reason };
  }
}

export const KIND_LABEL: Record<PathView['kind'], string> = {
  ethernet: 'Ethernet',
  wifi: 'Wi-Fi',
  'usb-tether': 'Phone (USB)',
  wwan: 'Mobile broadband',
  virtual: 'Virtual',
  unknown: 'Network link',
};

export const MODE_LABEL: Record<PathView['mode'], string> = { on: 'On', backup: 'Backup', off: 'Off' };

/** data used this session and the cap, in words */
export function dataUsage(p: PathView): { label: string; used: string; cap: string; fraction?: number; warn: boolean } {
  const period = p.capUsedBytes !== undefined;
  const usedBytes = p.capUsedBytes ?? p.upBytes + p.downBytes;
  const label = period ? 'Used this period' : 'Data used';
  if (!p.capBytes) return { label, used: formatBytes(usedBytes), cap: 'No cap', warn: false };
  const fraction = Math.min(1, usedBytes / p.capBytes);
  return { label, used: formatBytes(usedBytes), cap: formatBytes(p.capBytes), fraction, warn: fraction >= 0.75 };
}

export function formatShare(share: number): string {
  if (!(share > 0)) return '0 %';
  if (share < 0.01) return '<1 %';
  return `${Math.round(share * 100)} %`;
}

export function formatRtt(ms: number | undefined): string {
  if (ms === undefined || !Number.isFinite(ms)) return '—';
  if (ms < 0.1) return '<0.1 ms';
  return ms < 10 ? `${ms.toFixed(1)} ms` : `${Math.round(ms)} ms`;
}

/** newest first, at most `limit` */
export function recentEvents(events: EventView[], limit = 50): EventView[] {
  return events.slice(-limit).reverse();
}

/** the engine's 'path' events carry the transition in the message: make failures stand out */
export function eventTone(e: EventView): Tone {
  if (e.kind === 'tunnel' && /-> ?(connecting|disconnect)/.test(e.message)) return 'muted';
  if (/-> ?failed|unreachable|lost|error|fell back/i.test(e.message) || e.severity === 'error') return 'bad';
  if (/-> ?(active|connected)|tunnel up|\bback\b/i.test(e.message)) return 'good';
  if (e.severity === 'warning') return 'busy';
  return 'muted';
}

const TUNNEL_WORDS: Record<string, string> = {
  connected: 'Connected',
  connecting: 'Connecting…',
  disconnected: 'Disconnected',
  disconnecting: 'Disconnecting…',
  error: 'Tunnel error',
};

/** an engine event in plain words ("bl1 lost: link is down" rather than "bl1: active -> failed") */
export function eventText(e: EventView): string {
  const path = /^(\S+): (\w+) -> (\w+)(?: \((.*)\))?$/.exec(e.message);
  if (e.kind === 'path' && path) {
    const [, link, from, to, reason] = path;
    switch (to) {
      case 'active':
        return from === 'failed' || from === 'unreachable' ? `${link} is back` : `${link} joined`;
      case 'backup':
        return `${link} standing by as backup`;
      case 'failed':
        return `${link} lost${reason ? `: ${reason}` : ''}`;
      case 'unreachable':
        return `${link} cannot reach the server${reason ? `: ${reason}` : ''}`;
      case 'joining':
        return `${link} joining`;
      case 'idle':
        return reason === 'turned off' ? `${link} turned off` : `${link} idle${reason ? `: ${reason}` : ''}`;
      default:
        return `${link} ${to}${reason ? `: ${reason}` : ''}`;
    }
  }
  const tunnel = /^(\w+) -> (\w+)$/.exec(e.message);
  if (e.kind === 'tunnel' && tunnel) return TUNNEL_WORDS[tunnel[2]!] ?? e.message;
  const up = /^tunnel up as (\S+)(.*)$/.exec(e.message);
  if (e.kind === 'connected' && up) return `Tunnel up, address ${up[1]}${up[2]}`;
  return e.message;
}

export function formatClock(at: number): string {
  const d = new Date(at);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

/** first run: no server in the user's settings and none known from the engine (now or earlier
 *  in this session: an engine that stops is not a first run) */
export function needsSetup(settings: SettingsView | null, tunnel: TunnelView | null, engineServer = ''): boolean {
  if (!settings) return false;
  if (settings.server.host || engineServer) return false;
  return !tunnel || !tunnel.server || tunnel.server.startsWith(':');
}

/** stable link order: the engine's order */
export function linkNames(paths: PathView[], samples: StatsSample[]): string[] {
  const names = paths.map((p) => p.link);
  for (const s of samples) for (const k of Object.keys(s.links)) if (!names.includes(k)) names.push(k);
  return names;
}

/** chart data for uPlot: x in seconds, then one cumulative series per link (stacked) */
export function stackedSeries(samples: StatsSample[], links: string[], now: number, seconds: number): { x: number[]; stacked: number[][] } {
  const from = now - seconds * 1000;
  const visible = samples.filter((s) => s.at >= from);
  const x = visible.map((s) => s.at / 1000);
  const stacked: number[][] = [];
  let below = visible.map(() => 0);
  for (const link of links) {
    const row = visible.map((s, i) => below[i]! + (s.links[link] ?? 0));
    stacked.push(row);
    below = row;
  }
  return { x, stacked };
}

export const LINK_COLORS = ['#2bb3a3', '#7c6cf0', '#e6a23c', '#e0609a', '#3aa0e8', '#8cbf3f'];

export function linkColor(index: number): string {
  return LINK_COLORS[index % LINK_COLORS.length]!;
}

/** a rate split into number and unit for the big display: { value: '87.4', unit: 'Mbit/s' } */
export function rateParts(bps: number): { value: string; unit: string } {
  const text = formatRate(bps);
  const i = text.indexOf(' ');
  return { value: text.slice(0, i), unit: text.slice(i + 1) };
}

/** short axis label: 40M, 1.5G, 800k */
export function axisRate(bps: number): string {
  if (bps >= 1e9) return `${+(bps / 1e9).toFixed(1)}G`;
  if (bps >= 1e6) return `${+(bps / 1e6).toFixed(1)}M`;
  if (bps >= 1e3) return `${Math.round(bps / 1e3)}k`;
  return `${Math.round(bps)}`;
}

/** splits `code` spans out of a message: "start it with `systemctl start braidd`" */
export function messageParts(message: string): { text: string; code: boolean }[] {
  return message.split('`').map((text, i) => ({ text, code: i % 2 === 1 })).filter((p) => p.text.length > 0);
}
