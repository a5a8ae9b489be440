// links[].cap in the client config: a data cap per billing period. `bytes` is a number of bytes
// or a size such as "10GB" / "500MB" / "1.5GiB" (data-size.ts); the parsed config always holds
// a number.
import { z } from 'zod';
import { CapActionSchema, type LinkCap } from '../../protocol/control';
import { parseDataSize } from './data-size';

// one transform instead of a union, so each wrong shape gets its own sentence
const capBytesSchema = z.unknown().transform((value, ctx): number => {
  if (value === undefined) {
    ctx.addIssue({ code: 'custom', message: 'is required: a number of bytes or a size like "10GB"' });
    return z.NEVER;
  }
  if (typeof value === 'string') {
    const parsed = parseDataSize(value);
    if (parsed.ok) return parsed.bytes;
    ctx.addIssue({ code: 'custom', message: parsed.reason });
    return z.NEVER;
  }
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value <= 0) {
    ctx.addIssue({ code: 'custom', message: 'must be a whole number of bytes above 0, or a size like "10GB"' });
    return z.NEVER;
  }
  return value;
});

export const linkCapSchema = z.strictObject({
  bytes: capBytesSchema,
  billingDay: z.number().int().min(1).max(28).default(1),
  action: CapActionSchema.default('off'),
}) satisfies z.ZodType<LinkCap, unknown>;
