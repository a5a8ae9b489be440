// Owns the engine's links: which interfaces take part, in which mode, and the kernel state that
// makes a path of each (routing, endpoint). Reconciles on every interface change, mode change,
// tunnel change and once a second; each pass compares what should be with what is installed.
//
// Per link:   present? -> mode off? -> link up? -> address + gateway? -> tunnel up?
//             -> reachable (probe through this link alone)? -> endpoint installed
//             -> subflow seen (active/backup) | still joining | re-created | failed
import type { LinkKind, LinkMode, PathState } from '../../protocol/control';
import type { SubflowInfo } from '../../../native/lib';
import type { InterfaceSnapshot, Snapshot } from '../netmon/snapshot';
import { ENDPOINT_ID_BASE, TABLE_BASE } from './link-plan';
import type { KernelPaths } from './kernel-paths';
import { defaultMode, isCandidate, linkIdentity, type LinkSelection } from './link-policy';
import { subflowForLink } from './path-status';

/** a usable link without a subflow this long after its endpoint went in is re-created */
export const JOIN_GRACE_MS = 1500;
/** after this many re-creations without a subflow the link is reported failed */
const MAX_REJOINS = 3;
const PROBE_RETRY_MS = 5000;
const FAILED_RETRY_MS = 10_000;
/** a subflow in RTO backoff (consecutive timeouts) that has moved no data for this long is a
 *  dead path (blackholed); a short backoff while the other links absorb a failover is not */
const STALLED_RETRANSMITS = 2;
const STALLED_FOR_MS = 3000;

export type ProbeResult = { ok: true; mptcp: boolean } | { ok: false; error: string };

export interface LinkManagerPorts {
  kernel: KernelPaths;
  /** connects to the server through the link alone (source address + device) */
  probe(link: { name: string; address: string }, server: { host: string; port: number }): Promise<ProbeResult>;
  now(): number;
  /** asks for another reconcile pass soon (a probe finished) */
  poke(): void;
  log(kind: string, message: string, link?: string): void;
}

export interface LinkOverride {
  name: string;
  mode?: LinkMode;
  gateway?: string;
}

export interface LinkRecord {
  name: string;
  identity: string;
  ifindex: number;
  kind: LinkKind;
  present: boolean;
  up: boolean;
  address?: string;
  prefix?: number;
  gateway?: string;
  mode: LinkMode;
  state: PathState;
  reason?: string;
  endpointId: number;
  table: number;
  installed?: { address: string; gateway: string; endpoint: boolean; backup: boolean };
  probe: { state: 'none' | 'running' | 'ok' | 'failed'; nextAt: number; error?: string; mptcp?: boolean };
  /** bumped whenever a running probe's answer stops mattering (the link went away meanwhile) */
  probeSeq: number;
  joinedAt?: number;
  rejoins: number;
  subflow?: SubflowInfo;
  /** when the link's subflow last moved data (stall detection) */
  progress?: { localPort: number; bytes: number; at: number };
  /** when the link was last seen going down or away (failover timing starts here) */
  lostAt?: number;
  /** set when a link first shows up while the engine runs (for the linkAdded event) */
  discoveredAt: number;
}

export interface ReconcileContext {
  connected: boolean;
  /** the tunnel fell back to plain TCP on this link: no other link can join */
  fallbackLink?: string;
  server?: { host: string; port: number };
  subflows: SubflowInfo[];
}

export class LinkManager {
  private readonly records = new Map<string, LinkRecord>();
  private readonly usedIds = new Set<number>();
  private running = false;
  private again = false;
  private started = false;

  constructor(
    private readonly ports: LinkManagerPorts,
    private readonly selection: LinkSelection,
    private readonly overrides: LinkOverride[],
    /** the user's persisted mode for an identity (or configured name), if any */
    private readonly intentMode: (identity: string, name: string) => LinkMode | undefined,
    /** a mode forced by a data cap, if any */
    private readonly capMode: (identity: string) => LinkMode | undefined = () => undefined,
    private readonly onLinkAdded: (link: LinkRecord) => void = () => undefined,
    /** NetworkManager marks the link metered: its default mode is backup */
    private readonly isMetered: (name: string) => boolean = () => false,
  ) {}

  links(): LinkRecord[] {
    return [...this.records.values()].sort((a, b) => this.order(a) - this.order(b) || a.name.localeCompare(b.name));
  }

  get(name: string): LinkRecord | undefined {
    return this.records.get(name);
  }

  private order(link: LinkRecord): number {
    const listed = this.selection.listed.indexOf(link.name);
    return listed >= 0 ? listed : 1000 + link.ifindex;
  }

