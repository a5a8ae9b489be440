// Raw-MPTCP baseline setup on the lab's client ns: what a careful admin does by hand so the
// in-kernel path manager opens one subflow per link. The Braid engine configures its own
// endpoints and routes; remove() this before starting it in the same lab.
//
// Per link i:  ip rule add pref 7300+i from <clientAddress> table 7300+i
//              ip route replace <subnet> dev bl<i> src <clientAddress> table 7300+i
//              ip route replace default via <gateway> dev bl<i> table 7300+i
//              ip mptcp endpoint add <clientAddress> dev bl<i> subflow
// once:        ip mptcp limits set subflow 8 add_addr_accepted 8
// Source routing makes each subflow leave through its own link (without it every subflow would
// follow the main table's default route through link 0).
import type { Lab } from './lab';
import { parseEndpoints } from '../../electron/engine/paths/kernel-paths';

/** clear of the Braid engine's tables/priorities (7100+i, electron/engine/paths/link-plan.ts) */
export const POLICY_TABLE_BASE = 7300;

export interface MptcpPolicyOptions {
  /** link indices (default: all) */
  links?: number[];
  subflows?: number;
  addAddrAccepted?: number;
  /** endpoint flags, default ["subflow"] */
  flags?: string[];
}

export interface MptcpPolicy {
  links: number[];
  /** re-adds routes flushed by a link going admin-down (rules and endpoints survive) */
  reapplyRoutes(): Promise<void>;
  /**
   * A careful admin's link-up hook for link i: the kernel never re-creates a subflow on a link
   * that came back, so put its policy routes back, delete its endpoint (which also closes a
   * stale subflow from that address) and add it again: the in-kernel path manager then opens a
   * new subflow from it on every existing MPTCP connection.
   */
  relink(i: number): Promise<void>;
  /** deletes exactly what apply added and restores the previous limits */
  remove(): Promise<void>;
}

/** `ip mptcp endpoint show`, parsed the way the engine parses it */
export { parseEndpoints, type EndpointEntry as MptcpEndpoint } from '../../electron/engine/paths/kernel-paths';

/** parses `ip mptcp limits show` ("add_addr_accepted 0 subflows 2") */
export function parseLimits(out: string): { subflows: number; addAddrAccepted: number } {
  const sub = /subflows?\s+(\d+)/.exec(out);
  const acc = /add_addr_accepted\s+(\d+)/.exec(out);
  if (!sub || !acc) throw new Error(`cannot parse mptcp limits: ${out}`);
  return { subflows: Number(sub[1]), addAddrAccepted: Number(acc[1]) };
}

export async function applyMptcpPolicy(lab: Lab, opts: MptcpPolicyOptions = {}): Promise<MptcpPolicy> {
  const links = opts.links ?? lab.links.map((l) => l.index);
  const flags = opts.flags ?? ['subflow'];
  const ip = (args: string[]) => lab.exec('client', ['ip', ...args]);
  const before = parseLimits((await ip(['mptcp', 'limits', 'show'])).stdout);

  const addRoutes = async (which = links) => {
    for (const i of which) {
      const l = lab.links[i];
      const table = String(POLICY_TABLE_BASE + i);
      await ip(['route', 'replace', l.subnet, 'dev', l.name, 'src', l.clientAddress, 'table', table]);
      await ip(['route', 'replace', 'default', 'via', l.gateway, 'dev', l.name, 'table', table]);
    }
  };
  for (const i of links) {
    const l = lab.links[i];
    const pref = String(POLICY_TABLE_BASE + i);
    await ip(['rule', 'add', 'pref', pref, 'from', l.clientAddress, 'table', pref]);
  }
  await addRoutes();
  for (const i of links) {
    const l = lab.links[i];
    await ip(['mptcp', 'endpoint', 'add', l.clientAddress, 'dev', l.name, ...flags]);
  }
  await ip(['mptcp', 'limits', 'set', 'subflow', String(opts.subflows ?? 8), 'add_addr_accepted', String(opts.addAddrAccepted ?? 8)]);

  return {
    links,
    reapplyRoutes: () => addRoutes(),
    async relink(i: number) {
      if (!links.includes(i)) throw new Error(`link ${i} is not part of this policy`);
      const l = lab.links[i];
      await addRoutes([i]);
      for (const ep of parseEndpoints((await ip(['mptcp', 'endpoint', 'show'])).stdout)) {
        if (ep.address === l.clientAddress) await ip(['mptcp', 'endpoint', 'delete', 'id', String(ep.id)]);
      }
      await ip(['mptcp', 'endpoint', 'add', l.clientAddress, 'dev', l.name, ...flags]);
    },
    async remove() {
      if (lab.destroyed) return;
      const mine = new Set(links.map((i) => lab.links[i].clientAddress));
      for (const ep of parseEndpoints((await ip(['mptcp', 'endpoint', 'show'])).stdout)) {
        if (mine.has(ep.address)) await ip(['mptcp', 'endpoint', 'delete', 'id', String(ep.id)]);
      }
      for (const i of links) {
        const t = String(POLICY_TABLE_BASE + i);
        await lab.exec('client', ['ip', 'rule', 'del', 'pref', t], { allowFail: true });
        await lab.exec('client', ['ip', 'route', 'flush', 'table', t], { allowFail: true });
      }
      await ip(['mptcp', 'limits', 'set', 'subflow', String(before.subflows), 'add_addr_accepted', String(before.addAddrAccepted)]);
    },
  };
}

/** absolute MIB counters of a namespace (`nstat -asz`), e.g. MPTcpExtMPJoinSynAckRx */
export async function readMib(lab: Lab, ns: 'client' | 'server' | 'internet' | string): Promise<Record<string, number>> {
  const { stdout } = await lab.exec(ns, ['nstat', '-asz']);
  const out: Record<string, number> = {};
  for (const line of stdout.split('\n')) {
    const m = /^(\w+)\s+(\d+)/.exec(line);
    if (m) out[m[1]] = Number(m[2]);
  }
  return out;
}
