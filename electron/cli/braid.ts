#!/usr/bin/env node
// `braid`: the command line over the engine's control socket, plus key tools and the entry
// points that run the client engine and the server. Exit status: 0 ok, 1 error, 2 usage.
import fs from 'node:fs';
import type { RunOptions } from '../engine/run';
import { connectControl, ControlClientError, type ConnectOptions, type ControlClient } from '../engine/control/client';
import { formatKey, parseKey, publicFromSecret, generateKeyPair } from '../protocol/tunnel/keys';
import { DEFAULT_CONTROL_SOCKET, type ClientStatus, type EngineStatus } from '../protocol/control';
import { DEFAULT_SERVER_SOCKET, loadServerConfig } from '../engine/config';
import { formatInvite } from '../protocol/invite';
import { parseCommand, UsageError, USAGE, type Command } from './args';
import { formatCap, formatUsage, renderLinks, renderStatus } from './format';
import { formatDataSize } from '../engine/config/data-size';
import { braidVersion } from '../protocol/version';

export interface CliIo {
  stdout(text: string): void;
  stderr(text: string): void;
  readStdin(): Promise<string>;
  stdinIsTTY: boolean;
  stdoutIsTTY: boolean;
  /** resolves on Ctrl-C (status --watch stops on it) */
  interrupted(): Promise<void>;
}

export interface CliDeps {
  connect(options: ConnectOptions): Promise<ControlClient>;
  /** loaded only by `braid engine` / `braid server`: the engine pulls in the native addon */
  loadRun(): Promise<{ runClient(options: RunOptions): Promise<void>; runServer(options: RunOptions): Promise<void> }>;
  now(): number;
  exists(path: string): boolean;
}

export const EXIT_OK = 0;
export const EXIT_ERROR = 1;
export const EXIT_USAGE = 2;

