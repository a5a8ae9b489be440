// Runs the state handlers: serialises inputs through one FIFO, performs the side effects the
// states ask for through the Connector port, and reports every transition.
import type { TunnelState } from '../../protocol/control';
import type { Clock } from '../ports';
import type { Backoff, Connector, LiveSession, MachineContext, StateHandler, TunnelInput } from './machine';
import { disconnected } from './states/disconnected';

export interface TunnelMachineEvents {
  onTransition(from: TunnelState, to: TunnelState): void;
  log(kind: string, message: string): void;
}

export class TunnelMachine implements MachineContext {
  attempt = 0;
  failures = 0;
  reconnects = 0;
  session?: LiveSession;
  cause?: string;
  since: number;
  private state: StateHandler = disconnected;
  private readonly queue: TunnelInput[] = [];
  private draining = false;
  private retryTimer?: { cancel(): void };
  private teardownDone?: Promise<void>;

  constructor(
    private readonly connector: Connector,
    readonly clock: Clock,
    readonly backoff: Backoff,
    private readonly events: TunnelMachineEvents,
  ) {
    this.since = clock.now();
  }

  get current(): TunnelState {
    return this.state.name;
  }

  post(input: TunnelInput): void {
    this.queue.push(input);
    if (this.draining) return;
    this.draining = true;
    try {
      while (this.queue.length > 0) {
        const next = this.state.handle(this, this.queue.shift() as TunnelInput);
        if (next && next !== this.state) this.transition(next);
      }
    } finally {
      this.draining = false;
    }
  }

  private transition(next: StateHandler): void {
    const from = this.state.name;
    this.state = next;
    this.since = this.clock.now();
    next.enter?.(this);
    this.events.onTransition(from, next.name);
  }

  startAttempt(): void {
    this.cancelRetry();
    const attempt = ++this.attempt;
    const onClosed = (reason: string, message: string) => this.post({ type: 'session-closed', attempt, reason, message });
    // wait for a teardown still in progress so routes are not removed under a new session
    const ready = this.teardownDone ?? Promise.resolve();
    ready
      .then(() => this.connector.connect(attempt, onClosed))
      .then(
        (session) => this.post({ type: 'attempt-succeeded', attempt, session }),
        (error: unknown) =>
          this.post({ type: 'attempt-failed', attempt, error: error instanceof Error ? error : new Error(String(error)) }),
      );
  }

  scheduleRetry(delayMs: number): void {
    this.cancelRetry();
    const attempt = this.attempt;
    this.retryTimer = this.clock.setTimeout(() => this.post({ type: 'retry', attempt }), delayMs);
  }

  cancelRetry(): void {
    this.retryTimer?.cancel();
    this.retryTimer = undefined;
  }

  startTeardown(): void {
    const done = this.connector.teardown().catch((error: unknown) => this.log('teardown', `teardown failed: ${String(error)}`));
    this.teardownDone = done;
    void done.then(() => {
      if (this.teardownDone === done) this.teardownDone = undefined;
      this.post({ type: 'torn-down' });
    });
  }

  log(kind: string, message: string): void {
    this.events.log(kind, message);
  }

  /** resolves once the machine rests in `disconnected` (used on engine shutdown) */
  async settle(timeoutMs: number): Promise<void> {
    const deadline = this.clock.now() + timeoutMs;
    while (this.state.name !== 'disconnected' && this.clock.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }
}
