import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ClientFileSchema } from '../../../electron/engine/config/client-schema';
import { generateKeyPair } from '../../../electron/protocol/tunnel/keys';
import { installCommand, renderClientConfig } from '../../../electron/main/settings/client-config';
import { formatInvite, InviteError, parseInvite } from '../../../electron/protocol/invite';
import { SettingsService } from '../../../electron/main/settings/service';
import { configDir, defaultSettings, SettingsStore } from '../../../electron/main/settings/store';
import { IpcError } from '../../../electron/main/ipc/errors';

const server = generateKeyPair();
const device = generateKeyPair();

test('invites: address, port, server key, optional device secret and name', () => {
  const text = formatInvite({ host: 'vpn.example.org', port: 7443, serverPublicKey: server.public, device: { secret: device.secret, publicKey: device.public }, name: 'laptop' });
  const invite = parseInvite(text);
  assert.deepEqual(invite, { host: 'vpn.example.org', port: 7443, serverPublicKey: server.public, device: { secret: device.secret, publicKey: device.public }, name: 'laptop' });
  assert.equal(parseInvite(`braid://[2001:db8::1]?key=${encodeURIComponent(server.public)}`).host, '2001:db8::1');
  assert.equal(parseInvite(`braid://10.0.0.1?key=${encodeURIComponent(server.public)}`).port, 7443);
  // raw '+' (not %-encoded) and base64url both work
  assert.equal(parseInvite(`braid://h:1?key=${server.public}`).serverPublicKey, server.public);
  const url = server.public.replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
  assert.equal(parseInvite(`braid://h:1?key=${url}`).serverPublicKey, server.public);
  for (const bad of ['https://h?key=x', 'braid://', 'braid://h:1', 'braid://h:1?key=short', `braid://h:1?key=${encodeURIComponent(server.public)}&secret=nope`, 'braid://h:1?key=%zz']) {
    assert.throws(() => parseInvite(bad), InviteError, bad);
  }
});

test('the client config passes the engine’s own schema and maps routing', () => {
  const s = defaultSettings('host');
  s.server = { host: '198.19.0.1', port: 7443, publicKey: server.public };
  s.device = { name: 'laptop', secret: device.secret, publicKey: device.public };
  s.routing = { mode: 'prefixes', prefixes: ['10.0.0.0/8'] };
  const text = renderClientConfig(s, [{ name: 'eth0', mode: 'on' }, { name: 'wwan0', mode: 'backup' }]);
  const parsed = ClientFileSchema.parse(JSON.parse(text));
  assert.deepEqual(parsed.routing, { mode: 'split', prefixes: ['10.0.0.0/8'] });
  assert.equal(parsed.device.secretKey, device.secret);
  assert.deepEqual(parsed.links.map((l) => [l.name, l.mode]), [['eth0', 'on'], ['wwan0', 'backup']]);
  assert.throws(() => renderClientConfig({ ...s, server: { ...s.server, host: '' } }, [{ name: 'eth0', mode: 'on' }]), /server address/);
  assert.throws(() => renderClientConfig({ ...s, device: { name: 'x', publicKey: '' } }, [{ name: 'eth0', mode: 'on' }]), /device/);
  assert.throws(() => renderClientConfig(s, []), /No network links/);
  assert.throws(() => renderClientConfig({ ...s, routing: { mode: 'prefixes', prefixes: [] } }, [{ name: 'eth0', mode: 'on' }]), /prefix/);
  assert.throws(() => renderClientConfig({ ...s, routing: { mode: 'prefixes', prefixes: ['10.0.0.1/8'] } }, [{ name: 'eth0', mode: 'on' }]));
  assert.equal(installCommand("/home/o'neil/.config/braid/client.json"), "sudo install -m 600 -o root -g root '/home/o'\\''neil/.config/braid/client.json' /etc/braid/client.json && sudo systemctl restart braidd");
});

test('settings persist 0600, never show the secret, and survive a broken file', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'braid-settings-'));
  try {
    const views: unknown[] = [];
    const autostart: boolean[] = [];
    const service = new SettingsService({
      store: new SettingsStore(dir),
      links: () => [{ name: 'eth0', mode: 'on' }],
      applyAutostart: (on) => void autostart.push(on),
      onChange: (v) => views.push(v),
    });
    service.update({ server: { host: 'vpn.example.org', publicKey: server.public }, startAtLogin: true });
    assert.deepEqual(autostart, [true]);
    const view = service.generateDeviceKey();
    assert.equal(view.device.hasSecret, true);
    assert.equal(JSON.stringify(view).includes(service.stored.device.secret!), false, 'secret never in the view');
    assert.equal(fs.statSync(path.join(dir, 'settings.json')).mode & 0o777, 0o600);
    const out = service.writeClientConfig();
    assert.equal(fs.statSync(out.path).mode & 0o777, 0o600);
    assert.match(out.installCommand, /\/etc\/braid\/client\.json/);
    assert.ok(service.view().clientConfigWrittenAt);
    assert.equal(views.length, 3);
    assert.throws(() => service.update({ server: { publicKey: 'not-a-key' } }), (e: unknown) => e instanceof IpcError && e.code === 'bad-request');
    assert.throws(() => service.importInvite('braid://nope'), (e: unknown) => e instanceof IpcError && e.code === 'bad-request');
    const imported = service.importInvite(formatInvite({ host: '10.1.1.1', port: 9000, serverPublicKey: server.public, device: { secret: device.secret, publicKey: device.public } }));
    assert.deepEqual(imported.server, { host: '10.1.1.1', port: 9000, publicKey: server.public });
    assert.equal(imported.device.publicKey, device.public);
    // reload from disk
    assert.equal(new SettingsStore(dir).value.server.host, '10.1.1.1');
    fs.writeFileSync(path.join(dir, 'settings.json'), '{ broken');
    const logs: string[] = [];
    assert.equal(new SettingsStore(dir, (m) => logs.push(m)).value.server.host, '');
    assert.equal(logs.length, 1);
    assert.ok(fs.readdirSync(dir).some((f) => f.startsWith('settings.json.broken-')));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('start at login is refused where the host cannot do it', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'braid-settings-'));
  try {
    const service = new SettingsService({ store: new SettingsStore(dir), links: () => [], onChange: () => {} });
    assert.throws(() => service.update({ startAtLogin: true }), (e: unknown) => e instanceof IpcError && e.code === 'unsupported');
    assert.equal(service.view().startAtLogin, false);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('config dir follows XDG', () => {
  assert.equal(configDir({ XDG_CONFIG_HOME: '/x' }, '/home/a'), '/x/braid');
  assert.equal(configDir({}, '/home/a'), '/home/a/.config/braid');
});
