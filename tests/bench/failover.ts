// Failover rows of the benchmark (docs/bench.md): links 50/20/10, one bulk TCP flow through the
// tunnel to the internet host (tests/bench/flow.ts, 12 s), and 4 s into it the first link (bl0,
// the one every tunnel's connection starts on: it has the lowest-metric default route) goes down
// for 3 s (lab.linkDown: both ends admin-down) and comes back (lab.linkUp). Figures from the
// receiver's arrival times and the server-side link counters (tests/bench/ifwatch.ts):
// tests/bench/failover-analysis.ts. Upload and download, each with its own flow.
//
// Peers, each over the same lab and flow:
//  - OpenVPN 2.6 TCP over MPTCP with raw kernel endpoints (tests/netns/mptcp-policy.ts). After
//    linkUp the bench runs what a careful admin's link-up hook would (the hook's time counts):
//    put the link's policy routes back (admin-down flushed them) and, when the connection lost
//    its subflow on the link, delete and re-add the link's endpoint so the kernel opens a new
//    one (the kernel never re-creates a closed subflow). "if-gone" (default) re-adds only then;
//    "always" re-adds whatever happened. Measured here: a 3 s admin-down does not close the
//    subflow (the addresses stay; it resumes at its next retransmission), and an unconditional
//    delete+add closes it and the kernel resets the re-created one from the same address at once
//    (client MIB MPTcpExtMPRstTx), leaving the connection on two links for good.
//  - Braid: nothing is done for it; the engine notices the link leave and return itself. Its own
//    failover figure (the `failover` event, status.lastFailover) is read from the control socket.
import path from 'node:path';
import type { Lab, LabProcess } from '../netns/lab';
import { fetchStatus, waitForStatus } from '../netns/braid';
import { applyMptcpPolicy, readMib, type MptcpPolicy } from '../netns/mptcp-policy';
import type { ClientStatus, EngineEvent } from '../../electron/protocol/control';
import { analyzeFailover, counterBackMs, counterBins, LINK_BACK_FRACTION, type FailoverMetrics } from './failover-analysis';
import { BraidUnavailable, startBraid } from './braid';
import { OPENVPN_PORT, startOpenvpn } from './openvpn';
import type { FlowResult } from './flow';
import type { IfWatchResult } from './ifwatch';

export const FAILOVER_RATES = [50, 20, 10];
export const FAILOVER_LINK = 0;
export const FLOW_SECONDS = 12;
/** the link goes down this long after the flow started (past slow start, 2 s of reference) */
export const DOWN_AFTER_MS = 4000;
export const DOWN_FOR_MS = 3000;
const FLOW = path.join(__dirname, 'flow.js');
const IFWATCH = path.join(__dirname, 'ifwatch.js');
const FLOW_PORT = 5301;

export type Direction = 'up' | 'down';
export type RelinkMode = 'if-gone' | 'always';

export interface FailoverRun {
  direction: Direction;
  /** 1-based run number for this direction */
  run: number;
  /** established subflows of the tunnel's connection when the run started */
  subflowsBefore: number | null;
  /** how long the link was down: from just before linkDown to linkUp's return */
  downMs: number;
  /** time lab.linkDown / lab.linkUp took (ip commands; linkUp waits for carrier and the route) */
  linkDownCallMs: number;
  linkUpCallMs: number;
  flowBytes: number;
  metrics?: FailoverMetrics;
  /** the returned link carries data again (server-side counter), ms after its return */
  linkBackMs?: number | null;
  /** per link, Mbit/s at the server end in the flow's direction, 50 ms bins aligned with metrics.binsMbit */
  linkBinsMbit?: Record<string, number[]>;
  /**
   * kernel counters that moved during the flow: MPTcpExt* at both tunnel ends, and the server
   * namespace's TCP counters (only the tunnel's outer connection ends there)
   */
  mib?: { client: Record<string, number>; server: Record<string, number> };
  /** why there are no metrics */
  error?: string;
  /** OpenVPN: the admin hook after linkUp */
  adminHook?: { mode: RelinkMode; ms: number; subflowSurvived: boolean; readded: boolean; subflowsAfter: number };
  /** Braid: the engine's own figure and what it logged from the link-down moment on */
  engine?: {
    /** gapMs of the engine's `failover` event for the link that went down */
    gapMs: number | null;
    /** when the engine started measuring: its path for the link left active, ms after the link went down */
    noticedMs: number | null;
    /** status.lastFailover when the flow ended (may name another link, see events) */
    lastFailover: { link: string; gapMs: number; at: number } | null;
    /** the engine's path for the link back to active, ms after the link returned */
    pathBackMs: number | null;
    events: Array<{ tMs: number; kind: string; link?: string; message: string }>;
    /** tail of the engine's log, kept when it did not recover */
    logTail?: string;
  };
}

