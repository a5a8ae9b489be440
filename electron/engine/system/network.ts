import fs from 'node:fs/promises';
import type { CommandRunner, LinkInfo, NetworkPort } from '../ports';
import { execRunner } from './command-runner';

interface IpAddrJson {
  ifname: string;
  ifindex: number;
  flags?: string[];
  operstate?: string;
  address?: string;
  addr_info?: { family: string; local: string; prefixlen: number; scope: string }[];
}

interface IpRouteJson {
  dst: string;
  gateway?: string;
  dev?: string;
}

/** NetworkPort backed by iproute2, nftables and /proc/sys */
export class SystemNetwork implements NetworkPort {
  constructor(private readonly runner: CommandRunner = execRunner) {}

  async link(name: string): Promise<LinkInfo | undefined> {
    const { stdout, code } = await this.runner.run(['ip', '-j', 'addr', 'show', 'dev', name], { allowFailure: true });
    if (code !== 0) return undefined;
    const [entry] = JSON.parse(stdout) as IpAddrJson[];
    if (!entry) return undefined;
    const v4 = entry.addr_info?.find((a) => a.family === 'inet' && a.scope === 'global');
    const up = (entry.flags ?? []).includes('LOWER_UP') && entry.operstate !== 'DOWN';
    return {
      name: entry.ifname,
      ifindex: entry.ifindex,
      up,
      ipv4: v4?.local,
      ipv4Prefix: v4?.prefixlen,
      gateway: await this.gatewayOf(name),
      mac: entry.address,
    };
  }

  private async gatewayOf(name: string): Promise<string | undefined> {
    const { stdout, code } = await this.runner.run(['ip', '-j', '-4', 'route', 'show', 'default', 'dev', name], {
      allowFailure: true,
    });
    if (code !== 0 || !stdout.trim()) return undefined;
    const routes = JSON.parse(stdout) as IpRouteJson[];
    return routes.find((r) => r.gateway)?.gateway;
  }

  async setSysctl(key: string, value: string): Promise<void> {
    await fs.writeFile(`/proc/sys/${key}`, value);
  }

  async readSysctl(key: string): Promise<string | undefined> {
    try {
      return (await fs.readFile(`/proc/sys/${key}`, 'utf8')).trim();
    } catch {
      return undefined;
    }
  }

  async ip(args: string[], options: { allowFailure?: boolean } = {}): Promise<string> {
    return (await this.runner.run(['ip', ...args], options)).stdout;
  }

  async nft(script: string, options: { allowFailure?: boolean } = {}): Promise<void> {
    await this.runner.run(['nft', '-f', '-'], { input: script, allowFailure: options.allowFailure });
  }
}
