// main <-> engine control protocol: newline-delimited JSON over a Unix socket.
// One schema, validated at runtime by both ends (engine server and every client: CLI, app).
import { z } from 'zod';

export const CONTROL_PROTOCOL_VERSION = 1;
/** a single NDJSON line may not exceed this many bytes (request or response) */
export const MAX_CONTROL_FRAME = 64 * 1024;
export const DEFAULT_CONTROL_SOCKET = '/run/braid/engine.sock';

export const TunnelStateSchema = z.enum(['disconnected', 'connecting', 'connected', 'disconnecting', 'error']);
export type TunnelState = z.infer<typeof TunnelStateSchema>;

export const LinkModeSchema = z.enum(['on', 'backup', 'off']);
export type LinkMode = z.infer<typeof LinkModeSchema>;

export const PathStateSchema = z.enum(['unavailable', 'unreachable', 'idle', 'joining', 'active', 'backup', 'failed']);
export type PathState = z.infer<typeof PathStateSchema>;

export const LinkKindSchema = z.enum(['ethernet', 'wifi', 'usb-tether', 'wwan', 'virtual', 'unknown']);
export type LinkKind = z.infer<typeof LinkKindSchema>;

export const SubflowStatusSchema = z.object({
  localAddress: z.string(),
  remoteAddress: z.string(),
  rttMs: z.number(),
  deliveryRateBps: z.number(),
  retransmits: z.number(),
  bytesSent: z.number(),
  bytesReceived: z.number(),
  backup: z.boolean(),
});
export type SubflowStatus = z.infer<typeof SubflowStatusSchema>;

export const CapActionSchema = z.enum(['off', 'backup']);
export type CapAction = z.infer<typeof CapActionSchema>;

export const BillingDaySchema = z.number().int().min(1).max(28);

/** a data cap: at `bytes` (sent + received) in a billing period the link drops to `action` */
export const LinkCapSchema = z.object({
  bytes: z.number().int().positive().max(Number.MAX_SAFE_INTEGER),
  /** the period starts on this day of the month at 00:00 local time */
  billingDay: BillingDaySchema,
  action: CapActionSchema,
});
export type LinkCap = z.infer<typeof LinkCapSchema>;

/** a link's data use in its current billing period (survives engine restarts) */
export const LinkUsageSchema = z.object({
  periodStart: z.number(),
  /** when the next period starts and the counters go back to 0 */
  periodEnd: z.number().optional(),
  txBytes: z.number(),
  rxBytes: z.number(),
  cap: LinkCapSchema.optional(),
  /** (txBytes + rxBytes) / cap.bytes; 1 or more: the cap is reached */
  capFraction: z.number().optional(),
});
export type LinkUsage = z.infer<typeof LinkUsageSchema>;

/** NetworkManager's metered flag for a link ("yes (guessed)" counts as yes); unknown without nmcli */
export const MeteredSchema = z.enum(['yes', 'no', 'unknown']);
export type Metered = z.infer<typeof MeteredSchema>;

/** what the system tells about a link beyond its addresses (systeminformation, nmcli): for display */
export const LinkDetailsSchema = z.object({
  /** systeminformation's type: wired, wireless, virtual */
  type: z.string().optional(),
  vendor: z.string().optional(),
  model: z.string().optional(),
  /** negotiated speed; absent when the driver does not say (veth, many USB tethers) */
  speedMbps: z.number().optional(),
  duplex: z.enum(['full', 'half']).optional(),
  /** systeminformation's guess; reliable only where NetworkManager or /etc/network/interfaces says */
  dhcp: z.boolean().optional(),
  metered: MeteredSchema,
  wifi: z.object({ ssid: z.string(), signalDbm: z.number().optional(), quality: z.number().optional() }).optional(),
});
export type LinkDetails = z.infer<typeof LinkDetailsSchema>;

export const PathStatusSchema = z.object({
  link: z.string(),
  /** the link's stable identity (MAC or NetworkManager connection): what modes and usage are kept under */
  identity: z.string().optional(),
  kind: LinkKindSchema,
  mode: LinkModeSchema,
  state: PathStateSchema,
  /** plain words for the user when state is failed/unreachable/unavailable */
  reason: z.string().optional(),
  localAddress: z.string().optional(),
  gateway: z.string().optional(),
  subflow: SubflowStatusSchema.optional(),
  txBps: z.number(),
  rxBps: z.number(),
  txBytes: z.number(),
  rxBytes: z.number(),
  /** fraction 0..1 of the aggregate carried by this path over the last sample */
  share: z.number(),
  usage: LinkUsageSchema.optional(),
  /** SSID, signal, speed, metered... when known (gathered off the engine's hot path) */
  details: LinkDetailsSchema.optional(),
});
export type PathStatus = z.infer<typeof PathStatusSchema>;

export const AggregateSchema = z.object({
  txBps: z.number(),
  rxBps: z.number(),
  txBytes: z.number(),
  rxBytes: z.number(),
});
export type Aggregate = z.infer<typeof AggregateSchema>;

export const TunnelStatusSchema = z.object({
  state: TunnelStateSchema,
  target: z.enum(['connected', 'disconnected']),
  cause: z.string().optional(),
  since: z.number(),
  server: z.string(),
  address: z.string().optional(),
  interface: z.string().optional(),
  /** false when the connection fell back to plain TCP (no multipath) */
  mptcp: z.boolean().optional(),
  reconnects: z.number(),
});
export type TunnelStatus = z.infer<typeof TunnelStatusSchema>;

export const DeviceStatusSchema = z.object({
  name: z.string(),
  publicKey: z.string(),
  address: z.string(),
  connected: z.boolean(),
  since: z.number().optional(),
  remote: z.string().optional(),
  subflows: z.number(),
  mptcp: z.boolean().optional(),
  txBytes: z.number(),
  rxBytes: z.number(),
  txBps: z.number(),
  rxBps: z.number(),
});
export type DeviceStatus = z.infer<typeof DeviceStatusSchema>;

