// The window security policy as plain data and pure checks (no Electron import), so it is
// unit-tested: web preferences, which URLs the window may show, which IPC senders are ours.
import { pathToFileURL } from 'node:url';

/** the only webPreferences a Braid window gets */
export function secureWebPreferences(preload: string) {
  return {
    preload,
    contextIsolation: true,
    sandbox: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    nodeIntegrationInSubFrames: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    webviewTag: false,
    navigateOnDragDrop: false,
    spellcheck: false,
    safeDialogs: true,
    devTools: true,
  } as const;
}

/** file:// URL of the renderer's index.html */
export function appUrl(indexHtml: string): string {
  return pathToFileURL(indexHtml).href;
}

/** is this the app's own page (query and hash ignored)? Everything else is refused. */
export function isAppUrl(url: string, indexUrl: string): boolean {
  try {
    const u = new URL(url);
    const i = new URL(indexUrl);
    return u.protocol === 'file:' && u.pathname === i.pathname;
  } catch {
    return false;
  }
}

export interface SenderInfo {
  webContentsId: number;
  /** URL of the frame that sent the message; undefined when the frame is gone */
  frameUrl: string | undefined;
  isMainFrame: boolean;
}

/** IPC is accepted only from the main frame of one of our windows showing our page */
export function isTrustedSender(sender: SenderInfo, windowIds: ReadonlySet<number>, indexUrl: string): boolean {
  return windowIds.has(sender.webContentsId) && sender.isMainFrame && sender.frameUrl !== undefined && isAppUrl(sender.frameUrl, indexUrl);
}
