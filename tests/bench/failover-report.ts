// Text and ratio entries for the failover rows (tests/bench/failover.ts) of `npm run bench`.
import { FULL_FRACTION, GAP_HOLD_MS, HOLD_MS, LINK_BACK_FRACTION, RECOVER_FRACTION } from './failover-analysis';
import type { FailoverResult, FailoverRow, FailoverRun } from './failover';

export const TARGET_GAP_MS = 500;
export const TARGET_FULL_MS = 1000;

const n0 = (x: number | null | undefined) => (x === null || x === undefined ? 'n/a' : x.toFixed(0));
const n1 = (x: number | null | undefined) => (x === null || x === undefined ? 'n/a' : x.toFixed(1));

function gapCell(r: FailoverRun): string {
  const m = r.metrics!;
  return m.gapMs === null ? `>${r.downMs - GAP_HOLD_MS}` : String(m.gapMs);
}

export function failoverTable(f: FailoverResult): string {
  const thr = RECOVER_FRACTION * f.remainingNominalMbit;
  const head = [
    'row', 'dir', 'subflows', 'pre Mbit/s', 'dip min', 'gap ms', 'longest stall ms', `<${n0(thr)} Mbit/s ms`, `remaining (of ${f.remainingNominalMbit})`,
    `${f.link} back ms`, 'full rate ms', 'engine gap ms (noticed)',
  ];
  const lines: string[][] = [head];
  const free: string[] = [];
  for (const row of f.rows) {
    if (!row.available || !row.runs.length) {
      free.push(`  ${row.label}: ${row.note ?? 'no runs'}`);
      continue;
    }
    for (const r of row.runs) {
      const m = r.metrics;
      if (!m) {
        free.push(`  ${row.label} (${r.direction} #${r.run}): no figures: ${r.error}`);
        continue;
      }
      const e = r.engine;
      lines.push([
        row.label,
        `${r.direction} #${r.run}`,
        n0(r.subflowsBefore),
        n1(m.preMbit),
        n1(m.dipMinMbit),
        gapCell(r),
        n0(m.longestStallMs),
        n0(m.belowMs),
        n1(m.remainingMbit),
        r.linkBackMs == null ? 'never' : n0(r.linkBackMs),
        m.fullRateMs === null ? 'not reached' : n0(m.fullRateMs),
        row.row === 'braid' ? `${e?.gapMs == null ? 'none' : n0(e.gapMs)} (${e?.noticedMs == null ? '?' : `+${n0(e.noticedMs)}`})` : '',
      ]);
    }
  }
  const w = head.map((_, c) => Math.max(...lines.map((l) => l[c].length)));
  return lines
    .map((l) => l.map((x, c) => (c < 2 ? x.padEnd(w[c]) : x.padStart(w[c]))).join('  '))
    .concat(free)
    .join('\n');
}

