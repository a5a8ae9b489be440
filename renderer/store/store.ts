// The renderer's zustand store: the data slice (snapshot + notices, see reducers.ts) and a
// small UI slice (current view, pending actions, messages).
import { create } from 'zustand';
import type { NotifyMessage } from '../../electron/shared/ipc-schema';
import type { AppSnapshot } from '../../electron/shared/types';
import { applyNotice, applySnapshot, initialData, type DataState } from './reducers';

export type View = 'overview' | 'paths' | 'settings';
export type BridgeState = 'connecting' | 'open' | 'lost';

export interface Toast {
  id: number;
  tone: 'info' | 'error';
  text: string;
}

export interface UiState {
  view: View;
  bridge: BridgeState;
  /** actions in flight, e.g. "tunnel" or "mode:eth0" */
  pending: Record<string, boolean>;
  toasts: Toast[];
  /** first-run setup stays open until finished or the engine runs with a server */
  setupOpen: boolean;
}

export interface Actions {
  snapshot(snap: AppSnapshot): void;
  notice(message: NotifyMessage): void;
  setView(view: View): void;
  setBridge(state: BridgeState): void;
  setPending(key: string, on: boolean): void;
  toast(tone: Toast['tone'], text: string): void;
  dismiss(id: number): void;
  setSetupOpen(open: boolean): void;
}

export type Store = DataState & UiState & Actions;

let toastId = 0;

export const useStore = create<Store>()((set) => ({
  ...initialData,
  view: 'overview',
  bridge: 'connecting',
  pending: {},
  toasts: [],
  setupOpen: false,
  snapshot: (snap) => set((s) => applySnapshot(s, snap)),
  notice: (message) => set((s) => applyNotice(s, message)),
  setView: (view) => set({ view }),
  setBridge: (bridge) => set({ bridge }),
  setPending: (key, on) =>
    set((s) => {
      const pending = { ...s.pending };
      if (on) pending[key] = true;
      else delete pending[key];
      return { pending };
    }),
  toast: (tone, text) => set((s) => ({ toasts: [...s.toasts.slice(-2), { id: ++toastId, tone, text }] })),
  dismiss: (id) => set((s) => ({ toasts: s.toasts.filter((t) => t.id !== id) })),
  setSetupOpen: (setupOpen) => set({ setupOpen }),
}));
