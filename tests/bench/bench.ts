// `npm run bench`: Braid against the sum of its links, raw MPTCP and a peer tunnel, in one run,
// in one lab (tests/netns/lab.ts), with two link shapes:
//   50/20/10  three TBF-shaped links (Mbit/s): how much of the nominal sum each way gets;
//   unshaped  three unshaped veth links: CPU-bound, what the data path costs.
// Rows: nominal sum; one TCP flow over the best link; raw MPTCP (iperf3 under `mptcpize run`,
// per-source policy routing + `subflow` endpoints); OpenVPN 2.6 TCP over MPTCP (tests/bench/
// openvpn.ts); Braid (tests/bench/braid.ts hook: "not available" until the engine exists).
// Every row sends to the internet host through the server ns (lab NAT for the link subnets and
// OpenVPN's pool; Braid NATs its own pool), so every row crosses the same hops.
// Per row: upload (client -> internet) and download (-R) goodput, CPU seconds per GB at each
// tunnel end (utime+stime of the tunnel processes over the bytes that crossed the server's
// uplink; n/a for kernel-only rows, whose cost is in softirq and not attributable per process),
// ping RTT to the internet host idle and during the upload (5 Hz), VmRSS of the tunnel processes.
// Output: an aligned table, explicit ratios, and test-artifacts/bench.json.
//
// All lab namespaces use cubic (see tests/netns/lab.ts: this kernel's default bbr misbehaves in a
// zero-delay lab). The unshaped rows are CPU-bound on a shared 2-core machine: the load average
// before and after is printed and saved; rerun when it was high.
//
// Failover rows (tests/bench/failover.ts, docs/bench.md): on 50/20/10, link bl0 down for 3 s under
// one bulk flow, upload and download, OpenVPN-over-MPTCP and Braid: the gap until throughput
// recovers on the remaining links, the time until full rate after the link returns, and Braid's
// own reported gap.
//
// Options: --seconds N (default 8, plus 1 s warm-up left out by iperf3 -O), --shape shaped|unshaped,
// --only throughput|failover (default both), --failover-dir up|down (default both),
// --openvpn-relink if-gone|always (OpenVPN's link-up hook in the failover rows, default if-gone),
// --failover-runs N (flows per direction and tunnel, default 2).
// The whole default run takes about 5 minutes.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CLIENT_SUPERNET, DEFAULT_CONGESTION, Lab, type PingResult } from '../netns/lab';
import { runIperf, startIperfServer } from '../netns/iperf';
import { applyMptcpPolicy, readMib, type MptcpPolicy } from '../netns/mptcp-policy';
import { BraidUnavailable, startBraid } from './braid';
import { OPENVPN_POOL, startOpenvpn } from './openvpn';
import { cpuSeconds, rssKiB } from './procstat';
import { runFailover, type Direction, type FailoverResult, type RelinkMode } from './failover';
import { failoverNotes, failoverRatios, failoverTable } from './failover-report';

const SHAPED = [50, 20, 10];
const TIME_LIMIT_MS = 8 * 60_000;
const PING_HZ = 5;

interface Args {
  seconds: number;
  shapes: Array<'shaped' | 'unshaped'>;
  throughput: boolean;
  failover: Direction[];
  openvpnRelink: RelinkMode;
  failoverRuns: number;
}

