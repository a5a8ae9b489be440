// The client tunnel state machine: one FIFO of commands and port events; each state's handler
// (states/*.ts, one file per state) returns the next state. Async work (connect attempts,
// teardown) runs outside and posts its result back as an input, tagged with the attempt it
// belongs to, so a late result from an abandoned attempt is recognised and discarded.
import type { TunnelState } from '../../protocol/control';
import type { Clock } from '../ports';

export interface LiveSession {
  /** tunnel address the server assigned, CIDR */
  address: string;
  mptcp: boolean;
  close(reason: string): void;
}

export class ConnectError extends Error {
  constructor(
    message: string,
    /** false when retrying soon cannot help (wrong keys, device not admitted) */
    readonly retryable: boolean,
  ) {
    super(message);
  }
}

/** what the machine needs from the world; the real one sets up TUN, routes and the session */
export interface Connector {
  connect(attempt: number, onClosed: (reason: string, message: string) => void): Promise<LiveSession>;
  /** undoes everything connect() set up (TUN, routes, endpoints) */
  teardown(): Promise<void>;
}

export type TunnelInput =
  | { type: 'connect' }
  | { type: 'disconnect' }
  | { type: 'attempt-succeeded'; attempt: number; session: LiveSession }
  | { type: 'attempt-failed'; attempt: number; error: Error }
  | { type: 'session-closed'; attempt: number; reason: string; message: string }
  | { type: 'retry'; attempt: number }
  | { type: 'torn-down' };

export interface Backoff {
  initialMs: number;
  maxMs: number;
}

export interface MachineContext {
  readonly clock: Clock;
  readonly backoff: Backoff;
  /** id of the current connect attempt; bumped for every new attempt */
  attempt: number;
  failures: number;
  reconnects: number;
  session?: LiveSession;
  cause?: string;
  startAttempt(): void;
  scheduleRetry(delayMs: number): void;
  cancelRetry(): void;
  startTeardown(): void;
  log(kind: string, message: string): void;
}

export interface StateHandler {
  readonly name: TunnelState;
  enter?(ctx: MachineContext): void;
  /** returns the next state, or undefined to stay */
  handle(ctx: MachineContext, input: TunnelInput): StateHandler | undefined;
}

export function backoffDelay(backoff: Backoff, failures: number): number {
  return Math.min(backoff.maxMs, backoff.initialMs * 2 ** Math.max(0, failures - 1));
}
