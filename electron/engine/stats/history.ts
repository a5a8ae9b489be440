// The last 10 minutes of rates for graphs: a fixed-size ring (600 samples at 1 Hz) of the
// aggregate and per-link rates. Stored in columns (typed arrays) so memory is fixed up front;
// a link's column is released once its last sample has left the ring, so interfaces that come
// and go (docking, tethering) cannot grow memory, and at most maxLinks columns exist at once.

export interface RatePair {
  /** bits per second */
  txBps: number;
  rxBps: number;
}

export interface HistorySample {
  /** ms since the epoch */
  at: number;
  aggregate: RatePair;
  links: Record<string, RatePair>;
}

export const HISTORY_CAPACITY = 600;
export const HISTORY_MAX_LINKS = 32;

interface LinkColumn {
  tx: Float64Array;
  rx: Float64Array;
  /** the sequence number each slot was written with; a slot is this link's only if it matches */
  seq: Float64Array;
  lastSeq: number;
}

export class History {
  private readonly at: Float64Array;
  private readonly aggTx: Float64Array;
  private readonly aggRx: Float64Array;
  private readonly columns = new Map<string, LinkColumn>();
  /** sequence number of the next push; slot = seq % capacity */
  private nextSeq = 0;

  constructor(
    readonly capacity = HISTORY_CAPACITY,
    readonly maxLinks = HISTORY_MAX_LINKS,
  ) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError('history capacity must be a whole number >= 1');
    this.at = new Float64Array(capacity);
    this.aggTx = new Float64Array(capacity);
    this.aggRx = new Float64Array(capacity);
  }

  get size(): number {
    return Math.min(this.nextSeq, this.capacity);
  }

  /** names that have at least one sample in the ring */
  linkNames(): string[] {
    return [...this.columns.keys()];
  }

  /**
   * Adds a sample, overwriting the oldest when full. Rates are rounded to whole bits per second
   * (and non-finite or negative ones stored as 0); links beyond maxLinks are left out.
   */
  push(sample: HistorySample): void {
    const seq = this.nextSeq++;
    const slot = seq % this.capacity;
    this.at[slot] = sample.at;
    this.aggTx[slot] = rate(sample.aggregate.txBps);
    this.aggRx[slot] = rate(sample.aggregate.rxBps);
    for (const [name, rates] of Object.entries(sample.links)) {
      if (name === '__proto__') continue; // would not survive a plain object on the way out
      let column = this.columns.get(name);
      if (!column) {
        if (this.columns.size >= this.maxLinks) continue;
        column = {
          tx: new Float64Array(this.capacity),
          rx: new Float64Array(this.capacity),
          seq: new Float64Array(this.capacity).fill(-1),
          lastSeq: seq,
        };
        this.columns.set(name, column);
      }
      column.tx[slot] = rate(rates.txBps);
      column.rx[slot] = rate(rates.rxBps);
      column.seq[slot] = seq;
      column.lastSeq = seq;
    }
    // a link absent from every sample still in the ring has no data left: release it
    for (const [name, column] of this.columns) if (column.lastSeq <= seq - this.capacity) this.columns.delete(name);
  }

  /** samples taken after `sinceMs` (all when omitted), oldest first */
  since(sinceMs = -Infinity): HistorySample[] {
    const out: HistorySample[] = [];
    const first = Math.max(0, this.nextSeq - this.capacity);
    for (let seq = first; seq < this.nextSeq; seq++) {
      const slot = seq % this.capacity;
      if (!(this.at[slot]! > sinceMs)) continue;
      const links: Record<string, RatePair> = {};
      for (const [name, column] of this.columns) {
        if (column.seq[slot] === seq) links[name] = { txBps: column.tx[slot]!, rxBps: column.rx[slot]! };
      }
      out.push({ at: this.at[slot]!, aggregate: { txBps: this.aggTx[slot]!, rxBps: this.aggRx[slot]! }, links });
    }
    return out;
  }

  clear(): void {
    this.nextSeq = 0;
    this.columns.clear();
  }
}

function rate(value: number): number {
  return Number.isFinite(value) && value > 0 ? Math.round(value) : 0;
}
