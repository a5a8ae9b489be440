// The engine's control socket: a Unix socket that the CLI and the app connect to. The socket
// file is 0666 because authorization is per method (SO_PEERCRED): everyone may read status,
// only root or the control group may change anything.
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import type { EngineApi } from '../engine-api';
import { decideAccess, systemAccounts, type Access, type AccountsPort } from './access';
import { ControlConnection } from './connection';
import { nativeCredentials, type CredentialPort, type PeerIdentity } from './credentials';

export interface ControlServerOptions {
  /** socket path, e.g. /run/braid/engine.sock */
  path: string;
  engine: EngineApi;
  /** members of this group (and root) may use write methods; default "braid" */
  group?: string;
  credentials?: CredentialPort;
  accounts?: AccountsPort;
  log?: (line: string) => void;
  /** default 1 MiB */
  maxBufferedBytes?: number;
  /** default 250 ms: at most 4 watch notifications per second per client */
  notifyIntervalMs?: number;
  /** default 256 */
  maxConnections?: number;
  /** default 32: one local user cannot take every slot */
  maxConnectionsPerUid?: number;
}

export interface ControlServer {
  readonly path: string;
  connectionCount(): number;
  /** stops listening, drops every client, removes the socket file */
  close(): Promise<void>;
}

const defaultLog = (line: string): void => {
  process.stderr.write(`${new Date().toISOString()} ${line}\n`);
};

export async function startControlServer(options: ControlServerOptions): Promise<ControlServer> {
  const log = options.log ?? defaultLog;
  const credentials = options.credentials ?? nativeCredentials();
  const accounts = options.accounts ?? systemAccounts();
  const group = options.group ?? 'braid';
  const maxConnections = options.maxConnections ?? 256;
  const maxPerUid = options.maxConnectionsPerUid ?? 32;
  const connections = new Map<net.Socket, { connection: ControlConnection; uid: number | undefined }>();

  await prepareSocketPath(options.path);
  const server = net.createServer({ pauseOnConnect: false }, (socket) => {
    try {
      accept(socket);
    } catch (error) {
      log(`control: could not accept a connection: ${(error as Error)?.stack ?? String(error)}`);
      socket.destroy();
    }
  });

  function accept(socket: net.Socket): void {
    socket.on('error', () => undefined); // errors before ControlConnection attaches its own
    let identity: PeerIdentity | undefined;
    let access: Access = 'read';
    try {
      identity = credentials.identify(socket);
      access = decideAccess(identity, group, accounts);
    } catch (error) {
      log(`control: cannot identify a client (read access only): ${(error as Error)?.message ?? String(error)}`);
    }
    const uid = identity?.uid;
    const sameUid = [...connections.values()].filter((c) => c.uid === uid).length;
    if (connections.size >= maxConnections || (uid !== 0 && sameUid >= maxPerUid)) {
      log(`control: refusing a connection from uid ${uid ?? '?'}: too many connections`);
      socket.destroy();
      return;
    }
    const peer = identity ? `uid ${identity.uid} pid ${identity.pid}` : 'unidentified client';
    const connection = new ControlConnection(socket, {
      engine: options.engine,
      access,
      maxBufferedBytes: options.maxBufferedBytes ?? 1024 * 1024,
      notifyIntervalMs: options.notifyIntervalMs ?? 250,
      maxQueued: 64,
      log,
      peer,
    });
    connections.set(socket, { connection, uid });
    socket.on('close', () => connections.delete(socket));
  }

  const unsubscribe = options.engine.onChange(() => {
    for (const { connection } of connections.values()) {
      try {
        connection.engineChanged();
      } catch (error) {
        log(`control: ${(error as Error)?.stack ?? String(error)}`);
      }
    }
  });

  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.path, () => {
        server.off('error', reject);
        resolve();
      });
    });
    fs.chmodSync(options.path, 0o666);
  } catch (error) {
    unsubscribe();
    server.close();
    throw new Error(`cannot listen on ${options.path}: ${(error as Error).message}`);
  }
  server.on('error', (error) => log(`control: server error: ${error.message}`));
  const inode = fs.statSync(options.path).ino;

  let closing: Promise<void> | undefined;
  return {
    path: options.path,
    connectionCount: () => connections.size,
    close() {
      closing ??= new Promise<void>((resolve) => {
        unsubscribe();
        server.close(() => resolve());
        for (const { connection } of connections.values()) connection.close();
        connections.clear();
        // remove the file only if it is still ours (a newer engine may have replaced it)
        try {
          if (fs.statSync(options.path).ino === inode) fs.unlinkSync(options.path);
        } catch {
          // already gone
        }
      });
      return closing;
    },
  };
}

/**
 * Creates the socket's directory (0755, so unprivileged clients can reach the socket) and
 * removes a socket file left by an engine that died, but never one that still answers, and
 * never a file that is not a socket. Refuses a directory other users may write to: they
 * could replace the socket with a symlink between listen() and chmod() (which follows it:
 * root would make any file 0666), or put their own socket in place later.
 */
export async function prepareSocketPath(socketPath: string): Promise<void> {
  const dir = path.dirname(socketPath);
  if (!fs.existsSync(dir)) {
    fs.mkdirSync(dir, { recursive: true });
    fs.chmodSync(dir, 0o755); // mkdir's mode is filtered by the umask
  }
  checkSocketDirectory(dir);
  let stat: fs.Stats;
  try {
    stat = fs.lstatSync(socketPath);
  } catch {
    return;
  }
  if (!stat.isSocket()) throw new Error(`${socketPath} exists and is not a socket; not removing it`);
  if (await answers(socketPath)) throw new Error(`another engine is already listening on ${socketPath}`);
  try {
    fs.unlinkSync(socketPath);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
}

/** the directory must be ours (or root's) and not writable by others, unless sticky like /tmp */
function checkSocketDirectory(dir: string): void {
  const stat = fs.statSync(dir);
  const uid = process.getuid?.() ?? 0;
  const sticky = (stat.mode & 0o1000) !== 0;
  if (stat.uid !== uid && stat.uid !== 0) {
    throw new Error(`${dir} belongs to uid ${stat.uid}: not putting the control socket there`);
  }
  if ((stat.mode & 0o022) !== 0 && !sticky) {
    throw new Error(`${dir} is writable by other users (mode ${(stat.mode & 0o7777).toString(8)}): not putting the control socket there`);
  }
}

/** true when something accepts connections on the socket (or we cannot tell within a second) */
function answers(socketPath: string): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = net.connect(socketPath);
    const done = (alive: boolean): void => {
      clearTimeout(timer);
      probe.destroy();
      resolve(alive);
    };
    const timer = setTimeout(() => done(true), 1000);
    probe.once('connect', () => done(true));
    probe.once('error', (error: NodeJS.ErrnoException) => done(error.code !== 'ECONNREFUSED' && error.code !== 'ENOENT'));
  });
}
