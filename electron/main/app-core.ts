// The main-side application, free of Electron: engine supervision, view state, settings and the
// IPC handlers. Electron's main (index.ts) and the browser host both run exactly this; only
// the transport and a few platform hooks (clipboard, quit, autostart) differ.
import type { ClientStatus, HistorySample } from '../protocol/control';
import type { IpcHandlers, NotifyMessage } from '../shared/ipc-schema';
import type { AppInfo, EngineHealth } from '../shared/types';
import type { EngineSupervisor } from './engine-client/supervisor';
import { IpcError } from './ipc/errors';
import { createDispatch, type Dispatch } from './ipc/dispatch';
import { physicalLinks, type LinkChoice } from './settings/client-config';
import { SettingsService } from './settings/service';
import type { SettingsStore } from './settings/store';
import { AppState } from './state/app-state';

export interface PlatformHooks {
  host: AppInfo['host'];
  version: string;
  copyText?: (text: string) => void;
  quit?: () => void;
  applyAutostart?: (enabled: boolean) => void;
  log?: (message: string) => void;
}

export interface AppCore {
  readonly state: AppState;
  readonly settings: SettingsService;
  readonly supervisor: EngineSupervisor;
  readonly handlers: IpcHandlers;
  readonly dispatch: Dispatch;
  subscribe(listener: (message: NotifyMessage) => void): () => void;
  start(): void;
  stop(): void;
}

export function createAppCore(options: { supervisor: EngineSupervisor; store: SettingsStore; platform: PlatformHooks }): AppCore {
  const { supervisor, store, platform } = options;
  let state: AppState;
  const settings = new SettingsService({
    store,
    applyAutostart: platform.applyAutostart,
    links: () => linkChoices(supervisor.status),
    onChange: (view) => state?.setSettings(view),
  });
  const app: AppInfo = {
    version: platform.version,
    host: platform.host,
    canQuit: Boolean(platform.quit),
    canCopy: Boolean(platform.copyText),
    autostartSupported: Boolean(platform.applyAutostart),
  };
  state = new AppState(app, supervisor.health, settings.view());

  const onHealth = (health: EngineHealth) => state.setHealth(health);
  const onStatus = (status: ClientStatus | null) => state.setStatus(status);
  const onHistory = (samples: HistorySample[]) => state.mergeHistory(samples);

  const handlers: IpcHandlers = {
    app: {
      snapshot: () => state.snapshot(),
      copyText: ({ text }) => {
        if (!platform.copyText) return { copied: false };
        platform.copyText(text);
        return { copied: true };
      },
      quit: () => {
        if (!platform.quit) throw new IpcError('unsupported', 'Quit is not available in the browser host');
        setTimeout(platform.quit, 0);
        return null;
      },
    },
    tunnel: {
      connect: async () => {
        await supervisor.setTargetState('connected');
        return null;
      },
      disconnect: async () => {
        await supervisor.setTargetState('disconnected');
        return null;
      },
    },
    links: {
      setMode: async ({ link, mode }) => {
        await supervisor.setLinkMode(link, mode);
        return null;
      },
    },
    stats: {
      history: ({ seconds }) => ({ samples: state.ring.last(seconds, Date.now()), windowSeconds: state.ring.windowSeconds }),
    },
    settings: {
      get: () => settings.view(),
      update: (patch) => settings.update(patch),
      generateDeviceKey: () => settings.generateDeviceKey(),
      importInvite: ({ invite }) => settings.importInvite(invite),
      writeClientConfig: () => settings.writeClientConfig(),
    },
  };

  return {
    state,
    settings,
    supervisor,
    handlers,
    dispatch: createDispatch(handlers, platform.log),
    subscribe: (listener) => state.subscribe(listener),
    start() {
      supervisor.on('health', onHealth);
      supervisor.on('status', onStatus);
      supervisor.on('history', onHistory);
      state.setHealth(supervisor.health);
      supervisor.start();
    },
    stop() {
      supervisor.off('health', onHealth);
      supervisor.off('status', onStatus);
      supervisor.off('history', onHistory);
      supervisor.stop();
    },
  };
}

/** links for the client config: what the engine reports, else the physical interfaces */
function linkChoices(status: ClientStatus | null): LinkChoice[] {
  if (status && status.paths.length) return status.paths.map((p) => ({ name: p.link, mode: p.mode }));
  return physicalLinks();
}
