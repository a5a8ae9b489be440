// Data usage per link and billing period, and data caps. Fed once a second with each link's
// interface byte counters (/sys/class/net/<if>/statistics/{tx,rx}_bytes); counts the deltas
// into the current billing period, rolls over at the billing day, and says when a cap's 75 %,
// 95 % and 100 % marks are crossed. Keyed by the link's stable identity (MAC or NetworkManager
// connection) so a renamed or re-plugged interface keeps its count. Persisted through a
// UsageStorePort at most every flushIntervalMs, so a restart loses at most that much.
//
// Counting rules:
// - the first sample of a link (after a start, or after its interface name changed) is only a
//   baseline: what the counter held before is unknown, so it is not counted;
// - a counter that went backwards belongs to a recreated interface that started again from 0:
//   its whole new value is counted; a delta is never negative;
// - a cap counts both directions (data plans do).
import type { LinkUsage as WireLinkUsage } from '../../protocol/control';
import type { CapAction, CapNotice, StoredCap, UsageRecord, UsageState, UsageStorePort } from '../store/usage-store';
import { assertBillingDay, nextPeriodStart, periodStart } from './billing';

export type LinkCap = StoredCap;
export type { CapAction };

export type CapWarningThreshold = 0.75 | 0.95;

interface CapEventBase {
  identity: string;
  /** the interface name last seen for this identity */
  link: string | undefined;
  /** bytes sent + received this period */
  usedBytes: number;
  cap: LinkCap;
  periodStart: number;
  periodEnd: number;
}
export type CapEvent =
  | (CapEventBase & { kind: 'cap-warning'; threshold: CapWarningThreshold })
  | (CapEventBase & { kind: 'cap-reached'; action: CapAction });

export interface LinkUsage {
  periodStart: number;
  /** when the next period starts (and the counters go back to 0) */
  periodEnd: number;
  txBytes: number;
  rxBytes: number;
  /** counted since this meter started (the engine's session) */
  sessionTxBytes: number;
  sessionRxBytes: number;
  cap?: LinkCap;
  /** (txBytes + rxBytes) / cap.bytes; may exceed 1 */
  capFraction?: number;
}

export interface UsageMeterOptions {
  store: UsageStorePort;
  clock: { now(): number };
  /** default 10 s: the most a crash or power cut can lose */
  flushIntervalMs?: number;
  /** a failed save (disk full, read-only) is reported here; counting goes on */
  warn?: (message: string) => void;
}

/** highest first: check() reports only the highest mark newly crossed */
const MARKS: ReadonlyArray<{ notice: CapNotice; fraction: number }> = [
  { notice: 'reached', fraction: 1 },
  { notice: 'warning-95', fraction: 0.95 },
  { notice: 'warning-75', fraction: 0.75 },
];

const DEFAULT_BILLING_DAY = 1;

interface Counters {
  name: string;
  tx: number;
  rx: number;
}

export class UsageMeter {
  private readonly store: UsageStorePort;
  private readonly clock: { now(): number };
  private readonly flushIntervalMs: number;
  private readonly warn: (message: string) => void;
  private readonly records = new Map<string, UsageRecord>();
  /** caps set at run time (persisted); null: the user removed the config's cap */
  private readonly runtimeCaps = new Map<string, LinkCap | null>();
  /** caps from the config file (not persisted: the file is read at every start) */
  private readonly defaultCaps = new Map<string, LinkCap>();
  private readonly lastCounters = new Map<string, Counters>();
  private readonly session = new Map<string, { tx: number; rx: number }>();
  private dirty = false;
  private lastFlushAt: number;
  private lastSaveError: string | undefined;

  constructor(options: UsageMeterOptions) {
    this.store = options.store;
    this.clock = options.clock;
    this.flushIntervalMs = options.flushIntervalMs ?? 10_000;
    this.warn = options.warn ?? ((message) => process.emitWarning(message));
    const state = this.store.load();
    for (const [identity, record] of Object.entries(state.usage)) this.records.set(identity, { ...record, notices: [...record.notices] });
    for (const [identity, cap] of Object.entries(state.caps)) this.runtimeCaps.set(identity, cap && { ...cap });
    this.lastFlushAt = this.clock.now();
  }

