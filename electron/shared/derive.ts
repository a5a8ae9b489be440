// Pure derivations both main (tray, notifications) and the renderer use, so the tray icon and
// the window never disagree about what "degraded" means.
import type { EngineHealth, PathView, TunnelView } from './types';

export type OverallState = 'off' | 'connecting' | 'connected' | 'degraded' | 'error';

/** a path the user wants in the bond (mode on/backup) that is not working */
export function isBrokenPath(p: PathView): boolean {
  return p.mode !== 'off' && (p.state === 'failed' || p.state === 'unreachable');
}

export function isCarryingPath(p: PathView): boolean {
  return p.state === 'active' || p.state === 'backup';
}

/** the one-word state of the whole app: the tray icon and the window header */
export function overallState(health: EngineHealth, tunnel: TunnelView | null, paths: PathView[]): OverallState {
  if (health.state !== 'ready' || !tunnel) return health.state === 'connecting' || health.state === 'starting' ? 'connecting' : 'error';
  switch (tunnel.state) {
    case 'error':
      return 'error';
    case 'connecting':
    case 'disconnecting':
      return 'connecting';
    case 'disconnected':
      return tunnel.target === 'connected' ? 'connecting' : 'off';
    case 'connected': {
      const active = paths.filter((p) => p.state === 'active').length;
      if (tunnel.mptcp === false || active === 0 || paths.some(isBrokenPath)) return 'degraded';
      return 'connected';
    }
  }
}

/** "12.3 Mbit/s" — bits per second in the largest sensible unit */
export function formatRate(bps: number): string {
  const v = Math.max(0, bps);
  if (v >= 1e9) return `${(v / 1e9).toFixed(v >= 1e10 ? 1 : 2)} Gbit/s`;
  if (v >= 1e6) return `${(v / 1e6).toFixed(v >= 1e8 ? 0 : 1)} Mbit/s`;
  if (v >= 1e3) return `${(v / 1e3).toFixed(v >= 1e5 ? 0 : 1)} kbit/s`;
  return `${Math.round(v)} bit/s`;
}

/** "1.2 GB" — decimal units, as operators bill data */
export function formatBytes(bytes: number): string {
  const v = Math.max(0, bytes);
  if (v >= 1e12) return `${(v / 1e12).toFixed(2)} TB`;
  if (v >= 1e9) return `${(v / 1e9).toFixed(2)} GB`;
  if (v >= 1e6) return `${(v / 1e6).toFixed(1)} MB`;
  if (v >= 1e3) return `${(v / 1e3).toFixed(0)} kB`;
  return `${Math.round(v)} B`;
}
