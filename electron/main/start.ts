#!/usr/bin/env node
// `npm start`: the Electron app when an Electron runtime is available (the electron package's
// binary, or ELECTRON_OVERRIDE_DIST_PATH pointing at a system Electron such as
// /usr/lib/electron38), otherwise the browser host, saying so and printing the URL.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { APP_ROOT } from './compose';
import { runBrowserHost } from './host-main';

/** the Electron binary that would run, or why there is none (pure apart from the lookup) */
export function findElectron(resolve: () => string = () => require('electron') as string): { path?: string; why?: string } {
  let binary: string;
  try {
    binary = resolve();
  } catch (err) {
    void err;
    return { why: 'the electron npm package was installed without its binary' };
  }
  if (typeof binary !== 'string' || !fs.existsSync(binary)) return { why: `no Electron binary at ${binary}` };
  const probe = spawnSync(binary, ['--version'], { encoding: 'utf8', timeout: 10_000, env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' } });
  if (probe.status !== 0) return { why: `${binary} does not run (${(probe.stderr || probe.error?.message || '').trim().split('\n')[0]})` };
  return { path: binary };
}

function main(argv: string[]): void {
  const electron = findElectron();
  if (electron.path) {
    process.stdout.write(`Starting Braid with Electron (${electron.path})\n`);
    const child = spawn(electron.path, [APP_ROOT, ...argv], { stdio: 'inherit' });
    child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
    for (const sig of ['SIGINT', 'SIGTERM'] as const) process.on(sig, () => child.kill(sig));
    return;
  }
  const banner =
    `No Electron runtime found: ${electron.why}.\n` +
    'Set ELECTRON_OVERRIDE_DIST_PATH to an installed Electron (e.g. /usr/lib/electron38) for the desktop app.\n' +
    'Using the browser host instead (same app, no tray).';
  runBrowserHost(argv, banner).catch((err: Error) => {
    process.stderr.write(`braid: ${err.stack ?? err.message}\n`);
    process.exit(1);
  });
}

if (require.main === module) main(process.argv.slice(2));
