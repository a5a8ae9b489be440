// Derives each link's user-facing path state from the link, its plan and the kernel's
// per-subflow info. Pure, so every rule is unit-tested.
import type { LinkKind, LinkMode, PathState, PathStatus, SubflowStatus, TunnelState } from '../../protocol/control';
import type { SubflowInfo } from '../../../native/lib';
import type { LinkPlan } from './link-plan';

/** how long a usable link may stay without a subflow before it is reported failed */
export const JOIN_GRACE_MS = 4000;

export interface LinkObservation {
  name: string;
  kind: LinkKind;
  mode: LinkMode;
  exists: boolean;
  up: boolean;
  address?: string;
  ifindex?: number;
  plan?: LinkPlan;
}

export interface PathInputs {
  tunnel: TunnelState;
  connectedForMs: number;
  subflows: SubflowInfo[];
}

export function subflowForLink(link: LinkObservation, subflows: SubflowInfo[]): SubflowInfo | undefined {
  const established = subflows.filter((s) => s.state === 1);
  return (
    established.find((s) => link.ifindex !== undefined && s.ifindex === link.ifindex) ??
    established.find((s) => link.address !== undefined && s.localAddress === link.address)
  );
}

export function pathState(link: LinkObservation, inputs: PathInputs, subflow?: SubflowInfo): { state: PathState; reason?: string } {
  if (link.mode === 'off') return { state: 'idle', reason: 'turned off' };
  if (!link.exists) return { state: 'unavailable', reason: 'interface not found' };
  const live = inputs.tunnel === 'connected';
  if (!link.up) return live ? { state: 'failed', reason: 'link is down' } : { state: 'unavailable', reason: 'link is down' };
  if (!live) return { state: 'idle' };
  if (subflow) return { state: link.mode === 'backup' ? 'backup' : 'active' };
  if (link.plan && !link.plan.usable) return { state: 'unavailable', reason: link.plan.reason };
  if (inputs.connectedForMs < JOIN_GRACE_MS) return { state: 'joining' };
  return { state: 'failed', reason: 'no subflow on this link: the server refused the join or a middlebox strips MPTCP' };
}

export function subflowStatus(s: SubflowInfo): SubflowStatus {
  return {
    localAddress: `${s.localAddress}:${s.localPort}`,
    remoteAddress: `${s.remoteAddress}:${s.remotePort}`,
    rttMs: s.rttUs / 1000,
    deliveryRateBps: s.deliveryRate * 8,
    retransmits: s.totalRetrans,
    bytesSent: s.bytesAcked,
    bytesReceived: s.bytesReceived,
    backup: s.backup,
  };
}

export function withShares(paths: Omit<PathStatus, 'share'>[]): PathStatus[] {
  const total = paths.reduce((sum, p) => sum + p.txBps + p.rxBps, 0);
  return paths.map((p) => ({ ...p, share: total > 0 ? (p.txBps + p.rxBps) / total : 0 }));
}
