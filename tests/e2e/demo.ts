#!/usr/bin/env node
// `npm run demo` (as root): three emulated links into a local braid server, braidd bonding
// them, the browser host showing it live, and a gentle download load so the numbers move.
// Everything lives in fresh network namespaces and is removed on Ctrl-C.
import { startLabApp, startLoad } from './lab-app';

const RATES = [50, 20, 10];
/** the demo's load runs in bounded pieces; the demo itself stops after this long */
const DEMO_SECONDS = 30 * 60;
const LOAD_PIECE_SECONDS = 60;

async function main(): Promise<void> {
  if (process.getuid?.() !== 0) {
    process.stderr.write('npm run demo builds network namespaces: run it as root (sudo npm run demo)\n');
    process.exit(1);
  }
  process.stdout.write(`Building the lab: links of ${RATES.join(', ')} Mbit/s, a braid server and braidd…\n`);
  const app = await startLabApp({ rates: RATES, port: Number(process.env.BRAID_DEMO_PORT ?? 0), log: (m) => process.stderr.write(`${m}\n`) });
  const ends = Date.now() + DEMO_SECONDS * 1000;
  let stopping = false;
  const loadLoop = async () => {
    // a download through the tunnel, 60 s at a time, with a pause so the chart breathes
    while (!stopping && Date.now() < ends) {
      const load = startLoad(app, LOAD_PIECE_SECONDS);
      await load.exited;
      await new Promise((r) => setTimeout(r, 10_000));
    }
  };
  process.stdout.write(
    `\nBraid demo is running (browser host; no Electron runtime is needed).\nOpen this address in a browser on this machine:\n\n  ${app.host.url}\n\n` +
      `Try: switch a link to Off or Backup, or take one down:  ip -n ${app.lab.ns.client} link set bl1 down\n` +
      `Ctrl-C stops everything and removes the namespaces (it also stops by itself after ${DEMO_SECONDS / 60} minutes).\n`,
  );
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    process.stdout.write('\nStopping the demo…\n');
    await app.stop();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());
  setTimeout(() => void stop(), DEMO_SECONDS * 1000).unref();
  await loadLoop();
}

main().catch((err: Error) => {
  process.stderr.write(`demo failed: ${err.stack ?? err.message}\n`);
  process.exit(1);
});
