// The app against the real engine: a namespace lab with N shaped links, a real `braid server`
// and braidd (tests/netns/braid.ts), and the browser host running the real main-side modules
// against braidd's control socket. Shared by the e2e test and `npm run demo`.
//
//   chromium --ws--> browser host (root ns: AppCore, engine client)
//                         | control socket (unix, root-owned temp dir)
//   client ns: braidd, braid0 --bl0/bl1/bl2 (TBF)--> server ns: braid server --> internet ns
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startBrowserHost, type BrowserHost } from '../../electron/main/browser-host';
import { APP_ROOT, composeMain, type Composed } from '../../electron/main/compose';
import { parseMainOptions } from '../../electron/main/options';
import { BraidLab, waitForStatus } from '../netns/braid';
import { Lab, type LabProcess } from '../netns/lab';

export interface LabApp {
  lab: Lab;
  braid: BraidLab;
  composed: Composed;
  host: BrowserHost;
  configDir: string;
  /** iperf3 server in the internet namespace (load goes through the tunnel) */
  iperfServer: LabProcess;
  stop(): Promise<void>;
}

export interface LabAppOptions {
  rates: number[];
  port?: number;
  log?: (m: string) => void;
}

export async function startLabApp(options: LabAppOptions): Promise<LabApp> {
  const log = options.log ?? (() => {});
  const lab = await Lab.create({ links: options.rates.map((rateMbit) => ({ rateMbit })) });
  let braid: BraidLab | undefined;
  let composed: Composed | undefined;
  let host: BrowserHost | undefined;
  let iperfServer: LabProcess | undefined;
  const configDir = fs.mkdtempSync(path.join(os.tmpdir(), 'braid-app-config-'));
  const stop = async () => {
    await host?.close().catch(() => {});
    await composed?.stop().catch(() => {});
    await iperfServer?.kill().catch(() => {});
    await braid?.stop().catch(() => {});
    await lab.destroy();
    fs.rmSync(configDir, { recursive: true, force: true });
  };
  try {
    braid = new BraidLab(lab, { reconnect: { initialMs: 200, maxMs: 1000 } });
    await braid.start();
    await waitForStatus(braid.clientSocket, (s) => s.mode === 'client' && s.tunnel.state === 'connected', 20_000);
    log(`lab ${lab.ns.client}: braid server and braidd running, control socket ${braid.clientSocket}`);
    iperfServer = lab.spawn('internet', ['iperf3', '-s', '--forceflush', '-p', '5201']);
    await iperfServer.waitFor(/Server listening/, 5000);
    const mainOptions = parseMainOptions(['--socket', braid.clientSocket, '--config-dir', configDir], {}, true);
    composed = composeMain(mainOptions, { host: 'browser', log });
    composed.core.start();
    host = await startBrowserHost({ core: composed.core, rendererDir: path.join(APP_ROOT, 'dist', 'renderer'), port: options.port ?? 0, log });
    return { lab, braid, composed, host, configDir, iperfServer, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

/** a bounded iperf3 run from the client namespace through the tunnel to the internet host */
export function startLoad(app: LabApp, seconds: number, reverse = true): LabProcess {
  const argv = ['iperf3', '-c', app.lab.internetAddress, '-p', '5201', '-t', String(Math.max(1, Math.round(seconds))), '-P', '4', '--connect-timeout', '3000'];
  if (reverse) argv.push('-R');
  return app.lab.spawn('client', argv);
}
