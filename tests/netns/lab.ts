// Network-namespace lab: the one topology every integration test, e2e test, demo and benchmark uses.
//
//   client ns <prefix>-<pid>-<id>-c      server ns <prefix>-<pid>-<id>-s        internet ns <prefix>-<pid>-<id>-i
//  +------------------------------+     +----------------------------------+     +-----------------------------+
//  | bl0 10.100.0.2/24 [TBF up] ==|=====|== sl0 10.100.0.1/24 [TBF down]   |     |                             |
//  | bl1 10.100.1.2/24 [TBF up] ==|=====|== sl1 10.100.1.1/24 [TBF down]   |     |                             |
//  | bl2 10.100.2.2/24 [TBF up] ==|=====|== sl2 10.100.2.1/24 [TBF down]   |     |                             |
//  | (addLink: bl<n> 10.100.n.2)  |     |   lo  198.19.0.1/32  "public"    |     |                             |
//  |                              |     |   up0 198.18.0.2/24            ==|=====|== net0 198.18.0.1/24        |
//  | default via 10.100.i.1       |     | ip_forward=1                     |     | route 198.19.0.0/24 via     |
//  |   metric 100+i, every link i |     | lab NAT (opt-in): masquerade     |     |   198.18.0.2; no route back |
//  +------------------------------+     |   client sources out of up0      |     |   to 10.100/16 or any pool  |
//                                       +----------------------------------+     +-----------------------------+
//
// Addresses. Every range exists only inside these namespaces (nothing here is routed to the host):
// link i is its own /24 10.100.i.0/24 (client end .2, gateway = server end .1), like N home
// routers. The internet is 198.18.0.0/24 (RFC 2544 benchmarking range); its host is 198.18.0.1.
//
// The server's "public" address, the one the client dials, is 198.19.0.1/32 on the server's
// loopback, not the server end of link 0. We considered link 0's gateway address (it is reachable
// from every link through that link's own gateway, because the server ns owns it whatever
// interface a packet arrives on), but on the client it sits inside bl0's connected subnet: the
// route to the server would then be on-link on link 0 instead of "via <gateway>" like on every
// real network, which would hide route-pinning bugs in the engine, and it would disappear from
// the main table whenever bl0 goes down. A /32 on lo is reachable only through gateways, from
// any link, and never goes down with a link — exactly a real server's public IP.
//
// Routing. The client main table has one default route per link (metric 100+i), so plain TCP
// leaves through the lowest-numbered live link; per-link source routing for MPTCP subflows is
// added by the engine or, for baselines, by mptcp-policy.ts. The internet host has no route back
// to 10.100/16 or to any tunnel pool: traffic reaches it only through a NAT in the server ns —
// either the lab's own (opt-in: `nat: true` or lab.setNat(), since Braid's server installs its
// own masquerade for its tunnel pool and a test must be able to see that it does) or Braid's.
//
// Shaping. TBF on BOTH directions of every shaped link: root qdisc on the client end (upload)
// and on the server end (download). burst = max(16 KiB, 4 ms at the rate): enough for TBF to
// keep the rate with high-resolution timers while letting only a few ms of line-rate burst
// through. limit = 25 ms of queue at the rate (+ burst): a realistic access-link buffer; a deeper
// lab queue would be bufferbloat of our own making and would dominate every latency result.
// rateMbit undefined = unshaped (veth default noqueue; CPU-bound).
//
// Congestion control: every lab namespace defaults to cubic (LabOptions.congestion), whatever the
// host's default. This kernel defaults to bbr, and BBR in a lab with no propagation delay (min RTT
// of a few µs; no netem here) is pathological: on 50/20/10 raw MPTCP measured 45-70 Mbit/s with
// thousands of retransmits and wild run-to-run spread, against a steady 75 Mbit/s (94 %) with
// cubic. cubic is also what Debian and Arch desktops run. A namespace may only default to an
// algorithm in the global net.ipv4.tcp_allowed_congestion_control, so the lab appends cubic to
// that list when missing (the lab's only change outside its namespaces; it widens a permission
// and changes no default). Sockets that set TCP_CONGESTION themselves (the Braid engine) win.
//
// Sysctls: rp_filter=2 (loose) everywhere — strict reverse-path filtering drops MPTCP subflows
// whose replies come back on a non-preferred link; net.mptcp.enabled=1; ip_forward=1 on server;
// tcp_no_metrics_save=1, so no flow inherits an earlier flow's cached ssthresh.
//
// Link controls. linkDown(i): both ends admin-down (client loses IFF_UP, its routes through the
// link are flushed) or {mode: 'carrier'}: only the server end, so the client sees NO-CARRIER
// like a pulled cable. linkUp(i) restores the lab's default route (as DHCP would). blackhole(i):
// nft drop at the server end both ways while both interfaces stay up (a dead upstream).
//
// Lifetime. Names embed the owner pid; a marker file in /run/braid-lab/ records the owner's
// start time (pid reuse). Live labs are kept in a registry and destroyed synchronously on
// process 'exit' and on SIGINT/SIGTERM; Lab.sweepStale() removes labs whose owner is dead
// (a SIGKILLed or crashed earlier run). Lab.create() sweeps stale labs of its prefix first.

