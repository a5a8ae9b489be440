// The browser host's stand-in for the preload: the same typed API, carried over a WebSocket to
// the host (which validates exactly as Electron's main does). Reconnects with backoff.
import { buildApi } from '../../electron/shared/api-builder';
import type { BraidApi } from '../../electron/shared/ipc-schema';
import type { IpcResult, Notice } from '../../electron/shared/types';

type ServerMessage =
  | { t: 'result'; id: number; result: IpcResult<unknown> }
  | { t: 'notify'; channel: string; notice: Notice<unknown> };

export interface WsApi {
  api: BraidApi;
  /** 'open' after every (re)connect: the bridge takes a fresh snapshot then */
  onConnection(listener: (state: 'open' | 'lost') => void): void;
}

export function createWsApi(url: string): WsApi {
  let socket: WebSocket | undefined;
  let nextId = 1;
  let delay = 250;
  const pending = new Map<number, (result: IpcResult<unknown>) => void>();
  const queue: string[] = [];
  const listeners = new Map<string, Set<(notice: Notice<unknown>) => void>>();
  const connectionListeners: Array<(state: 'open' | 'lost') => void> = [];

  const connect = () => {
    const ws = new WebSocket(url);
    socket = ws;
    ws.onopen = () => {
      delay = 250;
      for (const text of queue.splice(0)) ws.send(text);
      for (const l of connectionListeners) l('open');
    };
    ws.onmessage = (event) => {
      let message: ServerMessage;
      try {
        message = JSON.parse(String(event.data)) as ServerMessage;
      } catch {
        return;
      }
      if (message.t === 'result') {
        pending.get(message.id)?.(message.result);
        pending.delete(message.id);
      } else if (message.t === 'notify') {
        for (const l of listeners.get(message.channel) ?? []) l(message.notice);
      }
    };
    ws.onclose = () => {
      if (socket !== ws) return;
      socket = undefined;
      for (const resolve of pending.values()) resolve({ ok: false, code: 'failed', message: 'Lost the connection to Braid' });
      pending.clear();
      for (const l of connectionListeners) l('lost');
      setTimeout(connect, delay);
      delay = Math.min(delay * 2, 3000);
    };
  };

  const api = buildApi({
    invoke(channel, payload) {
      const id = nextId++;
      const text = JSON.stringify({ t: 'invoke', id, channel, payload });
      return new Promise((resolve) => {
        pending.set(id, resolve);
        if (socket?.readyState === WebSocket.OPEN) socket.send(text);
        else queue.push(text);
      });
    },
    listen(channel, listener) {
      let set = listeners.get(channel);
      if (!set) listeners.set(channel, (set = new Set()));
      set.add(listener);
      return () => set.delete(listener);
    },
  });

  connect();
  return { api, onConnection: (l) => void connectionListeners.push(l) };
}