  /**
   * One sample of a link's interface counters (totals since the interface was created).
   * Call about once a second per link; non-finite or negative totals are ignored.
   */
  record(identity: string, linkName: string, txBytesTotal: number, rxBytesTotal: number): void {
    if (!isCounter(txBytesTotal) || !isCounter(rxBytesTotal)) {
      this.lastCounters.delete(identity); // the next good sample is a fresh baseline
      return;
    }
    const now = this.clock.now();
    const previous = this.lastCounters.get(identity);
    this.lastCounters.set(identity, { name: linkName, tx: txBytesTotal, rx: rxBytesTotal });
    const record = this.current(identity, now, true)!;
    if (record.name !== linkName) {
      record.name = linkName;
      this.dirty = true;
    }
    if (previous && previous.name === linkName) {
      const tx = delta(previous.tx, txBytesTotal);
      const rx = delta(previous.rx, rxBytesTotal);
      if (tx > 0 || rx > 0) {
        record.txBytes = clampAdd(record.txBytes, tx);
        record.rxBytes = clampAdd(record.rxBytes, rx);
        record.updatedAt = now;
        const session = this.session.get(identity) ?? { tx: 0, rx: 0 };
        session.tx += tx;
        session.rx += rx;
        this.session.set(identity, session);
        this.dirty = true;
      }
    }
    this.maybeFlush(now);
  }

  /** the link went away: its next sample is a new baseline (usage and caps are kept) */
  forgetCounters(identity: string): void {
    this.lastCounters.delete(identity);
  }

  /** sets (or with null removes) a link's cap at run time; persisted at once */
  setCap(identity: string, cap: LinkCap | null): void {
    if (cap) checkCap(cap);
    this.runtimeCaps.set(identity, cap && { ...cap });
    this.dirty = true;
    this.capChanged(identity);
    this.flush();
  }

  /**
   * The config file's cap for a link; a cap set with setCap (even null) takes precedence.
   * Cheap to call every second: the same cap again changes nothing and writes nothing.
   */
  setDefaultCap(identity: string, cap: LinkCap | undefined): void {
    if (sameCap(this.defaultCaps.get(identity), cap)) return;
    if (cap) {
      checkCap(cap);
      this.defaultCaps.set(identity, { ...cap });
    } else {
      this.defaultCaps.delete(identity);
    }
    this.capChanged(identity);
  }

  /** the cap in force: the run-time one if the user set one, else the config's */
  cap(identity: string): LinkCap | undefined {
    const cap = this.runtimeCaps.has(identity) ? this.runtimeCaps.get(identity) : this.defaultCaps.get(identity);
    return cap ? { ...cap } : undefined;
  }

  usage(identity: string): LinkUsage {
    const now = this.clock.now();
    const cap = this.cap(identity);
    const record = this.current(identity, now, false);
    const day = cap?.billingDay ?? DEFAULT_BILLING_DAY;
    const start = record?.periodStart ?? periodStart(now, day);
    const session = this.session.get(identity) ?? { tx: 0, rx: 0 };
    const usage: LinkUsage = {
      periodStart: start,
      periodEnd: nextPeriodStart(start, record?.billingDay ?? day),
      txBytes: record?.txBytes ?? 0,
      rxBytes: record?.rxBytes ?? 0,
      sessionTxBytes: session.tx,
      sessionRxBytes: session.rx,
    };
    if (cap) {
      usage.cap = cap;
      usage.capFraction = (usage.txBytes + usage.rxBytes) / cap.bytes;
    }
    return usage;
  }

  /** usage in the control protocol's shape (PathStatus.usage) */
  usageStatus(identity: string): WireLinkUsage {
    const { sessionTxBytes: _tx, sessionRxBytes: _rx, ...wire } = this.usage(identity);
    return wire;
  }

  /**
   * Cap marks newly crossed: at most one event per call (the highest mark crossed), and each
   * mark at most once per period. A mark counts as given while usage stays above it, so
   * raising the cap re-arms the marks it moved above the usage.
   */
  check(identity: string): CapEvent[] {
    const now = this.clock.now();
    const cap = this.cap(identity);
    const record = this.current(identity, now, false);
    if (!record) return [];
    this.rearm(record, cap);
    if (!cap) return [];
    const fraction = (record.txBytes + record.rxBytes) / cap.bytes;
    const mark = MARKS.find((m) => fraction >= m.fraction);
    if (!mark || record.notices.includes(mark.notice)) return [];
    record.notices = MARKS.filter((m) => m.fraction <= mark.fraction).map((m) => m.notice);
    this.dirty = true;
    this.maybeFlush(now);
    const base: CapEventBase = {
      identity,
      link: record.name,
      usedBytes: record.txBytes + record.rxBytes,
      cap,
      periodStart: record.periodStart,
      periodEnd: nextPeriodStart(record.periodStart, record.billingDay),
    };
    return [
      mark.notice === 'reached'
        ? { ...base, kind: 'cap-reached', action: cap.action }
        : { ...base, kind: 'cap-warning', threshold: mark.fraction as CapWarningThreshold },
    ];
  }

  /** true while the link's usage this period is at or over its cap */
  isCapped(identity: string): boolean {
    const cap = this.cap(identity);
    if (!cap) return false;
    const record = this.current(identity, this.clock.now(), false);
    return record !== undefined && record.txBytes + record.rxBytes >= cap.bytes;
  }

