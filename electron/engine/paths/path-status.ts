// Maps the kernel's per-subflow info onto links and into the status shapes. Pure.
import type { PathStatus, SubflowStatus } from '../../protocol/control';
import type { SubflowInfo } from '../../../native/lib';

export interface LinkObservation {
  address?: string;
  ifindex?: number;
}

export function subflowForLink(link: LinkObservation, subflows: SubflowInfo[]): SubflowInfo | undefined {
  const established = subflows.filter((s) => s.state === 1);
  return (
    established.find((s) => link.ifindex !== undefined && s.ifindex === link.ifindex) ??
    established.find((s) => link.address !== undefined && s.localAddress === link.address)
  );
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