export interface FailoverRow {
  row: 'openvpn-mptcp' | 'braid';
  label: string;
  available: boolean;
  failed?: boolean;
  note?: string;
  runs: FailoverRun[];
}

export interface FailoverResult {
  ratesMbit: number[];
  link: string;
  remainingNominalMbit: number;
  flowSeconds: number;
  downAfterMs: number;
  downForMs: number;
  openvpnRelink: RelinkMode;
  runsPerDirection: number;
  rows: FailoverRow[];
}

type Marks = { downAt: number; upAt: number; endAt: number };

const sleep = (ms: number) => new Promise((r) => setTimeout(r, Math.max(0, ms)));

async function routeDevice(lab: Lab): Promise<string> {
  const { stdout } = await lab.exec('client', ['ip', '-j', 'route', 'get', lab.internetAddress]);
  return (JSON.parse(stdout) as Array<{ dev: string }>)[0].dev;
}

function resultLine<T>(p: LabProcess, tag: string): T {
  const m = new RegExp(`${tag} (.*)`).exec(p.output());
  if (!m) throw new Error(`no ${tag}; output: ${p.output().slice(-500)}`);
  return JSON.parse(m[1]) as T;
}

/**
 * One flow with the link taken down and brought back. afterUp runs right after linkUp (the
 * admin hook); its time is part of what the tunnel needs to get back to full rate.
 */
async function flowWithFailover(
  lab: Lab,
  direction: Direction,
  remainingNominalMbit: number,
  afterUp?: (upAt: number) => Promise<void>,
): Promise<{ run: Omit<FailoverRun, 'subflowsBefore' | 'run'>; marks: Marks }> {
  const up = direction === 'up';
  const seconds = String(FLOW_SECONDS);
  const serverIfs = lab.links.map((l) => l.serverIf);
  const watch = lab.spawn('server', ['node', IFWATCH, '--if', serverIfs.join(','), '--seconds', String(FLOW_SECONDS + 10), '--every', '10']);
  const server = lab.spawn('internet', ['node', FLOW, '--listen', `${lab.internetAddress}:${FLOW_PORT}`, up ? '--recv' : '--send', '--seconds', seconds]);
  let client: LabProcess | undefined;
  try {
    const mib0 = { client: await readMib(lab, 'client'), server: await readMib(lab, 'server') };
    await watch.waitFor(/ifwatch: started/, 10_000);
    await server.waitFor(/flow: listening/, 10_000);
    client = lab.spawn('client', ['node', FLOW, '--connect', `${lab.internetAddress}:${FLOW_PORT}`, up ? '--send' : '--recv', '--seconds', seconds]);
    const [sender, receiver] = up ? [client, server] : [server, client];
    const until = Number((await sender.waitFor(/flow: sending until (\d+)/, 10_000))[1]);
    const startedAt = until - FLOW_SECONDS * 1000;
    await sleep(startedAt + DOWN_AFTER_MS - Date.now());
    const downAt = Date.now();
    await lab.linkDown(FAILOVER_LINK);
    const linkDownCallMs = Date.now() - downAt;
    await sleep(downAt + DOWN_FOR_MS - Date.now());
    const upCall = Date.now();
    await lab.linkUp(FAILOVER_LINK);
    const upAt = Date.now();
    await afterUp?.(upAt);
    // the whole line: a large result arrives in several pipe reads
    await receiver.waitFor(/flow-result [^\n]*\n/, (FLOW_SECONDS + 20) * 1000);
    await watch.kill();
    const mib1 = { client: await readMib(lab, 'client'), server: await readMib(lab, 'server') };
    const moved = (a: Record<string, number>, b: Record<string, number>, keep: RegExp) =>
      Object.fromEntries(Object.keys(b).filter((k) => keep.test(k) && b[k] !== (a[k] ?? 0)).map((k) => [k, b[k] - (a[k] ?? 0)]));
    const flow = resultLine<FlowResult>(receiver, 'flow-result');
    const lastArrival = flow.arrivals.length ? flow.arrivals[flow.arrivals.length - 1][0] + 1 : 0;
    const run: Omit<FailoverRun, 'subflowsBefore' | 'run'> = {
      direction,
      downMs: upAt - downAt,
      linkDownCallMs,
      linkUpCallMs: upAt - upCall,
      flowBytes: flow.totalBytes,
      mib: { client: moved(mib0.client, mib1.client, /^MPTcp/), server: moved(mib0.server, mib1.server, /^(MPTcp|Tcp)/) },
    };
    const marks = { downAt, upAt, endAt: Math.min(until, lastArrival) };
    if (!flow.complete) run.error = `flow cut short: ${flow.error ?? 'unknown'}`;
    else {
      try {
        run.metrics = analyzeFailover(flow.arrivals, marks, remainingNominalMbit);
      } catch (e) {
        run.error = (e as Error).message;
      }
    }
    // server end of each link: rx = towards the internet (upload), tx = towards the client
    const w = resultLine<IfWatchResult>(watch, 'ifwatch-result');
    const col = (i: number) => w.samples.map((s): [number, number] => [s[0], s[1 + 2 * i + (up ? 0 : 1)]]);
    run.linkBinsMbit = Object.fromEntries(lab.links.map((l, i) => [l.name, counterBins(col(i), marks.downAt, marks.endAt)]));
    const rate = lab.links[FAILOVER_LINK].rateMbit ?? FAILOVER_RATES[FAILOVER_LINK];
    run.linkBackMs = counterBackMs(col(FAILOVER_LINK), upAt, LINK_BACK_FRACTION * rate);
    return { run, marks };
  } finally {
    await client?.kill();
    await server.kill();
    await watch.kill();
  }
}