function parseArgs(argv: string[]): Args {
  const a: Args = { seconds: 8, shapes: ['shaped', 'unshaped'], throughput: true, failover: ['up', 'down'], openvpnRelink: 'if-gone', failoverRuns: 2 };
  let only: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--seconds') a.seconds = Number(argv[++i]);
    else if (argv[i] === '--shape') a.shapes = [argv[++i] as 'shaped' | 'unshaped'];
    else if (argv[i] === '--only') only = argv[++i];
    else if (argv[i] === '--failover-dir') a.failover = [argv[++i] as Direction];
    else if (argv[i] === '--failover-runs') a.failoverRuns = Number(argv[++i]);
    else if (argv[i] === '--openvpn-relink') a.openvpnRelink = argv[++i] as RelinkMode;
    else throw new Error(`unknown argument ${argv[i]}`);
  }
  if (!(a.seconds >= 2 && a.seconds <= 30)) throw new Error('--seconds must be 2..30');
  if (a.shapes.some((s) => s !== 'shaped' && s !== 'unshaped')) throw new Error('--shape shaped|unshaped');
  if (a.failover.some((d) => d !== 'up' && d !== 'down')) throw new Error('--failover-dir up|down');
  if (!(Number.isInteger(a.failoverRuns) && a.failoverRuns >= 1 && a.failoverRuns <= 5)) throw new Error('--failover-runs must be 1..5');
  if (a.openvpnRelink !== 'if-gone' && a.openvpnRelink !== 'always') throw new Error('--openvpn-relink if-gone|always');
  if (only !== undefined && only !== 'throughput' && only !== 'failover') throw new Error('--only throughput|failover');
  if (only === 'throughput') a.failover = [];
  if (only === 'failover') a.throughput = false;
  return a;
}

interface DirResult {
  mbit: number;
  retransmits: number | null;
  /** bytes through the server's uplink during the run (all rows cross it) */
  uplinkBytes: number;
  /** share of the bytes carried by each link (server-side counters), in % */
  linkSharePct: number[];
  cpuClientSPerGB: number | null;
  cpuServerSPerGB: number | null;
}

interface RowResult {
  row: 'nominal' | 'tcp-best-link' | 'raw-mptcp' | 'openvpn-mptcp' | 'braid';
  label: string;
  available: boolean;
  /** why a row has no numbers, or a failure */
  note?: string;
  failed?: boolean;
  up?: DirResult;
  down?: DirResult;
  nominalMbit?: number | null;
  rttIdleMs?: number | null;
  rttLoadedMs?: number | null;
  rttLoadedP90Ms?: number | null;
  rttLoadedMeanMs?: number | null;
  /** every loaded-ping RTT, in order */
  rttLoadedSamplesMs?: number[];
  loadedPingLoss?: number | null;
  rssClientMiB?: number | null;
  rssServerMiB?: number | null;
  subflows?: number | null;
}

interface ShapeResult {
  shape: string;
  ratesMbit: Array<number | null>;
  rows: RowResult[];
}

interface Tunnel {
  clientPids: number[];
  serverPids: number[];
  device?: string;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function quantile(xs: number[], q: number): number | null {
  if (!xs.length) return null;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))];
}

/** byte counters of every server-ns interface (the uplink and the server end of each link) */
async function serverCounters(lab: Lab): Promise<Map<string, { rx: number; tx: number }>> {
  const { stdout } = await lab.exec('server', ['ip', '-s', '-j', 'link', 'show']);
  const j = JSON.parse(stdout) as Array<{ ifname: string; stats64: { rx: { bytes: number }; tx: { bytes: number } } }>;
  return new Map(j.map((i) => [i.ifname, { rx: i.stats64.rx.bytes, tx: i.stats64.tx.bytes }]));
}

/** the device the client ns uses to reach the internet host */
async function routeDevice(lab: Lab, source?: string): Promise<string> {
  const argv = ['ip', '-j', 'route', 'get', lab.internetAddress];
  if (source) argv.push('from', source);
  const { stdout } = await lab.exec('client', argv);
  return (JSON.parse(stdout) as Array<{ dev: string }>)[0].dev;
}

