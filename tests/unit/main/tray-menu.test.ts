import test from 'node:test';
import assert from 'node:assert/strict';
import type { EngineHealth, PathView, TunnelView } from '../../../electron/shared/types';
import { buildTrayMenu, trayIconState, trayTooltip, type TrayItem, type TrayModel } from '../../../electron/main/tray/menu';
import { trayIconPng } from '../../../electron/main/tray/icon-image';

const ready: EngineHealth = { state: 'ready', message: 'Engine running', access: 'write', socketPath: '/run/braid/engine.sock' };
const readOnly: EngineHealth = { ...ready, access: 'read' };
const notRunning: EngineHealth = {
  state: 'not-running',
  message: 'Engine not running — start it with `systemctl start braidd`',
  socketPath: '/run/braid/engine.sock',
};

function tunnel(state: TunnelView['state'], target: TunnelView['target'] = state === 'disconnected' ? 'disconnected' : 'connected'): TunnelView {
  return { state, target, since: 0, server: '198.19.0.1:7443', reconnects: 0, mptcp: state === 'connected' ? true : undefined };
}

function path(link: string, state: PathView['state'], mode: PathView['mode'] = 'on'): PathView {
  return { link, kind: 'ethernet', mode, state, upBps: 0, downBps: 0, upBytes: 0, downBytes: 0, share: 0 };
}

const three = [path('eth0', 'active'), path('wlan0', 'active'), path('usb0', 'backup', 'backup')];

function model(health: EngineHealth, t: TunnelView | null, paths: PathView[] = three, rateBps = 0): TrayModel {
  return { health, tunnel: t, paths, rateBps };
}

function actions(items: TrayItem[]): string[] {
  return items.flatMap((i) => (i.kind === 'action' ? [i.label] : i.kind === 'submenu' ? [`[${i.label}]`] : []));
}

test('icon state for every engine and tunnel state', () => {
  const cases: [TrayModel, string][] = [
    [model(notRunning, null, []), 'error'],
    [model({ ...notRunning, state: 'untrusted', message: 'x' }, null, []), 'error'],
    [model({ ...notRunning, state: 'incompatible', message: 'x' }, null, []), 'error'],
    [model({ ...notRunning, state: 'no-access', message: 'x' }, null, []), 'error'],
    [model({ ...notRunning, state: 'wrong-mode', message: 'x' }, null, []), 'error'],
    [model({ ...notRunning, state: 'error', message: 'x' }, null, []), 'error'],
    [model({ ...notRunning, state: 'connecting', message: 'x' }, null, []), 'connecting'],
    [model({ ...notRunning, state: 'starting', message: 'x' }, null, []), 'connecting'],
    [model(ready, tunnel('disconnected')), 'off'],
    [model(ready, tunnel('disconnected', 'connected')), 'connecting'],
    [model(ready, tunnel('connecting')), 'connecting'],
    [model(ready, tunnel('disconnecting', 'disconnected')), 'connecting'],
    [model(ready, tunnel('connected')), 'connected'],
    [model(ready, tunnel('connected'), [path('eth0', 'active'), path('wlan0', 'failed')]), 'degraded'],
    [model(ready, tunnel('connected'), [path('eth0', 'active'), path('wlan0', 'unreachable')]), 'degraded'],
    [model(ready, tunnel('connected'), [path('eth0', 'active'), path('wlan0', 'failed', 'off')]), 'connected'],
    [model(ready, tunnel('connected'), [path('eth0', 'backup', 'backup')]), 'degraded'],
    [model(ready, { ...tunnel('connected'), mptcp: false }), 'degraded'],
    [model(ready, tunnel('error')), 'error'],
  ];
  for (const [m, expected] of cases) {
    assert.equal(trayIconState(m), expected, `${m.health.state}/${m.tunnel?.state}/${m.paths.map((p) => p.state).join(',')}`);
  }
});

