// Settings use cases behind the settings.* IPC channels: update, device key, invite import,
// client config export, start at login. Persists through SettingsStore and reports the
// renderer's view (never the secret).
import fs from 'node:fs';
import path from 'node:path';
import type { SettingsPatch } from '../../shared/ipc-schema';
import type { ClientConfigExport, SettingsView } from '../../shared/types';
import { generateKeyPair } from '../../protocol/tunnel/keys';
import { IpcError } from '../ipc/errors';
import { ClientConfigError, installCommand, renderClientConfig, type LinkChoice } from './client-config';
import { InviteError, parseInvite } from '../../protocol/invite';
import { writeFileAtomic, type SettingsStore, type StoredSettings } from './store';

export interface SettingsServiceOptions {
  store: SettingsStore;
  /** writes/removes the autostart entry; undefined where autostart is not supported */
  applyAutostart?: (enabled: boolean) => void;
  /** the links to put in the client config (the engine's current paths, else physical links) */
  links: () => LinkChoice[];
  onChange: (view: SettingsView) => void;
}

export class SettingsService {
  constructor(private readonly options: SettingsServiceOptions) {}

  get clientConfigPath(): string {
    return path.join(this.options.store.dir, 'client.json');
  }

  view(s: StoredSettings = this.options.store.value): SettingsView {
    return {
      server: { ...s.server },
      device: { name: s.device.name, publicKey: s.device.publicKey, hasSecret: Boolean(s.device.secret) },
      routing: { mode: s.routing.mode, prefixes: [...s.routing.prefixes] },
      startAtLogin: s.startAtLogin,
      notifications: s.notifications,
      clientConfigPath: this.clientConfigPath,
      clientConfigWrittenAt: s.clientConfigWrittenAt,
    };
  }

  get stored(): StoredSettings {
    return this.options.store.value;
  }

  update(patch: SettingsPatch): SettingsView {
    const cur = this.options.store.value;
    if (patch.server?.publicKey && !/^[A-Za-z0-9+/]{43}=$/.test(patch.server.publicKey)) {
      throw new IpcError('bad-request', "The server's public key is 44 base64 characters ending in =");
    }
    const next: StoredSettings = {
      ...cur,
      server: { ...cur.server, ...patch.server },
      device: { ...cur.device, ...patch.device },
      routing: { ...cur.routing, ...patch.routing },
      startAtLogin: patch.startAtLogin ?? cur.startAtLogin,
      notifications: patch.notifications ?? cur.notifications,
    };
    if (next.startAtLogin !== cur.startAtLogin) {
      if (!this.options.applyAutostart) throw new IpcError('unsupported', 'Start at login needs the desktop app');
      this.options.applyAutostart(next.startAtLogin);
    }
    return this.commit(next);
  }

  generateDeviceKey(): SettingsView {
    const pair = generateKeyPair();
    const cur = this.options.store.value;
    return this.commit({ ...cur, device: { ...cur.device, secret: pair.secret, publicKey: pair.public } });
  }

  importInvite(text: string): SettingsView {
    let invite;
    try {
      invite = parseInvite(text);
    } catch (err) {
      if (err instanceof InviteError) throw new IpcError('bad-request', err.message);
      throw err;
    }
    const cur = this.options.store.value;
    return this.commit({
      ...cur,
      server: { host: invite.host, port: invite.port, publicKey: invite.serverPublicKey },
      device: {
        name: invite.name ?? cur.device.name,
        secret: invite.device?.secret ?? cur.device.secret,
        publicKey: invite.device?.publicKey ?? cur.device.publicKey,
      },
    });
  }

  writeClientConfig(): ClientConfigExport {
    let text: string;
    try {
      text = renderClientConfig(this.options.store.value, this.options.links());
    } catch (err) {
      if (err instanceof ClientConfigError) throw new IpcError('bad-request', err.message);
      throw err;
    }
    fs.mkdirSync(this.options.store.dir, { recursive: true, mode: 0o700 });
    writeFileAtomic(this.clientConfigPath, text, 0o600);
    this.commit({ ...this.options.store.value, clientConfigWrittenAt: Date.now() });
    return { path: this.clientConfigPath, installCommand: installCommand(this.clientConfigPath) };
  }

  private commit(next: StoredSettings): SettingsView {
    const saved = this.options.store.save(next);
    const view = this.view(saved);
    this.options.onChange(view);
    return view;
  }
}
