// The one place where the engine's wire types (control.ts) become the app's domain types
// (electron/shared/types.ts). The engine reports rates in bits per second.
import type { ClientStatus, EngineEvent, PathStatus, TunnelStatus } from '../../protocol/control';
import type { AggregateView, EventView, PathView, StatsSample, TunnelView } from '../../shared/types';

export function toTunnelView(t: TunnelStatus): TunnelView {
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
  };
}

export function toPathView(p: PathStatus): PathView {
  const extra = p as PathStatus & { capBytes?: unknown; capUsedBytes?: unknown };
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
    // caps arrive with the links issue; read them if the engine already sends them
    capBytes: typeof extra.capBytes === 'number' ? extra.capBytes : undefined,
    capUsedBytes: typeof extra.capUsedBytes === 'number' ? extra.capUsedBytes : undefined,
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