test('every icon state renders a distinct, valid PNG', () => {
  const pngs = (['off', 'connecting', 'connected', 'degraded', 'error'] as const).map((s) => trayIconPng(s, 32));
  for (const png of pngs) {
    assert.deepEqual([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    assert.equal(png.subarray(12, 16).toString('ascii'), 'IHDR');
    assert.equal(png.readUInt32BE(16), 32);
    assert.equal(png.readUInt32BE(20), 32);
  }
  assert.equal(new Set(pngs.map((p) => p.toString('base64'))).size, 5);
});

test('menu when connected: Disconnect, one submenu per link with its mode checked, Open, Quit', () => {
  const items = buildTrayMenu(model(ready, tunnel('connected')));
  assert.deepEqual(actions(items), ['Disconnect', '[eth0 — active]', '[wlan0 — active]', '[usb0 — standing by]', 'Open Braid', 'Quit']);
  const usb = items.find((i) => i.kind === 'submenu' && i.label.startsWith('usb0'));
  assert.ok(usb && usb.kind === 'submenu');
  assert.deepEqual(
    usb.items.map((i) => (i.kind === 'radio' ? [i.label, i.checked, i.enabled, i.action] : null)),
    [
      ['On', false, true, { type: 'mode', link: 'usb0', mode: 'on' }],
      ['Backup', true, true, { type: 'mode', link: 'usb0', mode: 'backup' }],
      ['Off', false, true, { type: 'mode', link: 'usb0', mode: 'off' }],
    ],
  );
  const toggle = items.find((i) => i.kind === 'action' && i.label === 'Disconnect');
  assert.deepEqual(toggle, { kind: 'action', label: 'Disconnect', enabled: true, action: { type: 'disconnect' } });
  assert.deepEqual(items[0], { kind: 'label', label: 'Braid: Connected' });
});

test('menu for every tunnel state offers the right toggle', () => {
  const expectations: [TunnelView, string][] = [
    [tunnel('disconnected'), 'Connect'],
    [tunnel('connecting'), 'Disconnect'],
    [tunnel('connected'), 'Disconnect'],
    [tunnel('disconnecting', 'disconnected'), 'Connect'],
    [tunnel('error'), 'Disconnect'],
    [tunnel('disconnected', 'connected'), 'Disconnect'],
  ];
  for (const [t, label] of expectations) {
    const items = buildTrayMenu(model(ready, t));
    assert.equal(actions(items)[0], label, `${t.state}/${t.target}`);
  }
});

test('engine not running: the message is the first line, actions that need the engine are disabled', () => {
  const items = buildTrayMenu(model(notRunning, null, []));
  assert.deepEqual(items[0], { kind: 'label', label: 'Engine not running — start it with systemctl start braidd' });
  const connect = items.find((i) => i.kind === 'action' && i.label === 'Connect');
  assert.ok(connect && connect.kind === 'action' && connect.enabled === false);
  const open = items.find((i) => i.kind === 'action' && i.label === 'Open Braid');
  assert.ok(open && open.kind === 'action' && open.enabled);
  assert.ok(items.some((i) => i.kind === 'action' && i.label === 'Quit' && i.enabled));
});

test('a read-only user sees the state but cannot toggle or change modes', () => {
  const items = buildTrayMenu(model(readOnly, tunnel('connected')));
  const toggle = items.find((i) => i.kind === 'action' && i.label === 'Disconnect');
  assert.ok(toggle && toggle.kind === 'action' && !toggle.enabled);
  for (const i of items) if (i.kind === 'submenu') for (const r of i.items) assert.equal(r.kind === 'radio' && r.enabled, false);
});

test('tooltip: aggregate rate and active path count when connected, the problem otherwise', () => {
  assert.equal(trayTooltip(model(ready, tunnel('connected'), three, 65_700_000)), 'Braid — Connected\n65.7 Mbit/s over 2 active paths');
  assert.equal(trayTooltip(model(ready, tunnel('connected'), [path('eth0', 'active')], 1_500)), 'Braid — Connected\n1.5 kbit/s over 1 active path');
  assert.equal(trayTooltip(model(ready, tunnel('disconnected'))), 'Braid — Off');
  assert.equal(trayTooltip(model(notRunning, null, [])), 'Braid — Engine not running — start it with systemctl start braidd');
});
