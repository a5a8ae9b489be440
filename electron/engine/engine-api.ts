// What the control socket exposes of a running engine (client or server mode). The control
// server depends only on this interface, so it can be unit-tested with a fake engine.
import type { EngineStatus, HistorySample, LinkCap, LinkMode } from '../protocol/control';

export interface EngineApi {
  readonly mode: 'client' | 'server';
  readonly version: string;
  status(): EngineStatus;
  /** called whenever status changes (the control server coalesces to a few per second) */
  onChange(listener: () => void): () => void;
  /** client only: persist the user's intent and converge to it */
  setTargetState(state: 'connected' | 'disconnected'): Promise<void>;
  /** client only: persist a link's mode and apply it live */
  setLinkMode(link: string, mode: LinkMode): Promise<void>;
  /** client only: set (null: remove) a link's data cap, persist it and enforce it live */
  setLinkCap(link: string, cap: LinkCap | null): Promise<void>;
  /** client only: rate samples taken after sinceMs (the last 10 minutes when omitted), oldest first */
  history(sinceMs?: number): HistorySample[];
}

/** a request the engine cannot serve in its mode or state; the message is shown to the user */
export class EngineRequestError extends Error {}
