// Runs a real `braid server` in the lab's server namespace and a real braidd in its client
// namespace, with fresh keys and configs in a private temp dir. Used by integration tests,
// e2e tests, the demo and the benchmark.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { generateKeyPair } from '../../electron/protocol/tunnel/keys';
import type { Lab, LabProcess } from './lab';
import { connectControl } from '../../electron/engine/control/client';
import type { EngineStatus } from '../../electron/protocol/control';

const ROOT = path.resolve(__dirname, '..', '..', '..'); // dist/tests/netns -> repo
export const CLI = path.join(ROOT, 'dist', 'electron', 'cli', 'braid.js');
export const BRAIDD = path.join(ROOT, 'dist', 'electron', 'engine', 'braidd.js');

export const TUNNEL_POOL = '10.77.0.0/24';
export const SERVER_TUNNEL_ADDRESS = '10.77.0.1';
export const SERVER_PORT = 7443;

export interface KeyPair {
  secret: string;
  public: string;
}

export interface BraidLabOptions {
  /** link indexes of the lab to bond, and their modes (default: every link "on") */
  links?: { index: number; mode?: 'on' | 'backup' | 'off'; cap?: { bytes: number | string; billingDay?: number; action?: 'off' | 'backup' } }[];
  /** interface globs the client bonds besides the listed links (e.g. ["bl*"] for links added later) */
  allow?: string[];
  /** extra admitted devices (for tests that connect by hand) */
  extraDevices?: { name: string; keys: KeyPair; address: string }[];
  routing?: { mode: 'full' } | { mode: 'split'; prefixes: string[] };
  reconnect?: { initialMs: number; maxMs: number };
  env?: NodeJS.ProcessEnv;
  /** congestion control of the tunnel sockets at both ends (default: the config default, cubic) */
  congestion?: string;
  /** do not start the client engine (tests that start it later) */
  noClient?: boolean;
}

export class BraidLab {
  readonly dir: string;
  readonly serverKeys: KeyPair;
  readonly deviceKeys: KeyPair;
  readonly clientSocket: string;
  readonly serverSocket: string;
  readonly serverConfig: string;
  readonly clientConfig: string;
  server?: LabProcess;
  client?: LabProcess;

  constructor(
    readonly lab: Lab,
    private readonly options: BraidLabOptions = {},
  ) {
    this.dir = fs.mkdtempSync(path.join(os.tmpdir(), 'braid-lab-'));
    fs.chmodSync(this.dir, 0o755); // other users reach the control sockets (configs stay 0600)
    const pair = () => {
      const k = generateKeyPair();
      return { secret: k.secret, public: k.public };
    };
    this.serverKeys = pair();
    this.deviceKeys = pair();
    this.clientSocket = path.join(this.dir, 'engine.sock');
    this.serverSocket = path.join(this.dir, 'server.sock');
    this.serverConfig = path.join(this.dir, 'server.json');
    this.clientConfig = path.join(this.dir, 'client.json');
    this.writeConfigs();
  }

  private writeConfigs(): void {
    const devices = [
      { name: 'laptop', publicKey: this.deviceKeys.public, address: '10.77.0.2' },
      ...(this.options.extraDevices ?? []).map((d) => ({ name: d.name, publicKey: d.keys.public, address: d.address })),
    ];
    const server = {
      listen: { host: '0.0.0.0', port: SERVER_PORT },
      secretKey: this.serverKeys.secret,
      pool: TUNNEL_POOL,
      devices,
      nat: { enabled: true, outInterface: this.lab.serverUplinkIf },
      control: { socket: this.serverSocket },
      ...(this.options.congestion ? { congestion: this.options.congestion } : {}),
    };
    const links = (this.options.links ?? this.lab.links.map((l) => ({ index: l.index, mode: 'on' as const }))).map((l) => ({
      name: this.lab.links[l.index].name,
      mode: l.mode ?? 'on',
      ...('cap' in l && l.cap ? { cap: l.cap } : {}),
    }));
    const client = {
      server: { host: this.lab.serverAddress, port: SERVER_PORT, publicKey: this.serverKeys.public },
      device: { secretKey: this.deviceKeys.secret },
      links,
      ...(this.options.allow ? { interfaces: { allow: this.options.allow, deny: [] } } : {}),
      routing: this.options.routing ?? { mode: 'full' },
      control: { socket: this.clientSocket },
      stateDir: path.join(this.dir, 'state'),
      reconnect: this.options.reconnect ?? { initialMs: 200, maxMs: 2000 },
      ...(this.options.congestion ? { congestion: this.options.congestion } : {}),
    };
    fs.writeFileSync(this.serverConfig, JSON.stringify(server, null, 2), { mode: 0o600 });
    fs.writeFileSync(this.clientConfig, JSON.stringify(client, null, 2), { mode: 0o600 });
  }

