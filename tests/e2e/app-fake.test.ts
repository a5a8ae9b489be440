// The window in chromium through the browser host against the fake engine behind the real
// control socket server (no root, no lab): first run, setup through an invite, the engine
// appearing later, and the dark theme.
import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { ClientFileSchema } from '../../electron/engine/config/client-schema';
import { generateKeyPair } from '../../electron/protocol/tunnel/keys';
import { startBrowserHost, type BrowserHost } from '../../electron/main/browser-host';
import { APP_ROOT, composeMain, type Composed } from '../../electron/main/compose';
import { parseMainOptions } from '../../electron/main/options';
import { formatInvite } from '../../electron/protocol/invite';
import { keyboardAudit, openBrowser, screenshot, type BrowserSession } from './browser';
import { serveFakeEngine } from './fake-engine';

let dir: string;
let socket: string;
let composed: Composed;
let host: BrowserHost;
let browser: BrowserSession;
let page: Page;
let fake: Awaited<ReturnType<typeof serveFakeEngine>> | undefined;

test.before(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'braid-e2e-fake-'));
  socket = path.join(dir, 'engine.sock');
  composed = composeMain(parseMainOptions(['--socket', socket, '--config-dir', path.join(dir, 'config')], {}, false), { host: 'browser', log: () => {} });
  composed.core.start();
  host = await startBrowserHost({ core: composed.core, rendererDir: path.join(APP_ROOT, 'dist', 'renderer') });
  browser = await openBrowser(host.url);
  page = browser.page;
});

test.after(async () => {
  await browser?.close();
  await host?.close();
  await composed?.stop();
  await fake?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

test('first run with no engine and no server leads into setup, and says the engine is not running', async () => {
  await page.getByTestId('setup').waitFor({ timeout: 10_000 });
  await page.getByRole('heading', { name: 'Set up Braid' }).waitFor();
  const banner = page.getByTestId('banner');
  await banner.waitFor();
  assert.match((await banner.textContent()) ?? '', /Engine not running — start it with systemctl start braidd/);
  const audit = await keyboardAudit(page);
  assert.deepEqual(audit.unreachable, []);
  assert.deepEqual(audit.invisible, []);
  await screenshot(page, 'setup');
});

test('setup: an invite sets the server, a device key is made, the client config is written for the engine', async () => {
  const serverKey = generateKeyPair();
  await page.getByLabel('Invite from your server').fill(formatInvite({ host: '198.19.0.1', port: 7443, serverPublicKey: serverKey.public }));
  await page.getByRole('button', { name: 'Use invite' }).click();
  await page.getByText('Server set to 198.19.0.1:7443').waitFor();
  await page.getByRole('button', { name: 'Make a key' }).click();
  const publicKey = page.getByRole('textbox', { name: 'Public key' });
  await publicKey.waitFor();
  assert.match(await publicKey.inputValue(), /^[A-Za-z0-9+/]{43}=$/);
  await page.getByRole('button', { name: 'Write client config' }).click();
  const command = page.getByTestId('install-command');
  await command.waitFor();
  assert.match((await command.textContent()) ?? '', /sudo install -m 600 -o root -g root .*client\.json' \/etc\/braid\/client\.json && sudo systemctl restart braidd/);
  const written = JSON.parse(fs.readFileSync(path.join(dir, 'config', 'client.json'), 'utf8'));
  const parsed = ClientFileSchema.parse(written);
  assert.equal(parsed.server.publicKey, serverKey.public);
  assert.equal(parsed.server.host, '198.19.0.1');
  // a bad invite is refused with a message, not a crash
  await page.getByLabel('Invite from your server').fill('braid://nowhere');
  await page.getByRole('button', { name: 'Use invite' }).click();
  await page.getByText(/Could not use this invite: The invite has no server key/).waitFor();
});

test('the engine appearing later is picked up without a reload; the overview replaces setup', async () => {
  await page.evaluate('window.__noReload = 1');
  fake = await serveFakeEngine(socket);
  await page.getByRole('heading', { name: 'Connected', exact: true }).waitFor({ timeout: 15_000 });
  await page.getByTestId('banner').waitFor({ state: 'detached' });
  assert.equal(await page.evaluate('window.__noReload'), 1);
  assert.equal(await page.getByTestId('setup').count(), 0);
  // the window's mode control reaches the engine through the real control socket
  await page.getByRole('navigation').getByRole('button', { name: 'Paths' }).click();
  await page.getByRole('group', { name: 'Mode for usb0' }).getByRole('button', { name: 'Backup' }).click();
  await page.getByTestId('path-usb0-state').filter({ hasText: 'Standing by' }).waitFor({ timeout: 5000 });
  assert.equal(fake.engine.status().paths.find((p) => p.link === 'usb0')!.mode, 'backup');
  // a failing link shows up with its reason
  fake.engine.setLinkUp('wlan0', false);
  await page.getByTestId('path-wlan0-state').filter({ hasText: 'Failed' }).waitFor({ timeout: 3000 });
  await page.getByText('wlan0 lost: link is down').first().waitFor();
  await page.waitForTimeout(4000);
  await screenshot(page, 'paths-fake');
});

test('dark theme', async () => {
  const dark = await openBrowser(host.url, { colorScheme: 'dark' });
  try {
    await dark.page.getByRole('heading', { name: /Connected/ }).waitFor({ timeout: 10_000 });
    await dark.page.waitForTimeout(3000);
    await screenshot(dark.page, 'overview-dark');
    await dark.page.getByRole('navigation').getByRole('button', { name: 'Paths' }).click();
    await dark.page.waitForTimeout(500);
    await screenshot(dark.page, 'paths-dark');
    assert.deepEqual(dark.errors, []);
  } finally {
    await dark.close();
  }
});

test('no console errors', () => {
  assert.deepEqual(browser.errors, []);
});