/** client-ns state a stopped tunnel must not leave: MPTCP endpoints, policy rules, routes */
async function leftovers(lab: Lab): Promise<string[]> {
  const out: string[] = [];
  const eps = (await lab.exec('client', ['ip', 'mptcp', 'endpoint', 'show'])).stdout.trim();
  if (eps) out.push(`endpoints: ${eps.split('\n').length}`);
  const rules = (await lab.exec('client', ['ip', 'rule', 'show'])).stdout.split('\n').filter((l) => l.trim() && !/^(0|32766|32767):/.test(l));
  if (rules.length) out.push(`rules: ${rules.map((r) => r.trim()).join(', ')}`);
  const dev = await routeDevice(lab);
  if (!lab.links.some((l) => l.name === dev)) out.push(`internet route via ${dev}`);
  return out;
}

/** removes endpoints and non-default rules from the client ns */
async function scrubClient(lab: Lab): Promise<void> {
  await lab.exec('client', ['ip', 'mptcp', 'endpoint', 'flush']);
  for (const line of (await lab.exec('client', ['ip', 'rule', 'show'])).stdout.split('\n')) {
    const m = /^(\d+):/.exec(line);
    if (m && !['0', '32766', '32767'].includes(m[1])) await lab.exec('client', ['ip', 'rule', 'del', 'pref', m[1]], { allowFail: true });
  }
}

async function measure(lab: Lab, seconds: number, o: { mptcp?: boolean; bind?: string; tunnel?: Tunnel }): Promise<Partial<RowResult>> {
  const ping = (count: number) => lab.ping('client', lab.internetAddress, { count, intervalMs: 1000 / PING_HZ, source: o.bind });
  const idle = await ping(10);
  if (idle.received === 0) throw new Error(`internet host unreachable (idle ping lost ${idle.transmitted})`);
  const pids = o.tunnel;
  const dir = async (reverse: boolean): Promise<{ d: DirResult; loaded?: PingResult; rss?: [number, number] }> => {
    const c0 = pids ? [cpuSeconds(pids.clientPids), cpuSeconds(pids.serverPids)] : null;
    const b0 = await serverCounters(lab);
    const run = runIperf(lab, 'client', lab.internetAddress, { seconds, omitSeconds: 1, reverse, mptcp: o.mptcp, bind: o.bind });
    let loaded: PingResult | undefined;
    let rss: [number, number] | undefined;
    if (!reverse) {
      // 5 Hz from 1.5 s in (past slow start) until ~0.5 s before the end
      await sleep(1500);
      loaded = await ping(Math.max(3, Math.floor((seconds + 1 - 2) * PING_HZ)));
      if (pids) rss = [rssKiB(pids.clientPids) / 1024, rssKiB(pids.serverPids) / 1024];
    }
    const r = await run;
    const b1 = await serverCounters(lab);
    const delta = (ifname: string) => {
      const [x, y] = [b0.get(ifname), b1.get(ifname)];
      if (!x || !y) return 0;
      return reverse ? y.tx - x.tx : y.rx - x.rx; // what crossed the link towards the internet / back
    };
    const up0 = b0.get(lab.serverUplinkIf)!;
    const up1 = b1.get(lab.serverUplinkIf)!;
    const bytes = reverse ? up1.rx - up0.rx : up1.tx - up0.tx;
    const perLink = lab.links.map((l) => delta(l.serverIf));
    const linkTotal = perLink.reduce((a, b) => a + b, 0);
    const linkSharePct = perLink.map((b) => (linkTotal > 0 ? (100 * b) / linkTotal : 0));
    const perGB = (cpu: number) => (bytes > 0 ? cpu / (bytes / 1e9) : null);
    let cpuC: number | null = null;
    let cpuS: number | null = null;
    if (pids && c0) {
      cpuC = perGB(cpuSeconds(pids.clientPids) - c0[0]);
      cpuS = perGB(cpuSeconds(pids.serverPids) - c0[1]);
    }
    return { d: { mbit: r.mbit, retransmits: r.retransmits, uplinkBytes: bytes, linkSharePct, cpuClientSPerGB: cpuC, cpuServerSPerGB: cpuS }, loaded, rss };
  };
  const up = await dir(false);
  const down = await dir(true);
  const loaded = up.loaded!;
  return {
    up: up.d,
    down: down.d,
    rttIdleMs: idle.medianMs,
    rttLoadedMs: loaded.medianMs,
    rttLoadedP90Ms: quantile(loaded.rttsMs, 0.9),
    rttLoadedMeanMs: loaded.avgMs,
    rttLoadedSamplesMs: loaded.rttsMs,
    loadedPingLoss: loaded.transmitted ? 1 - loaded.received / loaded.transmitted : null,
    rssClientMiB: up.rss?.[0] ?? null,
    rssServerMiB: up.rss?.[1] ?? null,
  };
}

