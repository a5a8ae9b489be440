import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { applyAutostart, autostartCommand, autostartDir, autostartEnabled, autostartEntry, quoteExecArg, PACMAN_LAUNCHER } from '../../../electron/main/autostart';

test('Exec: the AppImage path for an AppImage, the pacman launcher for the package', () => {
  assert.deepEqual(autostartCommand({ appImage: '/home/ann/Apps/Braid-0.1.0-x86_64.AppImage', pacmanLauncher: true }), [
    '/home/ann/Apps/Braid-0.1.0-x86_64.AppImage',
    '--hidden',
  ]);
  assert.deepEqual(autostartCommand({ pacmanLauncher: true, execPath: '/usr/lib/electron38/electron' }), [PACMAN_LAUNCHER, '--hidden']);
  assert.deepEqual(autostartCommand({ execPath: '/opt/e/electron', appPath: '/src/braid' }), ['/opt/e/electron', '/src/braid', '--hidden']);
  assert.throws(() => autostartCommand({}));
});

test('entry content is a valid desktop entry with a quoted Exec', () => {
  const text = autostartEntry(['/home/ann/My Apps/Braid.AppImage', '--hidden']);
  assert.match(text, /^\[Desktop Entry\]\n/);
  assert.match(text, /^Type=Application$/m);
  assert.match(text, /^Name=Braid$/m);
  assert.match(text, /^Exec="\/home\/ann\/My Apps\/Braid.AppImage" --hidden$/m);
  assert.match(text, /^X-GNOME-Autostart-enabled=true$/m);
  assert.equal(autostartEntry([PACMAN_LAUNCHER, '--hidden']).match(/^Exec=(.*)$/m)![1], '/usr/bin/braid-app --hidden');
});

test('Exec quoting escapes the reserved characters of the Desktop Entry spec', () => {
  assert.equal(quoteExecArg('/plain/path'), '/plain/path');
  assert.equal(quoteExecArg(''), '""');
  assert.equal(quoteExecArg('a"b'), '"a\\"b"');
  assert.equal(quoteExecArg('$HOME'), '"\\$HOME"');
  assert.equal(quoteExecArg('100%'), '"100%%"');
  // string-level escaping doubles backslashes after quoting
  assert.match(autostartEntry(['/x/a"b']), /^Exec="\/x\/a\\\\"b"$/m);
});

test('autostartDir follows XDG_CONFIG_HOME', () => {
  assert.equal(autostartDir({ XDG_CONFIG_HOME: '/cfg' }, '/home/ann'), '/cfg/autostart');
  assert.equal(autostartDir({}, '/home/ann'), '/home/ann/.config/autostart');
  assert.equal(autostartDir({ XDG_CONFIG_HOME: 'relative' }, '/home/ann'), '/home/ann/.config/autostart');
});

test('the writer creates and removes the file', () => {
  const dir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'braid-autostart-')), 'autostart');
  try {
    const file = applyAutostart(true, dir, { appImage: '/a/Braid.AppImage' });
    assert.ok(autostartEnabled(dir));
    assert.match(fs.readFileSync(file, 'utf8'), /^Exec=\/a\/Braid.AppImage --hidden$/m);
    applyAutostart(false, dir, { appImage: '/a/Braid.AppImage' });
    assert.ok(!autostartEnabled(dir));
    applyAutostart(false, dir, {}); // removing twice is fine
  } finally {
    fs.rmSync(path.dirname(dir), { recursive: true, force: true });
  }
});