export const EngineEventSchema = z.object({
  at: z.number(),
  kind: z.string(),
  link: z.string().optional(),
  message: z.string(),
  data: z.record(z.string(), z.unknown()).optional(),
});
export type EngineEvent = z.infer<typeof EngineEventSchema>;

export const ClientStatusSchema = z.object({
  mode: z.literal('client'),
  version: z.string(),
  tunnel: TunnelStatusSchema,
  paths: z.array(PathStatusSchema),
  aggregate: AggregateSchema,
  events: z.array(EngineEventSchema),
  /** the last time a path was lost under traffic: how long until traffic moved on */
  lastFailover: z.object({ link: z.string(), gapMs: z.number(), at: z.number() }).optional(),
  /** other MPTCP endpoint managers on this machine (NetworkManager, mptcpd) */
  coexistence: z.object({ networkManager: z.boolean(), mptcpd: z.boolean(), message: z.string().optional() }).optional(),
});
export type ClientStatus = z.infer<typeof ClientStatusSchema>;

export const ServerStatusSchema = z.object({
  mode: z.literal('server'),
  version: z.string(),
  listen: z.string(),
  devices: z.array(DeviceStatusSchema),
  aggregate: AggregateSchema,
  events: z.array(EngineEventSchema),
});
export type ServerStatus = z.infer<typeof ServerStatusSchema>;

export const EngineStatusSchema = z.discriminatedUnion('mode', [ClientStatusSchema, ServerStatusSchema]);
export type EngineStatus = z.infer<typeof EngineStatusSchema>;

export const RatePairSchema = z.object({ txBps: z.number(), rxBps: z.number() });
export type RatePair = z.infer<typeof RatePairSchema>;

/** one second of the rate history: the aggregate and each link that had a path then */
export const HistorySampleSchema = z.object({
  at: z.number(),
  aggregate: RatePairSchema,
  links: z.record(z.string(), RatePairSchema),
});
export type HistorySample = z.infer<typeof HistorySampleSchema>;

/** Methods: each is read or write; the engine checks the caller (SO_PEERCRED) per method. */
export const MethodParams = {
  hello: z.object({ version: z.number().int(), client: z.string().max(100).optional() }),
  status: z.object({}).strict(),
  watch: z.object({}).strict(),
  setTargetState: z.object({ state: z.enum(['connected', 'disconnected']) }).strict(),
  setLinkMode: z.object({ link: z.string().min(1).max(64), mode: LinkModeSchema }).strict(),
  /** bytes null removes the cap; billingDay and action default to the current cap's, else 1 and off */
  setLinkCap: z
    .object({
      link: z.string().min(1).max(64),
      bytes: LinkCapSchema.shape.bytes.nullable(),
      billingDay: BillingDaySchema.optional(),
      action: CapActionSchema.optional(),
    })
    .strict()
    .refine((p) => p.bytes !== null || (p.billingDay === undefined && p.action === undefined), {
      message: 'billingDay and action need bytes (bytes null removes the cap)',
      path: ['bytes'],
    }),
  /** samples taken after sinceMs (all of the last 10 minutes when omitted), oldest first */
  history: z.object({ sinceMs: z.number().optional() }).strict(),
} as const;
export type MethodName = keyof typeof MethodParams;
export type MethodParamsOf<M extends MethodName> = z.infer<(typeof MethodParams)[M]>;

export const METHOD_ACCESS: Record<MethodName, 'read' | 'write'> = {
  hello: 'read',
  status: 'read',
  watch: 'read',
  setTargetState: 'write',
  setLinkMode: 'write',
  setLinkCap: 'write',
  history: 'read',
};

export const HelloResultSchema = z.object({
  version: z.number(),
  engine: z.string(),
  mode: z.enum(['client', 'server']),
  /** what this caller may do, decided from its uid/groups */
  access: z.enum(['read', 'write']),
});
export type HelloResult = z.infer<typeof HelloResultSchema>;

/** history result: as many samples as fit in one frame; with `more`, ask again from the last `at` */
export const HistoryResultSchema = z.object({
  samples: z.array(HistorySampleSchema),
  more: z.boolean(),
});
export type HistoryResult = z.infer<typeof HistoryResultSchema>;

export const RequestSchema = z.object({
  id: z.number().int().nonnegative(),
  method: z.string().max(64),
  params: z.unknown().optional(),
});
export type ControlRequest = z.infer<typeof RequestSchema>;

export const ErrorCodeSchema = z.enum([
  'bad-request', //      not JSON, not a request, params invalid
  'frame-too-large', //  line over MAX_CONTROL_FRAME (connection is then closed)
  'unknown-method',
  'forbidden', //        caller may not use a write method
  'version-mismatch',
  'not-ready', //        hello first
  'failed', //           the engine could not do it (message says why)
]);
export type ErrorCode = z.infer<typeof ErrorCodeSchema>;

export const ResponseSchema = z.union([
  z.object({ id: z.number().nullable(), result: z.unknown() }),
  z.object({ id: z.number().nullable(), error: z.object({ code: ErrorCodeSchema, message: z.string() }) }),
]);
export type ControlResponse = z.infer<typeof ResponseSchema>;

/** watch notifications: `{"watch": <id of the watch request>, "status": EngineStatus}` after the
 *  snapshot (the watch result), at most a few per second; events ride inside status.events
 *  (the last 50, newest last). */
export const WatchNotificationSchema = z.object({ watch: z.number(), status: EngineStatusSchema });
export type WatchNotification = z.infer<typeof WatchNotificationSchema>;
