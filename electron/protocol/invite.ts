// `braid://` invite strings: what a server admin hands to a new device, in one line.
//   braid://HOST[:PORT]?key=SERVER_PUBLIC_KEY[&secret=DEVICE_SECRET][&name=DEVICE_NAME]
// Keys are the protocol's 44-character base64 (docs/protocol.md "Keys"), percent-encoded or in
// base64url; a `secret` lets the admin pre-register the device's key on the server.
import { formatKey, parseKey, publicFromSecret } from './tunnel/keys';

export const DEFAULT_SERVER_PORT = 7443;

export interface Invite {
  host: string;
  port: number;
  serverPublicKey: string;
  device?: { secret: string; publicKey: string };
  name?: string;
}

export class InviteError extends Error {}

/** base64url (or base64 whose '+' became ' ') back to standard base64 */
function normalizeKey(text: string): string {
  let t = text.replace(/ /g, '+').replace(/-/g, '+').replace(/_/g, '/');
  while (t.length % 4 !== 0) t += '=';
  return t;
}

export function parseInvite(text: string): Invite {
  const trimmed = text.trim();
  if (!/^braid:\/\//i.test(trimmed)) throw new InviteError('An invite starts with braid://');
  let url: URL;
  try {
    // URL parses unknown schemes without a host; swap in a special scheme to get host and port
    url = new URL(trimmed.replace(/^braid:/i, 'http:'));
  } catch {
    throw new InviteError('This invite is not a valid braid:// address');
  }
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  if (!host) throw new InviteError('The invite has no server address');
  const port = url.port ? Number(url.port) : DEFAULT_SERVER_PORT;
  const params = rawParams(url.search);
  const key = params.get('key');
  if (!key) throw new InviteError('The invite has no server key (key=…)');
  let serverPublicKey: string;
  try {
    serverPublicKey = formatKey(parseKey(normalizeKey(key), 'The server key'));
  } catch (err) {
    throw new InviteError((err as Error).message);
  }
  const invite: Invite = { host, port, serverPublicKey };
  const secret = params.get('secret');
  if (secret) {
    try {
      const bytes = parseKey(normalizeKey(secret), 'The device secret');
      invite.device = { secret: formatKey(bytes), publicKey: formatKey(publicFromSecret(bytes)) };
      bytes.fill(0);
    } catch (err) {
      throw new InviteError((err as Error).message);
    }
  }
  const name = params.get('name');
  if (name) invite.name = name.slice(0, 64);
  return invite;
}

/** query parameters without URLSearchParams' '+' -> ' ' rule (base64 uses '+') */
function rawParams(search: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of search.replace(/^\?/, '').split('&')) {
    if (!part) continue;
    const eq = part.indexOf('=');
    const k = eq < 0 ? part : part.slice(0, eq);
    const v = eq < 0 ? '' : part.slice(eq + 1);
    try {
      out.set(decodeURIComponent(k), decodeURIComponent(v));
    } catch {
      throw new InviteError('The invite contains a broken %-escape');
    }
  }
  return out;
}

/** the invite for a server (used by tests and `braid` tooling) */
export function formatInvite(invite: Invite): string {
  const host = invite.host.includes(':') ? `[${invite.host}]` : invite.host;
  let text = `braid://${host}:${invite.port}?key=${encodeURIComponent(invite.serverPublicKey)}`;
  if (invite.device) text += `&secret=${encodeURIComponent(invite.device.secret)}`;
  if (invite.name) text += `&name=${encodeURIComponent(invite.name)}`;
  return text;
}