async function ssCount(lab: Lab, filter: string[]): Promise<number> {
  const r = await lab.exec('client', ['ss', '-Htn', 'state', 'established', ...filter]);
  return r.stdout.split('\n').filter((l) => l.trim()).length;
}

/** polls get() every 50 ms until ok(value) or timeoutMs; returns the last value */
async function waitFor(get: () => Promise<number>, ok: (n: number) => boolean, timeoutMs: number): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await get();
    if (ok(v) || Date.now() > deadline) return v;
    await sleep(50);
  }
}

export async function runFailover(
  lab: Lab,
  directions: Direction[],
  log: (s: string) => void,
  opts: { openvpnRelink?: RelinkMode; runs?: number } = {},
): Promise<FailoverResult> {
  for (let i = 0; i < FAILOVER_RATES.length; i++) await lab.setRate(i, FAILOVER_RATES[i]);
  const relinkMode = opts.openvpnRelink ?? 'if-gone';
  const runs = opts.runs ?? 2;
  // every direction `runs` times, alternating (up, down, up, down ...)
  const schedule: Array<{ direction: Direction; run: number }> = [];
  for (let n = 1; n <= runs; n++) for (const direction of directions) schedule.push({ direction, run: n });
  const remaining = FAILOVER_RATES.reduce((a, b) => a + b, 0) - FAILOVER_RATES[FAILOVER_LINK];
  const link = lab.links[FAILOVER_LINK];
  const rows: FailoverRow[] = [];

  const measure = async (row: FailoverRow, step: { direction: Direction; run: number }, subflowsBefore: number | null, afterUp?: (upAt: number) => Promise<void>) => {
    const { direction } = step;
    log(`[failover] ${row.label}, ${direction === 'up' ? 'upload' : 'download'} #${step.run}: ${link.name} down ${DOWN_FOR_MS / 1000} s at +${DOWN_AFTER_MS / 1000} s of ${FLOW_SECONDS} s ...`);
    const { run, marks } = await flowWithFailover(lab, direction, remaining, afterUp);
    const full: FailoverRun = { ...run, run: step.run, subflowsBefore };
    row.runs.push(full);
    const m = full.metrics;
    log(
      `[failover] ${row.label}, ${direction} #${step.run}: ` +
        (m ? `pre ${m.preMbit.toFixed(1)} Mbit/s, gap ${m.gapMs ?? 'none'} ms, below threshold ${m.belowMs} ms, full rate ${m.fullRateMs ?? 'never'} ms after return` : `no figures: ${full.error}`),
    );
    return { run: full, marks };
  };

  // --- OpenVPN over MPTCP, raw kernel endpoints + the admin hook
  {
    const row: FailoverRow = { row: 'openvpn-mptcp', label: 'OpenVPN 2.6 TCP over MPTCP', available: true, runs: [] };
    rows.push(row);
    let policy: MptcpPolicy | undefined;
    try {
      policy = await applyMptcpPolicy(lab);
      const ov = await startOpenvpn(lab);
      try {
        const dev = await routeDevice(lab);
        if (dev !== 'tun0') throw new Error(`internet route uses ${dev}, not the OpenVPN tun0`);
        const toServer = ['dst', `${lab.serverAddress}:${OPENVPN_PORT}`];
        const onLink = ['src', link.clientAddress, ...toServer];
        for (const step of schedule) {
          const before = await waitFor(() => ssCount(lab, toServer), (n) => n >= lab.links.length, 5000);
          if (before < lab.links.length) log(`  warning: OpenVPN's connection has ${before} subflows before the run`);
          let hook: FailoverRun['adminHook'];
          const { run } = await measure(row, step, before, async () => {
            const t0 = Date.now();
            const survived = (await ssCount(lab, onLink)) > 0;
            const readd = relinkMode === 'always' || !survived;
            if (readd) await policy!.relink(FAILOVER_LINK);
            else await policy!.reapplyRoutes();
            const ms = Date.now() - t0;
            // give a re-added endpoint's subflow a moment to show up (or to be reset)
            if (readd) await sleep(300);
            hook = { mode: relinkMode, ms, subflowSurvived: survived, readded: readd, subflowsAfter: await ssCount(lab, toServer) };
          });
          run.adminHook = hook;
        }
      } finally {
        await ov.stop();
      }
    } catch (e) {
      Object.assign(row, { available: false, failed: true, note: `FAILED: ${(e as Error).message.split('\n')[0]}` });
    } finally {
      await policy?.remove();
    }
  }

  // --- Braid: the engine on its own
  {
    const row: FailoverRow = { row: 'braid', label: 'Braid', available: true, runs: [] };
    rows.push(row);
    try {
      const b = await startBraid(lab);
      try {
        const dev = await routeDevice(lab);
        if (dev !== b.tunnelDevice) throw new Error(`internet route uses ${dev}, not Braid's ${b.tunnelDevice}`);
        for (const step of schedule) {
          const ready = (await waitForStatus(b.clientSocket, (s) => s.mode === 'client' && s.paths.every((p) => p.state === 'active' && Boolean(p.subflow)), 5000).catch(
            () => fetchStatus(b.clientSocket),
          )) as ClientStatus;
          const subflows = ready.paths.filter((p) => p.subflow).length;
          if (subflows < lab.links.length) log(`  warning: Braid has ${subflows} subflows before the run`);
          const { run, marks } = await measure(row, step, subflows);
          const st = (await fetchStatus(b.clientSocket)) as ClientStatus;
          const events = st.events.filter((e: EngineEvent) => e.at >= marks.downAt - 50);
          const fo = events.find((e) => e.kind === 'failover' && e.link === link.name);
          const left = events.find((e) => e.kind === 'path' && e.link === link.name && /: (active|backup) -> /.test(e.message));
          const back = events.find((e) => e.at >= marks.upAt - 50 && e.kind === 'path' && e.link === link.name && / -> active/.test(e.message));
          run.engine = {
            gapMs: typeof fo?.data?.gapMs === 'number' ? fo.data.gapMs : null,
            noticedMs: left ? left.at - marks.downAt : null,
            lastFailover: st.lastFailover && st.lastFailover.at >= marks.downAt ? st.lastFailover : null,
            pathBackMs: back ? back.at - marks.upAt : null,
            events: events.map((e) => ({ tMs: e.at - marks.downAt, kind: e.kind, ...(e.link ? { link: e.link } : {}), message: e.message })),
          };
          const m = run.metrics;
          if (!m || m.gapMs === null || m.fullRateMs === null || run.engine.gapMs === null) {
            run.engine.logTail = b.clientOutput().split('\n').slice(-60).join('\n');
          }
        }
      } finally {
        await b.stop();
      }
    } catch (e) {
      if (e instanceof BraidUnavailable) Object.assign(row, { available: false, note: `not available: ${e.message}` });
      else Object.assign(row, { available: false, failed: true, note: `FAILED: ${(e as Error).message.split('\n')[0]}` });
    }
  }
  return {
    ratesMbit: FAILOVER_RATES,
    link: link.name,
    remainingNominalMbit: remaining,
    flowSeconds: FLOW_SECONDS,
    downAfterMs: DOWN_AFTER_MS,
    downForMs: DOWN_FOR_MS,
    openvpnRelink: relinkMode,
    runsPerDirection: runs,
    rows,
  };
}
