// Composition roots for the two engine modes: load and validate the config, build the engine
// from real ports, serve the control socket, and stop cleanly on SIGTERM/SIGINT.
import path from 'node:path';
import { loadNative } from '../../native/lib';
import { parseKey } from '../protocol/tunnel/keys';
import { loadClientConfig, loadServerConfig, type ClientConfig, type ServerConfig } from './config';
import { startControlServer } from './control/server';
import { ClientEngine } from './client-engine';
import type { EngineApi } from './engine-api';
import { ServerEngine, type ServerSettings } from './server/server-engine';
import { SystemNetwork } from './system/network';
import { execRunner } from './system/command-runner';
import type { ClientSettings } from './tunnel/client-connector';

export interface RunOptions {
  config: string;
  /** control socket path (overrides the config) */
  socket?: string;
  /** state file directory (overrides the config) */
  stateDir?: string;
  log?: (line: string) => void;
  /** resolves when the engine should stop; default: SIGTERM or SIGINT */
  stopSignal?: Promise<void>;
  /** called once the engine is running (tests use it) */
  onReady?: (engine: EngineApi) => void;
}

/** the tunnel socket keeps at most this much unsent data: more only adds latency */
const NOTSENT_LOWAT = envNumber('BRAID_NOTSENT_LOWAT') ?? 32 * 1024;
/** tests force frequent rekeys with this */
const REKEY_FRAMES = envNumber('BRAID_REKEY_AFTER_FRAMES');
const QUEUE_BYTES = envNumber('BRAID_QUEUE_BYTES');

function envNumber(name: string): number | undefined {
  const value = process.env[name];
  return value === undefined || value === '' ? undefined : Number(value);
}

function defaultLog(line: string): void {
  process.stderr.write(`${new Date().toISOString()} ${line}\n`);
}

function signalled(): Promise<void> {
  return new Promise((resolve) => {
    process.once('SIGTERM', () => resolve());
    process.once('SIGINT', () => resolve());
  });
}

export function clientSettings(config: ClientConfig): ClientSettings {
  return {
    server: { host: config.server.host, port: config.server.port, publicKey: parseKey(config.server.publicKey, 'server.publicKey') },
    deviceSecret: parseKey(config.device.secretKey, 'device.secretKey'),
    routing: config.routing,
    tun: config.tun,
    congestion: config.congestion,
    notsentLowat: NOTSENT_LOWAT,
    connectTimeoutMs: 5000,
    rekeyAfterFrames: REKEY_FRAMES,
    queueBytes: QUEUE_BYTES,
  };
}

export function serverSettings(config: ServerConfig): ServerSettings {
  return {
    listen: config.listen,
    serverSecret: parseKey(config.secretKey, 'secretKey'),
    pool: config.pool,
    serverAddress: config.address,
    poolPrefix: config.poolPrefix,
    devices: config.devices.map((d) => ({ name: d.name, publicKey: d.publicKey, address: d.address })),
    nat: config.nat,
    tun: { ...config.tun, txQueueLen: 64 },
    limits: config.limits,
    congestion: config.congestion,
    notsentLowat: NOTSENT_LOWAT,
    rekeyAfterFrames: REKEY_FRAMES,
    queueBytes: QUEUE_BYTES,
  };
}

export async function runClient(options: RunOptions): Promise<void> {
  const log = options.log ?? defaultLog;
  const config = loadClientConfig(options.config);
  const stateDir = options.stateDir ?? config.stateDir;
  const engine = new ClientEngine({
    settings: clientSettings(config),
    links: config.links,
    interfaces: config.interfaces,
    backoff: config.reconnect,
    stateDir,
    native: loadNative(),
    network: new SystemNetwork(),
    runner: execRunner,
    log,
  });
  const stop = options.stopSignal ?? signalled();
  const control = await startControlServer({ path: options.socket ?? config.control.socket, group: config.control.group, engine });
  try {
    await engine.start();
    log(`braidd ${engine.version}: client engine running, control socket ${options.socket ?? config.control.socket}`);
    options.onReady?.(engine);
    await stop;
  } finally {
    log('stopping');
    await engine.stop();
    await control.close();
  }
}

export async function runServer(options: RunOptions): Promise<void> {
  const log = options.log ?? defaultLog;
  const config = loadServerConfig(options.config);
  const engine = new ServerEngine(serverSettings(config), loadNative(), new SystemNetwork(), log);
  const stop = options.stopSignal ?? signalled();
  await engine.start();
  let control: { close(): Promise<void> } | undefined;
  try {
    control = await startControlServer({ path: options.socket ?? config.control.socket, group: config.control.group, engine });
    log(`braid server ${engine.version} running`);
    options.onReady?.(engine);
    await stop;
  } finally {
    log('stopping');
    await engine.stop();
    await control?.close();
  }
}