import { execFile, execFileSync, spawn as cpSpawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';

const execFileP = promisify(execFile);

export const DEFAULT_PREFIX = 'brl';
export const MARKER_DIR = '/run/braid-lab';
export const SERVER_PUBLIC_ADDRESS = '198.19.0.1';
export const SERVER_UPLINK_ADDRESS = '198.18.0.2';
export const INTERNET_ADDRESS = '198.18.0.1';
export const INTERNET_PREFIX_LEN = 24;
/** lab-wide TCP congestion control; see the header comment */
export const DEFAULT_CONGESTION = 'cubic';
/** supernet of every client link subnet (10.100.i.0/24) */
export const CLIENT_SUPERNET = '10.100.0.0/16';
export const SERVER_UPLINK_IF = 'up0';
export const INTERNET_IF = 'net0';
/** main-table metric of link i's default route in the client ns */
export const DEFAULT_ROUTE_METRIC_BASE = 100;

export type NsRole = 'client' | 'server' | 'internet';

export interface LinkSpec {
  /** TBF rate in Mbit/s in both directions; undefined = unshaped */
  rateMbit?: number;
}

export interface LabOptions {
  links: LinkSpec[];
  /** lowercase letters/digits (1-12); default: random. Makes namespace names readable in logs */
  id?: string;
  /** namespace name prefix (default "brl"); sweepStale() uses the same */
  prefix?: string;
  /** masquerade the client link subnets out of the server's uplink (default false) */
  nat?: boolean;
  /** sweep dead owners' labs of this prefix before creating (default true) */
  sweep?: boolean;
  /** default TCP congestion control in every lab namespace: "cubic" unless given; "default" = leave the kernel's */
  congestion?: string;
}

export interface LinkInfo {
  index: number;
  /** client-side interface name, e.g. "bl0" */
  name: string;
  clientAddress: string;
  /** server-side address of the link = the client's gateway on it */
  gateway: string;
  prefixLen: number;
  /** e.g. "10.100.0.0/24" */
  subnet: string;
  /** server-side interface name, e.g. "sl0" */
  serverIf: string;
  rateMbit: number | undefined;
}

export interface ExecOptions {
  /** kill and reject after this long (default 30 s) */
  timeoutMs?: number;
  /** resolve with the exit code instead of rejecting on a non-zero exit */
  allowFail?: boolean;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
}

export interface ExecResult {
  stdout: string;
  stderr: string;
  code: number;
}

export interface LabSpawnOptions {
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** keep at most this many bytes of combined output for output()/waitFor (default 1 MiB) */
  maxOutput?: number;
}

export interface PingOptions {
  count?: number;
  intervalMs?: number;
  /** ping -I: source address or interface */
  source?: string;
  /** per-reply wait; the whole run is bounded by count*interval + this */
  replyTimeoutMs?: number;
}

export interface PingResult {
  transmitted: number;
  received: number;
  /** per reply, in order */
  rttsMs: number[];
  minMs: number | null;
  avgMs: number | null;
  medianMs: number | null;
  maxMs: number | null;
  /** set when ping itself failed (e.g. network unreachable, -I device down) */
  error?: string;
}

export interface LinkDownOptions {
  /**
   * "admin" (default): `ip link set down` on both ends — the client interface loses IFF_UP,
   * the kernel flushes routes through it. "carrier": only the server end goes down, so the client
   * interface stays administratively up with NO-CARRIER (a pulled cable or lost Wi-Fi).
   */
  mode?: 'admin' | 'carrier';
}

export class LabExecError extends Error {
  constructor(
    message: string,
    readonly code: number | string | null,
    readonly stdout: string,
    readonly stderr: string,
  ) {
    super(message);
  }
}

/** A long-running process inside a namespace; killed by lab.destroy() if still running. */
export class LabProcess {
  private buf = '';
  private waiters: Array<() => void> = [];
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  exitCode: number | null = null;
  exitSignal: NodeJS.Signals | null = null;
  running = true;

  constructor(
    readonly child: ChildProcess,
    readonly argv: string[],
    private readonly maxOutput: number,
  ) {
    const onData = (d: Buffer) => {
      this.buf += d.toString();
      if (this.buf.length > this.maxOutput) this.buf = this.buf.slice(this.buf.length - this.maxOutput);
      for (const w of this.waiters.splice(0)) w();
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    this.exited = new Promise((resolve) => {
      child.once('error', (e) => {
        this.buf += `\n[spawn error] ${e.message}\n`;
      });
      child.once('close', (code, signal) => {
        this.running = false;
        this.exitCode = code;
        this.exitSignal = signal;
        for (const w of this.waiters.splice(0)) w();
        resolve({ code, signal });
      });
    });
  }

  /** pid of the program itself (`ip netns exec` execs into it) */
  get pid(): number {
    if (this.child.pid === undefined) throw new Error(`spawn failed: ${this.argv.join(' ')}`);
    return this.child.pid;
  }

  output(): string {
    return this.buf;
  }

  /** resolves when the combined output matches; rejects on exit or timeout */
  waitFor(re: RegExp, timeoutMs: number): Promise<RegExpMatchArray> {
    return new Promise((resolve, reject) => {
      const deadline = setTimeout(() => {
        finish();
        reject(new Error(`timeout ${timeoutMs} ms waiting for ${re} from ${this.argv.join(' ')}; output:\n${this.buf.slice(-4000)}`));
      }, timeoutMs);
      const check = () => {
        const m = this.buf.match(re);
        if (m) {
          finish();
          resolve(m);
        } else if (!this.running) {
          finish();
          reject(new Error(`${this.argv.join(' ')} exited (${this.exitCode ?? this.exitSignal}) before ${re}; output:\n${this.buf.slice(-4000)}`));
        } else this.waiters.push(check);
      };
      const finish = () => clearTimeout(deadline);
      check();
    });
  }

  /** SIGTERM, then SIGKILL after graceMs */
  async kill(graceMs = 1000): Promise<void> {
    if (!this.running) return;
    this.child.kill('SIGTERM');
    const t = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
    await this.exited;
    clearTimeout(t);
  }
}

// ---------------------------------------------------------------------------------------------
// pure helpers (unit-tested in tests/unit/netns)

/** TBF parameters in bytes for a rate; see the header comment for the reasoning */
export function tbfParams(rateMbit: number): { rateBit: number; burstBytes: number; limitBytes: number } {
  if (!(rateMbit > 0) || !Number.isFinite(rateMbit)) throw new Error(`bad rate ${rateMbit}`);
  const bytesPerSec = (rateMbit * 1e6) / 8;
  const burstBytes = Math.max(16 * 1024, Math.ceil(bytesPerSec * 0.004));
  const limitBytes = Math.ceil(bytesPerSec * 0.025) + burstBytes;
  return { rateBit: Math.round(rateMbit * 1e6), burstBytes, limitBytes };
}

export function linkAddressing(index: number): Omit<LinkInfo, 'rateMbit'> {
  if (!Number.isInteger(index) || index < 0 || index > 254) throw new Error(`link index ${index} out of range`);
  return {
    index,
    name: `bl${index}`,
    clientAddress: `10.100.${index}.2`,
    gateway: `10.100.${index}.1`,
    prefixLen: 24,
    subnet: `10.100.${index}.0/24`,
    serverIf: `sl${index}`,
  };
}

export interface ParsedNsName {
  prefix: string;
  pid: number;
  id: string;
  role: NsRole;
  base: string;
}

const ROLE_SUFFIX: Record<NsRole, string> = { client: 'c', server: 's', internet: 'i' };

export function nsBase(prefix: string, pid: number, id: string): string {
  return `${prefix}-${pid}-${id}`;
}

export function parseNsName(name: string, prefix: string): ParsedNsName | null {
  const m = /^(.+)-(\d+)-([a-z0-9]{1,12})-([csi])$/.exec(name);
  if (!m || m[1] !== prefix) return null;
  const role = (Object.keys(ROLE_SUFFIX) as NsRole[]).find((r) => ROLE_SUFFIX[r] === m[4])!;
  return { prefix, pid: Number(m[2]), id: m[3], role, base: `${m[1]}-${m[2]}-${m[3]}` };
}

/** parse iputils ping output */
export function parsePing(out: string): PingResult {
  const rttsMs: number[] = [];
  for (const m of out.matchAll(/icmp_seq=\d+ .*?time[=<]([\d.]+) ms/g)) rttsMs.push(Number(m[1]));
  const s = /(\d+) packets transmitted, (\d+) (?:packets )?received/.exec(out);
  const transmitted = s ? Number(s[1]) : rttsMs.length;
  const received = s ? Number(s[2]) : rttsMs.length;
  const sorted = [...rttsMs].sort((a, b) => a - b);
  const n = sorted.length;
  return {
    transmitted,
    received,
    rttsMs,
    minMs: n ? sorted[0] : null,
    maxMs: n ? sorted[n - 1] : null,
    avgMs: n ? sorted.reduce((a, b) => a + b, 0) / n : null,
    medianMs: n ? (n % 2 ? sorted[(n - 1) / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2) : null,
  };
}

// ---------------------------------------------------------------------------------------------
// process-wide registry and emergency teardown

const live = new Set<Lab>();
let hooksInstalled = false;

function syncQuiet(argv: string[]): string {
  try {
    return execFileSync(argv[0], argv.slice(1), { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 10_000 });
  } catch {
    return '';
  }
}

function killNsPidsSync(ns: string): void {
  for (const p of syncQuiet(['ip', 'netns', 'pids', ns]).split(/\s+/).filter(Boolean)) {
    const pid = Number(p);
    if (pid > 1 && pid !== process.pid) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        /* already gone */
      }
    }
  }
}

function destroyNamespacesSync(names: string[], marker: string | null): void {
  for (const ns of names) killNsPidsSync(ns);
  for (const ns of names) syncQuiet(['ip', 'netns', 'del', ns]);
  if (marker) fs.rmSync(marker, { force: true });
}

function emergencyCleanup(): void {
  for (const lab of [...live]) lab.destroySync();
}

function installHooks(): void {
  if (hooksInstalled) return;
  hooksInstalled = true;
  process.on('exit', emergencyCleanup);
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    const handler = () => {
      emergencyCleanup();
      // if nobody else handles the signal, restore the default behaviour (die by the signal)
      if (process.listenerCount(sig) === 1) {
        process.removeListener(sig, handler);
        process.kill(process.pid, sig);
      }
    };
    process.on(sig, handler);
  }
}

