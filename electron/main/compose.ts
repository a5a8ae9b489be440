// Builds the Electron-free main side from options: settings store, engine supervisor (socket
// trust check, control client, optional dev spawner) and the AppCore. Both hosts call this.
import fs from 'node:fs';
import path from 'node:path';
import { createAppCore, type AppCore, type PlatformHooks } from './app-core';
import { controlSessionOpener } from './engine-client/control-session';
import { checkSocket, trustedUids } from './engine-client/socket-trust';
import { EngineSpawner } from './engine-client/spawner';
import { EngineSupervisor } from './engine-client/supervisor';
import type { MainOptions } from './options';
import { SettingsStore } from './settings/store';

/** dist/electron/main -> the repository or app root */
export const APP_ROOT = path.resolve(__dirname, '..', '..', '..');

export function appVersion(): string {
  try {
    return (JSON.parse(fs.readFileSync(path.join(APP_ROOT, 'package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return '0.0.0';
  }
}

export interface Composed {
  core: AppCore;
  spawner?: EngineSpawner;
  stop(): Promise<void>;
}

export function composeMain(options: MainOptions, platform: Omit<PlatformHooks, 'version'>): Composed {
  const log = platform.log ?? ((m: string) => process.stderr.write(`${m}\n`));
  let trusted: Set<number> | undefined;
  const spawner = options.spawnEngine
    ? new EngineSpawner({
        command: process.execPath,
        args: [path.join(APP_ROOT, 'dist', 'electron', 'engine', 'braidd.js'), '--config', options.spawnEngine.config, '--socket', options.socketPath],
        // under Electron, process.execPath is Electron itself: make it behave as Node
        env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' },
        log,
      })
    : undefined;
  const supervisor = new EngineSupervisor({
    socketPath: options.socketPath,
    open: controlSessionOpener('braid-app'),
    checkTrust: async (p) => checkSocket(p, (trusted ??= await trustedUids(options.serviceUser))),
    spawner,
    log,
  });
  const store = new SettingsStore(options.configDir, log);
  const core = createAppCore({ supervisor, store, platform: { ...platform, version: appVersion(), log } });
  return {
    core,
    spawner,
    async stop() {
      core.stop();
      await spawner?.stop();
    },
  };
}
