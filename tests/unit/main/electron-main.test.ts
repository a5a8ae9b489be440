// Runs the real Electron main (dist/electron/main/index.js) against a stand-in `electron`
// module (no Electron binary here) and the fake engine behind the real control socket: checks
// the wiring the pure tests cannot — single-instance lock, permission denial, secure window,
// sender validation on IPC, the tray rebuilt from engine state, autostart through settings.
import test from 'node:test';
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { serveFakeEngine } from '../../e2e/fake-engine';

const ROOT = path.resolve(__dirname, '..', '..', '..', '..');
const INDEX_URL = pathToFileURL(path.join(ROOT, 'dist', 'renderer', 'index.html')).href;

type Handler = (event: unknown, payload: unknown) => Promise<{ ok: boolean; code?: string; value?: unknown }>;

function fakeElectron() {
  const rec = {
    handlers: new Map<string, Handler>(),
    windows: [] as FakeWindow[],
    trays: [] as FakeTray[],
    permission: undefined as undefined | ((wc: unknown, p: string, cb: (ok: boolean) => void) => void),
    notifications: [] as { title: string; body: string }[],
    quit: 0,
    appEvents: new EventEmitter(),
  };
  class WebContents extends EventEmitter {
    static next = 1;
    id = WebContents.next++;
    sent: [string, unknown][] = [];
    mainFrame = { url: INDEX_URL };
    openHandler?: () => { action: string };
    setWindowOpenHandler(h: () => { action: string }) {
      this.openHandler = h;
    }
    send(channel: string, payload: unknown) {
      this.sent.push([channel, payload]);
    }
  }
  class FakeWindow extends EventEmitter {
    webContents = new WebContents();
    loaded?: string;
    constructor(readonly options: { webPreferences: Record<string, unknown> }) {
      super();
      rec.windows.push(this);
    }
    loadFile(f: string) {
      this.loaded = f;
      return Promise.resolve();
    }
    isDestroyed() {
      return false;
    }
    isMinimized() {
      return false;
    }
    show() {}
    focus() {}
    restore() {}
  }
  class FakeTray extends EventEmitter {
    menus: unknown[] = [];
    tooltip = '';
    images = 0;
    constructor() {
      super();
      rec.trays.push(this);
    }
    setImage() {
      this.images++;
    }
    setToolTip(t: string) {
      this.tooltip = t;
    }
    setContextMenu(m: unknown) {
      this.menus.push(m);
    }
    destroy() {}
  }
  const electron = {
    app: {
      requestSingleInstanceLock: () => true,
      on: (e: string, f: (...a: unknown[]) => void) => rec.appEvents.on(e, f),
      whenReady: () => Promise.resolve(),
      getAppPath: () => ROOT,
      isPackaged: false,
      quit: () => rec.quit++,
      exit: () => {},
    },
    session: {
      defaultSession: {
        setPermissionRequestHandler: (f: typeof rec.permission) => (rec.permission = f),
        setPermissionCheckHandler: () => {},
      },
    },
    ipcMain: { handle: (c: string, h: Handler) => rec.handlers.set(c, h), removeHandler: (c: string) => rec.handlers.delete(c) },
    BrowserWindow: FakeWindow,
    Tray: FakeTray,
    Menu: { buildFromTemplate: (t: unknown) => t },
    nativeImage: { createEmpty: () => ({ addRepresentation() {} }) },
    clipboard: { writeText: () => {} },
    Notification: class {
      static isSupported = () => true;
      constructor(private readonly o: { title: string; body: string }) {}
      show() {
        rec.notifications.push(this.o);
      }
    },
  };
  return { electron, rec };
}

async function until<T>(fn: () => T | undefined | false, ms = 5000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = fn();
    if (v) return v;
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
}