  /** new interface snapshot from the monitor */
  updateSnapshot(snapshot: Snapshot): void {
    const now = this.ports.now();
    const names = new Set<string>(this.selection.listed);
    for (const iface of snapshot.values()) if (isCandidate(iface, this.selection)) names.add(iface.name);
    for (const name of names) {
      const iface = snapshot.get(name);
      let record = this.records.get(name);
      if (!record) {
        record = this.create(name, iface, now);
        this.records.set(name, record);
        if (this.started && iface) this.onLinkAdded(record);
      }
      this.observe(record, iface);
    }
    for (const record of this.records.values()) if (!names.has(record.name)) this.observe(record, undefined);
    this.started = true;
  }

  private create(name: string, iface: InterfaceSnapshot | undefined, now: number): LinkRecord {
    let index = 0;
    while (this.usedIds.has(index)) index++;
    this.usedIds.add(index);
    return {
      name,
      identity: iface ? linkIdentity(iface) : `name:${name}`,
      ifindex: iface?.ifindex ?? 0,
      kind: iface?.kind ?? 'unknown',
      present: false,
      up: false,
      mode: 'off',
      state: 'unavailable',
      endpointId: ENDPOINT_ID_BASE + index,
      table: TABLE_BASE + index,
      probe: { state: 'none', nextAt: 0 },
      probeSeq: 0,
      rejoins: 0,
      discoveredAt: now,
    };
  }

  private observe(record: LinkRecord, iface: InterfaceSnapshot | undefined): void {
    const wasUp = record.present && record.up;
    record.present = Boolean(iface);
    record.up = iface?.up ?? false;
    // down or unplugged: reachability must be proven again on return
    if (wasUp && !record.up) {
      record.lostAt = this.ports.now();
      record.probe = { state: 'none', nextAt: 0 };
      record.probeSeq++; // a probe still running answers for the link as it was
      record.rejoins = 0;
    }
    if (!iface) return;
    record.ifindex = iface.ifindex;
    record.kind = iface.kind;
    if (iface.mac) record.identity = linkIdentity(iface);
    record.address = iface.ipv4;
    record.prefix = iface.ipv4Prefix;
    const override = this.overrides.find((o) => o.name === record.name);
    // a link that goes down loses its default route; keep the last gateway for its return
    record.gateway = override?.gateway ?? iface.gateway ?? record.gateway;
  }

  effectiveMode(record: LinkRecord): LinkMode {
    const override = this.overrides.find((o) => o.name === record.name);
    const chosen = this.intentMode(record.identity, record.name) ?? override?.mode ?? defaultMode(record.kind, this.isMetered(record.name));
    const capped = this.capMode(record.identity);
    if (capped === 'off' || (capped === 'backup' && chosen === 'on')) return capped;
    return chosen;
  }

  /** one pass; concurrent calls coalesce into one more pass */
  async reconcile(context: ReconcileContext): Promise<void> {
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = true;
    try {
      do {
        this.again = false;
        for (const record of this.links()) {
          try {
            await this.reconcileLink(record, context);
          } catch (error) {
            record.reason = `kernel refused a change: ${(error as Error).message}`;
            this.ports.log('path-error', `${record.name}: ${record.reason}`, record.name);
          }
        }
        await this.pin(context);
      } while (this.again);
    } finally {
      this.running = false;
    }
  }