async function runShape(lab: Lab, shape: 'shaped' | 'unshaped', seconds: number, log: (s: string) => void): Promise<ShapeResult> {
  const rates = shape === 'shaped' ? SHAPED : SHAPED.map(() => undefined);
  for (let i = 0; i < rates.length; i++) await lab.setRate(i, rates[i]);
  const nominal = shape === 'shaped' ? SHAPED.reduce((a, b) => a + b, 0) : null;
  const rows: RowResult[] = [
    { row: 'nominal', label: 'nominal sum of links', available: nominal !== null, nominalMbit: nominal, note: nominal === null ? 'unshaped: CPU-bound' : undefined },
  ];
  const best = shape === 'shaped' ? SHAPED.indexOf(Math.max(...SHAPED)) : 0;
  const attempt = async (base: RowResult, fn: () => Promise<Partial<RowResult>>) => {
    log(`[${shape}] ${base.label} ...`);
    try {
      Object.assign(base, await fn());
    } catch (e) {
      if (e instanceof BraidUnavailable) Object.assign(base, { available: false, note: `not available: ${e.message}` });
      else Object.assign(base, { available: false, failed: true, note: `FAILED: ${(e as Error).message.split('\n')[0]}` });
    }
    rows.push(base);
    log(`[${shape}] ${base.label}: ${base.available ? `up ${base.up?.mbit.toFixed(1)} down ${base.down?.mbit.toFixed(1)} Mbit/s` : base.note}`);
  };

  let policy: MptcpPolicy | null = await applyMptcpPolicy(lab);
  try {
    const bestLink = lab.links[best];
    await attempt({ row: 'tcp-best-link', label: `TCP, best link (${bestLink.name})`, available: true }, async () => {
      const dev = await routeDevice(lab, bestLink.clientAddress);
      if (dev !== bestLink.name) throw new Error(`route from ${bestLink.clientAddress} uses ${dev}, not ${bestLink.name}`);
      return { ...(await measure(lab, seconds, { bind: bestLink.clientAddress })), subflows: 1 };
    });
    await attempt({ row: 'raw-mptcp', label: 'raw MPTCP (mptcpize iperf3)', available: true }, async () => {
      const before = await readMib(lab, 'client');
      const m = await measure(lab, seconds, { mptcp: true });
      const after = await readMib(lab, 'client');
      const conns = (after.MPTcpExtMPCapableSYNACKRX ?? 0) - (before.MPTcpExtMPCapableSYNACKRX ?? 0);
      const joins = (after.MPTcpExtMPJoinSynAckRx ?? 0) - (before.MPTcpExtMPJoinSynAckRx ?? 0);
      if (conns === 0) throw new Error('iperf3 fell back to TCP (no MP_CAPABLE SYN-ACK received)');
      return { ...m, subflows: 1 + joins / conns };
    });
    await attempt({ row: 'openvpn-mptcp', label: 'OpenVPN 2.6 TCP over MPTCP', available: true }, async () => {
      const ov = await startOpenvpn(lab);
      try {
        const dev = await routeDevice(lab);
        if (dev !== 'tun0') throw new Error(`internet route uses ${dev}, not the OpenVPN tun0`);
        if (ov.subflows < lab.links.length) log(`  warning: OpenVPN's connection has ${ov.subflows} subflows`);
        return { ...(await measure(lab, seconds, { tunnel: { clientPids: ov.clientPids, serverPids: ov.serverPids } })), subflows: ov.subflows };
      } finally {
        await ov.stop();
      }
    });
  } finally {
    await policy.remove();
    policy = null;
  }
  await attempt({ row: 'braid', label: 'Braid', available: true }, async () => {
    const b = await startBraid(lab);
    let m: Partial<RowResult>;
    try {
      const dev = await routeDevice(lab);
      if (dev !== b.tunnelDevice) throw new Error(`internet route uses ${dev}, not Braid's ${b.tunnelDevice}`);
      m = { ...(await measure(lab, seconds, { tunnel: b })), subflows: b.subflows ?? null };
    } finally {
      await b.stop();
    }
    const left = await leftovers(lab);
    if (left.length) {
      log(`  Braid left state behind after stop(): ${left.join('; ')}`);
      return { ...m, note: `left after stop(): ${left.join('; ')}` };
    }
    return m;
  });
  // whatever a row left behind must not distort the next shape's rows
  await scrubClient(lab);
  return { shape: shape === 'shaped' ? SHAPED.join('/') : 'unshaped', ratesMbit: rates.map((r) => r ?? null), rows };
}

