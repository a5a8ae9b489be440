// Development aid: the browser host against the fake engine behind the real control socket.
//   npm run build && node dist/tests/e2e/dev-fake.js [--socket /tmp/x.sock] [--config-dir DIR]
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startBrowserHost } from '../../electron/main/browser-host';
import { APP_ROOT, composeMain } from '../../electron/main/compose';
import { parseMainOptions } from '../../electron/main/options';
import { serveFakeEngine } from './fake-engine';

async function main(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'braid-fake-'));
  const socket = path.join(dir, 'engine.sock');
  const fake = await serveFakeEngine(socket);
  const options = parseMainOptions(['--socket', socket, '--config-dir', path.join(dir, 'config'), ...process.argv.slice(2)], {}, false);
  const composed = composeMain(options, { host: 'browser' });
  composed.core.start();
  const host = await startBrowserHost({ core: composed.core, rendererDir: path.join(APP_ROOT, 'dist', 'renderer'), port: options.port });
  process.stdout.write(`fake engine at ${socket}\n${host.url}\n`);
  process.on('SIGINT', async () => {
    await host.close();
    await composed.stop();
    await fake.close();
    fs.rmSync(dir, { recursive: true, force: true });
    process.exit(0);
  });
}
void main();
