// IP forwarding and nftables masquerade for the tunnel pool. Braid owns one nft table, so
// install/remove are whole-table operations, and a table left by a crashed run is replaced.
import type { NetworkPort } from '../ports';

export const NAT_TABLE = 'braid_server';

export function natRuleset(pool: string, tunName: string, outInterface?: string): string {
  const out = outInterface ? `oifname "${outInterface}"` : `oifname != "${tunName}"`;
  return [
    `table ip ${NAT_TABLE} {`,
    '  chain postrouting {',
    '    type nat hook postrouting priority srcnat; policy accept;',
    `    ip saddr ${pool} ${out} masquerade`,
    '  }',
    '}',
    '',
  ].join('\n');
}

export class Nat {
  private previousForwarding?: string;

  constructor(private readonly net: NetworkPort) {}

  async install(pool: string, tunName: string, outInterface?: string): Promise<void> {
    await this.remove(); // a table from a crashed run
    this.previousForwarding = await this.net.readSysctl('net/ipv4/ip_forward');
    await this.net.setSysctl('net/ipv4/ip_forward', '1');
    await this.net.nft(natRuleset(pool, tunName, outInterface));
  }

  async remove(): Promise<void> {
    await this.net.nft(`delete table ip ${NAT_TABLE}\n`, { allowFailure: true });
    if (this.previousForwarding !== undefined) {
      await this.net.setSysctl('net/ipv4/ip_forward', this.previousForwarding);
      this.previousForwarding = undefined;
    }
  }
}
