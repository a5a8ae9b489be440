// Persists per-link data usage for the current billing period, and the data caps the user set
// at run time, in <stateDir>/usage.json, so counters and caps survive engine restarts. Keyed by
// the link's stable identity (MAC or NetworkManager connection), not its interface name.
// Written atomically (temp file, fsync, rename). A broken file, or a broken entry in it, is
// skipped with a warning: losing a counter is better than an engine that does not start.
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { MAX_BILLING_DAY, MIN_BILLING_DAY } from '../stats/billing';

export const USAGE_FILE = 'usage.json';
const VERSION = 1;

export const CapActionSchema = z.enum(['off', 'backup']);
export type CapAction = z.infer<typeof CapActionSchema>;

const byteCount = z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER);

export const StoredCapSchema = z.object({
  bytes: byteCount.positive(),
  billingDay: z.number().int().min(MIN_BILLING_DAY).max(MAX_BILLING_DAY),
  action: CapActionSchema,
});
export type StoredCap = z.infer<typeof StoredCapSchema>;

/** which cap notices were already given this period (so a restart does not repeat them) */
export const CapNoticeSchema = z.enum(['warning-75', 'warning-95', 'reached']);
export type CapNotice = z.infer<typeof CapNoticeSchema>;

const UsageRecordSchema = z.object({
  /** local midnight of the billing day that started this period (ms since the epoch) */
  periodStart: z.number().int(),
  /** the billing day periodStart was computed with */
  billingDay: z.number().int().min(MIN_BILLING_DAY).max(MAX_BILLING_DAY),
  txBytes: byteCount,
  rxBytes: byteCount,
  /** the interface name last seen for this identity, for people reading the file */
  name: z.string().max(64).optional(),
  /** last time bytes were counted; old records of links never seen again are dropped */
  updatedAt: z.number().int(),
  notices: z.array(CapNoticeSchema).max(3).default([]),
});
export type UsageRecord = z.infer<typeof UsageRecordSchema>;

export interface UsageState {
  usage: Record<string, UsageRecord>;
  /** caps set at run time; null records that the user removed the config file's cap */
  caps: Record<string, StoredCap | null>;
}

/** what UsageMeter needs: tests substitute an in-memory store */
export interface UsageStorePort {
  load(): UsageState;
  save(state: UsageState): void;
}

export class UsageStore implements UsageStorePort {
  /**
   * `file` undefined keeps nothing (tests, or an engine without a state dir);
   * `warn` receives one line per skipped file or entry (default: process.emitWarning).
   */
  constructor(
    readonly file: string | undefined,
    private readonly warn: (message: string) => void = (message) => process.emitWarning(message),
  ) {}

  static inDir(stateDir: string, warn?: (message: string) => void): UsageStore {
    return new UsageStore(path.join(stateDir, USAGE_FILE), warn);
  }

  load(): UsageState {
    const empty: UsageState = { usage: {}, caps: {} };
    if (!this.file) return empty;
    let raw: unknown;
    try {
      raw = JSON.parse(fs.readFileSync(this.file, 'utf8'));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return empty;
      this.warn(`ignoring unreadable usage file ${this.file}: ${(error as Error).message}`);
      return empty;
    }
    if (!isPlainObject(raw) || raw.version !== VERSION) {
      this.warn(`ignoring usage file ${this.file}: not a version ${VERSION} usage file`);
      return empty;
    }
    // entry by entry: one bad record must not cost every link its counters
    const state: UsageState = { usage: {}, caps: {} };
    for (const [identity, value] of entries(raw.usage)) {
      const record = UsageRecordSchema.safeParse(value);
      if (record.success) state.usage[identity] = record.data;
      else this.warn(`ignoring the usage of ${identity} in ${this.file}: ${record.error.issues[0]?.message ?? 'invalid'}`);
    }
    for (const [identity, value] of entries(raw.caps)) {
      const cap = StoredCapSchema.nullable().safeParse(value);
      if (cap.success) state.caps[identity] = cap.data;
      else this.warn(`ignoring the cap of ${identity} in ${this.file}: ${cap.error.issues[0]?.message ?? 'invalid'}`);
    }
    return state;
  }

  /** throws when the file cannot be written (the caller decides whether that is fatal) */
  save(state: UsageState): void {
    if (!this.file) return;
    fs.mkdirSync(path.dirname(this.file), { recursive: true, mode: 0o755 });
    const temp = `${this.file}.${process.pid}.tmp`;
    const text = `${JSON.stringify({ version: VERSION, usage: state.usage, caps: state.caps }, null, 2)}\n`;
    try {
      const fd = fs.openSync(temp, 'w', 0o644);
      try {
        fs.writeSync(fd, text);
        fs.fsyncSync(fd); // the rename must not publish an empty file after a power cut
      } finally {
        fs.closeSync(fd);
      }
      fs.renameSync(temp, this.file);
    } catch (error) {
      try {
        fs.rmSync(temp, { force: true });
      } catch {
        // the write's error is the one worth reporting
      }
      throw error;
    }
  }
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function entries(value: unknown): Array<[string, unknown]> {
  // "__proto__" as a key would replace the record's prototype instead of adding an entry
  return isPlainObject(value) ? Object.entries(value).filter(([key]) => key !== '__proto__') : [];
}