const ALLOWED_CC = '/proc/sys/net/ipv4/tcp_allowed_congestion_control';

/**
 * A namespace may only make an algorithm its default if it is in the (global) allowed list
 * (otherwise EPERM). Appends it there if missing: a permission widening that changes no
 * existing or default behaviour outside the lab. Throws if the kernel lacks the algorithm.
 */
export function ensureCongestionAllowed(cc: string): void {
  const allowed = fs.readFileSync(ALLOWED_CC, 'utf8').trim().split(/\s+/);
  if (allowed.includes(cc)) return;
  const available = fs.readFileSync('/proc/sys/net/ipv4/tcp_available_congestion_control', 'utf8').trim().split(/\s+/);
  if (!available.includes(cc)) throw new Error(`congestion control ${cc} not available (have: ${available.join(' ')})`);
  fs.writeFileSync(ALLOWED_CC, [...allowed, cc].join(' '));
  process.stderr.write(`[netns lab] added ${cc} to net.ipv4.tcp_allowed_congestion_control (was: ${allowed.join(' ')}) so lab namespaces can default to it\n`);
}

/** start time of a process in clock ticks since boot (field 22 of /proc/<pid>/stat), or null */
export function processStartTime(pid: number): string | null {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] ?? null;
  } catch {
    return null;
  }
}

