// Pure planning of per-link policy routing and MPTCP endpoints, so the kernel commands can be
// checked in unit tests without a kernel.
import type { LinkMode } from '../../protocol/control';
import type { LinkInfo } from '../ports';

/** Table ids, rule priorities and endpoint ids Braid owns (chosen clear of distro defaults). */
export const TABLE_BASE = 7100;
export const ENDPOINT_ID_BASE = 64;

export interface LinkSpec {
  name: string;
  mode: LinkMode;
  /** gateway from the config; otherwise learned from the link's default route */
  gateway?: string;
}

export interface LinkPlan {
  name: string;
  index: number;
  mode: LinkMode;
  usable: boolean;
  /** why a link cannot be used, in plain words */
  reason?: string;
  address?: string;
  prefix?: number;
  gateway?: string;
  table: number;
  endpointId: number;
}

export function planLinks(specs: LinkSpec[], infos: (LinkInfo | undefined)[]): LinkPlan[] {
  return specs.map((spec, index) => {
    const info = infos[index];
    const base = { name: spec.name, index, mode: spec.mode, table: TABLE_BASE + index, endpointId: ENDPOINT_ID_BASE + index };
    if (!info) return { ...base, usable: false, reason: 'interface not found' };
    const gateway = spec.gateway ?? info.gateway;
    const known = { ...base, address: info.ipv4, prefix: info.ipv4Prefix, gateway };
    if (!info.up) return { ...known, usable: false, reason: 'link is down' };
    if (!info.ipv4) return { ...known, usable: false, reason: 'no IPv4 address' };
    if (!gateway) return { ...known, usable: false, reason: 'no gateway (set links[].gateway or add a default route)' };
    if (spec.mode === 'off') return { ...known, usable: false, reason: 'turned off' };
    return { ...known, usable: true };
  });
}

/** the link the tunnel's first subflow starts on: the first usable non-backup link, else a backup */
export function primaryLink(plans: LinkPlan[]): LinkPlan | undefined {
  return plans.find((p) => p.usable && p.mode === 'on') ?? plans.find((p) => p.usable);
}

/** `ip` argument lists that route traffic from a link's address out of that link only */
export function policyRoutingCommands(plan: LinkPlan): string[][] {
  if (!plan.address || !plan.gateway) return [];
  const table = String(plan.table);
  return [
    ['route', 'replace', 'default', 'via', plan.gateway, 'dev', plan.name, 'table', table],
    ['rule', 'add', 'from', plan.address, 'lookup', table, 'priority', table],
  ];
}

export function endpointAddCommand(plan: LinkPlan): string[] {
  const flags = plan.mode === 'backup' ? ['subflow', 'backup'] : ['subflow'];
  return ['mptcp', 'endpoint', 'add', plan.address ?? '', 'dev', plan.name, 'id', String(plan.endpointId), ...flags];
}