  /** identities with usage this period or a cap */
  identities(): string[] {
    return [...new Set([...this.records.keys(), ...this.runtimeCaps.keys(), ...this.defaultCaps.keys()])];
  }

  /** starts the session counters again (e.g. on a new tunnel session) */
  resetSession(): void {
    this.session.clear();
  }

  /** writes now if anything changed; a failed write is reported through `warn` and retried later */
  flush(): void {
    const now = this.clock.now();
    this.lastFlushAt = now;
    if (!this.dirty) return;
    try {
      this.store.save(this.snapshot(now));
      this.dirty = false;
      if (this.lastSaveError !== undefined) this.warn('usage counters are being saved again');
      this.lastSaveError = undefined;
    } catch (error) {
      const message = `cannot save usage counters: ${(error as Error).message}`;
      if (message !== this.lastSaveError) this.warn(message); // once per distinct failure, not every 10 s
      this.lastSaveError = message;
    }
  }

  private maybeFlush(now: number): void {
    // a clock that jumped backwards must not postpone saving until it catches up
    if (this.dirty && (now - this.lastFlushAt >= this.flushIntervalMs || now < this.lastFlushAt)) this.flush();
  }

  private snapshot(now: number): UsageState {
    const usage: UsageState['usage'] = {};
    for (const [identity, record] of this.records) {
      // a period that has ended counts as zero anyway: drop links that were not seen since
      if (now >= nextPeriodStart(record.periodStart, record.billingDay) && !this.lastCounters.has(identity)) {
        this.records.delete(identity);
        continue;
      }
      usage[identity] = { ...record, notices: [...record.notices] };
    }
    const caps: UsageState['caps'] = {};
    for (const [identity, cap] of this.runtimeCaps) caps[identity] = cap && { ...cap };
    return { usage, caps };
  }

  private capChanged(identity: string): void {
    const record = this.current(identity, this.clock.now(), false);
    if (record) this.rearm(record, this.cap(identity));
  }

  /** forgets the marks the usage is no longer above (a raised or removed cap) */
  private rearm(record: UsageRecord, cap: LinkCap | undefined): void {
    const fraction = cap ? (record.txBytes + record.rxBytes) / cap.bytes : 0;
    const given = record.notices.filter((notice) => fraction >= MARKS.find((m) => m.notice === notice)!.fraction);
    if (given.length === record.notices.length) return;
    record.notices = given;
    this.dirty = true;
  }

  /**
   * The record of the period `now` falls in, rolled over or adapted as needed. A billing day
   * changed mid-period moves the period's start but keeps its count (over- rather than
   * under-counting a cap); a clock set back before the period's start keeps counting into it.
   */
  private current(identity: string, now: number, create: boolean): UsageRecord | undefined {
    const day = this.cap(identity)?.billingDay ?? DEFAULT_BILLING_DAY;
    const start = periodStart(now, day);
    let record = this.records.get(identity);
    if (!record) {
      if (!create) return undefined;
      record = { periodStart: start, billingDay: day, txBytes: 0, rxBytes: 0, updatedAt: now, notices: [] };
      this.records.set(identity, record);
      this.dirty = true;
      return record;
    }
    if (record.billingDay !== day) {
      const ended = now >= nextPeriodStart(record.periodStart, record.billingDay);
      if (ended) rollOver(record, start, now);
      record.periodStart = start;
      record.billingDay = day;
      this.dirty = true;
    } else if (start > record.periodStart) {
      rollOver(record, start, now);
      this.dirty = true;
    }
    return record;
  }
}

function rollOver(record: UsageRecord, start: number, now: number): void {
  record.periodStart = start;
  record.txBytes = 0;
  record.rxBytes = 0;
  record.notices = [];
  record.updatedAt = now;
}

function isCounter(value: number): boolean {
  return Number.isFinite(value) && value >= 0;
}

/** bytes since the previous sample; a counter that went back restarted from 0 */
function delta(previous: number, current: number): number {
  return current >= previous ? current - previous : current;
}

function clampAdd(a: number, b: number): number {
  return Math.min(Number.MAX_SAFE_INTEGER, a + b);
}

function sameCap(a: LinkCap | undefined, b: LinkCap | undefined): boolean {
  return a === b || (a !== undefined && b !== undefined && a.bytes === b.bytes && a.billingDay === b.billingDay && a.action === b.action);
}

function checkCap(cap: LinkCap): void {
  if (!Number.isSafeInteger(cap.bytes) || cap.bytes <= 0) throw new RangeError(`a cap must be a whole number of bytes above 0, not ${cap.bytes}`);
  assertBillingDay(cap.billingDay);
  if (cap.action !== 'off' && cap.action !== 'backup') throw new RangeError(`a cap's action must be off or backup, not ${String(cap.action)}`);
}