function ownerAlive(pid: number, markerFile: string): boolean {
  try {
    process.kill(pid, 0);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ESRCH') return false;
  }
  // pid exists: same process only if the recorded start time matches (pids get reused)
  try {
    const marker = JSON.parse(fs.readFileSync(markerFile, 'utf8')) as { startTime?: string };
    if (marker.startTime) return marker.startTime === processStartTime(pid);
  } catch {
    /* no marker: be conservative */
  }
  return true;
}

// ---------------------------------------------------------------------------------------------

export class Lab {
  readonly ns: Record<NsRole, string>;
  readonly links: LinkInfo[] = [];
  readonly serverAddress = SERVER_PUBLIC_ADDRESS;
  readonly serverUplinkAddress = SERVER_UPLINK_ADDRESS;
  readonly internetAddress = INTERNET_ADDRESS;
  readonly serverUplinkIf = SERVER_UPLINK_IF;
  private readonly procs = new Set<LabProcess>();
  private readonly markerFile: string;
  private destroying: Promise<void> | null = null;
  private natSources: string[] = [];
  private blackholed = new Set<number>();

  private constructor(readonly prefix: string, readonly id: string) {
    const base = nsBase(prefix, process.pid, id);
    this.ns = { client: `${base}-c`, server: `${base}-s`, internet: `${base}-i` };
    this.markerFile = path.join(MARKER_DIR, `${base}.json`);
  }

