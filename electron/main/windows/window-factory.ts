// The one place a BrowserWindow is made: secure preferences, navigation and new windows locked,
// <webview> refused. Permission requests are denied for the whole session in index.ts.
import { BrowserWindow } from 'electron';
import { appUrl, isAppUrl, secureWebPreferences } from './security';

export interface WindowPaths {
  preload: string;
  indexHtml: string;
}

export function createSecureWindow(paths: WindowPaths, options: { width: number; height: number; title: string; icon?: Electron.NativeImage }): BrowserWindow {
  const win = new BrowserWindow({
    width: options.width,
    height: options.height,
    minWidth: 720,
    minHeight: 520,
    title: options.title,
    icon: options.icon,
    show: false,
    autoHideMenuBar: true,
    backgroundColor: '#101217',
    webPreferences: secureWebPreferences(paths.preload),
  });
  const indexUrl = appUrl(paths.indexHtml);
  const contents = win.webContents;
  contents.on('will-navigate', (event, url) => {
    if (!isAppUrl(url, indexUrl)) event.preventDefault();
  });
  contents.on('will-redirect', (event, url) => {
    if (!isAppUrl(url, indexUrl)) event.preventDefault();
  });
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.setWindowOpenHandler(() => ({ action: 'deny' }));
  win.once('ready-to-show', () => win.show());
  void win.loadFile(paths.indexHtml);
  return win;
}
