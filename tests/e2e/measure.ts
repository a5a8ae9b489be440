#!/usr/bin/env node
// Figures for the closing note (not a test): renderer heap over time and the browser host's
// CPU use, with the fake engine reporting 5 links at 1 Hz through the real control socket.
//   npm run build && node dist/tests/e2e/measure.js [minutes=10]
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { APP_ROOT } from '../../electron/main/compose';
import { openBrowser } from './browser';
import { FakeEngine, serveFakeEngine } from './fake-engine';

const LINKS = [
  { name: 'eth0', kind: 'ethernet' as const, capacityMbit: 300, mode: 'on' as const },
  { name: 'wlan0', kind: 'wifi' as const, capacityMbit: 120, mode: 'on' as const },
  { name: 'usb0', kind: 'usb-tether' as const, capacityMbit: 40, mode: 'on' as const },
  { name: 'wwan0', kind: 'wwan' as const, capacityMbit: 25, mode: 'backup' as const },
  { name: 'eth1', kind: 'ethernet' as const, capacityMbit: 90, mode: 'on' as const },
];

function cpuTicks(pid: number): number {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(f[11]) + Number(f[12]); // utime + stime
}

async function cpuPercent(pid: number, seconds: number): Promise<number> {
  const hz = 100; // USER_HZ on Linux
  const a = cpuTicks(pid);
  await new Promise((r) => setTimeout(r, seconds * 1000));
  return ((cpuTicks(pid) - a) / hz / seconds) * 100;
}

async function main(): Promise<void> {
  const minutes = Number(process.argv[2] ?? 10);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'braid-measure-'));
  const socket = path.join(dir, 'engine.sock');
  const fake = await serveFakeEngine(socket, new FakeEngine(LINKS, true, 1000));
  const host = spawn(process.execPath, [path.join(APP_ROOT, 'dist', 'electron', 'main', 'host-main.js'), '--socket', socket, '--config-dir', path.join(dir, 'config')], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    host.stdout!.on('data', (d) => {
      out += d;
      const m = /(http:\/\/127\.0\.0\.1:\d+\/\S+\/)/.exec(out);
      if (m) resolve(m[1]!);
    });
    host.once('exit', () => reject(new Error(`browser host exited: ${out}`)));
  });
  try {
    await new Promise((r) => setTimeout(r, 3000));
    const noWindow = await cpuPercent(host.pid!, 30);
    console.log(`browser host CPU, engine at 1 Hz, no window: ${noWindow.toFixed(2)} % of one core (30 s)`);
    const browser = await openBrowser(url);
    const cdp = await browser.context.newCDPSession(browser.page);
    const heap = async () => {
      await cdp.send('HeapProfiler.collectGarbage');
      const { usedSize } = (await cdp.send('Runtime.getHeapUsage')) as { usedSize: number };
      return usedSize / 1e6;
    };
    await browser.page.getByRole('heading', { name: 'Connected', exact: true }).waitFor({ timeout: 10_000 });
    const withWindow = await cpuPercent(host.pid!, 30);
    console.log(`browser host CPU, engine at 1 Hz, window open: ${withWindow.toFixed(2)} % of one core (30 s)`);
    const points: [number, number][] = [];
    const start = Date.now();
    for (let m = 0; m <= minutes; m++) {
      if (m > 0) await new Promise((r) => setTimeout(r, 60_000));
      const mb = await heap();
      points.push([(Date.now() - start) / 60_000, mb]);
      console.log(`renderer heap after ${m} min: ${mb.toFixed(1)} MB`);
    }
    // least-squares slope of heap over time
    const n = points.length;
    const mx = points.reduce((s, p) => s + p[0], 0) / n;
    const my = points.reduce((s, p) => s + p[1], 0) / n;
    const slope = points.reduce((s, p) => s + (p[0] - mx) * (p[1] - my), 0) / Math.max(1e-9, points.reduce((s, p) => s + (p[0] - mx) ** 2, 0));
    console.log(`renderer heap: max ${Math.max(...points.map((p) => p[1])).toFixed(1)} MB, trend ${slope.toFixed(3)} MB/min over ${minutes} min`);
    console.log(`console errors: ${browser.errors.length}`);
    await browser.close();
  } finally {
    host.kill('SIGTERM');
    await fake.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err: Error) => {
  console.error(err.stack ?? err.message);
  process.exit(1);
});