  get namespaces(): string[] {
    return [this.ns.client, this.ns.server, this.ns.internet];
  }

  get destroyed(): boolean {
    return this.destroying !== null;
  }

  static async create(opts: LabOptions): Promise<Lab> {
    const prefix = opts.prefix ?? DEFAULT_PREFIX;
    if (!/^[a-z][a-z0-9]{0,7}$/.test(prefix)) throw new Error(`bad prefix ${prefix}`);
    const id = opts.id ?? randomBytes(3).toString('hex');
    if (!/^[a-z0-9]{1,12}$/.test(id)) throw new Error(`bad lab id ${id} (use [a-z0-9]{1,12})`);
    if (opts.sweep !== false) await Lab.sweepStale(prefix);
    const lab = new Lab(prefix, id);
    installHooks();
    live.add(lab);
    try {
      await lab.build(opts);
    } catch (e) {
      await lab.destroy();
      throw e;
    }
    return lab;
  }

  /**
   * Deletes namespaces named `<prefix>-<pid>-<id>-{c,s,i}` whose owner pid is dead (or reused by
   * another process, per the marker's start time), after killing any process left inside them.
   * Returns the deleted names. Never touches a live owner's lab or other names.
   */
  static async sweepStale(prefix = DEFAULT_PREFIX): Promise<string[]> {
    const { stdout } = await execFileP('ip', ['netns', 'list']);
    const groups = new Map<string, { pid: number; names: string[] }>();
    for (const line of stdout.split('\n')) {
      const name = line.trim().split(/\s+/)[0];
      if (!name) continue;
      const p = parseNsName(name, prefix);
      if (!p) continue;
      const g = groups.get(p.base) ?? { pid: p.pid, names: [] };
      g.names.push(name);
      groups.set(p.base, g);
    }
    // marker files whose namespaces are already gone
    try {
      for (const f of fs.readdirSync(MARKER_DIR)) {
        const base = f.replace(/\.json$/, '');
        const p = parseNsName(`${base}-c`, prefix);
        if (p && !groups.has(base)) groups.set(base, { pid: p.pid, names: [] });
      }
    } catch {
      /* no marker dir yet */
    }
    const deleted: string[] = [];
    for (const [base, g] of groups) {
      const marker = path.join(MARKER_DIR, `${base}.json`);
      if (g.pid === process.pid && [...live].some((l) => l.namespaces.includes(`${base}-c`))) continue;
      if (g.pid !== process.pid && ownerAlive(g.pid, marker)) continue;
      destroyNamespacesSync(g.names, marker);
      deleted.push(...g.names);
    }
    return deleted;
  }

  // -------------------------------------------------------------------------------------------

