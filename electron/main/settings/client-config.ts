// The engine reads a root-owned /etc/braid/client.json, which an unprivileged app cannot
// write. So settings produce a client config in the user's config dir plus the one command
// that installs it; the window says so. The content is checked with the engine's own schema.
import fs from 'node:fs';
import path from 'node:path';
import { ClientFileSchema, DEFAULT_CLIENT_CONFIG } from '../../engine/config/client-schema';
import type { LinkMode } from '../../protocol/control';
import type { StoredSettings } from './store';

export interface LinkChoice {
  name: string;
  mode: LinkMode;
}

export class ClientConfigError extends Error {}

/** the JSON text of a client config for these settings and links (pure) */
export function renderClientConfig(settings: StoredSettings, links: LinkChoice[]): string {
  if (!settings.server.host) throw new ClientConfigError('Set the server address first');
  if (!settings.server.publicKey) throw new ClientConfigError("Set the server's public key first");
  if (!settings.device.secret) throw new ClientConfigError('Generate or import this device’s key first');
  if (links.length === 0) throw new ClientConfigError('No network links found to bond');
  if (settings.routing.mode === 'prefixes' && settings.routing.prefixes.length === 0) {
    throw new ClientConfigError('Add at least one prefix, or route everything through Braid');
  }
  const file = {
    server: { host: settings.server.host, port: settings.server.port, publicKey: settings.server.publicKey },
    device: { secretKey: settings.device.secret },
    links: links.map((l) => ({ name: l.name, mode: l.mode })),
    routing:
      settings.routing.mode === 'prefixes' ? { mode: 'split', prefixes: settings.routing.prefixes } : { mode: 'full' },
  };
  const checked = ClientFileSchema.safeParse(file);
  if (!checked.success) {
    const issue = checked.error.issues[0]!;
    throw new ClientConfigError(`${issue.path.join('.')}: ${issue.message}`);
  }
  return `${JSON.stringify(file, null, 2)}\n`;
}

export function installCommand(file: string): string {
  return `sudo install -m 600 -o root -g root '${file.replace(/'/g, `'\\''`)}' ${DEFAULT_CLIENT_CONFIG} && sudo systemctl restart braidd`;
}

/** physical interfaces from sysfs (those with a backing device), as a fallback link list */
export function physicalLinks(sysClassNet = '/sys/class/net'): LinkChoice[] {
  let names: string[];
  try {
    names = fs.readdirSync(sysClassNet);
  } catch {
    return [];
  }
  return names
    .filter((name) => name !== 'lo' && fs.existsSync(path.join(sysClassNet, name, 'device')))
    .sort()
    .map((name) => ({ name, mode: 'on' as const }));
}
