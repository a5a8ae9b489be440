// Field schemas shared by the client and server config files. Each carries its own message, so
// a broken config reads "server.publicKey: must be 44 base64 characters encoding 32 bytes".
import path from 'node:path';
import { z } from 'zod';
import { checkCidr, isIP, isIPv4 } from './cidr';

export const KEY_SHAPE_MESSAGE = 'must be 44 base64 characters encoding 32 bytes';

/** standard base64 of exactly 32 bytes, canonical (re-encodes to the same text) */
export function isKeyShape(text: string): boolean {
  return /^[A-Za-z0-9+/]{43}=$/.test(text) && Buffer.from(text, 'base64').toString('base64') === text;
}

export const keySchema = z.string().refine(isKeyShape, { error: KEY_SHAPE_MESSAGE });

export const portSchema = z.number().int().min(1).max(65535);

const HOSTNAME = /^(?=.{1,253}\.?$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\.?$/;

/** an IP address or a DNS name */
export const hostSchema = z.string().superRefine((text, ctx) => {
  if (isIP(text)) return;
  if (/^[0-9.]+$/.test(text)) ctx.addIssue({ code: 'custom', message: 'is not a valid IPv4 address' });
  else if (!HOSTNAME.test(text)) ctx.addIssue({ code: 'custom', message: 'must be an IP address or a host name' });
});

export const ipSchema = z.string().refine(isIP, { error: 'must be an IPv4 or IPv6 address' });
export const ipv4Schema = z.string().refine(isIPv4, { error: 'must be an IPv4 address like 192.0.2.1' });

export const cidrSchema = z.string().superRefine((text, ctx) => {
  const result = checkCidr(text);
  if (!result.ok) ctx.addIssue({ code: 'custom', message: result.reason });
});

/** what the kernel accepts as an interface name (dev_valid_name): 1..15 bytes, no '/', ':' or
 *  space; we also refuse quotes and backslashes, since names end up inside nft rules */
export const ifnameSchema = z.string().refine(
  (name) => Buffer.byteLength(name) <= 15 && /^[^\s/:"'\\\x00-\x1f]+$/.test(name) && name !== '.' && name !== '..',
  { error: "must be an interface name: 1 to 15 characters, no '/', ':', quotes, backslashes or spaces" },
);

/** a TCP congestion control algorithm name as the kernel spells it (TCP_CA_NAME_MAX = 16) */
export const congestionSchema = z
  .string()
  .regex(/^[a-z0-9_]{1,15}$/, { error: 'must be a congestion control name like "cubic" or "bbr"' });

export const absolutePathSchema = z
  .string()
  .refine((p) => path.isAbsolute(p) && !p.includes('\0'), { error: 'must be an absolute path' });

/** sun_path holds 108 bytes including the terminating NUL */
export const socketPathSchema = absolutePathSchema.refine((p) => Buffer.byteLength(p) <= 107, {
  error: 'must be at most 107 bytes (the Unix socket path limit)',
});

export const groupNameSchema = z
  .string()
  .regex(/^[A-Za-z_][A-Za-z0-9_.-]{0,31}$/, { error: 'must be a group name like "braid"' });

export const mtuSchema = z.number().int().min(576).max(9000);

export function controlSchema(defaultSocket: string) {
  return z
    .strictObject({
      socket: socketPathSchema.default(defaultSocket),
      group: groupNameSchema.default('braid'),
    })
    .default({ socket: defaultSocket, group: 'braid' });
}

/** both secret fields are optional in the schema; exactly one must be given (checked here) */
export const secretFields = {
  secretKey: keySchema.optional(),
  secretKeyFile: z.string().min(1).optional(),
};

export function requireOneSecret(value: { secretKey?: string; secretKeyFile?: string }, ctx: z.RefinementCtx): void {
  if (value.secretKey !== undefined && value.secretKeyFile !== undefined) {
    ctx.addIssue({ code: 'custom', path: ['secretKeyFile'], message: 'give either secretKey or secretKeyFile, not both' });
  } else if (value.secretKey === undefined && value.secretKeyFile === undefined) {
    ctx.addIssue({
      code: 'custom',
      path: ['secretKey'],
      message: 'is required (or give secretKeyFile, the path of a file holding the key)',
    });
  }
}

/** custom issues for every name that appears twice in a list, at the second occurrence */
export function checkUnique<T>(
  items: readonly T[],
  pick: (item: T) => string | undefined,
  field: string,
  ctx: z.RefinementCtx,
  listKey: string,
): void {
  const seen = new Map<string, number>();
  items.forEach((item, index) => {
    const key = pick(item);
    if (key === undefined) return;
    const first = seen.get(key);
    if (first !== undefined) {
      ctx.addIssue({ code: 'custom', path: [listKey, index, field], message: `duplicates ${listKey}[${first}].${field}` });
    } else seen.set(key, index);
  });
}