  private async build(opts: LabOptions): Promise<void> {
    const cc = opts.congestion ?? DEFAULT_CONGESTION;
    if (cc !== 'default') ensureCongestionAllowed(cc);
    fs.mkdirSync(MARKER_DIR, { recursive: true });
    fs.writeFileSync(
      this.markerFile,
      JSON.stringify({ pid: process.pid, startTime: processStartTime(process.pid), created: new Date().toISOString(), namespaces: this.namespaces }),
    );
    const { server: S, internet: I } = this.ns;
    for (const ns of this.namespaces) {
      await this.ip(['netns', 'add', ns]);
      await this.ip(['-n', ns, 'link', 'set', 'lo', 'up']);
      // before any interface exists, so "default" applies to all of them
      await this.sysctl(ns, {
        'net.ipv4.conf.all.rp_filter': '2',
        'net.ipv4.conf.default.rp_filter': '2',
        'net.mptcp.enabled': '1',
        // no per-destination TCP metrics cache: a flow must not start from the ssthresh an
        // earlier row's flow left behind (it made whichever tunnel ran later ramp up slower)
        'net.ipv4.tcp_no_metrics_save': '1',
      });
      if (cc !== 'default') await this.sysctl(ns, { 'net.ipv4.tcp_congestion_control': cc });
    }
    await this.sysctl(S, { 'net.ipv4.ip_forward': '1' });
    await this.ip(['-n', S, 'addr', 'add', `${SERVER_PUBLIC_ADDRESS}/32`, 'dev', 'lo']);
    // server uplink <-> internet host
    await this.ip(['-n', S, 'link', 'add', SERVER_UPLINK_IF, 'type', 'veth', 'peer', 'name', INTERNET_IF, 'netns', I]);
    await this.ip(['-n', S, 'addr', 'add', `${SERVER_UPLINK_ADDRESS}/${INTERNET_PREFIX_LEN}`, 'dev', SERVER_UPLINK_IF]);
    await this.ip(['-n', I, 'addr', 'add', `${INTERNET_ADDRESS}/${INTERNET_PREFIX_LEN}`, 'dev', INTERNET_IF]);
    await this.ip(['-n', S, 'link', 'set', SERVER_UPLINK_IF, 'up']);
    await this.ip(['-n', I, 'link', 'set', INTERNET_IF, 'up']);
    // the server's public address is public: the internet can reach it
    await this.ip(['-n', I, 'route', 'add', '198.19.0.0/24', 'via', SERVER_UPLINK_ADDRESS]);
    for (const spec of opts.links) await this.addLink(spec);
    if (opts.nat) await this.setNat(true);
  }

  private async ip(args: string[]): Promise<void> {
    try {
      await execFileP('ip', args, { timeout: 15_000 });
    } catch (e) {
      const err = e as { stderr?: string; message: string };
      throw new Error(`ip ${args.join(' ')}: ${err.stderr?.trim() || err.message}`);
    }
  }

  private async sysctl(ns: string, kv: Record<string, string>): Promise<void> {
    const args = ['netns', 'exec', ns, 'sysctl', '-q', '-w', ...Object.entries(kv).map(([k, v]) => `${k}=${v}`)];
    await this.ip(args);
  }

  private nsName(ns: NsRole | string): string {
    return (this.ns as Record<string, string>)[ns] ?? ns;
  }

  private link(i: number): LinkInfo {
    const l = this.links[i];
    if (!l) throw new Error(`no link ${i} (have ${this.links.length})`);
    return l;
  }

  private assertLive(): void {
    if (this.destroying) throw new Error('lab destroyed');
  }

  /** adds a veth link at runtime (next index); returns its descriptor */
  async addLink(spec: LinkSpec = {}): Promise<LinkInfo> {
    this.assertLive();
    const { client: C, server: S } = this.ns;
    const a = linkAddressing(this.links.length);
    const info: LinkInfo = { ...a, rateMbit: undefined };
    await this.ip(['-n', C, 'link', 'add', a.name, 'type', 'veth', 'peer', 'name', a.serverIf, 'netns', S]);
    // per-interface too: some kernels copy "default" only for devices created afterwards
    await this.sysctl(C, { [`net.ipv4.conf.${a.name}.rp_filter`]: '2' });
    await this.sysctl(S, { [`net.ipv4.conf.${a.serverIf}.rp_filter`]: '2' });
    await this.ip(['-n', C, 'addr', 'add', `${a.clientAddress}/${a.prefixLen}`, 'dev', a.name]);
    await this.ip(['-n', S, 'addr', 'add', `${a.gateway}/${a.prefixLen}`, 'dev', a.serverIf]);
    await this.ip(['-n', C, 'link', 'set', a.name, 'up']);
    await this.ip(['-n', S, 'link', 'set', a.serverIf, 'up']);
    this.links.push(info);
    await this.addDefaultRoute(info);
    await this.setRate(info.index, spec.rateMbit);
    return info;
  }

  private async addDefaultRoute(l: LinkInfo): Promise<void> {
    await this.ip(['-n', this.ns.client, 'route', 'replace', 'default', 'via', l.gateway, 'dev', l.name, 'metric', String(DEFAULT_ROUTE_METRIC_BASE + l.index)]);
  }

