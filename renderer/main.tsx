// Renderer entry: find the API (the preload's window.braid in Electron, else the browser host's
// WebSocket), start the bridge, render.
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import type { BraidApi } from '../electron/shared/ipc-schema';
import { App } from './app/App';
import { setApi } from './ipc/actions';
import { startBridge } from './ipc/bridge';
import { createWsApi, type WsApi } from './ipc/ws-api';
import { useStore } from './store/store';
import './styles.css';

declare global {
  interface Window {
    braid?: BraidApi;
  }
}

function hostApi(): { api: BraidApi; ws?: WsApi } {
  if (window.braid) return { api: window.braid };
  if (location.protocol !== 'http:') throw new Error('Braid API missing: the preload did not run');
  // browser host: the page lives under /<token>/, and so does the WebSocket
  const token = location.pathname.split('/')[1] ?? '';
  const ws = createWsApi(`ws://${location.host}/${token}/ipc`);
  return { api: ws.api, ws };
}

const { api, ws } = hostApi();
setApi(api);
const store = useStore.getState();
startBridge(api, { snapshot: store.snapshot, notice: store.notice, setBridge: store.setBridge, toast: store.toast }, ws);

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
