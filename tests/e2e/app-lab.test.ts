// The desktop app's window, driven in Debian's chromium through the browser host, against the
// real braidd and `braid server` in a namespace lab with three shaped links and a download
// running through the tunnel.
//
//   chromium --ws--> browser host (AppCore, engine client) --unix socket--> braidd (client ns)
//   client ns: braid0 over bl0 40M / bl1 20M / bl2 10M --> server ns: braid server --> internet ns
import test from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import type { Page } from 'playwright-core';
import type { ClientStatus } from '../../electron/protocol/control';
import { fetchStatus, waitForStatus } from '../netns/braid';
import type { LabProcess } from '../netns/lab';
import { keyboardAudit, openBrowser, screenshot, type BrowserSession } from './browser';
import { startLabApp, startLoad, type LabApp } from './lab-app';

const RATES = [40, 20, 10];
const LINKS = ['bl0', 'bl1', 'bl2'];

let app: LabApp;
let browser: BrowserSession;
let page: Page;
let load: LabProcess | undefined;

const engineStatus = async () => (await fetchStatus(app.braid.clientSocket)) as ClientStatus;
const endpoints = () => execFileSync('ip', ['-n', app.lab.ns.client, 'mptcp', 'endpoint', 'show'], { encoding: 'utf8' });
const endpointFor = (link: string) => endpoints().split('\n').some((l) => new RegExp(`\\bdev ${link}\\b`).test(l));

