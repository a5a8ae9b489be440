// Main-process options from argv and the environment (pure, unit-tested). Shared by the
// Electron main and the browser host.
import path from 'node:path';
import { DEFAULT_CONTROL_SOCKET } from '../protocol/control';
import { configDir } from './settings/store';

export interface MainOptions {
  socketPath: string;
  /** the system user the engine runs as (it may own the socket besides root) */
  serviceUser: string;
  configDir: string;
  /** development as root: spawn braidd with this config when no engine answers */
  spawnEngine?: { config: string };
  /** start minimised to the tray (autostart) */
  hidden: boolean;
  /** browser host: port (0 = random) */
  port: number;
  /** browser host: open the URL in a browser */
  open: boolean;
}

export class OptionsError extends Error {}

export const DEFAULT_SERVICE_USER = 'braidd';

export function parseMainOptions(argv: string[], env: NodeJS.ProcessEnv, isRoot: boolean, home?: string): MainOptions {
  const o: MainOptions = {
    socketPath: env.BRAID_SOCKET || DEFAULT_CONTROL_SOCKET,
    serviceUser: env.BRAID_SERVICE_USER || DEFAULT_SERVICE_USER,
    configDir: env.BRAID_CONFIG_DIR || configDir(env, home),
    hidden: false,
    port: 0,
    open: false,
  };
  let spawnConfig = env.BRAID_ENGINE_CONFIG;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const value = () => {
      const v = argv[++i];
      if (v === undefined || v.startsWith('--')) throw new OptionsError(`${arg} needs a value`);
      return v;
    };
    if (arg === '--socket') o.socketPath = value();
    else if (arg === '--service-user') o.serviceUser = value();
    else if (arg === '--config-dir') o.configDir = value();
    else if (arg === '--engine-config') spawnConfig = value();
    else if (arg === '--hidden') o.hidden = true;
    else if (arg === '--open') o.open = true;
    else if (arg === '--port') {
      const port = Number(value());
      if (!Number.isInteger(port) || port < 0 || port > 65535) throw new OptionsError('--port must be 0..65535');
      o.port = port;
    }
    // Electron and Chromium add switches of their own; ignore what we do not know
  }
  if (!path.isAbsolute(o.socketPath)) throw new OptionsError('the control socket path must be absolute');
  if (spawnConfig) {
    if (!isRoot) throw new OptionsError('spawning braidd needs root (development only); start the braidd service instead');
    o.spawnEngine = { config: path.resolve(spawnConfig) };
  }
  return o;
}
