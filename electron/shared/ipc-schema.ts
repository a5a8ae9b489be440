// The renderer<->main contract: one grouped schema (app, tunnel, paths, links, stats, settings).
// Invokes carry a zod-validated payload and answer {ok:true,value} | {ok:false,code,message};
// notifies carry a Notice {seq, data}. Startup is snapshot first (app.snapshot), then changes
// with a larger seq. Both sides take their types from here; main validates every payload.
import { z } from 'zod';
import type { IpcChannels } from './ipc-channels';
import type {
  AppSnapshot,
  ClientConfigExport,
  EngineHealth,
  EventView,
  IpcResult,
  Notice,
  PathView,
  SettingsView,
  StatsHistory,
  StatsSample,
  TunnelView,
} from './types';

interface InvokeDef<P extends z.ZodType, R> {
  kind: 'invoke';
  payload: P;
  /** type carrier only */
  result?: R;
}
interface NotifyDef<T> {
  kind: 'notify';
  data?: T;
}

function invoke<P extends z.ZodType>(payload: P) {
  return { returns: <R>(): InvokeDef<P, R> => ({ kind: 'invoke', payload }) };
}
function notify<T>(): NotifyDef<T> {
  return { kind: 'notify' };
}

const Empty = z.object({}).strict();
const LinkName = z.string().min(1).max(64).regex(/^[\w.:@-]+$/, 'not an interface name');
const LinkMode = z.enum(['on', 'backup', 'off']);
const Host = z
  .string()
  .trim()
  .max(253)
  .regex(/^[A-Za-z0-9.:\-[\]]*$/, 'a host name or IP address');
const Prefix = z
  .string()
  .trim()
  .max(43)
  .regex(/^[0-9A-Fa-f.:]+\/\d{1,3}$/, 'an IP prefix like 10.0.0.0/8');

export const SettingsPatchSchema = z
  .object({
    server: z
      .object({
        host: Host,
        port: z.number().int().min(1).max(65535),
        publicKey: z.string().trim().max(64),
      })
      .partial()
      .strict()
      .optional(),
    device: z.object({ name: z.string().trim().max(64) }).partial().strict().optional(),
    routing: z
      .object({ mode: z.enum(['full', 'prefixes']), prefixes: z.array(Prefix).max(256) })
      .partial()
      .strict()
      .optional(),
    startAtLogin: z.boolean().optional(),
    notifications: z.boolean().optional(),
  })
  .strict();
export type SettingsPatch = z.infer<typeof SettingsPatchSchema>;

export const ipcSchema = {
  app: {
    snapshot: invoke(Empty).returns<AppSnapshot>(),
    copyText: invoke(z.object({ text: z.string().max(4096) }).strict()).returns<{ copied: boolean }>(),
    quit: invoke(Empty).returns<null>(),
    health: notify<EngineHealth>(),
  },
  tunnel: {
    connect: invoke(Empty).returns<null>(),
    disconnect: invoke(Empty).returns<null>(),
    changed: notify<TunnelView | null>(),
  },
  paths: {
    changed: notify<PathView[]>(),
  },
  links: {
    setMode: invoke(z.object({ link: LinkName, mode: LinkMode }).strict()).returns<null>(),
    events: notify<EventView[]>(),
  },
  stats: {
    history: invoke(z.object({ seconds: z.number().int().min(1).max(3600) }).strict()).returns<StatsHistory>(),
    sample: notify<StatsSample>(),
    /** the whole chart history replaced (e.g. merged with the engine's after connecting) */
    reset: notify<StatsHistory>(),
  },
  settings: {
    get: invoke(Empty).returns<SettingsView>(),
    update: invoke(SettingsPatchSchema).returns<SettingsView>(),
    generateDeviceKey: invoke(Empty).returns<SettingsView>(),
    importInvite: invoke(z.object({ invite: z.string().trim().min(8).max(2048) }).strict()).returns<SettingsView>(),
    writeClientConfig: invoke(Empty).returns<ClientConfigExport>(),
    changed: notify<SettingsView>(),
  },
} as const;

export type IpcSchema = typeof ipcSchema;

// The channel list and the schema must name the same channels with the same kinds.
type KindsOf<S> = { [G in keyof S]: { [N in keyof S[G]]: S[G][N] extends { kind: infer K } ? K : never } };
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const schemaMatchesChannels: Same<KindsOf<IpcSchema>, { -readonly [G in keyof IpcChannels]: { -readonly [N in keyof IpcChannels[G]]: IpcChannels[G][N] } }> = true;
void schemaMatchesChannels;

export type PayloadOf<G extends keyof IpcSchema, N extends keyof IpcSchema[G]> =
  IpcSchema[G][N] extends InvokeDef<infer P, unknown> ? z.input<P> : never;
export type ResultOf<G extends keyof IpcSchema, N extends keyof IpcSchema[G]> =
  IpcSchema[G][N] extends InvokeDef<z.ZodType, infer R> ? R : never;
export type DataOf<G extends keyof IpcSchema, N extends keyof IpcSchema[G]> =
  IpcSchema[G][N] extends NotifyDef<infer T> ? T : never;

type InvokeNames<G extends keyof IpcSchema> = {
  [N in keyof IpcSchema[G]]: IpcSchema[G][N] extends { kind: 'invoke' } ? N : never;
}[keyof IpcSchema[G]];
type NotifyNames<G extends keyof IpcSchema> = {
  [N in keyof IpcSchema[G]]: IpcSchema[G][N] extends { kind: 'notify' } ? N : never;
}[keyof IpcSchema[G]];

/** What the preload exposes as window.braid (and the browser host's WebSocket bridge builds). */
export type BraidApi = {
  [G in keyof IpcSchema]: {
    [N in InvokeNames<G>]: (payload: PayloadOf<G, N>) => Promise<IpcResult<ResultOf<G, N>>>;
  } & {
    [N in NotifyNames<G> as `on${Capitalize<N & string>}`]: (
      listener: (notice: Notice<DataOf<G, N>>) => void,
    ) => () => void;
  };
};

/** Main-side implementation of every invoke, typed from the schema (payloads arrive validated). */
export type IpcHandlers = {
  [G in keyof IpcSchema as [InvokeNames<G>] extends [never] ? never : G]: {
    [N in InvokeNames<G>]: (payload: z.output<IpcSchema[G][N] extends InvokeDef<infer P, unknown> ? P : never>) => Promise<ResultOf<G, N>> | ResultOf<G, N>;
  };
};

/** a notify as main emits it: channel "group:name" and its notice */
export type NotifyMessage = {
  [G in keyof IpcSchema]: { [N in NotifyNames<G>]: { group: G; name: N; notice: Notice<DataOf<G, N>> } }[NotifyNames<G>];
}[keyof IpcSchema];

/** the zod schema of an invoke channel "group:name", or undefined when there is none */
export function invokePayloadSchema(channel: string): z.ZodType | undefined {
  const [group, name, extra] = channel.split(':');
  if (!group || !name || extra !== undefined) return undefined;
  if (!Object.prototype.hasOwnProperty.call(ipcSchema, group)) return undefined;
  const g = ipcSchema[group as keyof IpcSchema] as Record<string, { kind: string; payload?: z.ZodType }>;
  if (!Object.prototype.hasOwnProperty.call(g, name)) return undefined;
  const def = g[name]!;
  return def.kind === 'invoke' ? def.payload : undefined;
}
