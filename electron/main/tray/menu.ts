// The tray: icon state, tooltip and menu as pure functions of the app state. The Electron glue
// (tray.ts) only converts these to Tray/Menu calls, so every state is unit-tested here.
import { formatRate, overallState, type OverallState } from '../../shared/derive';
import type { EngineHealth, LinkMode, PathView, TunnelView } from '../../shared/types';

export interface TrayModel {
  health: EngineHealth;
  tunnel: TunnelView | null;
  paths: PathView[];
  /** aggregate bits/s, up + down */
  rateBps: number;
}

export type TrayAction = { type: 'connect' } | { type: 'disconnect' } | { type: 'mode'; link: string; mode: LinkMode } | { type: 'open' } | { type: 'quit' };

export type TrayItem =
  | { kind: 'label'; label: string }
  | { kind: 'action'; label: string; enabled: boolean; action: TrayAction }
  | { kind: 'radio'; label: string; checked: boolean; enabled: boolean; action: TrayAction }
  | { kind: 'submenu'; label: string; enabled: boolean; items: TrayItem[] }
  | { kind: 'separator' };

export type TrayIconState = OverallState;

export function trayIconState(model: TrayModel): TrayIconState {
  return overallState(model.health, model.tunnel, model.paths);
}

const STATE_WORDS: Record<TrayIconState, string> = {
  off: 'Off',
  connecting: 'Connecting…',
  connected: 'Connected',
  degraded: 'Connected, degraded',
  error: 'Not working',
};

const PATH_WORDS: Record<PathView['state'], string> = {
  active: 'active',
  backup: 'standing by',
  joining: 'joining',
  idle: 'idle',
  failed: 'failed',
  unreachable: 'cannot reach server',
  unavailable: 'unavailable',
};

const MODE_WORDS: Record<LinkMode, string> = { on: 'On', backup: 'Backup', off: 'Off' };

function engineProblem(model: TrayModel): string | undefined {
  return model.health.state === 'ready' ? undefined : model.health.message.replace(/`/g, '');
}

export function trayTooltip(model: TrayModel): string {
  const problem = engineProblem(model);
  if (problem) return `Braid — ${problem}`;
  const state = trayIconState(model);
  const head = `Braid — ${STATE_WORDS[state]}`;
  if (!model.tunnel || model.tunnel.state !== 'connected') return head;
  const active = model.paths.filter((p) => p.state === 'active').length;
  return `${head}\n${formatRate(model.rateBps)} over ${active} active ${active === 1 ? 'path' : 'paths'}`;
}

export function pathLabel(p: PathView): string {
  return p.mode === 'off' ? `${p.link} — off` : `${p.link} — ${PATH_WORDS[p.state]}`;
}

export function buildTrayMenu(model: TrayModel): TrayItem[] {
  const ready = model.health.state === 'ready' && model.tunnel !== null;
  const writable = ready && model.health.access === 'write';
  const items: TrayItem[] = [];
  const problem = engineProblem(model);
  items.push({ kind: 'label', label: problem ?? `Braid: ${STATE_WORDS[trayIconState(model)]}` });
  const wantsConnected = model.tunnel?.target === 'connected';
  items.push(
    wantsConnected
      ? { kind: 'action', label: 'Disconnect', enabled: writable, action: { type: 'disconnect' } }
      : { kind: 'action', label: 'Connect', enabled: writable, action: { type: 'connect' } },
  );
  if (model.paths.length) {
    items.push({ kind: 'separator' });
    for (const p of model.paths) {
      items.push({
        kind: 'submenu',
        label: pathLabel(p),
        enabled: ready,
        items: (['on', 'backup', 'off'] as const).map((mode) => ({
          kind: 'radio' as const,
          label: MODE_WORDS[mode],
          checked: p.mode === mode,
          enabled: writable,
          action: { type: 'mode' as const, link: p.link, mode },
        })),
      });
    }
  }
  items.push({ kind: 'separator' });
  items.push({ kind: 'action', label: 'Open Braid', enabled: true, action: { type: 'open' } });
  items.push({ kind: 'action', label: 'Quit', enabled: true, action: { type: 'quit' } });
  return items;
}