  private async reconcileLink(record: LinkRecord, context: ReconcileContext): Promise<void> {
    record.mode = this.effectiveMode(record);
    const now = this.ports.now();
    const fail = async (state: PathState, reason: string | undefined) => {
      await this.uninstall(record);
      this.setState(record, state, reason);
    };
    if (!record.present) return fail('unavailable', 'interface not found');
    if (record.mode === 'off') {
      record.probe = { state: 'none', nextAt: 0 }; // turned on again: prove reachability afresh
      record.probeSeq++;
      return fail('idle', 'turned off');
    }
    if (!record.up) return fail(context.connected ? 'failed' : 'unavailable', 'link is down');
    if (!record.address) return fail('unavailable', 'no IPv4 address');
    if (!record.gateway) return fail('unavailable', 'no gateway (set links[].gateway or add a default route)');
    if (!context.connected || !context.server) {
      if (record.installed?.endpoint) await this.uninstallEndpoint(record);
      record.subflow = undefined;
      return this.setState(record, 'idle');
    }
    if (context.fallbackLink !== undefined) {
      if (record.name === context.fallbackLink) return this.setState(record, 'active', 'the tunnel fell back to plain TCP: only this link carries it');
      await this.uninstall(record);
      return this.setState(record, 'failed', 'the tunnel fell back to plain TCP (MPTCP is stripped on the way to the server), so this link cannot join');
    }
    if (record.installed && (record.installed.address !== record.address || record.installed.gateway !== record.gateway)) {
      await this.uninstall(record); // renumbered: routes and endpoint must follow the address
    }
    if (!record.installed) {
      await this.ports.kernel.applyRouting({ name: record.name, address: record.address, gateway: record.gateway, table: record.table });
      record.installed = { address: record.address, gateway: record.gateway, endpoint: false, backup: false };
    }
    const subflow = subflowForLink(record, context.subflows);
    record.subflow = subflow;
    const backup = record.mode === 'backup';
    if (subflow) {
      record.probe = { state: 'ok', nextAt: 0, mptcp: true };
      if (!record.installed.endpoint) {
        // the connection's first subflow runs without an endpoint of ours: add one, so the
        // link can rejoin after a flap and its backup flag reaches the subflow (MP_PRIO)
        await this.installEndpoint(record, record.address, backup);
        if (backup) await this.ports.kernel.setEndpointBackup(record.endpointId, true);
        record.installed.endpoint = true;
        record.installed.backup = backup;
      } else if (record.installed.backup !== backup) {
        await this.ports.kernel.setEndpointBackup(record.endpointId, backup);
        record.installed.backup = backup;
      }
      const moved = subflow.bytesAcked + subflow.bytesReceived;
      if (record.progress?.localPort !== subflow.localPort || moved > record.progress.bytes) {
        record.progress = { localPort: subflow.localPort, bytes: moved, at: now };
      }
      if (subflow.retransmits >= STALLED_RETRANSMITS && now - record.progress.at >= STALLED_FOR_MS) {
        return this.setState(record, 'failed', 'the server does not answer through this link (packets are lost)');
      }
      record.rejoins = 0;
      return this.setState(record, backup ? 'backup' : 'active');
    }
    if (record.probe.state === 'running') return this.setState(record, 'joining', 'checking that the server is reachable through this link');
    if (record.probe.state !== 'ok') {
      if (now >= record.probe.nextAt) this.startProbe(record, context.server);
      if (record.probe.state === 'failed') return this.setState(record, record.probe.mptcp === false ? 'failed' : 'unreachable', record.probe.error);
      return this.setState(record, 'joining', 'checking that the server is reachable through this link');
    }
    if (!record.installed.endpoint) {
      await this.installEndpoint(record, record.address, backup);
      record.installed.endpoint = true;
      record.installed.backup = backup;
      record.joinedAt = now;
      return this.setState(record, 'joining');
    }
    if (now - (record.joinedAt ?? 0) < JOIN_GRACE_MS) return this.setState(record, 'joining');
    if (record.rejoins < MAX_REJOINS) {
      // the kernel never re-creates a closed subflow: a fresh endpoint makes it try again
      record.rejoins += 1;
      await this.installEndpoint(record, record.address, backup);
      record.joinedAt = now;
      return this.setState(record, 'joining');
    }
    const why = 'no subflow: the server refused the join, or a middlebox drops MPTCP joins on this path';
    if (now - (record.joinedAt ?? 0) > FAILED_RETRY_MS) {
      record.rejoins = 0; // try the whole join again now and then
      record.probe = { state: 'none', nextAt: 0 };
    }
    return this.setState(record, 'failed', why);
  }

  /** adds the link's endpoint, first taking its address back from another tool's endpoint
   *  (NetworkManager, mptcpd): the kernel allows one endpoint per address */
  private async installEndpoint(record: LinkRecord, address: string, backup: boolean): Promise<void> {
    for (const endpoint of await this.ports.kernel.listEndpoints()) {
      if (endpoint.address !== address || (endpoint.id >= ENDPOINT_ID_BASE && endpoint.id < ENDPOINT_ID_BASE + 64)) continue;
      await this.ports.kernel.removeEndpoint(endpoint.id);
      this.ports.log('coexistence', `removed MPTCP endpoint ${address} (id ${endpoint.id}) that another tool added on ${record.name}; Braid manages MPTCP on its links`, record.name);
    }
    await this.ports.kernel.addEndpoint({ name: record.name, address, endpointId: record.endpointId, backup });
  }

  private startProbe(record: LinkRecord, server: { host: string; port: number }): void {
    const address = record.address as string;
    record.probe = { state: 'running', nextAt: 0 };
    const seq = ++record.probeSeq;
    void this.ports.probe({ name: record.name, address }, server).then((result) => {
      if (record.probe.state !== 'running' || record.probeSeq !== seq) return;
      const retryAt = this.ports.now() + PROBE_RETRY_MS;
      if (result.ok && result.mptcp) record.probe = { state: 'ok', nextAt: 0, mptcp: true };
      else if (result.ok) {
        record.probe = { state: 'failed', nextAt: retryAt, mptcp: false, error: 'MPTCP is stripped on this path (a middlebox removes its options), so the link cannot join' };
      } else record.probe = { state: 'failed', nextAt: retryAt, error: `server unreachable through this link: ${result.error}` };
      this.ports.log('probe', `${record.name}: ${record.probe.state === 'ok' ? 'server reachable' : record.probe.error}`, record.name);
      this.ports.poke();
    });
  }