// ---------------------------------------------------------------------------------------------
// reporting

const f1 = (x: number | null | undefined) => (x === null || x === undefined || !Number.isFinite(x) ? 'n/a' : x.toFixed(1));
const ms = (x: number | null | undefined) => (x === null || x === undefined ? 'n/a' : x < 1 ? x.toFixed(2) : x.toFixed(1));
const share = (d?: DirResult) => (d ? d.linkSharePct.map((x) => x.toFixed(0)).join('/') : 'n/a');
const pct = (a: number | null | undefined, b: number | null | undefined) => (a && b ? `${((100 * a) / b).toFixed(0)}%` : 'n/a');

function table(s: ShapeResult): string {
  const nominal = s.rows.find((r) => r.row === 'nominal')?.nominalMbit ?? null;
  const raw = s.rows.find((r) => r.row === 'raw-mptcp' && r.available);
  const head = ['row', 'up Mbit/s', 'down Mbit/s', 'up/nom', 'dn/nom', 'up/raw', 'dn/raw', 'CPU s/GB cli up/dn', 'CPU s/GB srv up/dn', 'RTT idle', 'RTT load (p90)', 'RSS MiB c/s', 'subflows', 'link share % up | dn'];
  // a row is either cells (aligned) or a label + free text (not available / failed)
  const rows: Array<string[] | [string, string]> = s.rows.map((r): string[] | [string, string] => {
    if (r.row === 'nominal') {
      return r.available ? [r.label, f1(r.nominalMbit), f1(r.nominalMbit), '', '', '', '', '', '', '', '', '', '', s.ratesMbit.map((x) => ((100 * (x ?? 0)) / (r.nominalMbit ?? 1)).toFixed(0)).join('/')] : [r.label, r.note ?? 'n/a'];
    }
    if (!r.available) return [r.label, r.note ?? 'not available'];
    const self = r.row === 'raw-mptcp';
    return [
      r.label,
      f1(r.up?.mbit),
      f1(r.down?.mbit),
      pct(r.up?.mbit, nominal),
      pct(r.down?.mbit, nominal),
      self ? '' : pct(r.up?.mbit, raw?.up?.mbit),
      self ? '' : pct(r.down?.mbit, raw?.down?.mbit),
      r.up?.cpuClientSPerGB == null ? 'n/a' : `${f1(r.up.cpuClientSPerGB)}/${f1(r.down?.cpuClientSPerGB)}`,
      r.up?.cpuServerSPerGB == null ? 'n/a' : `${f1(r.up.cpuServerSPerGB)}/${f1(r.down?.cpuServerSPerGB)}`,
      `${ms(r.rttIdleMs)} ms`,
      `${ms(r.rttLoadedMs)} (${ms(r.rttLoadedP90Ms)}) ms`,
      r.rssClientMiB == null ? 'n/a' : `${f1(r.rssClientMiB)}/${f1(r.rssServerMiB)}`,
      r.subflows == null ? '' : String(Math.round(r.subflows * 10) / 10),
      `${share(r.up)} | ${share(r.down)}`,
    ];
  });
  const cells = [head, ...rows.filter((r) => r.length === head.length)];
  const w = head.map((_, c) => Math.max(...cells.map((l) => l[c].length), c === 0 ? Math.max(...rows.map((r) => r[0].length)) : 0));
  const notes = s.rows.filter((r) => r.available && r.note).map((r) => `  note, ${r.label}: ${r.note}`);
  return [head, ...rows]
    .map((l) => (l.length === head.length ? l.map((x, c) => (c === 0 ? x.padEnd(w[c]) : x.padStart(w[c]))).join('  ') : `${l[0].padEnd(w[0])}  ${l[1]}`))
    .concat(notes)
    .join('\n');
}

