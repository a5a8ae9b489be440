// The kernel operations behind each path: per-source policy routing, MPTCP endpoints and the
// pinned route to the server. Every operation is idempotent, so reconciling can repeat them.
import type { NetworkPort } from '../ports';

/** MPTCP retransmission intervals without progress before a subflow is stale (kernel default 4):
 *  a blackholed link sends no link event, so this is how fast the kernel moves data off it */
export const STALE_LOSS_COUNT = 2;

export interface RoutedLink {
  name: string;
  address: string;
  gateway: string;
  table: number;
}

export interface EndpointEntry {
  id: number;
  address: string;
  dev?: string;
  flags: string[];
}

export class KernelPaths {
  private pinned?: { server: string; link: string; gateway: string };

  constructor(private readonly net: NetworkPort) {}

  async prepare(limits: { subflows: number; addAddrAccepted: number }): Promise<void> {
    await this.net.setSysctl('net/mptcp/enabled', '1');
    await this.net.setSysctl('net/ipv4/conf/all/rp_filter', '2');
    // a subflow counts as stale (the scheduler moves data off it) after this many RTOs without
    // progress; the default 4 keeps a dead link's subflow in use for seconds
    await this.net.setSysctl('net/mptcp/stale_loss_cnt', String(STALE_LOSS_COUNT)).catch(() => undefined);
    await this.net.ip(['mptcp', 'limits', 'set', 'subflow', String(limits.subflows), 'add_addr_accepted', String(limits.addAddrAccepted)]);
  }

  /** traffic from the link's address leaves through the link, whatever the main table says */
  async applyRouting(link: RoutedLink): Promise<void> {
    await this.net.setSysctl(`net/ipv4/conf/${link.name}/rp_filter`, '2').catch(() => undefined);
    const table = String(link.table);
    await this.net.ip(['route', 'replace', 'default', 'via', link.gateway, 'dev', link.name, 'table', table]);
    await this.net.ip(['rule', 'del', 'priority', table], { allowFailure: true });
    await this.net.ip(['rule', 'add', 'from', link.address, 'lookup', table, 'priority', table]);
  }

  async removeRouting(table: number): Promise<void> {
    await this.net.ip(['rule', 'del', 'priority', String(table)], { allowFailure: true });
    await this.net.ip(['route', 'flush', 'table', String(table)], { allowFailure: true });
  }

  async addEndpoint(link: { name: string; address: string; endpointId: number; backup: boolean }): Promise<void> {
    await this.removeEndpoint(link.endpointId);
    const flags = link.backup ? ['subflow', 'backup'] : ['subflow'];
    await this.net.ip(['mptcp', 'endpoint', 'add', link.address, 'dev', link.name, 'id', String(link.endpointId), ...flags]);
  }

  /** flips the backup flag of an endpoint and of its live subflows (MP_PRIO) */
  async setEndpointBackup(endpointId: number, backup: boolean): Promise<void> {
    await this.net.ip(['mptcp', 'endpoint', 'change', 'id', String(endpointId), backup ? 'backup' : 'nobackup']);
  }

  /** deleting an endpoint also closes the subflows that use it */
  async removeEndpoint(endpointId: number): Promise<void> {
    await this.net.ip(['mptcp', 'endpoint', 'delete', 'id', String(endpointId)], { allowFailure: true });
  }

  async listEndpoints(): Promise<EndpointEntry[]> {
    const out = await this.net.ip(['mptcp', 'endpoint', 'show'], { allowFailure: true });
    return parseEndpoints(out);
  }

  async rulePriorities(): Promise<number[]> {
    const out = await this.net.ip(['-j', 'rule', 'show'], { allowFailure: true });
    try {
      return (JSON.parse(out || '[]') as { priority: number }[]).map((r) => r.priority);
    } catch {
      return [];
    }
  }

  /** the route new connections to the server take (the tunnel's own routes would capture it) */
  async pinServer(server: string, link: { name: string; gateway: string }): Promise<void> {
    if (this.pinned && this.pinned.server === server && this.pinned.link === link.name && this.pinned.gateway === link.gateway) return;
    await this.net.ip(['route', 'replace', `${server}/32`, 'via', link.gateway, 'dev', link.name]);
    this.pinned = { server, link: link.name, gateway: link.gateway };
  }

  get pinnedLink(): string | undefined {
    return this.pinned?.link;
  }

  async unpinServer(): Promise<void> {
    if (!this.pinned) return;
    await this.net.ip(['route', 'del', `${this.pinned.server}/32`], { allowFailure: true });
    this.pinned = undefined;
  }

  /** the kernel dropped the pinned route with its link: forget it so the next pin re-adds it */
  forgetPin(): void {
    this.pinned = undefined;
  }
}

/** `ip mptcp endpoint show` lines: "10.0.0.2 id 64 subflow backup dev eth0 " */
export function parseEndpoints(out: string): EndpointEntry[] {
  const entries: EndpointEntry[] = [];
  for (const line of out.split('\n')) {
    const words = line.trim().split(/\s+/);
    if (words.length < 3) continue;
    const idIndex = words.indexOf('id');
    if (idIndex < 0 || !/^\d+$/.test(words[idIndex + 1] ?? '')) continue;
    const devIndex = words.indexOf('dev');
    const flags = words.filter((w, i) => i > idIndex + 1 && w !== 'dev' && (devIndex < 0 || i !== devIndex + 1) && /^[a-z]+$/.test(w));
    entries.push({ id: Number(words[idIndex + 1]), address: words[0], dev: devIndex >= 0 ? words[devIndex + 1] : undefined, flags });
  }
  return entries;
}
