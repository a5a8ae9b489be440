// Pure construction of the interface snapshot from `ip -j addr` and `ip -j route` dumps, and
// the delta between two snapshots. The monitor feeds these from rtnetlink-triggered re-reads.
import type { LinkKind } from '../../protocol/control';

export interface InterfaceSnapshot {
  name: string;
  ifindex: number;
  mac?: string;
  kind: LinkKind;
  /** administratively up with carrier (LOWER_UP) and not operationally down */
  up: boolean;
  operstate: string;
  ipv4?: string;
  ipv4Prefix?: number;
  /** next hop of this interface's default route in the main table */
  gateway?: string;
}

export type Snapshot = Map<string, InterfaceSnapshot>;

export interface SnapshotDelta {
  added: string[];
  removed: string[];
  changed: string[];
}

interface AddrEntry {
  ifname: string;
  ifindex: number;
  flags?: string[];
  operstate?: string;
  address?: string;
  link_type?: string;
  addr_info?: { family: string; local: string; prefixlen: number; scope: string }[];
}

interface RouteEntry {
  dst: string;
  gateway?: string;
  dev?: string;
  metric?: number;
}

export function buildSnapshot(addrs: AddrEntry[], routes: RouteEntry[], classify: (name: string) => LinkKind): Snapshot {
  const gateways = new Map<string, { gateway: string; metric: number }>();
  for (const route of routes) {
    if (route.dst !== 'default' || !route.gateway || !route.dev) continue;
    const metric = route.metric ?? 0;
    const known = gateways.get(route.dev);
    if (!known || metric < known.metric) gateways.set(route.dev, { gateway: route.gateway, metric });
  }
  const snapshot: Snapshot = new Map();
  for (const entry of addrs) {
    const v4 = entry.addr_info?.find((a) => a.family === 'inet' && a.scope === 'global');
    const flags = entry.flags ?? [];
    const operstate = (entry.operstate ?? 'UNKNOWN').toLowerCase();
    const mac = entry.address && entry.address !== '00:00:00:00:00:00' && entry.link_type === 'ether' ? entry.address : undefined;
    snapshot.set(entry.ifname, {
      name: entry.ifname,
      ifindex: entry.ifindex,
      mac,
      kind: entry.link_type === 'loopback' ? 'virtual' : classify(entry.ifname),
      up: flags.includes('UP') && flags.includes('LOWER_UP') && operstate !== 'down' && operstate !== 'lowerlayerdown',
      operstate,
      ipv4: v4?.local,
      ipv4Prefix: v4?.prefixlen,
      gateway: gateways.get(entry.ifname)?.gateway,
    });
  }
  return snapshot;
}

function same(a: InterfaceSnapshot, b: InterfaceSnapshot): boolean {
  return (
    a.ifindex === b.ifindex &&
    a.mac === b.mac &&
    a.up === b.up &&
    a.operstate === b.operstate &&
    a.ipv4 === b.ipv4 &&
    a.ipv4Prefix === b.ipv4Prefix &&
    a.gateway === b.gateway &&
    a.kind === b.kind
  );
}

export function diffSnapshots(previous: Snapshot, next: Snapshot): SnapshotDelta {
  const delta: SnapshotDelta = { added: [], removed: [], changed: [] };
  for (const [name, entry] of next) {
    const before = previous.get(name);
    if (!before) delta.added.push(name);
    else if (!same(before, entry)) delta.changed.push(name);
  }
  for (const name of previous.keys()) if (!next.has(name)) delta.removed.push(name);
  return delta;
}

export function isEmptyDelta(delta: SnapshotDelta): boolean {
  return delta.added.length + delta.removed.length + delta.changed.length === 0;
}