  async startServer(): Promise<LabProcess> {
    this.server = this.lab.spawn('server', ['node', CLI, 'server', '--config', this.serverConfig], { env: { ...process.env, ...this.options.env } });
    await this.server.waitFor(/braid server .* running/, 15_000);
    return this.server;
  }

  async startClient(): Promise<LabProcess> {
    this.client = this.lab.spawn('client', ['node', BRAIDD, '--config', this.clientConfig], { env: { ...process.env, ...this.options.env } });
    await this.client.waitFor(/client engine running/, 15_000);
    return this.client;
  }

  async start(): Promise<this> {
    await this.startServer();
    if (!this.options.noClient) await this.startClient();
    return this;
  }

  async stop(): Promise<void> {
    await this.client?.kill(5000);
    await this.server?.kill(5000);
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}

/** one status read over the engine's real control socket */
export async function fetchStatus(socket: string): Promise<EngineStatus> {
  const client = await connectControl({ path: socket, client: 'braid-tests', timeoutMs: 5000 });
  try {
    return (await client.call('status', {})) as EngineStatus;
  } finally {
    client.close();
  }
}

/** polls status until the predicate holds; rejects with the last status after timeoutMs */
export async function waitForStatus(socket: string, predicate: (s: EngineStatus) => boolean, timeoutMs: number): Promise<EngineStatus> {
  const deadline = Date.now() + timeoutMs;
  let last: EngineStatus | undefined;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      last = await fetchStatus(socket);
      if (predicate(last)) return last;
    } catch (error) {
      lastError = error;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`status condition not met within ${timeoutMs} ms; last status: ${JSON.stringify(last)?.slice(0, 3000)} ${lastError ? `last error: ${String(lastError)}` : ''}`);
}

export interface HashTransferResult {
  sentBytes: number;
  sentHash: string;
  receivedBytes: number;
  receivedHash: string;
  ms: number;
}

/**
 * A bounded TCP transfer from the client namespace to the internet host through whatever
 * routes the client has (the tunnel), hashed at both ends. `during` runs while it is going.
 */
export async function hashTransfer(lab: Lab, bytes: number, port: number, during?: () => Promise<void>): Promise<HashTransferResult> {
  const fixture = path.join(ROOT, 'dist', 'tests', 'integration', 'fixtures', 'tcp-hash.js');
  const sink = lab.spawn('internet', ['node', fixture, 'serve', String(port)]);
  try {
    await sink.waitFor(/listening/, 5000);
    const sender = lab.spawn('client', ['node', fixture, 'send', lab.internetAddress, String(port), String(bytes)]);
    if (during) await during();
    const sent = await sender.waitFor(/sent (\d+) ([0-9a-f]{64}) (\d+)/, 90_000);
    const received = await sink.waitFor(/received (\d+) ([0-9a-f]{64})/, 10_000);
    return { sentBytes: Number(sent[1]), sentHash: sent[2], ms: Number(sent[3]), receivedBytes: Number(received[1]), receivedHash: received[2] };
  } finally {
    await sink.kill();
  }
}
