// Electron glue for the tray: turns the pure model (menu.ts) into Tray/Menu calls. The menu is
// rebuilt with setContextMenu whenever its content changes (Linux StatusNotifierItem hosts
// only pick up a new menu that way); the tooltip follows the live rate.
import { Menu, nativeImage, Tray, type MenuItemConstructorOptions } from 'electron';
import type { AppCore } from '../app-core';
import { trayIconPng } from './icon-image';
import { buildTrayMenu, trayIconState, trayTooltip, type TrayAction, type TrayIconState, type TrayItem, type TrayModel } from './menu';

export function trayImage(state: TrayIconState): Electron.NativeImage {
  const image = nativeImage.createEmpty();
  image.addRepresentation({ scaleFactor: 1, buffer: trayIconPng(state, 22) });
  image.addRepresentation({ scaleFactor: 2, buffer: trayIconPng(state, 44) });
  return image;
}

function toElectron(items: TrayItem[], run: (a: TrayAction) => void): MenuItemConstructorOptions[] {
  return items.map((item): MenuItemConstructorOptions => {
    switch (item.kind) {
      case 'label':
        return { label: item.label, enabled: false };
      case 'separator':
        return { type: 'separator' };
      case 'action':
        return { label: item.label, enabled: item.enabled, click: () => run(item.action) };
      case 'radio':
        return { label: item.label, type: 'radio', checked: item.checked, enabled: item.enabled, click: () => run(item.action) };
      case 'submenu':
        return { label: item.label, enabled: item.enabled, submenu: toElectron(item.items, run) };
    }
  });
}

export class BraidTray {
  private readonly tray: Tray;
  private lastIcon: TrayIconState | undefined;
  private lastMenu = '';
  private lastTip = '';

  constructor(
    private readonly core: AppCore,
    private readonly actions: { open(): void; quit(): void },
    private readonly log: (m: string) => void,
  ) {
    this.tray = new Tray(trayImage('off'));
    this.tray.on('click', () => actions.open());
    this.update();
  }

  model(): TrayModel {
    const s = this.core.state;
    const sample = s.lastSample();
    return {
      health: s.currentHealth,
      tunnel: s.currentTunnel,
      paths: s.currentPaths,
      rateBps: s.currentTunnel?.state === 'connected' && sample ? sample.upBps + sample.downBps : 0,
    };
  }

  update(): void {
    const model = this.model();
    const icon = trayIconState(model);
    if (icon !== this.lastIcon) {
      this.tray.setImage(trayImage(icon));
      this.lastIcon = icon;
    }
    const tip = trayTooltip(model);
    if (tip !== this.lastTip) {
      this.tray.setToolTip(tip);
      this.lastTip = tip;
    }
    const items = buildTrayMenu(model);
    const key = JSON.stringify(items);
    if (key !== this.lastMenu) {
      this.tray.setContextMenu(Menu.buildFromTemplate(toElectron(items, (a) => this.run(a))));
      this.lastMenu = key;
    }
  }

  private run(action: TrayAction): void {
    const report = (p: Promise<{ ok: boolean; message?: string }>) =>
      void p.then((r) => {
        if (!r.ok) this.log(`tray: ${action.type} failed: ${r.message}`);
      });
    switch (action.type) {
      case 'connect':
        return report(this.core.dispatch('tunnel:connect', {}));
      case 'disconnect':
        return report(this.core.dispatch('tunnel:disconnect', {}));
      case 'mode':
        return report(this.core.dispatch('links:setMode', { link: action.link, mode: action.mode }));
      case 'open':
        return this.actions.open();
      case 'quit':
        return this.actions.quit();
    }
  }

  destroy(): void {
    this.tray.destroy();
  }
}
