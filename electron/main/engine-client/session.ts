// What the supervisor needs from one control-socket connection. control-session.ts implements it
// over the engine's control client; tests substitute fakes.
import type { EngineStatus, HelloResult, HistorySample, LinkMode } from '../../protocol/control';

export interface ControlSession {
  readonly hello: HelloResult;
  /** starts the watch: resolves with the snapshot, then calls onStatus for every change */
  watch(onStatus: (status: EngineStatus) => void): Promise<EngineStatus>;
  setTargetState(state: 'connected' | 'disconnected'): Promise<void>;
  setLinkMode(link: string, mode: LinkMode): Promise<void>;
  /** the engine's rate history (the last 10 minutes), oldest first */
  history(): Promise<HistorySample[]>;
  /** listener runs once when the connection ends, for any reason */
  onClose(listener: (err?: Error) => void): void;
  close(): void;
}

/** connects and completes hello; rejects with a SessionOpenError when the reason is known */
export type OpenSession = (socketPath: string) => Promise<ControlSession>;

/** an error answer from the engine */
export class ControlCallError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** why a session could not be opened, in the supervisor's terms */
export class SessionOpenError extends Error {
  constructor(
    readonly kind: 'not-running' | 'no-access' | 'incompatible',
    message: string,
  ) {
    super(message);
  }
}
