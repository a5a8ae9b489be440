// Server config file (/etc/braid/server.json): where to listen, the server's key, the tunnel
// address pool and the devices allowed in.
import { z } from 'zod';
import { allocatePool, isIPv4, parseCidr4 } from './cidr';
import {
  checkUnique,
  congestionSchema,
  controlSchema,
  ifnameSchema,
  ipSchema,
  ipv4Schema,
  keySchema,
  mtuSchema,
  portSchema,
  requireOneSecret,
  secretFields,
} from './fields';

export const DEFAULT_SERVER_CONFIG = '/etc/braid/server.json';
export const DEFAULT_SERVER_SOCKET = '/run/braid/server.sock';

/** the kernel's MPTCP path manager accepts at most 8 (MPTCP_PM_ADDR_MAX) */
const mptcpLimit = z.number().int().min(0).max(8);

export const ServerDeviceSchema = z.strictObject({
  name: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, {
    error: 'must be 1 to 64 letters, digits, ".", "_" or "-", starting with a letter or digit',
  }),
  publicKey: keySchema,
  address: ipv4Schema.optional(),
});

const PoolSchema = z.string().superRefine((text, ctx) => {
  const result = parseCidr4(text);
  if (!result.ok) ctx.addIssue({ code: 'custom', message: result.reason });
});

export const ServerFileSchema = z
  .strictObject({
    listen: z
      .strictObject({ host: ipSchema.default('0.0.0.0'), port: portSchema.default(7443) })
      .default({ host: '0.0.0.0', port: 7443 }),
    ...secretFields,
    pool: PoolSchema,
    devices: z.array(ServerDeviceSchema),
    nat: z
      .strictObject({ enabled: z.boolean().default(true), outInterface: ifnameSchema.optional() })
      .default({ enabled: true }),
    tun: z
      .strictObject({ name: ifnameSchema.default('braids0'), mtu: mtuSchema.default(1500) })
      .default({ name: 'braids0', mtu: 1500 }),
    limits: z
      .strictObject({ subflows: mptcpLimit.default(8), addAddrAccepted: mptcpLimit.default(8) })
      .default({ subflows: 8, addAddrAccepted: 8 }),
    congestion: congestionSchema.default('cubic'),
    control: controlSchema(DEFAULT_SERVER_SOCKET),
  })
  .superRefine((config, ctx) => {
    requireOneSecret(config, ctx);
    checkUnique(config.devices, (d) => d.name, 'name', ctx, 'devices');
    checkUnique(config.devices, (d) => d.publicKey, 'publicKey', ctx, 'devices');
    const pool = parseCidr4(config.pool);
    // a bad pool or a malformed address was already reported on its own field
    if (!pool.ok || config.devices.some((d) => d.address !== undefined && !isIPv4(d.address))) return;
    const allocation = allocatePool(pool.value, config.devices.map((d) => d.address));
    if (allocation.ok) return;
    for (const problem of allocation.problems) {
      const path = problem.index < 0 ? ['pool'] : ['devices', problem.index, 'address'];
      // an unaddressed device that found no room: point at the device, not at a missing field
      if (problem.index >= 0 && config.devices[problem.index]!.address === undefined) path.pop();
      ctx.addIssue({ code: 'custom', path, message: problem.reason });
    }
  });

export type ServerFile = z.output<typeof ServerFileSchema>;

export interface ServerDevice {
  name: string;
  publicKey: string;
  /** tunnel address: the configured one, or allocated from the pool */
  address: string;
}

/** a validated server config with defaults filled in, addresses allocated, the secret resolved */
export interface ServerConfig {
  listen: { host: string; port: number };
  /** base64 of the 32-byte Ed25519 seed */
  secretKey: string;
  secretKeyFile?: string;
  /** the pool as written, e.g. "10.77.0.0/24" */
  pool: string;
  poolPrefix: number;
  /** the server's own tunnel address: the pool's first host */
  address: string;
  devices: ServerDevice[];
  nat: { enabled: boolean; outInterface?: string };
  tun: { name: string; mtu: number };
  limits: { subflows: number; addAddrAccepted: number };
  congestion: string;
  control: { socket: string; group: string };
}
