// The single Braid window: opened on demand (tray, second instance), closed to the tray.
import type { BrowserWindow } from 'electron';
import { createSecureWindow, type WindowPaths } from './window-factory';

export class MainWindow {
  private win: BrowserWindow | undefined;

  constructor(private readonly paths: WindowPaths) {}

  show(): void {
    if (this.win && !this.win.isDestroyed()) {
      if (this.win.isMinimized()) this.win.restore();
      this.win.show();
      this.win.focus();
      return;
    }
    this.win = createSecureWindow(this.paths, { width: 1280, height: 800, title: 'Braid' });
    this.win.on('closed', () => (this.win = undefined));
  }

  /** ids of live windows, for IPC sender checks and notices */
  ids(): Set<number> {
    return this.win && !this.win.isDestroyed() ? new Set([this.win.webContents.id]) : new Set();
  }

  send(channel: string, payload: unknown): void {
    if (this.win && !this.win.isDestroyed()) this.win.webContents.send(channel, payload);
  }
}
