// The one place where the engine's wire types (control.ts) become the app's domain types
// (electron/shared/types.ts). The engine reports rates in bits per second.
import type { ClientStatus, EngineEvent, HistorySample, PathStatus } from '../../protocol/control';
import type { AggregateView, EventView, PathView, StatsSample, TunnelView } from '../../shared/types';

export function toTunnelView(s: ClientStatus): TunnelView {
  const t = s.tunnel;
  const coexistence = s.coexistence && (s.coexistence.networkManager || s.coexistence.mptcpd) ? s.coexistence.message ?? coexistenceWords(s.coexistence) : undefined;
  return {
    state: t.state,
    target: t.target,
    cause: t.cause,
    since: t.since,
    server: t.server,
    address: t.address,
    interface: t.interface,
    mptcp: t.mptcp,
    reconnects: t.reconnects,
    lastFailover: s.lastFailover,
    coexistence,
  };
}

function coexistenceWords(c: { networkManager: boolean; mptcpd: boolean }): string {
  const who = [c.networkManager ? 'NetworkManager' : '', c.mptcpd ? 'mptcpd' : ''].filter(Boolean).join(' and ');
  return `${who} also manage${c.networkManager && c.mptcpd ? '' : 's'} MPTCP endpoints on this machine`;
}

/** usage and caps (the links issue); read structurally so older engines simply have none */
interface UsageWire {
  txBytes?: number;
  rxBytes?: number;
  periodEnd?: number;
  cap?: { bytes?: number; action?: 'off' | 'backup' };
}

export function toPathView(p: PathStatus): PathView {
  const usage = (p as PathStatus & { usage?: UsageWire }).usage;
  const capBytes = typeof usage?.cap?.bytes === 'number' ? usage.cap.bytes : undefined;
  const used = usage && typeof usage.txBytes === 'number' && typeof usage.rxBytes === 'number' ? usage.txBytes + usage.rxBytes : undefined;
  return {
    link: p.link,
    kind: p.kind,
    mode: p.mode,
    state: p.state,
    reason: p.reason,
    localAddress: p.localAddress,
    upBps: p.txBps,
    downBps: p.rxBps,
    upBytes: p.txBytes,
    downBytes: p.rxBytes,
    share: p.share,
    rttMs: p.subflow?.rttMs,
    capBytes,
    capUsedBytes: used,
    capAction: usage?.cap?.action,
    capPeriodEnd: usage?.periodEnd,
  };
}

export function toAggregateView(s: ClientStatus): AggregateView {
  return { upBps: s.aggregate.txBps, downBps: s.aggregate.rxBps, upBytes: s.aggregate.txBytes, downBytes: s.aggregate.rxBytes };
}

const ERROR_KINDS = /lost|failed|error|down|refused|fallback|reached/i;
const WARNING_KINDS = /warn|cap|failover|backup|unreachable|reconnect/i;

export function toEventView(e: EngineEvent): EventView {
  const severity = ERROR_KINDS.test(e.kind) ? 'error' : WARNING_KINDS.test(e.kind) ? 'warning' : 'info';
  return {
    id: `${e.at}:${e.kind}:${e.link ?? ''}:${e.message}`,
    at: e.at,
    kind: e.kind,
    link: e.link,
    message: e.message,
    severity,
  };
}

export function toStatsSample(s: ClientStatus, at: number): StatsSample {
  const links: Record<string, number> = {};
  for (const p of s.paths) links[p.link] = p.txBps + p.rxBps;
  return { at, upBps: s.aggregate.txBps, downBps: s.aggregate.rxBps, links };
}

export function historyToSample(h: HistorySample): StatsSample {
  const links: Record<string, number> = {};
  for (const [link, r] of Object.entries(h.links)) links[link] = r.txBps + r.rxBps;
  return { at: h.at, upBps: h.aggregate.txBps, downBps: h.aggregate.rxBps, links };
}
