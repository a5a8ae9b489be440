// Debian's chromium through playwright-core, the way every e2e test starts it: headless, no
// network noise, a fresh profile, 1280x800, console errors collected.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

export const ARTIFACTS = path.resolve(__dirname, '..', '..', '..', 'test-artifacts');

export interface BrowserSession {
  context: BrowserContext;
  page: Page;
  /** console errors and uncaught page errors, in order */
  errors: string[];
  close(): Promise<void>;
}

export async function openBrowser(url: string, options: { colorScheme?: 'light' | 'dark' } = {}): Promise<BrowserSession> {
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'braid-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
    viewport: { width: 1280, height: 800 },
    colorScheme: options.colorScheme ?? 'light',
  });
  const page = context.pages()[0] ?? (await context.newPage());
  const errors: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(`console: ${m.text()}`);
  });
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  await page.goto(url);
  return {
    context,
    page,
    errors,
    async close() {
      await context.close();
      fs.rmSync(profile, { recursive: true, force: true });
    },
  };
}

export async function screenshot(page: Page, name: string): Promise<string> {
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  await page.evaluate('document.activeElement && document.activeElement.blur()');
  const file = path.join(ARTIFACTS, `${name}.png`);
  await page.screenshot({ path: file });
  return file;
}

// Browser-side code is passed as strings: this tree compiles without DOM types.
const INSTALL_FOCUS_PROBE = `(() => {
  document.activeElement && document.activeElement.blur();
  window.__focusSeen = new Set();
  window.__focusInvisible = [];
  document.addEventListener('focusin', (e) => {
    const el = e.target;
    window.__focusSeen.add(el);
    const s = getComputedStyle(el);
    const outlined = s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0;
    if (!outlined && s.boxShadow === 'none') window.__focusInvisible.push(el.outerHTML.slice(0, 120));
  }, true);
})()`;

const COLLECT_FOCUS_PROBE = `(() => {
  const seen = window.__focusSeen;
  const controls = [...document.querySelectorAll('button, input, textarea, select, a[href], summary, [tabindex]:not([tabindex="-1"])')]
    .filter((el) => !el.disabled && el.tabIndex >= 0 && el.checkVisibility({ checkVisibilityCSS: true, contentVisibilityAuto: true }));
  // a radio group is one Tab stop (arrow keys move inside): one reached radio covers its group
  const groups = new Set([...seen].filter((e) => e.type === 'radio').map((e) => e.name));
  const unreachable = controls
    .filter((el) => !seen.has(el))
    .filter((el) => !(el.type === 'radio' && groups.has(el.name)))
    .map((el) => el.outerHTML.slice(0, 120));
  return { unreachable, invisible: [...new Set(window.__focusInvisible)], reached: seen.size };
})()`;

/** Tabs through the page and returns the controls that never got focus, and those whose focus
 *  is not visible (no outline and no box-shadow). */
export async function keyboardAudit(page: Page, maxTabs = 120): Promise<{ unreachable: string[]; invisible: string[]; reached: number }> {
  await page.evaluate(INSTALL_FOCUS_PROBE);
  for (let i = 0; i < maxTabs; i++) await page.keyboard.press('Tab');
  return (await page.evaluate(COLLECT_FOCUS_PROBE)) as { unreachable: string[]; invisible: string[]; reached: number };
}
