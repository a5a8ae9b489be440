// User intents: call the API, mark the action pending, and turn failures into a message.
import type { BraidApi } from '../../electron/shared/ipc-schema';
import type { IpcResult, LinkMode } from '../../electron/shared/types';
import { useStore } from '../store/store';

let api: BraidApi | undefined;

export function setApi(a: BraidApi): void {
  api = a;
}

export function getApi(): BraidApi {
  if (!api) throw new Error('Braid API not ready');
  return api;
}

/** runs an invoke with a pending flag; returns the value, or undefined after showing the error */
export async function run<T>(key: string, call: () => Promise<IpcResult<T>>, failure = 'That did not work'): Promise<T | undefined> {
  const { setPending, toast } = useStore.getState();
  setPending(key, true);
  try {
    const result = await call();
    if (result.ok) return result.value;
    toast('error', `${failure}: ${result.message}`);
    return undefined;
  } catch (err) {
    toast('error', `${failure}: ${err instanceof Error ? err.message : String(err)}`);
    return undefined;
  } finally {
    setPending(key, false);
  }
}

export const setConnected = (on: boolean) =>
  run('tunnel', () => (on ? getApi().tunnel.connect({}) : getApi().tunnel.disconnect({})), on ? 'Could not connect' : 'Could not disconnect');

export const setLinkMode = (link: string, mode: LinkMode) =>
  run(`mode:${link}`, () => getApi().links.setMode({ link, mode }), `Could not change ${link}`);

/** copies through main (Electron clipboard), else the page's clipboard; true when it worked */
export async function copyText(text: string): Promise<boolean> {
  const viaMain = await getApi().app.copyText({ text });
  if (viaMain.ok && viaMain.value.copied) return true;
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    return false;
  }
}
