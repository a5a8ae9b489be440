// The preload: exposes window.braid — the typed API from the IPC schema — and nothing else
// (no generic send, no ipcRenderer). Sandboxed preloads cannot require local files, so
// build/bundle.mjs bundles this file with its imports into dist/preload/index.js.
// This is the only file that imports ipcRenderer.
import { contextBridge, ipcRenderer } from 'electron';
import { buildApi } from '../shared/api-builder';
import type { IpcResult, Notice } from '../shared/types';

const api = buildApi({
  invoke: (channel, payload) => ipcRenderer.invoke(channel, payload) as Promise<IpcResult<unknown>>,
  listen(channel, listener) {
    const handler = (_event: unknown, notice: Notice<unknown>) => listener(notice);
    ipcRenderer.on(channel, handler);
    return () => {
      ipcRenderer.removeListener(channel, handler);
    };
  },
});

contextBridge.exposeInMainWorld('braid', api);
