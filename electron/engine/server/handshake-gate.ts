// Admission for handshakes in progress. An unauthenticated peer must not be able to hold the
// server's handshake slots: each source address gets a few, and when all slots are taken the
// oldest handshake (a real device finishes in one round trip; an idle one is an attacker or
// a dead peer) is aborted to make room.
export interface GateLimits {
  total: number;
  perSource: number;
}

interface Pending {
  source: string;
  abort: () => void;
}

export class HandshakeGate {
  private readonly pending = new Set<Pending>(); // insertion order = age
  private readonly bySource = new Map<string, number>();

  constructor(private readonly limits: GateLimits = { total: 256, perSource: 8 }) {}

  /** a ticket to release when the handshake ends, or undefined: this source has too many */
  admit(source: string, abort: () => void): { release(): void } | undefined {
    const count = this.bySource.get(source) ?? 0;
    if (count >= this.limits.perSource) return undefined;
    if (this.pending.size >= this.limits.total) {
      const oldest = this.pending.values().next().value as Pending;
      this.remove(oldest);
      oldest.abort();
    }
    const entry: Pending = { source, abort };
    this.pending.add(entry);
    this.bySource.set(source, count + 1);
    let released = false;
    return {
      release: () => {
        if (released) return;
        released = true;
        this.remove(entry);
      },
    };
  }

  get size(): number {
    return this.pending.size;
  }

  private remove(entry: Pending): void {
    if (!this.pending.delete(entry)) return;
    const left = (this.bySource.get(entry.source) ?? 1) - 1;
    if (left > 0) this.bySource.set(entry.source, left);
    else this.bySource.delete(entry.source);
  }
}