test('Electron main wiring against a stand-in electron module and the fake engine', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'braid-emain-'));
  const socket = path.join(dir, 'engine.sock');
  const fake = await serveFakeEngine(socket);
  const { electron, rec } = fakeElectron();
  const electronPath = require.resolve('electron');
  require.cache[electronPath] = { id: electronPath, filename: electronPath, loaded: true, exports: electron } as unknown as NodeModule;
  const argv = process.argv;
  const env = { ...process.env };
  process.argv = [process.execPath, ROOT, '--socket', socket];
  process.env.BRAID_CONFIG_DIR = path.join(dir, 'config');
  process.env.XDG_CONFIG_HOME = path.join(dir, 'xdg');
  try {
    require(path.join(ROOT, 'dist', 'electron', 'main', 'index.js'));
    const win = await until(() => rec.windows[0]);
    const prefs = win.options.webPreferences;
    assert.equal(prefs.contextIsolation, true);
    assert.equal(prefs.sandbox, true);
    assert.equal(prefs.nodeIntegration, false);
    assert.equal(prefs.preload, path.join(ROOT, 'dist', 'preload', 'preload.js'));
    assert.equal(win.loaded, path.join(ROOT, 'dist', 'renderer', 'index.html'));
    assert.deepEqual(win.webContents.openHandler!(), { action: 'deny' });
    let prevented = 0;
    win.webContents.emit('will-navigate', { preventDefault: () => prevented++ }, 'https://evil.example/');
    win.webContents.emit('will-navigate', { preventDefault: () => prevented++ }, INDEX_URL);
    assert.equal(prevented, 1);
    let granted: boolean | undefined;
    rec.permission!(null, 'media', (ok) => (granted = ok));
    assert.equal(granted, false);

    // every invoke channel is handled; only our window's main frame gets through
    assert.ok(rec.handlers.has('links:setMode') && rec.handlers.has('app:snapshot'));
    const trusted = { sender: win.webContents, senderFrame: win.webContents.mainFrame };
    const foreignFrame = { sender: win.webContents, senderFrame: { url: INDEX_URL } };
    assert.equal((await rec.handlers.get('links:setMode')!(foreignFrame, { link: 'wlan0', mode: 'off' })).code, 'forbidden-sender');
    assert.equal((await rec.handlers.get('links:setMode')!({ sender: { id: 999 }, senderFrame: { url: INDEX_URL } }, { link: 'wlan0', mode: 'off' })).code, 'forbidden-sender');
    assert.equal((await rec.handlers.get('links:setMode')!(trusted, { link: 'wlan0', mode: 'turbo' })).code, 'bad-request');
    // our window navigated elsewhere (it cannot, but if it did): refused as well
    win.webContents.mainFrame.url = 'https://evil.example/';
    assert.equal((await rec.handlers.get('tunnel:disconnect')!(trusted, {})).code, 'forbidden-sender');
    win.webContents.mainFrame.url = INDEX_URL;
    await until(() => fake.engine.status().tunnel.state === 'connected');
    const tray = rec.trays[0]!;
    await until(() => JSON.stringify(tray.menus.at(-1) ?? '').includes('wlan0'));
    const res = await rec.handlers.get('links:setMode')!(trusted, { link: 'wlan0', mode: 'off' });
    assert.deepEqual(res, { ok: true, value: null });
    assert.equal(fake.engine.status().paths.find((p) => p.link === 'wlan0')!.mode, 'off');
    // the tray menu is rebuilt with the new mode checked, the window gets the notice
    await until(() => JSON.stringify(tray.menus.at(-1)).includes('wlan0 — off'));
    await until(() => win.webContents.sent.some(([c]) => c === 'paths:changed'));
    assert.match(tray.tooltip, /Braid — Connected\n[\d.]+ [kMG]?bit\/s over 2 active paths/);

    // start at login writes the XDG autostart entry
    const upd = await rec.handlers.get('settings:update')!(trusted, { startAtLogin: true });
    assert.equal(upd.ok, true);
    const entry = fs.readFileSync(path.join(dir, 'xdg', 'autostart', 'braid.desktop'), 'utf8');
    assert.match(entry, /^Exec=.* --hidden$/m);

    // a link failure becomes a (rate-limited) notification
    fake.engine.setLinkUp('eth0', false);
    await until(() => rec.notifications.find((n) => n.title === 'Link lost: eth0'));
    rec.appEvents.emit('before-quit', { preventDefault() {} });
  } finally {
    process.argv = argv;
    process.env = env;
    delete require.cache[electronPath];
    await fake.close();
    await new Promise((r) => setTimeout(r, 50));
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