interface Ratios {
  [k: string]: { up: number | null; down: number | null; note?: string } | { value: number | null; note?: string };
}

function ratios(shapes: ShapeResult[]): Ratios {
  const get = (shape: string, row: RowResult['row']) => shapes.find((s) => s.shape === shape)?.rows.find((r) => r.row === row);
  const div = (a?: number, b?: number) => (a !== undefined && b ? a / b : null);
  const pair = (a?: RowResult, b?: RowResult) => {
    if (!a?.available || !b?.available) return { up: null, down: null, note: [a, b].filter((x) => x && !x.available).map((x) => `${x!.label}: ${x!.note}`).join('; ') || 'not measured' };
    return { up: div(a.up?.mbit, b.up?.mbit), down: div(a.down?.mbit, b.down?.mbit) };
  };
  const shaped = SHAPED.join('/');
  const braidS = get(shaped, 'braid');
  const braidU = get('unshaped', 'braid');
  const ovS = get(shaped, 'openvpn-mptcp');
  const rttDelta = (r?: RowResult) =>
    r?.available && r.rttLoadedMs != null && r.rttIdleMs != null ? { value: r.rttLoadedMs - r.rttIdleMs } : { value: null, note: r?.note ?? 'not measured' };
  const nominal = get(shaped, 'nominal')?.nominalMbit ?? undefined;
  const rawS = get(shaped, 'raw-mptcp');
  return {
    [`Braid / raw MPTCP on ${shaped}`]: pair(braidS, rawS),
    'Braid / OpenVPN unshaped': pair(braidU, get('unshaped', 'openvpn-mptcp')),
    [`Braid RTT under load - idle on ${shaped} (ms)`]: rttDelta(braidS),
    [`raw MPTCP / nominal on ${shaped}`]: rawS?.available ? { up: div(rawS.up?.mbit, nominal), down: div(rawS.down?.mbit, nominal) } : { up: null, down: null, note: rawS?.note },
    [`OpenVPN / nominal on ${shaped}`]: ovS?.available ? { up: div(ovS.up?.mbit, nominal), down: div(ovS.down?.mbit, nominal) } : { up: null, down: null, note: ovS?.note },
    [`OpenVPN / raw MPTCP on ${shaped}`]: pair(ovS, rawS),
    [`OpenVPN RTT under load - idle on ${shaped} (ms)`]: rttDelta(ovS),
    'OpenVPN unshaped (Gbit/s)': (() => {
      const o = get('unshaped', 'openvpn-mptcp');
      return o?.available ? { up: o.up!.mbit / 1000, down: o.down!.mbit / 1000 } : { up: null, down: null, note: o?.note };
    })(),
  };
}

