// Client config file (/etc/braid/client.json): which server to reach, this device's key, which
// links to bond and how traffic is routed into the tunnel.
import { z } from 'zod';
import { DEFAULT_CONTROL_SOCKET, LinkModeSchema, type LinkCap, type LinkMode } from '../../protocol/control';
import { linkCapSchema } from './cap';
import {
  absolutePathSchema,
  checkUnique,
  cidrSchema,
  congestionSchema,
  controlSchema,
  hostSchema,
  ifnameSchema,
  ipSchema,
  keySchema,
  mtuSchema,
  portSchema,
  requireOneSecret,
  secretFields,
} from './fields';

export const DEFAULT_CLIENT_CONFIG = '/etc/braid/client.json';

export const ClientLinkSchema = z.strictObject({
  name: ifnameSchema,
  /** the link's mode until the user changes it; default by kind (ethernet/wifi on, tethers backup) */
  mode: LinkModeSchema.optional(),
  gateway: ipSchema.optional(),
  cap: linkCapSchema.optional(),
});

const RoutingSchema = z
  .strictObject({
    mode: z.enum(['full', 'split']),
    prefixes: z.array(cidrSchema).min(1).optional(),
  })
  .superRefine((routing, ctx) => {
    if (routing.mode === 'split' && routing.prefixes === undefined) {
      ctx.addIssue({ code: 'custom', path: ['prefixes'], message: 'is required when mode is "split"' });
    }
    if (routing.mode === 'full' && routing.prefixes !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['prefixes'], message: 'only applies when mode is "split"' });
    }
  })
  .transform((routing): ClientRouting =>
    routing.mode === 'split' ? { mode: 'split', prefixes: routing.prefixes ?? [] } : { mode: 'full' },
  );

const ReconnectSchema = z
  .strictObject({
    initialMs: z.number().int().min(50).max(600_000).default(500),
    maxMs: z.number().int().min(50).max(3_600_000).default(30_000),
  })
  .refine((r) => r.initialMs <= r.maxMs, { error: 'must not be smaller than initialMs', path: ['maxMs'] });

export const ClientFileSchema = z
  .strictObject({
    server: z.strictObject({ host: hostSchema, port: portSchema.default(7443), publicKey: keySchema }),
    device: z.strictObject(secretFields).superRefine(requireOneSecret),
    links: z.array(ClientLinkSchema).default([]),
    /** which interfaces the engine bonds besides those listed in links (glob patterns) */
    interfaces: z
      .strictObject({ allow: z.array(z.string().min(1).max(32)).default([]), deny: z.array(z.string().min(1).max(32)).default([]) })
      .default({ allow: [], deny: [] }),
    routing: RoutingSchema.default({ mode: 'full' }),
    tun: z
      .strictObject({
        name: ifnameSchema.default('braid0'),
        mtu: mtuSchema.default(1500),
        txQueueLen: z.number().int().min(1).max(100_000).default(64),
      })
      .default({ name: 'braid0', mtu: 1500, txQueueLen: 64 }),
    congestion: congestionSchema.default('cubic'),
    control: controlSchema(DEFAULT_CONTROL_SOCKET),
    stateDir: absolutePathSchema.default('/var/lib/braid'),
    reconnect: ReconnectSchema.default({ initialMs: 500, maxMs: 30_000 }),
  })
  .superRefine((config, ctx) => checkUnique(config.links, (l) => l.name, 'name', ctx, 'links'));

export type ClientRouting = { mode: 'full' } | { mode: 'split'; prefixes: string[] };

export interface ClientLink {
  /** interface name, e.g. "eth0" */
  name: string;
  mode?: LinkMode;
  /** next hop on this link toward the server; learned from the routing table when absent */
  gateway?: string;
  /** data cap per billing period; a cap set at run time (`braid cap`) takes precedence */
  cap?: LinkCap;
}

/** a validated client config with defaults filled in and the secret key resolved */
export interface ClientConfig {
  server: { host: string; port: number; publicKey: string };
  device: {
    /** base64 of the 32-byte Ed25519 seed */
    secretKey: string;
    /** absolute path the key was read from, when it came from a file */
    secretKeyFile?: string;
  };
  links: ClientLink[];
  interfaces: { allow: string[]; deny: string[] };
  routing: ClientRouting;
  tun: { name: string; mtu: number; txQueueLen: number };
  congestion: string;
  control: { socket: string; group: string };
  stateDir: string;
  reconnect: { initialMs: number; maxMs: number };
}

export type ClientFile = z.output<typeof ClientFileSchema>;
