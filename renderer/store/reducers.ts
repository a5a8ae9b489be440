// Pure state transitions for the renderer store: apply the snapshot, then notices with a larger
// seq (older or duplicate notices are ignored), and keep the chart's sample window bounded.
import type { NotifyMessage } from '../../electron/shared/ipc-schema';
import type {
  AppInfo,
  AppSnapshot,
  EngineHealth,
  EventView,
  PathView,
  SettingsView,
  StatsSample,
  TunnelView,
} from '../../electron/shared/types';

export interface DataState {
  /** true once the snapshot arrived */
  loaded: boolean;
  seq: number;
  app: AppInfo | null;
  health: EngineHealth | null;
  tunnel: TunnelView | null;
  paths: PathView[];
  events: EventView[];
  samples: StatsSample[];
  windowSeconds: number;
  settings: SettingsView | null;
  /** the last server the engine reported in this session: an engine that stops is not a first run */
  engineServer: string;
}

export const initialData: DataState = {
  loaded: false,
  seq: -1,
  app: null,
  health: null,
  tunnel: null,
  paths: [],
  events: [],
  samples: [],
  windowSeconds: 600,
  settings: null,
  engineServer: '',
};

export function applySnapshot(_state: DataState, snap: AppSnapshot): DataState {
  return {
    loaded: true,
    seq: snap.seq,
    app: snap.app,
    health: snap.health,
    tunnel: snap.tunnel,
    paths: snap.paths,
    events: snap.events,
    samples: trimSamples(snap.history.samples, snap.history.windowSeconds),
    windowSeconds: snap.history.windowSeconds,
    settings: snap.settings,
    engineServer: snap.tunnel?.server || _state.engineServer,
  };
}

/** applies one notice; returns the same object when it is stale (seq not newer) */
export function applyNotice(state: DataState, message: NotifyMessage): DataState {
  const seq = message.notice.seq;
  if (!state.loaded || seq <= state.seq) return state;
  const next = { ...state, seq };
  switch (message.group) {
    case 'app':
      return { ...next, health: message.notice.data };
    case 'tunnel':
      return { ...next, tunnel: message.notice.data, engineServer: message.notice.data?.server || state.engineServer };
    case 'paths':
      return { ...next, paths: message.notice.data };
    case 'links':
      return { ...next, events: message.notice.data };
    case 'stats':
      if (message.name === 'reset') {
        return { ...next, samples: trimSamples(message.notice.data.samples, message.notice.data.windowSeconds), windowSeconds: message.notice.data.windowSeconds };
      }
      return { ...next, samples: appendSample(state.samples, message.notice.data, state.windowSeconds) };
    case 'settings':
      return { ...next, settings: message.notice.data };
  }
}

/** appends a sample (replacing one in the same second) and drops those older than the window */
export function appendSample(samples: StatsSample[], sample: StatsSample, windowSeconds: number): StatsSample[] {
  const last = samples[samples.length - 1];
  const sameSecond = last !== undefined && Math.floor(last.at / 1000) === Math.floor(sample.at / 1000);
  const out = sameSecond ? [...samples.slice(0, -1), sample] : [...samples, sample];
  return trimSamples(out, windowSeconds, sample.at);
}

function trimSamples(samples: StatsSample[], windowSeconds: number, now?: number): StatsSample[] {
  const latest = now ?? samples[samples.length - 1]?.at;
  if (latest === undefined) return samples;
  const from = latest - windowSeconds * 1000;
  let drop = 0;
  while (drop < samples.length && samples[drop]!.at < from) drop++;
  return drop ? samples.slice(drop) : samples;
}
