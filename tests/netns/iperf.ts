// iperf3 inside lab namespaces. Debian's iperf3 3.12 has no --mptcp: MPTCP runs go through
// `mptcpize run` (LD_PRELOAD rewrites its TCP sockets to IPPROTO_MPTCP).
import type { Lab, LabProcess, NsRole } from './lab';

export interface IperfServerOptions {
  port?: number;
  /** accept MPTCP (an MPTCP listener also accepts plain TCP clients) */
  mptcp?: boolean;
  bind?: string;
}

export interface IperfClientOptions {
  seconds: number;
  /** -R: the server sends (download from the client's point of view) */
  reverse?: boolean;
  mptcp?: boolean;
  port?: number;
  /** -B: local address */
  bind?: string;
  /** -O: seconds of warm-up left out of the result */
  omitSeconds?: number;
  /** parallel streams */
  parallel?: number;
  /** -C: congestion control for the test sockets (both ends) */
  congestion?: string;
}

export interface IperfResult {
  /** receiver-side goodput */
  mbit: number;
  /** bytes the receiver got (excluding omitted seconds) */
  bytes: number;
  seconds: number;
  retransmits: number | null;
}

export async function startIperfServer(lab: Lab, ns: NsRole | string, opts: IperfServerOptions = {}): Promise<LabProcess> {
  const argv = ['iperf3', '-s', '--forceflush', '-p', String(opts.port ?? 5201)];
  if (opts.bind) argv.push('-B', opts.bind);
  const p = lab.spawn(ns, opts.mptcp ? ['mptcpize', 'run', ...argv] : argv);
  await p.waitFor(/Server listening/, 5000);
  return p;
}

/** extracts the receiver-side result from iperf3 -J output */
export function parseIperfJson(json: string): IperfResult {
  const j = JSON.parse(json) as {
    error?: string;
    end?: { sum_received?: { bits_per_second: number; bytes: number; seconds: number }; sum_sent?: { retransmits?: number } };
  };
  if (j.error) throw new Error(`iperf3: ${j.error}`);
  const r = j.end?.sum_received;
  if (!r) throw new Error('iperf3: no sum_received in output');
  return { mbit: r.bits_per_second / 1e6, bytes: r.bytes, seconds: r.seconds, retransmits: j.end?.sum_sent?.retransmits ?? null };
}

export async function runIperf(lab: Lab, ns: NsRole | string, server: string, opts: IperfClientOptions): Promise<IperfResult> {
  const argv = ['iperf3', '-J', '-c', server, '-p', String(opts.port ?? 5201), '-t', String(opts.seconds)];
  if (opts.reverse) argv.push('-R');
  if (opts.bind) argv.push('-B', opts.bind);
  if (opts.omitSeconds) argv.push('-O', String(opts.omitSeconds));
  if (opts.parallel) argv.push('-P', String(opts.parallel));
  if (opts.congestion) argv.push('-C', opts.congestion);
  const full = opts.mptcp ? ['mptcpize', 'run', ...argv] : argv;
  const timeoutMs = (opts.seconds + (opts.omitSeconds ?? 0) + 20) * 1000;
  // iperf3's server re-opens its listener between tests: a client that arrives in that gap is
  // reset before any data flows. That is the harness, not the path under test: retry it.
  for (let attempt = 1; ; attempt++) {
    const r = await lab.exec(ns, full, { allowFail: true, timeoutMs });
    try {
      return parseIperfJson(r.stdout);
    } catch (e) {
      const message = (e as Error).message;
      if (attempt < 3 && /unable to (connect to server|receive control message)|server is busy/.test(message)) {
        await new Promise((resolve) => setTimeout(resolve, 1000));
        continue;
      }
      throw new Error(`${full.join(' ')} (exit ${r.code}): ${message}\n${r.stderr.slice(-2000)}`);
    }
  }
}
