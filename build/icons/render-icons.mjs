#!/usr/bin/env node
// Renders build/icons/braid.svg to the PNG sizes of the hicolor theme (build/icons/png/NxN.png,
// also electron-builder's linux.icon directory) with headless Chromium. The PNGs are committed;
// run this again after changing the SVG: node build/icons/render-icons.mjs
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

export const ICON_SIZES = [16, 24, 32, 48, 64, 128, 256, 512];
const here = path.dirname(fileURLToPath(import.meta.url));
const svg = fs.readFileSync(path.join(here, 'braid.svg'), 'utf8');
const outDir = path.join(here, 'png');
fs.mkdirSync(outDir, { recursive: true });

const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'braid-icons-'));
let browser;
try {
  browser = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
    deviceScaleFactor: 1,
  });
  const page = await browser.newPage();
  const src = `data:image/svg+xml;base64,${Buffer.from(svg).toString('base64')}`;
  for (const size of ICON_SIZES) {
    await page.setViewportSize({ width: size, height: size });
    await page.setContent(`<html><body style="margin:0;background:transparent"><img src="${src}" width="${size}" height="${size}" style="display:block"></body></html>`);
    await page.waitForFunction(() => document.images[0]?.complete);
    await page.screenshot({ path: path.join(outDir, `${size}x${size}.png`), omitBackground: true, clip: { x: 0, y: 0, width: size, height: size } });
  }
} finally {
  await browser?.close();
  fs.rmSync(profile, { recursive: true, force: true });
}
process.stdout.write(`rendered ${ICON_SIZES.length} sizes to ${outDir}\n`);