async function until<T>(what: string, fn: () => Promise<T | undefined | false> | T | undefined | false, timeoutMs: number, everyMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

async function go(view: 'Overview' | 'Paths' | 'Settings'): Promise<void> {
  await page.getByRole('navigation').getByRole('button', { name: view }).click();
}

const pathCard = (link: string) => page.getByTestId(`path-${link}`);
const aggregateShown = async () => Number(await page.getByTestId('aggregate').getAttribute('data-bps'));

test.before(async () => {
  assert.equal(process.getuid?.(), 0, 'the e2e lab builds network namespaces: run the tests as root');
  app = await startLabApp({ rates: RATES });
  load = startLoad(app, 150);
  browser = await openBrowser(app.host.url);
  page = browser.page;
  await page.evaluate('window.__noReload = 1');
});

test.after(async () => {
  await load?.kill();
  await browser?.close();
  await app?.stop();
});

test('the window shows three paths with live rates; the aggregate matches the engine within 10 %', async () => {
  await page.getByRole('heading', { name: 'Connected', exact: true }).waitFor({ timeout: 20_000 });
  await go('Paths');
  for (const link of LINKS) await pathCard(link).waitFor();
  assert.equal(await page.locator('[data-testid^="path-"][data-state]').count(), 3);
  // every path carries part of the download: live, non-zero rates in the window
  await until(
    'a live rate on every path',
    async () => {
      const rates = await Promise.all(LINKS.map(async (l) => Number(await page.getByTestId(`path-${l}-down`).getAttribute('data-bps'))));
      return rates.every((r) => r > 100_000) && rates;
    },
    30_000,
  );
  for (const link of LINKS) assert.equal(await page.getByTestId(`path-${link}-state`).textContent(), 'Active');
  await screenshot(page, 'paths');

  await go('Overview');
  const pairs: [number, number][] = [];
  let previous = await aggregateShown();
  for (let round = 0; round < 5; round++) {
    // right after the window shows a new figure, the engine still reports the sample behind it
    const shown = await until('the aggregate to change', async () => {
      const v = await aggregateShown();
      return v !== previous && v;
    }, 5000, 20);
    const engine = await engineStatus();
    pairs.push([shown, engine.aggregate.txBps + engine.aggregate.rxBps]);
    previous = shown;
  }
  const worst = Math.max(...pairs.map(([shown, engine]) => Math.abs(shown - engine) / engine));
  console.log(`aggregate shown vs engine (Mbit/s): ${pairs.map(([a, b]) => `${(a / 1e6).toFixed(1)}/${(b / 1e6).toFixed(1)}`).join(', ')}; worst ${(worst * 100).toFixed(1)} %`);
  assert.ok(pairs.every(([, engine]) => engine > 10e6), 'the download is running through the tunnel');
  assert.ok(worst <= 0.1, `aggregate within 10 % of the engine (worst ${(worst * 100).toFixed(1)} %)`);
  await page.waitForTimeout(1500);
  await screenshot(page, 'overview');
});

test('switching a link off in the window removes its MPTCP endpoint; on restores it', async () => {
  assert.ok(endpointFor('bl2'), `bl2 has an endpoint before:\n${endpoints()}`);
  await go('Paths');
  await page.getByRole('group', { name: 'Mode for bl2' }).getByRole('button', { name: 'Off' }).click();
  await until('bl2 off in the window', async () => (await pathCard('bl2').getAttribute('data-mode')) === 'off', 5000);
  assert.equal(await page.getByTestId('path-bl2-state').textContent(), 'Off');
  await until('the kernel to drop bl2’s endpoint', () => !endpointFor('bl2'), 5000);
  assert.equal((await engineStatus()).paths.find((p) => p.link === 'bl2')!.mode, 'off');

  await page.getByRole('group', { name: 'Mode for bl2' }).getByRole('button', { name: 'On' }).click();
  await until('the kernel to restore bl2’s endpoint', () => endpointFor('bl2'), 5000);
  await until('bl2 active again in the window', async () => (await page.getByTestId('path-bl2-state').textContent()) === 'Active', 10_000);
});

test('a link taken down in the lab shows failed within 2 s, with the event listed', async () => {
  await go('Paths');
  const t0 = Date.now();
  await app.lab.linkDown(1);
  await until('bl1 failed in the window', async () => (await pathCard('bl1').getAttribute('data-state')) === 'failed', 2000, 50);
  const elapsed = Date.now() - t0;
  console.log(`bl1 shown failed ${elapsed} ms after the link went down`);
  assert.equal(await page.getByTestId('path-bl1-state').textContent(), 'Failed');
  await until('the failure event', async () => (await page.getByTestId('events').textContent())?.includes('bl1 lost: link is down'), 2000, 50);
  // the other links keep the tunnel up
  assert.equal((await engineStatus()).tunnel.state, 'connected');
  await app.lab.linkUp(1);
});

test('disconnect and connect from the window change the engine’s state', async () => {
  await go('Overview');
  const toggle = page.getByRole('switch', { name: 'Braid connection' });
  assert.equal(await toggle.getAttribute('aria-checked'), 'true');
  await toggle.click();
  await waitForStatus(app.braid.clientSocket, (s) => s.mode === 'client' && s.tunnel.target === 'disconnected' && s.tunnel.state === 'disconnected', 10_000);
  await page.getByRole('heading', { name: 'Off', exact: true }).waitFor({ timeout: 3000 });
  assert.equal(await toggle.getAttribute('aria-checked'), 'false');
  await toggle.click();
  await waitForStatus(app.braid.clientSocket, (s) => s.mode === 'client' && s.tunnel.state === 'connected', 20_000);
  await page.getByRole('heading', { name: 'Connected', exact: true }).waitFor({ timeout: 5000 });
});

test('stopping the engine shows "engine not running"; starting it again recovers without a reload', async () => {
  await app.braid.client!.kill(5000);
  const banner = page.getByTestId('banner');
  await banner.waitFor({ timeout: 5000 });
  assert.match((await banner.textContent()) ?? '', /Engine not running — start it with systemctl start braidd/);
  assert.equal(await page.getByTestId('connection').getAttribute('data-state'), 'none');
  await app.braid.startClient();
  await banner.waitFor({ state: 'detached', timeout: 15_000 });
  await page.getByRole('heading', { name: 'Connected', exact: true }).waitFor({ timeout: 20_000 });
  assert.equal(await page.evaluate('window.__noReload'), 1, 'the page was not reloaded');
});

test('every control is reachable by keyboard, with visible focus', async () => {
  for (const view of ['Overview', 'Paths', 'Settings'] as const) {
    await go(view);
    await page.waitForTimeout(300);
    const audit = await keyboardAudit(page);
    assert.deepEqual(audit.unreachable, [], `${view}: controls Tab never reaches`);
    assert.deepEqual(audit.invisible, [], `${view}: focus not visible on`);
    assert.ok(audit.reached >= 5, `${view}: Tab reached ${audit.reached} controls`);
  }
  // and the views themselves are reachable from the keyboard: focus a nav button, press Enter
  await page.getByRole('navigation').getByRole('button', { name: 'Paths' }).focus();
  await page.keyboard.press('Enter');
  await page.getByRole('heading', { name: 'Paths', level: 1 }).waitFor();
  await go('Settings');
  await screenshot(page, 'settings');
});

test('no console errors', () => {
  assert.deepEqual(browser.errors, []);
});
