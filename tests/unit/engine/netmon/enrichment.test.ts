import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { detailsFromRaw, LinkEnrichment, nmcliMetered, parseMetered, WorkerCollector, type RawEnrichment } from '../../../../electron/engine/netmon/enrichment';
import { execRunner } from '../../../../electron/engine/system/command-runner';
import { LinkDetailsSchema } from '../../../../electron/protocol/control';
import type { CommandRunner } from '../../../../electron/engine/ports';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

// shaped like systeminformation 5's answers on a laptop with NetworkManager
const laptop: RawEnrichment = {
  interfaces: [
    { iface: 'lo', type: 'virtual', speed: null, duplex: '', dhcp: false },
    { iface: 'enp0s31f6', type: 'wired', speed: 1000, duplex: 'full', dhcp: true },
    { iface: 'wlp2s0', type: 'wireless', speed: -1, duplex: 'unknown', dhcp: true },
    { iface: 'veth0', type: 'wired', speed: 10000, duplex: 'Full', dhcp: false },
  ],
  wifiConnections: [
    { iface: 'wlp2s0', ssid: 'Cafe', signalLevel: -61, quality: 78, model: 'Wi-Fi 6 AX201' },
    { iface: 'wlp3s0', ssid: '', signalLevel: null, quality: null, model: null },
  ],
  wifiInterfaces: [{ iface: 'wlp2s0', vendor: 'Intel Corporation', model: 'Wi-Fi 6 AX201 160MHz' }],
};

test('systeminformation answers become per-link details; unknowns are left out', () => {
  const details = detailsFromRaw(laptop);
  assert.deepEqual(details.get('enp0s31f6'), { type: 'wired', speedMbps: 1000, duplex: 'full', dhcp: true });
  assert.deepEqual(details.get('wlp2s0'), {
    type: 'wireless',
    dhcp: true,
    vendor: 'Intel Corporation',
    model: 'Wi-Fi 6 AX201 160MHz',
    wifi: { ssid: 'Cafe', signalDbm: -61, quality: 78 },
  });
  assert.deepEqual(details.get('veth0'), { type: 'wired', speedMbps: 10000, duplex: 'full', dhcp: false });
  assert.deepEqual(details.get('lo'), { type: 'virtual', dhcp: false });
  assert.equal(details.has('wlp3s0'), false, 'a Wi-Fi interface without a connection adds nothing');
  for (const d of details.values()) assert.ok(LinkDetailsSchema.safeParse({ ...d, metered: 'unknown' }).success);
});

test('a Wi-Fi connection without a signal has no quality either', () => {
  const details = detailsFromRaw({ interfaces: [], wifiInterfaces: [], wifiConnections: [{ iface: 'wlan0', ssid: 'Home', signalLevel: null, quality: 200, model: 'x' }] });
  assert.deepEqual(details.get('wlan0'), { model: 'x', wifi: { ssid: 'Home' } });
});

test("NetworkManager's metered values map to yes, no or unknown", () => {
  assert.equal(parseMetered('yes\n'), 'yes');
  assert.equal(parseMetered('yes (guessed)\n'), 'yes');
  assert.equal(parseMetered('no\n'), 'no');
  assert.equal(parseMetered('no (guessed)'), 'no');
  assert.equal(parseMetered('unknown\n'), 'unknown');
  assert.equal(parseMetered(''), 'unknown');
  assert.equal(parseMetered('yesterday'), 'unknown');
});

test('nmcli missing, failing or throwing gives unknown, never an error', async () => {
  const calls: string[][] = [];
  const answering: CommandRunner = {
    run: async (argv) => {
      calls.push(argv);
      return { stdout: 'yes (guessed)\n', code: 0 };
    },
  };
  assert.equal(await nmcliMetered(answering, 'usb0'), 'yes');
  assert.deepEqual(calls[0], ['nmcli', '-t', '-g', 'GENERAL.METERED', 'device', 'show', 'usb0']);
  assert.equal(await nmcliMetered({ run: async () => ({ stdout: 'yes\n', code: 10 }) }, 'x'), 'unknown', 'unknown device');
  assert.equal(await nmcliMetered({ run: async () => Promise.reject(new Error('spawn nmcli ENOENT')) }, 'x'), 'unknown');
  // the real runner with a binary that does not exist
  const missing: CommandRunner = { run: (argv, options) => execRunner.run(['/nonexistent/nmcli', ...argv.slice(1)], options) };
  assert.equal(await nmcliMetered(missing, 'eth0'), 'unknown');
});

/** a controllable collect() and nmcli */
function fakes(raw: RawEnrichment = laptop) {
  const state = { at: [] as number[], collects: 0, fail: false as boolean | string, raw, metered: {} as Record<string, string>, nmcli: [] as string[], updates: 0, logs: [] as string[] };
  const runner: CommandRunner = {
    run: async (argv) => {
      const name = argv[argv.length - 1];
      state.nmcli.push(name);
      return { stdout: `${state.metered[name] ?? 'unknown'}\n`, code: 0 };
    },
  };
  const collect = async () => {
    state.collects += 1;
    state.at.push(Date.now());
    if (state.fail) throw new Error(typeof state.fail === 'string' ? state.fail : 'worker died');
    return state.raw;
  };
  return { state, runner, collect };
}

