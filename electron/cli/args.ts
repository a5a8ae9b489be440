// `braid` command line -> a Command value. Pure: no I/O, so every usage error is testable.
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { DEFAULT_CLIENT_CONFIG, DEFAULT_SERVER_CONFIG } from '../engine/config';
import { parseDataSize } from '../engine/config/data-size';
import { CapActionSchema, LinkModeSchema, type CapAction, type LinkMode } from '../protocol/control';

/** what `braid cap` asks for; billing day and action left out keep the link's current ones */
export interface CapRequest {
  bytes: number;
  billingDay?: number;
  action?: CapAction;
}

export type Command =
  | { kind: 'help'; topic?: string }
  | { kind: 'version' }
  | { kind: 'status'; json: boolean; watch: boolean; socket?: string }
  | { kind: 'connect' | 'disconnect'; wait: boolean; timeoutS: number; socket?: string }
  | { kind: 'link'; name: string; mode: LinkMode; socket?: string }
  | { kind: 'links'; json: boolean; socket?: string }
  | { kind: 'cap'; name: string; cap: CapRequest | null; socket?: string }
  | { kind: 'keygen'; secretFile?: string }
  | { kind: 'pubkey'; secretFile?: string }
  | { kind: 'invite'; host: string; name?: string; port?: number; config: string }
  | { kind: 'engine'; config: string; socket?: string; stateDir?: string }
  | { kind: 'server'; config: string; socket?: string };

export class UsageError extends Error {
  override name = 'UsageError';
  /** the command whose usage to print, when known */
  constructor(
    message: string,
    readonly command?: string,
  ) {
    super(message);
  }
}

const SOCKET = { socket: { type: 'string' } } as const;

export const USAGE: Record<string, string> = {
  braid: `usage: braid COMMAND [OPTIONS]

Bond every network link into one connection over Multipath TCP.

commands:
  status        show the tunnel and every link (--json for scripts)
  connect       bring the tunnel up (and keep it up)
  disconnect    take the tunnel down
  links         list the links: state, rates, data used this billing period
  link          set a link's mode: braid link NAME on|backup|off
  cap           set a link's data cap: braid cap NAME 10GB, or remove it: braid cap NAME off
  keygen        create a key pair
  pubkey        print the public key of a secret key
  invite        on the server: make a key for a new device and a braid:// invite for it
  engine        run the client engine (what the braidd service runs)
  server        run the braid server

options:
  --help        help (also: braid COMMAND --help, braid help COMMAND)
  --version     print the version

exit status: 0 ok, 1 error, 2 usage error`,
  status: `usage: braid status [--json] [--watch] [--socket PATH]

Shows the tunnel state and, per link: kind, mode, state, round-trip time of its subflow,
current upload and download rate, bytes sent and received, its share of the traffic and the
data used this billing period against its cap; then the last failover. On a server: the
devices.

  --json         print the engine's status object as JSON
  --watch        keep printing as the status changes (Ctrl-C to stop)
  --socket PATH  control socket (default /run/braid/engine.sock; when no client engine
                 runs there, /run/braid/server.sock if it exists)`,
  connect: `usage: braid connect [--wait] [--timeout SECONDS] [--socket PATH]

Asks the engine to connect and stay connected (it remembers this across restarts).

  --wait         wait until the tunnel is connected (exit 1 on error or timeout)
  --timeout S    with --wait: give up after S seconds (default 30)
  --socket PATH  engine control socket (default /run/braid/engine.sock)`,
  disconnect: `usage: braid disconnect [--wait] [--timeout SECONDS] [--socket PATH]

Asks the engine to disconnect and stay disconnected (it remembers this across restarts).

  --wait         wait until the tunnel is down
  --timeout S    with --wait: give up after S seconds (default 30)
  --socket PATH  engine control socket (default /run/braid/engine.sock)`,
  link: `usage: braid link NAME on|backup|off [--socket PATH]

Sets how a link is used, at once and from then on:
  on       carries traffic
  backup   used only when no "on" link works
  off      not used

  --socket PATH  engine control socket (default /run/braid/engine.sock)`,
  links: `usage: braid links [--json] [--socket PATH]

Lists the links: kind, mode, state (and why a link carries no traffic), current upload and
download rate, round-trip time, and data used this billing period (against its cap).

  --json         print the links as JSON (the paths of the engine's status)
  --socket PATH  engine control socket (default /run/braid/engine.sock)`,
  cap: `usage: braid cap NAME SIZE [--billing-day DAY] [--action off|backup] [--socket PATH]
       braid cap NAME off [--socket PATH]

Sets a link's data cap: once it has sent and received SIZE in a billing period it drops to
off (or backup) until the next period starts; warnings come at 75 % and 95 %. The engine
remembers the cap and the usage across restarts. "braid cap NAME off" removes the cap.

  SIZE              e.g. 10GB, 500MB (powers of 1000) or 10GiB (powers of 1024)
  --billing-day DAY the day of the month (1 to 28) the period starts, at 00:00 local time
                    (default: the link's current one, else 1)
  --action A        off or backup: what the link becomes at the cap (default: the current
                    one, else off)
  --socket PATH     engine control socket (default /run/braid/engine.sock)`,
  keygen: `usage: braid keygen [--secret-file FILE]

Creates an Ed25519 key pair (base64). Without options prints both keys:
  secret: ...   keep it secret: it goes in this machine's config
  public: ...   give it to the other side

  --secret-file FILE  write the secret key to FILE (created with mode 0600, never
                      overwritten) and print only the public key`,
  invite: `usage: braid invite --host HOST [--name NAME] [--port PORT] [--config FILE]

On the server: creates a key pair for a new device and prints
  - the device entry to add to the server config's "devices" (then restart braid-server)
  - a braid:// invite holding the server's address and key and the device's secret key,
    for the device's app (Settings > Invite). Send it privately: it is the device's secret.

  --host HOST    the address devices reach this server at (name or IP)
  --name NAME    a name for the device (default "device")
  --port PORT    default: listen.port from the config
  --config FILE  server config (default ${DEFAULT_SERVER_CONFIG})`,
  pubkey: `usage: braid pubkey [--secret-file FILE]

Prints the public key of a secret key read from FILE or from standard input.`,
  engine: `usage: braid engine [--config FILE] [--socket PATH] [--state-dir DIR]

Runs the client engine in the foreground until SIGTERM or SIGINT (needs root or
CAP_NET_ADMIN). The braidd service runs the same thing.

  --config FILE    client config (default ${DEFAULT_CLIENT_CONFIG})
  --socket PATH    control socket (default: control.socket from the config)
  --state-dir DIR  where the user's choices are kept (default: stateDir from the config)`,
  server: `usage: braid server [--config FILE] [--socket PATH]

Runs the braid server in the foreground until SIGTERM or SIGINT (needs root or CAP_NET_ADMIN).

  --config FILE  server config (default ${DEFAULT_SERVER_CONFIG})
  --socket PATH  control socket (default: control.socket from the config,
                 /run/braid/server.sock); braid status --socket PATH reads it`,
};

