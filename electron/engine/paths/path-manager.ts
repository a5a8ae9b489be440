// Owns the kernel state that makes each subflow leave through its own link: per-source policy
// routing, the pinned route to the server, MPTCP endpoints and limits, loose rp_filter.
import type { NetworkPort } from '../ports';
import {
  type LinkPlan,
  type LinkSpec,
  endpointAddCommand,
  planLinks,
  policyRoutingCommands,
  primaryLink,
} from './link-plan';

export interface AppliedPaths {
  plans: LinkPlan[];
  primary?: LinkPlan;
}

export class PathManager {
  private applied: LinkPlan[] = [];
  private pinnedServer?: string;

  constructor(
    private readonly net: NetworkPort,
    private readonly limits = { subflows: 8, addAddrAccepted: 8 },
  ) {}

  async inspect(specs: LinkSpec[]): Promise<LinkPlan[]> {
    return planLinks(specs, await Promise.all(specs.map((s) => this.net.link(s.name))));
  }

  /** (re)applies routing and endpoints for the current state of the links */
  async apply(specs: LinkSpec[], server: string): Promise<AppliedPaths> {
    const plans = await this.inspect(specs);
    await this.removeAll();
    await this.net.setSysctl('net/mptcp/enabled', '1');
    await this.net.setSysctl('net/ipv4/conf/all/rp_filter', '2');
    await this.net.ip(['mptcp', 'limits', 'set', 'subflow', String(this.limits.subflows), 'add_addr_accepted', String(this.limits.addAddrAccepted)]);
    for (const plan of plans) {
      if (!plan.usable) continue;
      await this.net.setSysctl(`net/ipv4/conf/${plan.name}/rp_filter`, '2');
      for (const args of policyRoutingCommands(plan)) await this.net.ip(args);
      await this.net.ip(endpointAddCommand(plan));
    }
    const primary = primaryLink(plans);
    if (primary?.gateway) {
      await this.net.ip(['route', 'replace', `${server}/32`, 'via', primary.gateway, 'dev', primary.name]);
      this.pinnedServer = server;
    }
    this.applied = plans.filter((p) => p.usable);
    return { plans, primary };
  }

  /** removes everything apply() added; safe to call repeatedly and after a crash */
  async removeAll(plans: LinkPlan[] = this.applied): Promise<void> {
    for (const plan of plans) {
      await this.net.ip(['mptcp', 'endpoint', 'delete', 'id', String(plan.endpointId)], { allowFailure: true });
      await this.net.ip(['rule', 'del', 'priority', String(plan.table)], { allowFailure: true });
      await this.net.ip(['route', 'flush', 'table', String(plan.table)], { allowFailure: true });
    }
    if (this.pinnedServer) {
      await this.net.ip(['route', 'del', `${this.pinnedServer}/32`], { allowFailure: true });
      this.pinnedServer = undefined;
    }
    this.applied = [];
  }

  /** clears leftovers of a crashed engine for the given links (same ids every run) */
  async sweep(specs: LinkSpec[]): Promise<void> {
    await this.removeAll(planLinks(specs, specs.map(() => undefined)));
  }
}
