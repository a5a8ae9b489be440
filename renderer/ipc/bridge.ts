// Snapshot then changes -> store. Subscribes to every notify channel first, then asks for the
// snapshot; notices that arrive meanwhile are applied after it only if their seq is newer.
// Re-snapshots after the browser host's WebSocket reconnects.
import type { BraidApi, NotifyMessage } from '../../electron/shared/ipc-schema';
import { ipcChannels, listenerName } from '../../electron/shared/ipc-channels';
import type { Notice } from '../../electron/shared/types';
import type { WsApi } from './ws-api';

export interface BridgeTarget {
  snapshot: (snap: import('../../electron/shared/types').AppSnapshot) => void;
  notice: (message: NotifyMessage) => void;
  setBridge: (state: 'connecting' | 'open' | 'lost') => void;
  toast: (tone: 'info' | 'error', text: string) => void;
}

export function startBridge(api: BraidApi, target: BridgeTarget, ws?: WsApi): () => void {
  let buffer: NotifyMessage[] | null = [];
  const unsubscribers: Array<() => void> = [];

  for (const [group, names] of Object.entries(ipcChannels)) {
    for (const [name, kind] of Object.entries(names)) {
      if (kind !== 'notify') continue;
      const subscribe = (api as unknown as Record<string, Record<string, (l: (n: Notice<unknown>) => void) => () => void>>)[group]![
        listenerName(name)
      ]!;
      unsubscribers.push(
        subscribe((notice) => {
          const message = { group, name, notice } as NotifyMessage;
          if (buffer) buffer.push(message);
          else target.notice(message);
        }),
      );
    }
  }

  const takeSnapshot = async () => {
    buffer = buffer ?? [];
    const result = await api.app.snapshot({});
    if (!result.ok) {
      target.toast('error', `Could not load Braid's state: ${result.message}`);
      return;
    }
    target.snapshot(result.value);
    const pending = buffer;
    buffer = null;
    for (const message of pending) target.notice(message); // stale ones are dropped by seq
    target.setBridge('open');
  };

  if (ws) {
    ws.onConnection((state) => {
      if (state === 'open') void takeSnapshot();
      else {
        buffer = [];
        target.setBridge('lost');
      }
    });
  } else {
    void takeSnapshot();
  }
  return () => unsubscribers.forEach((u) => u());
}
