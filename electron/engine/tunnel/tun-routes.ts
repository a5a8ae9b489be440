// Addresses and routes of the client's TUN device: full tunnel (two /1 routes that outrank the
// default route without replacing it) or split tunnel (only the listed prefixes).
import type { NetworkPort } from '../ports';

export type Routing = { mode: 'full' } | { mode: 'split'; prefixes: string[] };

export interface TunSettings {
  name: string;
  mtu: number;
  txQueueLen: number;
}

export function tunnelRoutes(routing: Routing): string[] {
  return routing.mode === 'full' ? ['0.0.0.0/1', '128.0.0.0/1'] : routing.prefixes;
}

export async function configureTun(net: NetworkPort, tun: TunSettings, address: string, routing: Routing): Promise<void> {
  await net.ip(['addr', 'flush', 'dev', tun.name]);
  await net.ip(['addr', 'add', address, 'dev', tun.name]);
  // a short queue: the kernel's default of 500 packets adds ~100 ms under load
  await net.ip(['link', 'set', 'dev', tun.name, 'mtu', String(tun.mtu), 'txqueuelen', String(tun.txQueueLen), 'up']);
  for (const prefix of tunnelRoutes(routing)) await net.ip(['route', 'replace', prefix, 'dev', tun.name]);
}

export async function removeTunRoutes(net: NetworkPort, tun: TunSettings, routing: Routing): Promise<void> {
  for (const prefix of tunnelRoutes(routing)) await net.ip(['route', 'del', prefix, 'dev', tun.name], { allowFailure: true });
}
