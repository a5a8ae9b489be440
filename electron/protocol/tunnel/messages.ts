// CONTROL frame JSON that ends the handshake (docs/protocol.md, "Handshake"): the server's
// welcome or reject. One schema, validated at runtime by both ends: the server before it seals
// the message, the client after it opens it. Unknown extra fields are stripped, not refused, so
// a newer server can add fields without breaking older clients.
import { z } from 'zod';

export const WelcomeMessageSchema = z
  .object({
    type: z.literal('welcome'),
    /** the device's tunnel address and prefix, e.g. "10.77.0.2/24" */
    address: z.cidrv4(),
    address6: z.cidrv6().nullable(),
    mtu: z.number().int().min(576).max(65535),
    /** server software and version, for display ("braid 0.1.0") */
    server: z.string().min(1).max(100),
  })
  .refine((w) => w.address6 === null || w.mtu >= 1280, {
    message: 'mtu must be at least 1280 when address6 is set (IPv6 minimum)',
    path: ['mtu'],
  });
export type WelcomeMessage = z.infer<typeof WelcomeMessageSchema>;

export const MAX_REJECT_MESSAGE = 1000;

/** reject codes are lowercase words joined by "-"; clients must accept codes they do not know */
export const RejectCodeSchema = z.string().regex(/^[a-z0-9][a-z0-9-]{0,63}$/, 'reject code must be lowercase-dashed, 1..64 characters');

export const RejectMessageSchema = z.object({
  type: z.literal('reject'),
  /** "unknown-device": the device key is not admitted; "server-error": the server failed */
  code: RejectCodeSchema,
  /** for people: says what to do */
  message: z.string().max(MAX_REJECT_MESSAGE),
});
export type RejectMessage = z.infer<typeof RejectMessageSchema>;

export const HandshakeReplySchema = z.discriminatedUnion('type', [WelcomeMessageSchema, RejectMessageSchema]);
export type HandshakeReply = z.infer<typeof HandshakeReplySchema>;

/** "address: Invalid IPv4 range; mtu: Too small" - short enough for a log line */
export function describeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 5)
    .map((issue) => (issue.path.length > 0 ? `${issue.path.join('.')}: ${issue.message}` : issue.message))
    .join('; ');
}