  private setState(record: LinkRecord, state: PathState, reason?: string): void {
    if (record.state !== state || record.reason !== reason) {
      const previous = record.state;
      record.state = state;
      record.reason = reason;
      if (previous !== state) this.ports.log('path', `${record.name}: ${previous} -> ${state}${reason ? ` (${reason})` : ''}`, record.name);
    }
  }

  private async uninstallEndpoint(record: LinkRecord): Promise<void> {
    if (!record.installed?.endpoint) return;
    await this.ports.kernel.removeEndpoint(record.endpointId);
    record.installed.endpoint = false;
  }

  private async uninstall(record: LinkRecord): Promise<void> {
    record.subflow = undefined;
    record.joinedAt = undefined;
    if (!record.installed) return;
    await this.uninstallEndpoint(record);
    await this.ports.kernel.removeRouting(record.table);
    if (this.ports.kernel.pinnedLink === record.name) this.ports.kernel.forgetPin();
    record.installed = undefined;
  }

  /** keeps the server route on a live link so reconnects do not loop into the tunnel */
  private async pin(context: ReconcileContext): Promise<void> {
    if (!context.server) return;
    const current = this.records.get(this.ports.kernel.pinnedLink ?? '');
    if (current && this.usableForPin(current)) return;
    const next = this.primaryCandidate();
    if (next?.gateway) await this.ports.kernel.pinServer(context.server.host, { name: next.name, gateway: next.gateway });
  }

  private usableForPin(record: LinkRecord): boolean {
    return record.present && record.up && Boolean(record.address && record.gateway) && record.mode !== 'off' && record.state !== 'unreachable' && record.state !== 'failed';
  }

  /** the link a new connection starts on: the first usable "on" link, else a usable backup */
  primaryCandidate(): LinkRecord | undefined {
    const usable = this.links().filter((r) => this.usableForPin(r));
    return usable.find((r) => this.effectiveMode(r) === 'on') ?? usable[0];
  }

  /** prepares the primary link's routing before the tunnel connects; returns it */
  async preparePrimary(server: string): Promise<LinkRecord | undefined> {
    for (const record of this.links()) record.mode = this.effectiveMode(record);
    const primary = this.primaryCandidate();
    if (!primary?.address || !primary.gateway) return undefined;
    await this.ports.kernel.applyRouting({ name: primary.name, address: primary.address, gateway: primary.gateway, table: primary.table });
    primary.installed = { address: primary.address, gateway: primary.gateway, endpoint: primary.installed?.endpoint ?? false, backup: primary.installed?.backup ?? false };
    await this.ports.kernel.pinServer(server, { name: primary.name, gateway: primary.gateway });
    return primary;
  }

  /** a plain-words list of why no link can carry the tunnel */
  whyNoLink(): string {
    return this.links().map((r) => `${r.name}: ${r.reason ?? r.state}`).join('; ') || 'no links found';
  }

  async removeAll(): Promise<void> {
    for (const record of this.records.values()) await this.uninstall(record);
    await this.ports.kernel.unpinServer();
  }

  /** clears what a crashed earlier run left under our table and endpoint ids */
  async sweep(): Promise<void> {
    const ours = (id: number, base: number) => id >= base && id < base + 64;
    for (const endpoint of await this.ports.kernel.listEndpoints()) {
      if (ours(endpoint.id, ENDPOINT_ID_BASE)) await this.ports.kernel.removeEndpoint(endpoint.id);
    }
    for (const priority of await this.ports.kernel.rulePriorities()) {
      if (ours(priority, TABLE_BASE)) await this.ports.kernel.removeRouting(priority);
    }
  }

  /** endpoints on our links that someone else (NetworkManager, mptcpd) added: removed, told */
  async evictForeignEndpoints(): Promise<string[]> {
    const ourAddresses = new Map([...this.records.values()].filter((r) => r.address).map((r) => [r.address as string, r.name]));
    const evicted: string[] = [];
    for (const endpoint of await this.ports.kernel.listEndpoints()) {
      if (endpoint.id >= ENDPOINT_ID_BASE && endpoint.id < ENDPOINT_ID_BASE + 64) continue;
      const link = ourAddresses.get(endpoint.address) ?? (endpoint.dev && this.records.has(endpoint.dev) ? endpoint.dev : undefined);
      if (!link) continue;
      await this.ports.kernel.removeEndpoint(endpoint.id);
      evicted.push(`${endpoint.address} (id ${endpoint.id}, ${link})`);
    }
    return evicted;
  }

}