export function failoverNotes(f: FailoverResult): string {
  const thr = RECOVER_FRACTION * f.remainingNominalMbit;
  const pct = (x: number) => `${Math.round(x * 100)} %`;
  const out = [
    `  ${f.link} (where every tunnel's connection starts) down ${f.downForMs / 1000} s, ${f.downAfterMs / 1000} s into a ${f.flowSeconds} s flow to the internet host; receiver-side bytes in 50 ms bins; t=0 when the link goes down.`,
    `  pre = mean over the 2 s before; dip min = lowest 100 ms window in the first second; subflows = the tunnel connection's subflows at the start.`,
    `  held at L for D from t = the 100 ms window at t is >= L and the D from t average >= L with no 100 ms window below L/2 (a burst between stalls is no recovery);`,
    `  gap = from t=0 until throughput is held at ${n1(thr)} Mbit/s (${pct(RECOVER_FRACTION)} of the remaining links' ${f.remainingNominalMbit} Mbit/s) for ${GAP_HOLD_MS / 1000} s; 0: it never stalled; ">N": not before the return;`,
    `  longest stall = longest run of 50 ms bins under ${n1(thr / 2)} Mbit/s (near zero) during the outage: the interruption a user notices;`,
    `  <${n0(thr)} Mbit/s ms = all time below the threshold during the outage (every stall, relapses included); remaining = mean of the outage's last 1.5 s.`,
    `  ${f.link} back = from the link's return (up, carrier, default route) until it carried >= ${pct(LINK_BACK_FRACTION)} of its rate for 100 ms (server-side counter);`,
    `  full rate = from the return until throughput is held at ${pct(FULL_FRACTION)} of pre for ${HOLD_MS} ms.`,
    `  engine gap = Braid's own figure for ${f.link} (its \`failover\` event): from the moment the engine noticed the loss (in brackets, ms after t=0) until a 100 ms window reached 25 % of the rate before it.`,
  ];
  const ov = f.rows.find((r) => r.row === 'openvpn-mptcp');
  const hooks = (ov?.runs ?? []).filter((r) => r.adminHook);
  if (hooks.length) {
    out.push(
      `  OpenVPN: after linkUp the bench ran a careful admin's link-up hook (mode ${f.openvpnRelink}): ${f.link}'s policy routes back, and ` +
        (f.openvpnRelink === 'always' ? `its endpoint deleted and re-added (\`ip mptcp endpoint delete\` + \`add\`) every time.` : `its endpoint deleted and re-added only when the connection had lost its subflow on ${f.link} (the kernel never re-creates one).`),
    );
    for (const r of hooks) {
      const h = r.adminHook!;
      out.push(`    ${r.direction} #${r.run}: subflow on ${f.link} ${h.subflowSurvived ? 'survived the outage' : 'was gone'}; endpoint ${h.readded ? 're-added' : 'left alone'}; hook ${h.ms} ms; ${h.subflowsAfter} subflows after it.`);
    }
  }
  const braid = f.rows.find((r) => r.row === 'braid');
  for (const r of braid?.runs ?? []) {
    if (!r.engine) continue;
    const lf = r.engine.lastFailover;
    out.push(`  Braid engine events (${r.direction} #${r.run}), ms after ${f.link} went down (it returned at ${r.downMs}); status.lastFailover at the end: ${lf ? `${lf.link} ${lf.gapMs} ms` : 'none'}:`);
    const shown = r.engine.events.filter((e) => e.kind === 'failover' || e.kind === 'path' || e.kind === 'tunnel').slice(0, 12);
    for (const e of shown) out.push(`    ${String(e.tMs).padStart(6)}  ${e.kind}: ${e.message}`);
    if (!shown.length) out.push('    (none)');
  }
  return out.join('\n');
}

type Pair = { up: number | null; down: number | null; note?: string };

/** ratio-section entries per direction, for Braid and OpenVPN: the worst (largest) of the runs */
export function failoverRatios(f: FailoverResult): Record<string, Pair> {
  const worst = (row: FailoverRow | undefined, get: (r: FailoverRun) => number | null | undefined, why: (r: FailoverRun) => string): Pair => {
    if (!row?.available) return { up: null, down: null, note: row?.note ?? 'not measured' };
    const p: Pair = { up: null, down: null };
    const notes: string[] = [];
    for (const d of ['up', 'down'] as const) {
      const runs = row.runs.filter((r) => r.direction === d);
      if (!runs.length) {
        notes.push(`${d}: not run`);
        continue;
      }
      const vals = runs.map((r) => get(r));
      const missing = runs.filter((_, i) => vals[i] == null);
      if (missing.length) notes.push(...missing.map((r) => `${d} #${r.run}: ${r.metrics ? why(r) : r.error}`));
      else if (vals.length) p[d] = Math.max(...(vals as number[]));
      if (vals.length > 1 && !missing.length) notes.push(`${d} runs ${vals.map((v) => n0(v)).join(', ')}`);
    }
    return notes.length ? { ...p, note: notes.join('; ') } : p;
  };
  const braid = f.rows.find((r) => r.row === 'braid');
  const ov = f.rows.find((r) => r.row === 'openvpn-mptcp');
  const noGap = () => 'not held before the link returned';
  const noFull = () => 'full rate not reached';
  const of = `worst of ${f.runsPerDirection}`;
  return {
    [`Braid failover gap, ${of} (ms; target < ${TARGET_GAP_MS})`]: worst(braid, (r) => r.metrics?.gapMs, noGap),
    [`Braid longest stall, ${of} (ms)`]: worst(braid, (r) => r.metrics?.longestStallMs, () => 'n/a'),
    [`Braid full rate after return, ${of} (ms; target < ${TARGET_FULL_MS})`]: worst(braid, (r) => r.metrics?.fullRateMs, noFull),
    [`Braid engine-reported failover gap, ${of} (ms)`]: worst(braid, (r) => r.engine?.gapMs, () => `no failover event for ${f.link}`),
    [`OpenVPN failover gap, ${of} (ms)`]: worst(ov, (r) => r.metrics?.gapMs, noGap),
    [`OpenVPN longest stall, ${of} (ms)`]: worst(ov, (r) => r.metrics?.longestStallMs, () => 'n/a'),
    [`OpenVPN full rate after return, hook ${f.openvpnRelink}, ${of} (ms)`]: worst(ov, (r) => r.metrics?.fullRateMs, noFull),
  };
}