function formatRatios(r: Ratios): string {
  const fmt = (x: number | null, k: string) =>
    x === null ? 'n/a' : /failover|full rate|stall/.test(k) ? x.toFixed(0) : /ms|Gbit/.test(k) ? x.toFixed(/Gbit/.test(k) ? 2 : 1) : x.toFixed(2);
  return Object.entries(r)
    .map(([k, v]) => {
      const vals = 'value' in v ? fmt(v.value, k) : `up ${fmt(v.up, k)}, down ${fmt(v.down, k)}`;
      return `  ${k.padEnd(48)} ${vals}${v.note ? `   (${v.note})` : ''}`;
    })
    .join('\n');
}

// ---------------------------------------------------------------------------------------------

async function main(): Promise<number> {
  const args = parseArgs(process.argv.slice(2));
  const started = Date.now();
  const log = (s: string) => process.stderr.write(`${((Date.now() - started) / 1000).toFixed(0).padStart(4)}s ${s}\n`);
  const watchdog = setTimeout(() => {
    process.stderr.write(`bench: exceeded ${TIME_LIMIT_MS / 1000} s, aborting\n`);
    process.exit(2); // the lab's exit hook tears the namespaces down
  }, TIME_LIMIT_MS);
  const loadStart = os.loadavg();
  if (loadStart[0] > 1) log(`warning: load average ${loadStart[0].toFixed(1)} before the bench: other work shares the CPUs, CPU-bound (unshaped) rows will be low and noisy`);
  const lab = await Lab.create({ links: SHAPED.map((r) => ({ rateMbit: r })) });
  const shapes: ShapeResult[] = [];
  let failover: FailoverResult | undefined;
  try {
    log(`lab ${lab.ns.client} / ${lab.ns.server} / ${lab.ns.internet}`);
    await lab.setNat(true, [CLIENT_SUPERNET, OPENVPN_POOL]);
    if (args.throughput) {
      await startIperfServer(lab, 'internet', { mptcp: true });
      for (const shape of args.shapes) shapes.push(await runShape(lab, shape, args.seconds, log));
    }
    if (args.failover.length) {
      failover = await runFailover(lab, args.failover, log, { openvpnRelink: args.openvpnRelink, runs: args.failoverRuns });
      await scrubClient(lab);
    }
  } finally {
    await lab.destroy();
    clearTimeout(watchdog);
  }
  const r: Ratios = { ...(shapes.length ? ratios(shapes) : {}), ...(failover ? failoverRatios(failover) : {}) };
  const out = {
    date: new Date().toISOString(),
    machine: { cores: os.cpus().length, cpu: os.cpus()[0]?.model, kernel: os.release(), congestionControl: DEFAULT_CONGESTION, loadavgStart: loadStart, loadavgEnd: os.loadavg() },
    secondsPerDirection: args.seconds,
    shapes,
    failover: failover ?? null,
    ratios: r,
  };
  for (const s of shapes) console.log(`\n== links ${s.shape} ==\n${table(s)}`);
  if (failover) {
    console.log(`\n== failover: links ${failover.ratesMbit.join('/')}, ${failover.link} down ${failover.downForMs / 1000} s under a ${failover.flowSeconds} s flow ==\n${failoverTable(failover)}\n${failoverNotes(failover)}`);
  }
  console.log(`\nload average before/after: ${loadStart[0].toFixed(1)} / ${os.loadavg()[0].toFixed(1)} on ${os.cpus().length} CPUs (RTT load = median of 5 Hz pings during the upload; p90 in brackets)`);
  console.log(`\nratios:\n${formatRatios(r)}`);
  const file = path.resolve(__dirname, '../../..', 'test-artifacts', 'bench.json');
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, JSON.stringify(out, null, 2) + '\n');
  console.log(`\nwrote ${path.relative(process.cwd(), file)} (${((Date.now() - started) / 1000).toFixed(0)} s)`);
  return shapes.some((s) => s.rows.some((x) => x.failed)) || failover?.rows.some((x) => x.failed) ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (e) => {
    console.error(e);
    process.exit(1);
  },
);