  /** TBF both directions of link i at mbit (undefined = remove shaping) */
  async setRate(i: number, mbit: number | undefined): Promise<void> {
    this.assertLive();
    const l = this.link(i);
    for (const [ns, dev] of [[this.ns.client, l.name], [this.ns.server, l.serverIf]] as const) {
      if (mbit === undefined) {
        // "no qdisc to delete" is fine: the link is then already unshaped
        await execFileP('tc', ['-n', ns, 'qdisc', 'del', 'dev', dev, 'root']).catch(() => undefined);
      } else {
        const p = tbfParams(mbit);
        await execFileP('tc', ['-n', ns, 'qdisc', 'replace', 'dev', dev, 'root', 'tbf', 'rate', `${p.rateBit}bit`, 'burst', String(p.burstBytes), 'limit', String(p.limitBytes)]).catch((e: { stderr?: string; message: string }) => {
          throw new Error(`tc on ${ns}/${dev}: ${e.stderr?.trim() || e.message}`);
        });
      }
    }
    l.rateMbit = mbit;
  }

  /** takes link i down; see LinkDownOptions */
  async linkDown(i: number, opts: LinkDownOptions = {}): Promise<void> {
    this.assertLive();
    const l = this.link(i);
    await this.ip(['-n', this.ns.server, 'link', 'set', l.serverIf, 'down']);
    if ((opts.mode ?? 'admin') === 'admin') await this.ip(['-n', this.ns.client, 'link', 'set', l.name, 'down']);
  }

