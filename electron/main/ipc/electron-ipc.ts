// Electron's IPC transport for the AppCore: the only file that imports ipcMain. Every invoke
// is checked for its sender (our window's main frame, our page) before dispatch validates
// channel and payload; notices go to our windows only.
import { ipcMain, type IpcMainInvokeEvent } from 'electron';
import { channelName, channelsOfKind } from '../../shared/ipc-channels';
import type { IpcResult } from '../../shared/types';
import type { AppCore } from '../app-core';
import { isTrustedSender } from '../windows/security';

export interface IpcWindows {
  ids(): Set<number>;
  send(channel: string, payload: unknown): void;
}

export function registerIpc(core: AppCore, windows: IpcWindows, indexUrl: string, log: (m: string) => void): () => void {
  const channels = channelsOfKind('invoke');
  for (const channel of channels) {
    ipcMain.handle(channel, async (event: IpcMainInvokeEvent, payload: unknown): Promise<IpcResult<unknown>> => {
      const frame = event.senderFrame;
      const trusted = isTrustedSender(
        { webContentsId: event.sender.id, frameUrl: frame?.url, isMainFrame: frame !== null && frame === event.sender.mainFrame },
        windows.ids(),
        indexUrl,
      );
      if (!trusted) {
        log(`ipc: refused ${channel} from ${frame?.url ?? 'a closed frame'}`);
        return { ok: false, code: 'forbidden-sender', message: 'not a Braid window' };
      }
      return core.dispatch(channel, payload);
    });
  }
  const unsubscribe = core.subscribe((m) => windows.send(channelName(m.group, m.name), m.notice));
  return () => {
    unsubscribe();
    for (const channel of channels) ipcMain.removeHandler(channel);
  };
}
