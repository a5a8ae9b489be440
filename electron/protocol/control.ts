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

export const PathStatusSchema = z.object({
  link: z.string(),
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

/** Methods: each is read or write; the engine checks the caller (SO_PEERCRED) per method. */
export const MethodParams = {
  hello: z.object({ version: z.number().int(), client: z.string().max(100).optional() }),
  status: z.object({}).strict(),
  watch: z.object({}).strict(),
  setTargetState: z.object({ state: z.enum(['connected', 'disconnected']) }).strict(),
  setLinkMode: z.object({ link: z.string().min(1).max(64), mode: LinkModeSchema }).strict(),
} as const;
export type MethodName = keyof typeof MethodParams;
export type MethodParamsOf<M extends MethodName> = z.infer<(typeof MethodParams)[M]>;

export const METHOD_ACCESS: Record<MethodName, 'read' | 'write'> = {
  hello: 'read',
  status: 'read',
  watch: 'read',
  setTargetState: 'write',
  setLinkMode: 'write',
};

export const HelloResultSchema = z.object({
  version: z.number(),
  engine: z.string(),
  mode: z.enum(['client', 'server']),
  /** what this caller may do, decided from its uid/groups */
  access: z.enum(['read', 'write']),
});
export type HelloResult = z.infer<typeof HelloResultSchema>;

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