  /**
   * Brings both ends of link i up, waits for carrier on the client end and re-adds the lab's
   * main-table default route through it (what DHCP/NetworkManager do on a real link).
   * Routes other parties added through the link (policy tables) are theirs to restore.
   */
  async linkUp(i: number, timeoutMs = 5000): Promise<void> {
    this.assertLive();
    const l = this.link(i);
    await this.ip(['-n', this.ns.server, 'link', 'set', l.serverIf, 'up']);
    await this.ip(['-n', this.ns.client, 'link', 'set', l.name, 'up']);
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const { stdout } = await execFileP('ip', ['-n', this.ns.client, '-o', 'link', 'show', l.name]);
      if (/state UP/.test(stdout)) break;
      if (Date.now() > deadline) throw new Error(`link ${l.name} did not come up: ${stdout.trim()}`);
      await new Promise((r) => setTimeout(r, 20));
    }
    await this.addDefaultRoute(l);
  }

  /**
   * Silently drops every packet on link i in both directions (nft in the server ns, at the
   * server end), while both interfaces stay up: an upstream that died beyond the router.
   */
  async blackhole(i: number, on: boolean): Promise<void> {
    this.assertLive();
    this.link(i);
    if (on) this.blackholed.add(i);
    else this.blackholed.delete(i);
    const ifs = [...this.blackholed].map((j) => `"${this.links[j].serverIf}"`).join(', ');
    const rules = this.blackholed.size
      ? `  chain pre { type filter hook prerouting priority raw; iifname { ${ifs} } drop; }\n` +
        `  chain post { type filter hook postrouting priority raw; oifname { ${ifs} } drop; }\n`
      : '';
    await this.nftTable(this.ns.server, 'inet', 'braidlab_blackhole', rules);
  }

  /**
   * Lab NAT in the server ns: masquerade `sources` (default: every client link subnet) out of
   * the uplink. Off by default: Braid's server installs its own NAT for its tunnel pool.
   */
  async setNat(on: boolean, sources: string[] = [CLIENT_SUPERNET]): Promise<void> {
    this.assertLive();
    this.natSources = on ? sources : [];
    const rules = this.natSources.length
      ? `  chain post { type nat hook postrouting priority srcnat; ip saddr { ${this.natSources.join(', ')} } oifname "${SERVER_UPLINK_IF}" masquerade; }\n`
      : '';
    await this.nftTable(this.ns.server, 'ip', 'braidlab_nat', rules);
  }

  /** (re)creates one nft table atomically; empty body = table removed */
  private async nftTable(ns: string, family: string, table: string, body: string): Promise<void> {
    const script = `table ${family} ${table} {}\ndelete table ${family} ${table}\n` + (body ? `table ${family} ${table} {\n${body}}\n` : '');
    await new Promise<void>((resolve, reject) => {
      const p = cpSpawn('ip', ['netns', 'exec', ns, 'nft', '-f', '-'], { stdio: ['pipe', 'ignore', 'pipe'] });
      let err = '';
      p.stderr.on('data', (d: Buffer) => (err += d.toString()));
      p.on('error', reject);
      p.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`nft in ${ns}: ${err.trim()}\n${script}`))));
      p.stdin.end(script);
    });
  }

  /** runs argv in a namespace (`ip netns exec`), collects output */
  async exec(ns: NsRole | string, argv: string[], opts: ExecOptions = {}): Promise<ExecResult> {
    this.assertLive();
    const name = this.nsName(ns);
    try {
      const { stdout, stderr } = await execFileP('ip', ['netns', 'exec', name, ...argv], {
        timeout: opts.timeoutMs ?? 30_000,
        killSignal: 'SIGKILL',
        maxBuffer: 64 * 1024 * 1024,
        env: opts.env,
        cwd: opts.cwd,
      });
      return { stdout, stderr, code: 0 };
    } catch (e) {
      const err = e as { code?: number | string; killed?: boolean; stdout?: string; stderr?: string; message: string };
      const code = typeof err.code === 'number' ? err.code : -1;
      if (opts.allowFail && !err.killed && typeof err.code === 'number') return { stdout: err.stdout ?? '', stderr: err.stderr ?? '', code };
      throw new LabExecError(
        `${name}: ${argv.join(' ')} ${err.killed ? `timed out after ${opts.timeoutMs ?? 30_000} ms` : `failed (${err.code})`}: ${(err.stderr ?? '').trim() || err.message}`,
        err.code ?? null,
        err.stdout ?? '',
        err.stderr ?? '',
      );
    }
  }

  /** starts a long-running process in a namespace; lab.destroy() kills it */
  spawn(ns: NsRole | string, argv: string[], opts: LabSpawnOptions = {}): LabProcess {
    this.assertLive();
    const spawnOpts: SpawnOptions = { stdio: ['ignore', 'pipe', 'pipe'], env: opts.env, cwd: opts.cwd };
    const child = cpSpawn('ip', ['netns', 'exec', this.nsName(ns), ...argv], spawnOpts);
    const proc = new LabProcess(child, argv, opts.maxOutput ?? 1024 * 1024);
    this.procs.add(proc);
    void proc.exited.then(() => this.procs.delete(proc));
    return proc;
  }

  /** ping from a namespace; never rejects for lost replies or unreachable networks (check received) */
  async ping(fromNs: NsRole | string, addr: string, opts: PingOptions = {}): Promise<PingResult> {
    const count = opts.count ?? 3;
    const intervalMs = opts.intervalMs ?? 200;
    const replyTimeoutMs = opts.replyTimeoutMs ?? 1000;
    const deadlineS = Math.ceil((count * intervalMs + replyTimeoutMs) / 1000);
    const argv = ['ping', '-n', '-c', String(count), '-i', String(intervalMs / 1000), '-W', String(replyTimeoutMs / 1000), '-w', String(deadlineS)];
    if (opts.source) argv.push('-I', opts.source);
    argv.push(addr);
    const r = await this.exec(fromNs, argv, { allowFail: true, timeoutMs: deadlineS * 1000 + 5000 });
    const res = parsePing(r.stdout);
    // exit 2 = an error such as "Network is unreachable" or a down -I device: nothing got through
    if (r.code > 1) res.error = r.stderr.trim() || `ping exited ${r.code}`;
    return res;
  }

  /** idempotent: kills spawned processes and everything left inside the namespaces, deletes them */
  destroy(): Promise<void> {
    if (!this.destroying) {
      this.destroying = (async () => {
        await Promise.all([...this.procs].map((p) => p.kill(500)));
        destroyNamespacesSync(this.namespaces, this.markerFile);
        live.delete(this);
      })();
    }
    return this.destroying;
  }

  /** synchronous teardown for 'exit' and signal handlers */
  destroySync(): void {
    if (!live.has(this)) return;
    this.destroying ??= Promise.resolve();
    for (const p of this.procs) {
      try {
        p.child.kill('SIGKILL');
      } catch {
        /* gone */
      }
    }
    destroyNamespacesSync(this.namespaces, this.markerFile);
    live.delete(this);
  }
}

/** the namespaces that currently exist among `names` */
export async function existingNamespaces(names: string[]): Promise<string[]> {
  const { stdout } = await execFileP('ip', ['netns', 'list']);
  const have = new Set(stdout.split('\n').map((l) => l.trim().split(/\s+/)[0]));
  return names.filter((n) => have.has(n));
}
