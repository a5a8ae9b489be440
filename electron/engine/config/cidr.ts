// Pure IPv4/IPv6 address and prefix helpers for config validation and the server's address pool.
// IPv4 addresses are handled as unsigned 32-bit numbers; IPv6 only needs validation (split
// routing prefixes), done with BigInt.
import net from 'node:net';

/** strict dotted quad: four decimal octets 0..255, no leading zeros (which some tools read as octal) */
export function parseIPv4(text: string): number | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  let value = 0;
  for (const part of parts) {
    if (!/^(0|[1-9][0-9]{0,2})$/.test(part)) return undefined;
    const octet = Number(part);
    if (octet > 255) return undefined;
    value = value * 256 + octet;
  }
  return value;
}

export function formatIPv4(value: number): string {
  return [value >>> 24, (value >>> 16) & 255, (value >>> 8) & 255, value & 255].join('.');
}

export function isIPv4(text: string): boolean {
  return parseIPv4(text) !== undefined;
}

export function isIPv6(text: string): boolean {
  return net.isIPv6(text) && !text.includes('%');
}

export function isIP(text: string): boolean {
  return isIPv4(text) || isIPv6(text);
}

function parseIPv6(text: string): bigint | undefined {
  if (!isIPv6(text)) return undefined;
  let hex = text;
  const lastColon = text.lastIndexOf(':');
  const tail = text.slice(lastColon + 1);
  if (tail.includes('.')) {
    // embedded IPv4 (::ffff:1.2.3.4): rewrite it as two hex groups
    const v4 = parseIPv4(tail);
    if (v4 === undefined) return undefined;
    hex = `${text.slice(0, lastColon + 1)}${(v4 >>> 16).toString(16)}:${(v4 & 0xffff).toString(16)}`;
  }
  const halves = hex.split('::');
  if (halves.length > 2) return undefined;
  const left = halves[0] ? halves[0].split(':') : [];
  const right = halves.length === 2 && halves[1] ? halves[1].split(':') : [];
  const fill = halves.length === 2 ? 8 - left.length - right.length : 0;
  if (fill < 0 || (halves.length === 1 && left.length !== 8)) return undefined;
  const groups = [...left, ...Array<string>(fill).fill('0'), ...right];
  let value = 0n;
  for (const group of groups) value = (value << 16n) | BigInt(parseInt(group, 16));
  return value;
}

export interface Cidr4 {
  /** network address (host bits zero) */
  network: number;
  prefix: number;
}

export type CidrResult<T> = { ok: true; value: T } | { ok: false; reason: string };

/** "10.77.0.0/24"; rejects host bits set, saying which network was probably meant */
export function parseCidr4(text: string): CidrResult<Cidr4> {
  const match = /^([0-9.]+)\/(0|[1-9][0-9]?)$/.exec(text);
  if (!match) return { ok: false, reason: 'must be an IPv4 prefix like 10.77.0.0/24' };
  const address = parseIPv4(match[1]!);
  const prefix = Number(match[2]);
  if (address === undefined || prefix > 32) return { ok: false, reason: 'must be an IPv4 prefix like 10.77.0.0/24' };
  const network = (address & mask4(prefix)) >>> 0;
  if (network !== address) {
    return { ok: false, reason: `has host bits set (did you mean ${formatIPv4(network)}/${prefix}?)` };
  }
  return { ok: true, value: { network, prefix } };
}

/** IPv4 or IPv6 prefix, as accepted for split routing */
export function checkCidr(text: string): CidrResult<{ family: 4 | 6; prefix: number }> {
  if (!text.includes(':')) {
    const v4 = parseCidr4(text);
    return v4.ok ? { ok: true, value: { family: 4, prefix: v4.value.prefix } } : v4;
  }
  const match = /^([0-9a-fA-F:.]+)\/(0|[1-9][0-9]{0,2})$/.exec(text);
  const address = match ? parseIPv6(match[1]!) : undefined;
  const prefix = match ? Number(match[2]) : NaN;
  if (!match || address === undefined || prefix > 128) {
    return { ok: false, reason: 'must be an IPv4 or IPv6 prefix like 10.0.0.0/8 or fd00::/8' };
  }
  const hostMask = (1n << BigInt(128 - prefix)) - 1n;
  if ((address & hostMask) !== 0n) return { ok: false, reason: 'has host bits set' };
  return { ok: true, value: { family: 6, prefix } };
}

export function mask4(prefix: number): number {
  return prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
}

export function cidrContains(cidr: Cidr4, address: number): boolean {
  return ((address & mask4(cidr.prefix)) >>> 0) === cidr.network;
}

/** usable host addresses: without the network and broadcast address (so /31 and /32 have none) */
export function hostRange(cidr: Cidr4): { first: number; last: number; count: number } {
  const size = 2 ** (32 - cidr.prefix);
  if (size < 4) return { first: 0, last: -1, count: 0 };
  return { first: cidr.network + 1, last: cidr.network + size - 2, count: size - 2 };
}

export type PoolProblem = { index: number; reason: string };

export interface PoolAllocation {
  /** the server's own tunnel address: the first host address */
  server: string;
  /** one address per request, in the same order */
  devices: string[];
}

/**
 * The server takes the pool's first host address; devices with a fixed address keep it, the
 * others get the lowest free address in list order. Returns every problem, each with the index
 * of the device it concerns (-1: the pool itself).
 */
export function allocatePool(
  cidr: Cidr4,
  requested: ReadonlyArray<string | undefined>,
): { ok: true; value: PoolAllocation } | { ok: false; problems: PoolProblem[] } {
  const range = hostRange(cidr);
  const poolText = `${formatIPv4(cidr.network)}/${cidr.prefix}`;
  if (range.count < 2) {
    return { ok: false, problems: [{ index: -1, reason: `${poolText} is too small: it needs room for the server and one device (use /30 or larger)` }] };
  }
  const problems: PoolProblem[] = [];
  const taken = new Map<number, number>([[range.first, -1]]);
  const result: (number | undefined)[] = requested.map(() => undefined);
  requested.forEach((text, index) => {
    if (text === undefined) return;
    const address = parseIPv4(text);
    if (address === undefined) return problems.push({ index, reason: 'must be an IPv4 address' });
    if (!cidrContains(cidr, address)) return problems.push({ index, reason: `${text} is outside the pool ${poolText}` });
    if (address < range.first || address > range.last) {
      return problems.push({ index, reason: `${text} is the network or broadcast address of ${poolText}` });
    }
    const owner = taken.get(address);
    if (owner === -1) return problems.push({ index, reason: `${text} is the server's own address (the pool's first host)` });
    if (owner !== undefined) return problems.push({ index, reason: `${text} is already used by devices[${owner}]` });
    taken.set(address, index);
    result[index] = address;
  });
  let next = range.first;
  requested.forEach((text, index) => {
    if (text !== undefined) return;
    while (next <= range.last && taken.has(next)) next++;
    if (next > range.last) return problems.push({ index, reason: `no free address left in the pool ${poolText}` });
    taken.set(next, index);
    result[index] = next;
  });
  if (problems.length > 0) return { ok: false, problems };
  return { ok: true, value: { server: formatIPv4(range.first), devices: result.map((a) => formatIPv4(a!)) } };
}