export function parseCommand(argv: readonly string[]): Command {
  const [first, ...rest] = argv;
  if (first === undefined) throw new UsageError('missing command');
  if (first === '--help' || first === '-h') return { kind: 'help' };
  if (first === '--version' || first === '-V') return { kind: 'version' };
  if (first === 'help') {
    if (rest.length > 1) throw new UsageError('help takes at most one command name');
    if (rest[0] !== undefined && !(rest[0] in USAGE)) throw new UsageError(`unknown command "${rest[0]}"`);
    return { kind: 'help', topic: rest[0] };
  }
  if (first.startsWith('-')) throw new UsageError(`unknown option ${first} (options go after the command)`);
  if (!Object.hasOwn(USAGE, first) || first === 'braid') throw new UsageError(`unknown command "${first}"`);
  if (rest.includes('--help') || rest.includes('-h')) return { kind: 'help', topic: first };

  switch (first) {
    case 'status': {
      const { values } = parse(first, rest, { json: { type: 'boolean' }, watch: { type: 'boolean' }, ...SOCKET }, 0);
      return { kind: 'status', json: values.json === true, watch: values.watch === true, socket: str(values.socket) };
    }
    case 'connect':
    case 'disconnect': {
      const { values } = parse(first, rest, { wait: { type: 'boolean' }, timeout: { type: 'string' }, ...SOCKET }, 0);
      const timeoutS = values.timeout === undefined ? 30 : Number(values.timeout);
      if (!Number.isFinite(timeoutS) || timeoutS <= 0) throw new UsageError('--timeout must be a positive number of seconds', first);
      if (values.timeout !== undefined && !values.wait) throw new UsageError('--timeout only makes sense with --wait', first);
      return { kind: first, wait: values.wait === true, timeoutS, socket: str(values.socket) };
    }
    case 'link': {
      const { values, positionals } = parse(first, rest, SOCKET, 2);
      const [name, mode] = positionals as [string, string];
      const parsedMode = LinkModeSchema.safeParse(mode);
      if (!parsedMode.success) throw new UsageError(`mode must be on, backup or off (not "${mode}")`, first);
      return { kind: 'link', name, mode: parsedMode.data, socket: str(values.socket) };
    }
    case 'links': {
      const { values } = parse(first, rest, { json: { type: 'boolean' }, ...SOCKET }, 0);
      return { kind: 'links', json: values.json === true, socket: str(values.socket) };
    }
    case 'cap': {
      const { values, positionals } = parse(first, rest, { 'billing-day': { type: 'string' }, action: { type: 'string' }, ...SOCKET }, 2);
      const [name, size] = positionals as [string, string];
      const billingDay = str(values['billing-day']);
      const action = str(values.action);
      if (size.toLowerCase() === 'off') {
        if (billingDay !== undefined || action !== undefined) throw new UsageError('--billing-day and --action go with a size, not with "off"', first);
        return { kind: 'cap', name, cap: null, socket: str(values.socket) };
      }
      const parsed = parseDataSize(size);
      if (!parsed.ok) throw new UsageError(`size: ${parsed.reason}`, first);
      const cap: CapRequest = { bytes: parsed.bytes };
      if (billingDay !== undefined) {
        const day = /^\d{1,2}$/.test(billingDay) ? Number(billingDay) : NaN;
        if (!(day >= 1 && day <= 28)) throw new UsageError('--billing-day must be a day of the month from 1 to 28', first);
        cap.billingDay = day;
      }
      if (action !== undefined) {
        const parsedAction = CapActionSchema.safeParse(action);
        if (!parsedAction.success) throw new UsageError(`--action must be off or backup (not "${action}")`, first);
        cap.action = parsedAction.data;
      }
      return { kind: 'cap', name, cap, socket: str(values.socket) };
    }
    case 'keygen':
    case 'pubkey': {
      const { values } = parse(first, rest, { 'secret-file': { type: 'string' } }, 0);
      return { kind: first, secretFile: str(values['secret-file']) };
    }
    case 'invite': {
      const { values } = parse(first, rest, { host: { type: 'string' }, name: { type: 'string' }, port: { type: 'string' }, config: { type: 'string' } }, 0);
      const host = str(values.host);
      if (!host) throw new UsageError('invite needs --host: the address devices reach this server at');
      const portText = str(values.port);
      const port = portText === undefined ? undefined : Number(portText);
      if (port !== undefined && !(Number.isInteger(port) && port >= 1 && port <= 65535)) throw new UsageError(`--port must be 1..65535, not "${portText}"`);
      return { kind: 'invite', host, name: str(values.name), port, config: str(values.config) ?? DEFAULT_SERVER_CONFIG };
    }
    case 'engine': {
      const { values } = parse(first, rest, { config: { type: 'string' }, 'state-dir': { type: 'string' }, ...SOCKET }, 0);
      return { kind: 'engine', config: str(values.config) ?? DEFAULT_CLIENT_CONFIG, socket: str(values.socket), stateDir: str(values['state-dir']) };
    }
    case 'server': {
      const { values } = parse(first, rest, { config: { type: 'string' }, ...SOCKET }, 0);
      return { kind: 'server', config: str(values.config) ?? DEFAULT_SERVER_CONFIG, socket: str(values.socket) };
    }
  }
  throw new UsageError(`unknown command "${first}"`);
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

function parse(command: string, args: readonly string[], options: NonNullable<ParseArgsConfig['options']>, positionals: number) {
  let result;
  try {
    result = parseArgs({ args: [...args], options, strict: true, allowPositionals: true });
  } catch (error) {
    // node's messages are good ("Unknown option '--jsn'"); drop its advice about "--" for positionals
    throw new UsageError((error as Error).message.replace(/\. To specify a positional argument.*$/s, ''), command);
  }
  if (result.positionals.length !== positionals) {
    throw new UsageError(
      positionals === 0
        ? `unexpected argument "${result.positionals[0]}"`
        : `expected ${positionals} arguments, got ${result.positionals.length}`,
      command,
    );
  }
  for (const [name, value] of Object.entries(result.values)) {
    if (value === '') throw new UsageError(`--${name} needs a value`, command);
  }
  return result;
}