export async function main(argv: readonly string[], io: CliIo = processIo(), deps: CliDeps = defaultDeps()): Promise<number> {
  let command: Command;
  try {
    command = parseCommand(argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    io.stderr(`braid: ${error.message}\n`);
    io.stderr(`${error.command ? USAGE[error.command] : USAGE.braid}\n`);
    return EXIT_USAGE;
  }
  try {
    return await run(command, io, deps);
  } catch (error) {
    // a config error lists one problem per line: prefix each
    io.stderr(`${describe(error).split('\n').map((line) => `braid: ${line}`).join('\n')}\n`);
    if (error instanceof ControlClientError && error.code === 'forbidden') {
      io.stderr('hint: use sudo, or join the engine\'s control group: sudo usermod -aG braid "$USER" (then log in again)\n');
    }
    return EXIT_ERROR;
  }
}

function describe(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}

async function run(command: Command, io: CliIo, deps: CliDeps): Promise<number> {
  switch (command.kind) {
    case 'help':
      io.stdout(`${USAGE[command.topic ?? 'braid']}\n`);
      return EXIT_OK;
    case 'version':
      io.stdout(`braid ${braidVersion()}\n`);
      return EXIT_OK;
    case 'status':
      return withClient(deps, command.socket, async (client) => {
        if (!command.watch) {
          const status = await client.call('status', {});
          io.stdout(command.json ? `${JSON.stringify(status, null, 2)}\n` : `${renderStatus(status, deps.now())}\n`);
          return EXIT_OK;
        }
        return watchStatus(client, command.json, io, deps);
      });
    case 'connect':
    case 'disconnect': {
      const target = command.kind === 'connect' ? 'connected' : 'disconnected';
      return withClient(deps, command.socket, async (client) => {
        if (!command.wait) {
          await client.call('setTargetState', { state: target });
          io.stdout(`${command.kind} requested; \`braid status\` shows progress\n`);
          return EXIT_OK;
        }
        return waitForState(client, target, command.timeoutS, io);
      });
    }
    case 'link':
      return withClient(deps, command.socket, async (client) => {
        await client.call('setLinkMode', { link: command.name, mode: command.mode });
        io.stdout(`${command.name}: ${command.mode}\n`);
        return EXIT_OK;
      });
    case 'links':
      return withClient(deps, command.socket, async (client) => {
        const status = await client.call('status', {});
        if (status.mode !== 'client') throw new Error('this is a braid server: links belong to the devices (`braid status` lists them)');
        io.stdout(command.json ? `${JSON.stringify(status.paths, null, 2)}\n` : `${renderLinks(status)}\n`);
        return EXIT_OK;
      });
    case 'cap':
      return withClient(deps, command.socket, async (client) => {
        const { name, cap } = command;
        await client.call('setLinkCap', cap ? { link: name, ...cap } : { link: name, bytes: null });
        if (!cap) {
          io.stdout(`${name}: no data cap\n`);
          return EXIT_OK;
        }
        // the engine fills in a billing day or action left out: show what it now enforces
        const status = await client.call('status', {});
        const usage = status.mode === 'client' ? status.paths.find((p) => p.link === name)?.usage : undefined;
        if (usage?.cap) io.stdout(`${name}: cap ${formatCap(usage.cap)}; used this period: ${formatUsage(usage)}\n`);
        else io.stdout(`${name}: cap ${formatDataSize(cap.bytes)}\n`);
        return EXIT_OK;
      });
    case 'keygen': {
      const pair = generateKeyPair();
      if (!command.secretFile) {
        io.stdout(`secret: ${pair.secret}\npublic: ${pair.public}\n`);
        return EXIT_OK;
      }
      try {
        fs.writeFileSync(command.secretFile, `${pair.secret}\n`, { mode: 0o600, flag: 'wx' });
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if (code === 'EEXIST') throw new Error(`${command.secretFile} already exists; not overwriting a key`);
        throw new Error(`cannot write ${command.secretFile}: ${(error as Error).message}`);
      }
      io.stdout(`${pair.public}\n`);
      return EXIT_OK;
    }
    case 'invite': {
      const config = loadServerConfig(command.config);
      const serverPublicKey = formatKey(publicFromSecret(parseKey(config.secretKey, 'the server secret key')));
      const pair = generateKeyPair();
      const name = command.name ?? 'device';
      const entry = { name, publicKey: pair.public };
      const invite = formatInvite({ host: command.host, port: command.port ?? config.listen.port, serverPublicKey, device: { secret: pair.secret, publicKey: pair.public }, name });
      io.stdout(`Add this device to "devices" in ${command.config}, then restart braid-server:\n  ${JSON.stringify(entry)}\n\n`);
      io.stdout(`Invite for the device (it holds the device's secret key: send it privately):\n  ${invite}\n`);
      return EXIT_OK;
    }
    case 'pubkey': {
      let text: string;
      if (command.secretFile) {
        try {
          text = fs.readFileSync(command.secretFile, 'utf8');
        } catch (error) {
          throw new Error(`cannot read ${command.secretFile}: ${(error as Error).message}`);
        }
      } else {
        if (io.stdinIsTTY) io.stderr('paste the secret key, then press Enter and Ctrl-D\n');
        text = await io.readStdin();
      }
      const secret = parseKey(text, 'the secret key');
      try {
        io.stdout(`${formatKey(publicFromSecret(secret))}\n`);
      } finally {
        secret.fill(0);
      }
      return EXIT_OK;
    }
    case 'engine':
    case 'server': {
      const { runClient, runServer } = await deps.loadRun();
      const options: RunOptions = { config: command.config, socket: command.socket };
      if (command.kind === 'engine') await runClient({ ...options, stateDir: command.stateDir });
      else await runServer(options);
      return EXIT_OK;
    }
  }
}

async function withClient(deps: CliDeps, socket: string | undefined, fn: (client: ControlClient) => Promise<number>): Promise<number> {
  const client = await connectDefault(deps, socket);
  try {
    return await fn(client);
  } finally {
    client.close();
  }
}

/** without --socket: the client engine's socket, or on a server machine the server's */
async function connectDefault(deps: CliDeps, socket: string | undefined): Promise<ControlClient> {
  if (socket !== undefined) return deps.connect({ path: socket, client: 'braid-cli' });
  try {
    return await deps.connect({ path: DEFAULT_CONTROL_SOCKET, client: 'braid-cli' });
  } catch (error) {
    if (!(error instanceof ControlClientError && error.code === 'not-running') || !deps.exists(DEFAULT_SERVER_SOCKET)) throw error;
    return deps.connect({ path: DEFAULT_SERVER_SOCKET, client: 'braid-cli' });
  }
}

async function watchStatus(client: ControlClient, json: boolean, io: CliIo, deps: CliDeps): Promise<number> {
  const show = (status: EngineStatus): void => {
    if (json) return io.stdout(`${JSON.stringify(status)}\n`);
    // on a terminal redraw in place; in a pipe, separate snapshots with a blank line
    io.stdout(io.stdoutIsTTY ? `\x1b[H\x1b[2J${renderStatus(status, deps.now())}\n` : `${renderStatus(status, deps.now())}\n\n`);
  };
  const ended = new Promise<Error | undefined>((resolve) => client.onClose(resolve));
  const watch = await client.watch(show);
  show(watch.snapshot);
  const outcome = await Promise.race([ended, io.interrupted().then(() => 'interrupted' as const)]);
  if (outcome === 'interrupted') return EXIT_OK;
  throw outcome ?? new Error('the engine closed the connection');
}

/** sets the target, then follows the status until it is reached, fails, or time runs out */
async function waitForState(client: ControlClient, target: 'connected' | 'disconnected', timeoutS: number, io: CliIo): Promise<number> {
  let latest: ClientStatus | undefined;
  let settle: (code: number) => void = () => undefined;
  const done = new Promise<number>((resolve) => (settle = resolve));
  const check = (status: EngineStatus): void => {
    if (status.mode !== 'client') return;
    latest = status;
    const { state, cause, server, address } = status.tunnel;
    if (state === target) {
      io.stdout(target === 'connected' ? `connected to ${server}${address ? `, address ${address}` : ''}\n` : 'disconnected\n');
      settle(EXIT_OK);
    } else if (state === 'error' && target === 'connected') {
      io.stderr(`braid: could not connect: ${cause ?? 'unknown error'}\n`);
      settle(EXIT_ERROR);
    }
  };
  const watch = await client.watch(check);
  await client.call('setTargetState', { state: target });
  // the snapshot predates the request: only a status seen after it counts, but a target that
  // was already reached produces no change, so ask once more
  check(await client.call('status', {}));
  const timer = setTimeout(() => {
    io.stderr(`braid: still ${latest?.tunnel.state ?? 'unknown'} after ${timeoutS} s${latest?.tunnel.cause ? `: ${latest.tunnel.cause}` : ''}\n`);
    settle(EXIT_ERROR);
  }, timeoutS * 1000);
  let unsubscribe = (): void => undefined;
  const closed = new Promise<number>((resolve) => {
    unsubscribe = client.onClose((error) => {
      io.stderr(`braid: ${error?.message ?? 'the engine closed the connection'}\n`);
      resolve(EXIT_ERROR);
    });
  });
  try {
    return await Promise.race([done, closed]);
  } finally {
    unsubscribe();
    clearTimeout(timer);
    watch.stop();
  }
}

export function processIo(): CliIo {
  return {
    stdout: (text) => void process.stdout.write(text),
    stderr: (text) => void process.stderr.write(text),
    readStdin: async () => {
      const chunks: Buffer[] = [];
      for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
      return Buffer.concat(chunks).toString('utf8');
    },
    stdinIsTTY: process.stdin.isTTY === true,
    stdoutIsTTY: process.stdout.isTTY === true,
    interrupted: () => new Promise((resolve) => process.once('SIGINT', () => resolve())),
  };
}

export function defaultDeps(): CliDeps {
  return {
    connect: (options) => connectControl(options),
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    loadRun: async () => require('../engine/run') as typeof import('../engine/run'),
    now: () => Date.now(),
    exists: (file) => fs.existsSync(file),
  };
}

if (require.main === module) {
  // `braid status | head` closes stdout early: that is not an error
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(EXIT_OK);
  });
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error: unknown) => {
      process.stderr.write(`braid: ${(error as Error)?.stack ?? String(error)}\n`);
      process.exit(EXIT_ERROR);
    },
  );
}
