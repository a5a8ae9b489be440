// Electron main: the composition root and nothing else. Everything with logic lives in modules
// that also run without Electron (app-core, engine-client, settings, tray/menu, notifications).
import { app, clipboard, Notification, session } from 'electron';
import fs from 'node:fs';
import path from 'node:path';
import { applyAutostart, autostartDir, PACMAN_LAUNCHER } from './autostart';
import { APP_ROOT, composeMain, type Composed } from './compose';
import { registerIpc } from './ipc/electron-ipc';
import { NotificationCenter } from './notifications/center';
import { OptionsError, parseMainOptions } from './options';
import { BraidTray } from './tray/tray';
import { MainWindow } from './windows/main-window';
import { appUrl } from './windows/security';

const log = (m: string) => process.stderr.write(`${new Date().toISOString()} braid-app: ${m}\n`);

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  let options;
  try {
    options = parseMainOptions(process.argv.slice(1), process.env, process.getuid?.() === 0);
  } catch (err) {
    log(err instanceof OptionsError ? err.message : String(err));
    app.exit(2);
    throw err;
  }
  const paths = {
    preload: path.join(APP_ROOT, 'dist', 'preload', 'preload.js'),
    indexHtml: path.join(APP_ROOT, 'dist', 'renderer', 'index.html'),
  };
  const window = new MainWindow(paths);
  let composed: Composed | undefined;
  let tray: BraidTray | undefined;

  app.on('second-instance', () => window.show());
  // closing the window keeps Braid in the tray; Quit (tray or settings) ends it
  app.on('window-all-closed', () => {});
  app.on('web-contents-created', (_e, contents) => {
    contents.on('will-attach-webview', (event) => event.preventDefault());
    contents.setWindowOpenHandler(() => ({ action: 'deny' }));
  });

  app.whenReady().then(() => {
    session.defaultSession.setPermissionRequestHandler((_wc, _permission, callback) => callback(false));
    session.defaultSession.setPermissionCheckHandler(() => false);

    composed = composeMain(options, {
      host: 'electron',
      copyText: (text) => clipboard.writeText(text),
      quit: () => app.quit(),
      applyAutostart: (on) =>
        void applyAutostart(on, autostartDir(), {
          appImage: process.env.APPIMAGE,
          pacmanLauncher: app.getAppPath() === '/usr/lib/braid/app.asar' && fs.existsSync(PACMAN_LAUNCHER),
          execPath: process.execPath,
          appPath: app.isPackaged ? undefined : app.getAppPath(),
        }),
      log,
    });
    const core = composed.core;
    registerIpc(core, window, appUrl(paths.indexHtml), log);
    tray = new BraidTray(core, { open: () => window.show(), quit: () => app.quit() }, log);
    const notifications = new NotificationCenter(
      (note) => {
        if (Notification.isSupported()) new Notification({ title: note.title, body: note.body, silent: true }).show();
      },
      () => core.settings.view().notifications,
    );
    core.subscribe(() => {
      tray?.update();
      notifications.update(core.state.currentTunnel, core.state.currentPaths, core.state.currentEvents);
    });
    core.start();
    if (!options.hidden) window.show();
  }, (err: unknown) => {
    log(`startup failed: ${String(err)}`);
    app.exit(1);
  });

  let stopping = false;
  app.on('before-quit', (event) => {
    if (stopping || !composed) return;
    stopping = true;
    event.preventDefault();
    tray?.destroy();
    void composed.stop().finally(() => app.exit(0));
  });
}
