// Which interfaces are candidate links, what mode a new link starts in, and how a link is
// recognised again (its identity) when it comes back under another name or after a reboot.
import type { LinkKind, LinkMode } from '../../protocol/control';
import type { InterfaceSnapshot } from '../netmon/snapshot';

export interface LinkSelection {
  /** glob patterns (* and ?) of interface names to consider; empty = every non-virtual one */
  allow: string[];
  deny: string[];
  /** names listed in the config's links[]: always candidates */
  listed: string[];
  /** our own TUN device, never a link */
  tunName: string;
}

function globToRegExp(glob: string): RegExp {
  const escaped = glob.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${escaped}$`);
}

export function matchesAny(name: string, globs: string[]): boolean {
  return globs.some((g) => globToRegExp(g).test(name));
}

export function isCandidate(iface: Pick<InterfaceSnapshot, 'name' | 'kind'>, selection: LinkSelection): boolean {
  if (iface.name === selection.tunName || iface.name === 'lo') return false;
  if (matchesAny(iface.name, selection.deny)) return false;
  if (selection.listed.includes(iface.name)) return true;
  if (selection.allow.length > 0) return matchesAny(iface.name, selection.allow);
  return iface.kind !== 'virtual' && iface.kind !== 'unknown';
}

/** metered and expensive links start as backup; everything else joins */
export function defaultMode(kind: LinkKind, metered = false): LinkMode {
  if (metered) return 'backup';
  return kind === 'usb-tether' || kind === 'wwan' ? 'backup' : 'on';
}

/** stable across renames and reboots when the link has a MAC; else its name */
export function linkIdentity(iface: Pick<InterfaceSnapshot, 'name' | 'mac'>): string {
  return iface.mac ? `mac:${iface.mac}` : `name:${iface.name}`;
}
