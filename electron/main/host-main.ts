#!/usr/bin/env node
// Entry of the browser host as a program: `node dist/electron/main/host-main.js [--socket P]
// [--port N] [--config-dir D] [--engine-config F]`. Prints the URL to open.
import path from 'node:path';
import { startBrowserHost } from './browser-host';
import { APP_ROOT, composeMain } from './compose';
import { OptionsError, parseMainOptions } from './options';

export async function runBrowserHost(argv: string[], banner?: string): Promise<void> {
  const log = (m: string) => process.stderr.write(`${new Date().toISOString()} ${m}\n`);
  let options;
  try {
    options = parseMainOptions(argv, process.env, process.getuid?.() === 0);
  } catch (err) {
    if (err instanceof OptionsError) {
      process.stderr.write(`braid: ${err.message}\n`);
      process.exit(2);
    }
    throw err;
  }
  if (banner) process.stdout.write(`${banner}\n`);
  const composed = composeMain(options, { host: 'browser', log });
  composed.core.start();
  const host = await startBrowserHost({
    core: composed.core,
    rendererDir: path.join(APP_ROOT, 'dist', 'renderer'),
    port: options.port,
    log,
  });
  process.stdout.write(`Braid is running in the browser host. Open this address in a browser on this machine:\n\n  ${host.url}\n\n`);
  const stop = async () => {
    await host.close();
    await composed.stop();
    process.exit(0);
  };
  process.once('SIGINT', () => void stop());
  process.once('SIGTERM', () => void stop());
}

if (require.main === module) {
  runBrowserHost(process.argv.slice(2)).catch((err: Error) => {
    process.stderr.write(`braid: ${err.stack ?? err.message}\n`);
    process.exit(1);
  });
}