/** polls until the condition holds; timing tests wait for events, not for fixed sleeps */
async function waitFor(condition: () => boolean, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await sleep(5);
  }
}

test('details are gathered at start, then at most once per interval however often links change', async (t) => {
  const { state, runner, collect } = fakes();
  state.metered.wlp2s0 = 'yes';
  const enrichment = new LinkEnrichment({ collect, runner, log: (m) => state.logs.push(m), onUpdate: () => state.updates++, minIntervalMs: 300, periodMs: 60_000 });
  t.after(() => enrichment.stop());
  enrichment.start(['enp0s31f6', 'wlp2s0']);
  await waitFor(() => state.updates >= 1);
  assert.equal(state.collects, 1, 'at start');
  assert.deepEqual(enrichment.details('wlp2s0'), { ...detailsFromRaw(laptop).get('wlp2s0'), metered: 'yes' });
  assert.deepEqual(enrichment.details('enp0s31f6')?.metered, 'unknown');
  assert.equal(enrichment.isMetered('wlp2s0'), true);
  assert.equal(enrichment.isMetered('enp0s31f6'), false);
  assert.equal(enrichment.details('eth9'), undefined, 'nothing known about other names');

  const burstAt = Date.now();
  for (let i = 0; i < 20; i++) {
    enrichment.linksChanged(['enp0s31f6', 'wlp2s0']);
    await new Promise((resolve) => setImmediate(resolve));
  }
  assert.equal(state.collects, 1, 'changes within the interval wait');
  await waitFor(() => state.collects === 2);
  assert.ok(state.at[1] - state.at[0] >= 290, `second pass ${state.at[1] - state.at[0]} ms after the first`);
  await sleep(Math.max(0, 700 - (Date.now() - burstAt)));
  assert.equal(state.collects, 2, 'one pass for the whole burst, nothing more without a change');
  assert.deepEqual(state.logs, []);
});

test('details are gathered again every period without any change', async (t) => {
  const { state, runner, collect } = fakes();
  const enrichment = new LinkEnrichment({ collect, runner, log: () => undefined, onUpdate: () => undefined, minIntervalMs: 20, periodMs: 150 });
  t.after(() => enrichment.stop());
  enrichment.start(['eth0']);
  await waitFor(() => state.collects >= 3);
  for (let i = 1; i < state.at.length; i++) assert.ok(state.at[i] - state.at[i - 1] >= 140, `passes ${state.at[i] - state.at[i - 1]} ms apart`);
  assert.ok(state.nmcli.filter((n) => n === 'eth0').length >= 3, 'the metered flag is re-read with every pass');
});

test("a new link's metered flag is read at once, without waiting for the interval", async (t) => {
  const { state, runner, collect } = fakes();
  const enrichment = new LinkEnrichment({ collect, runner, log: () => undefined, onUpdate: () => state.updates++, minIntervalMs: 10_000, periodMs: 60_000 });
  t.after(() => enrichment.stop());
  enrichment.start(['enp0s31f6']);
  await waitFor(() => state.updates >= 1);
  const updates = state.updates;
  state.metered.usb0 = 'yes (guessed)';
  enrichment.linksChanged(['enp0s31f6', 'usb0']);
  await waitFor(() => enrichment.isMetered('usb0'));
  assert.equal(state.collects, 1, 'no systeminformation pass inside the interval');
  assert.equal(state.updates, updates + 1, 'the engine is told');
  enrichment.linksChanged(['enp0s31f6']); // unplugged
  assert.equal(enrichment.isMetered('usb0'), false);
  state.metered.usb0 = 'no';
  enrichment.linksChanged(['enp0s31f6', 'usb0']); // a different phone on the same name
  await waitFor(() => enrichment.details('usb0')?.metered === 'no');
  assert.equal(state.collects, 1);
});

test('when details cannot be gathered it says so once and the links keep working', async (t) => {
  const { state, runner, collect } = fakes();
  state.fail = 'Cannot find module enrichment-worker.js';
  state.metered.eth0 = 'no';
  const enrichment = new LinkEnrichment({ collect, runner, log: (m) => state.logs.push(m), onUpdate: () => state.updates++, minIntervalMs: 20, periodMs: 40 });
  t.after(() => enrichment.stop());
  enrichment.start(['eth0']);
  await waitFor(() => state.collects >= 3); // keeps trying
  assert.equal(state.logs.length, 1, 'logged once');
  assert.match(state.logs[0], /link details .* unavailable: Cannot find module enrichment-worker.js; links work without them/);
  assert.deepEqual(enrichment.details('eth0'), { metered: 'no' }, 'nmcli still answers');
  state.fail = false;
  state.raw = { interfaces: [{ iface: 'eth0', type: 'wired', speed: 100, duplex: 'half', dhcp: false }], wifiConnections: [], wifiInterfaces: [] };
  await waitFor(() => enrichment.details('eth0')?.type !== undefined);
  assert.deepEqual(enrichment.details('eth0'), { type: 'wired', speedMbps: 100, duplex: 'half', dhcp: false, metered: 'no' });
  state.fail = true;
  await waitFor(() => enrichment.details('eth0')?.type === undefined); // no stale details after a failure
  assert.deepEqual(enrichment.details('eth0'), { metered: 'no' });
  assert.equal(state.logs.length, 1);
});

