// Builds the typed BraidApi from the channel list over any transport: the preload uses
// ipcRenderer, the browser host's page uses a WebSocket. Zod-free so the preload stays tiny.
import type { BraidApi } from './ipc-schema';
import { ipcChannels, channelName, listenerName } from './ipc-channels';
import type { IpcResult, Notice } from './types';

export interface ApiTransport {
  invoke(channel: string, payload: unknown): Promise<IpcResult<unknown>>;
  listen(channel: string, listener: (notice: Notice<unknown>) => void): () => void;
}

export function buildApi(transport: ApiTransport): BraidApi {
  const api: Record<string, Record<string, unknown>> = {};
  for (const [group, names] of Object.entries(ipcChannels)) {
    const g: Record<string, unknown> = {};
    for (const [name, kind] of Object.entries(names)) {
      const channel = channelName(group, name);
      if (kind === 'invoke') {
        g[name] = (payload?: unknown) => transport.invoke(channel, payload ?? {});
      } else {
        g[listenerName(name)] = (listener: (notice: Notice<unknown>) => void) => {
          if (typeof listener !== 'function') throw new TypeError('listener must be a function');
          return transport.listen(channel, listener);
        };
      }
    }
    api[group] = Object.freeze(g);
  }
  return Object.freeze(api) as unknown as BraidApi;
}