test('after stop nothing runs and nothing is reported', async () => {
  const { state, runner, collect } = fakes();
  const enrichment = new LinkEnrichment({ collect, runner, log: () => undefined, onUpdate: () => state.updates++, minIntervalMs: 10, periodMs: 20 });
  enrichment.start(['eth0']);
  enrichment.stop();
  const collects = state.collects;
  await sleep(80);
  enrichment.linksChanged(['eth0', 'usb0']);
  await sleep(30);
  assert.equal(state.collects, collects);
  assert.deepEqual(state.nmcli, ['eth0']);
});

test('the worker runs systeminformation and answers with the machine interfaces', async (t) => {
  const collector = new WorkerCollector();
  t.after(() => collector.stop());
  const raw = await collector.collect();
  const names = Object.keys(os.networkInterfaces());
  assert.ok(names.length > 0);
  for (const name of names) assert.ok(raw.interfaces.some((i) => i.iface === name), `${name} in ${JSON.stringify(raw.interfaces)}`);
  assert.ok(Array.isArray(raw.wifiConnections));
  assert.ok(Array.isArray(raw.wifiInterfaces));
  const again = await collector.collect(); // the same worker serves the next pass
  assert.equal(again.interfaces.length, raw.interfaces.length);
});

function workerFile(t: { after(fn: () => void): void }, source: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'braid-worker-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const file = path.join(dir, 'worker.js');
  fs.writeFileSync(file, source);
  return file;
}

test("a worker that blocks for its shell calls does not block the engine's event loop", async (t) => {
  // stands in for systeminformation's execSync calls: 600 ms of a blocked thread
  const file = workerFile(
    t,
    `const { parentPort } = require('node:worker_threads');
     parentPort.on('message', ({ id }) => {
       const until = Date.now() + 600; while (Date.now() < until) {}
       parentPort.postMessage({ id, ok: true, data: { interfaces: [{ iface: 'eth0', type: 'wired', speed: 1000 }], wifiConnections: [], wifiInterfaces: [] } });
     });`,
  );
  const collector = new WorkerCollector(file);
  t.after(() => collector.stop());
  let worst = 0;
  let last = Date.now();
  const tick = setInterval(() => {
    const now = Date.now();
    worst = Math.max(worst, now - last);
    last = now;
  }, 10);
  const started = Date.now();
  const raw = await collector.collect();
  clearInterval(tick);
  assert.ok(Date.now() - started >= 590, 'the worker did block');
  assert.equal(raw.interfaces[0].speed, 1000);
  assert.ok(worst < 200, `event loop stalled ${worst} ms`);
});

test('a worker that is missing, crashes, reports an error or hangs fails the pass, and the next pass gets a new worker', async (t) => {
  await assert.rejects(new WorkerCollector('/nonexistent/enrichment-worker.js').collect(), /Cannot find module/);

  const crashing = workerFile(t, `require('node:worker_threads').parentPort.on('message', () => process.exit(3));`);
  const crash = new WorkerCollector(crashing);
  t.after(() => crash.stop());
  await assert.rejects(crash.collect(), /exited \(code 3\)/);
  await assert.rejects(crash.collect(), /exited \(code 3\)/, 'a second worker is started and fails the same way');

  const erroring = workerFile(t, `const { parentPort } = require('node:worker_threads'); parentPort.on('message', ({ id }) => parentPort.postMessage({ id, ok: false, error: 'no /sys' }));`);
  const error = new WorkerCollector(erroring);
  t.after(() => error.stop());
  await assert.rejects(error.collect(), /no \/sys/);

  const hanging = workerFile(
    t,
    // the first worker ever started never answers anything; the ones after it do
    `const { parentPort } = require('node:worker_threads'); const fs = require('node:fs'); const mark = __filename + '.hung';
     const hangs = !fs.existsSync(mark); fs.writeFileSync(mark, '');
     parentPort.on('message', ({ id }) => {
       if (!hangs) parentPort.postMessage({ id, ok: true, data: { interfaces: [], wifiConnections: [], wifiInterfaces: [] } });
     });`,
  );
  const hang = new WorkerCollector(hanging, 100);
  t.after(() => hang.stop());
  await assert.rejects(hang.collect(), /did not answer within 100 ms/);
  assert.deepEqual(await hang.collect(), { interfaces: [], wifiConnections: [], wifiInterfaces: [] }, 'the hung worker was replaced');
});
