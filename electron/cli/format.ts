// Human-readable `braid status` and `braid links`: rates in bits per second (decimal units, as
// links are sold), session byte counts in binary units (as file sizes are shown), data used
// against a cap in decimal units (as data plans are sold). Pure functions of a status snapshot.
import { formatDataSize } from '../engine/config/data-size';
import type { ClientStatus, DeviceStatus, EngineStatus, LinkCap, LinkUsage, PathStatus, ServerStatus } from '../protocol/control';

export function formatRate(bitsPerSecond: number): string {
  const units = ['bit/s', 'kbit/s', 'Mbit/s', 'Gbit/s', 'Tbit/s'];
  let value = Math.max(0, bitsPerSecond);
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit++;
  }
  return `${trim(value, unit)} ${units[unit]}`;
}

export function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];
  let value = Math.max(0, bytes);
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${trim(value, unit)} ${units[unit]}`;
}

/** three significant digits, no decimals for the base unit ("999 B", "1.21 MiB", "12.3 Mbit/s") */
function trim(value: number, unit: number): string {
  if (unit === 0) return String(Math.round(value));
  return value >= 100 ? value.toFixed(0) : value >= 10 ? value.toFixed(1) : value.toFixed(2);
}

export function formatDuration(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${s % 60}s`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h}h ${m % 60}m`;
  return `${Math.floor(h / 24)}d ${h % 24}h`;
}

/** "10.0 GB a period from day 5, then off" */
export function formatCap(cap: LinkCap): string {
  return `${formatDataSize(cap.bytes)} a period from day ${cap.billingDay}, then ${cap.action}`;
}

/** "3.20 GB / 10.0 GB (32%)", or "3.20 GB" without a cap; the percentage rounds down */
export function formatUsage(usage: LinkUsage): string {
  const used = usage.txBytes + usage.rxBytes;
  if (!usage.cap) return formatDataSize(used);
  return `${formatDataSize(used)} / ${formatDataSize(usage.cap.bytes)} (${Math.floor((used / usage.cap.bytes) * 100)}%)`;
}

/** a local calendar date, "2026-05-05" (the day a billing period starts) */
export function formatDate(ms: number): string {
  const d = new Date(ms);
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
}

export function formatRtt(ms: number): string {
  return ms >= 100 ? `${ms.toFixed(0)} ms` : `${ms.toFixed(1)} ms`;
}

/** left-aligned columns, two spaces apart; trailing spaces removed */
export function table(rows: string[][]): string[] {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)));
  return rows.map((row) =>
    row
      .map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd(),
  );
}

export function renderStatus(status: EngineStatus, now = Date.now()): string {
  return status.mode === 'client' ? renderClientStatus(status, now) : renderServerStatus(status, now);
}

export function renderClientStatus(status: ClientStatus, now = Date.now()): string {
  const { tunnel } = status;
  const lines: string[] = [];
  const since = formatDuration(now - tunnel.since);
  switch (tunnel.state) {
    case 'connected': {
      const parts = [`connected to ${tunnel.server} for ${since}`];
      if (tunnel.address) parts.push(`address ${tunnel.address}${tunnel.interface ? ` on ${tunnel.interface}` : ''}`);
      if (tunnel.mptcp === true) parts.push('multipath');
      lines.push(parts.join(', '));
      if (tunnel.mptcp === false) {
        lines.push('warning: the connection fell back to plain TCP: only one link carries traffic');
      }
      break;
    }
    case 'connecting':
      lines.push(`connecting to ${tunnel.server} (for ${since})${tunnel.cause ? `: ${tunnel.cause}` : ''}`);
      break;
    case 'disconnecting':
      lines.push(`disconnecting from ${tunnel.server}`);
      break;
    case 'disconnected':
      lines.push(`disconnected${tunnel.target === 'connected' ? ' (will reconnect)' : ''}${tunnel.cause ? `: ${tunnel.cause}` : ''}`);
      break;
    case 'error':
      lines.push(`error: ${tunnel.cause ?? 'unknown'}${tunnel.target === 'connected' ? ' (retrying)' : ''}`);
      break;
  }
  if (tunnel.reconnects > 0) lines.push(`reconnects: ${tunnel.reconnects}`);
  if (status.lastFailover) {
    const { link, gapMs, at } = status.lastFailover;
    lines.push(`last failover: ${formatGap(gapMs)} when ${link} was lost, ${formatDuration(now - at)} ago`);
  }
  const coexistence = coexistenceLine(status);
  if (coexistence) lines.push(coexistence);
  lines.push('');
  if (status.paths.length === 0) {
    lines.push('no links');
  } else {
    // the usage column only once the engine reports usage, so older engines keep their layout
    const withUsage = status.paths.some((p) => p.usage);
    const rows = [['LINK', 'KIND', 'MODE', 'STATE', 'RTT', 'UP', 'DOWN', 'SENT', 'RECEIVED', 'SHARE', ...(withUsage ? ['PERIOD'] : []), '']];
    for (const path of status.paths) rows.push(pathRow(path, withUsage));
    const a = status.aggregate;
    rows.push(['total', '', '', '', '', formatRate(a.txBps), formatRate(a.rxBps), formatBytes(a.txBytes), formatBytes(a.rxBytes), '', ...(withUsage ? [''] : []), '']);
    lines.push(...table(rows));
    const capped = capLines(status.paths);
    if (capped.length > 0) lines.push('', ...capped);
  }
  lines.push('', `braidd ${status.version}`);
  return lines.join('\n');
}

function carries(path: PathStatus): boolean {
  return path.state === 'active' || path.state === 'backup';
}

function pathRow(path: PathStatus, withUsage: boolean): string[] {
  return [
    path.link,
    path.kind,
    path.mode,
    path.state,
    path.subflow ? formatRtt(path.subflow.rttMs) : '-',
    carries(path) ? formatRate(path.txBps) : '-',
    carries(path) ? formatRate(path.rxBps) : '-',
    formatBytes(path.txBytes),
    formatBytes(path.rxBytes),
    carries(path) ? `${Math.round(path.share * 100)}%` : '-',
    ...(withUsage ? [path.usage ? formatUsage(path.usage) : '-'] : []),
    path.reason ?? '',
  ];
}

/** `braid links`: one row per link, with data used this billing period */
export function renderLinks(status: ClientStatus): string {
  if (status.paths.length === 0) return 'no links';
  const rows = [['LINK', 'KIND', 'MODE', 'STATE', 'UP', 'DOWN', 'RTT', 'THIS PERIOD', '']];
  for (const path of status.paths) {
    rows.push([
      path.link,
      path.kind,
      path.mode,
      path.state,
      carries(path) ? formatRate(path.txBps) : '-',
      carries(path) ? formatRate(path.rxBps) : '-',
      path.subflow ? formatRtt(path.subflow.rttMs) : '-',
      path.usage ? formatUsage(path.usage) : '-',
      path.reason ?? '',
    ]);
  }
  const lines = table(rows);
  const caps = status.paths.filter((p) => p.usage?.cap);
  if (caps.length > 0) {
    lines.push('');
    for (const path of caps) {
      const usage = path.usage!;
      const resets = usage.periodEnd !== undefined ? `; next period starts ${formatDate(usage.periodEnd)}` : '';
      lines.push(`${path.link}: cap ${formatCap(usage.cap!)}${resets}`);
    }
  }
  return lines.join('\n');
}

/** one line per link at or over its cap: what happened and until when */
function capLines(paths: PathStatus[]): string[] {
  const lines: string[] = [];
  for (const path of paths) {
    const usage = path.usage;
    if (!usage?.cap || (usage.capFraction ?? (usage.txBytes + usage.rxBytes) / usage.cap.bytes) < 1) continue;
    const until = usage.periodEnd !== undefined ? ` until ${formatDate(usage.periodEnd)}` : ' until the next billing period';
    lines.push(`${path.link} reached its data cap of ${formatDataSize(usage.cap.bytes)}: ${usage.cap.action}${until}`);
  }
  return lines;
}

/** "420 ms", "1.3 s" */
export function formatGap(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`;
}

function coexistenceLine(status: ClientStatus): string | undefined {
  const c = status.coexistence;
  if (!c) return undefined;
  const managers = [c.networkManager ? 'NetworkManager' : undefined, c.mptcpd ? 'mptcpd' : undefined].filter(Boolean);
  if (managers.length === 0) return c.message;
  return `also managing MPTCP endpoints: ${managers.join(', ')}${c.message ? ` (${c.message})` : ''}`;
}

export function renderServerStatus(status: ServerStatus, now = Date.now()): string {
  const connected = status.devices.filter((d) => d.connected).length;
  const lines = [`server listening on ${status.listen}, ${connected} of ${status.devices.length} devices connected`, ''];
  if (status.devices.length === 0) {
    lines.push('no devices configured');
  } else {
    const rows = [['DEVICE', 'ADDRESS', 'STATE', 'SUBFLOWS', 'UP', 'DOWN', 'SENT', 'RECEIVED', 'FROM']];
    for (const device of status.devices) rows.push(deviceRow(device, now));
    const a = status.aggregate;
    // a device's "up" is what it sends: the server receives it
    rows.push(['total', '', '', '', formatRate(a.rxBps), formatRate(a.txBps), formatBytes(a.rxBytes), formatBytes(a.txBytes), '']);
    lines.push(...table(rows));
  }
  lines.push('', `braid server ${status.version}`);
  return lines.join('\n');
}

function deviceRow(device: DeviceStatus, now: number): string[] {
  const state = device.connected
    ? `connected${device.since !== undefined ? ` ${formatDuration(now - device.since)}` : ''}${device.mptcp === false ? ' (TCP)' : ''}`
    : 'offline';
  return [
    device.name,
    device.address,
    state,
    device.connected ? String(device.subflows) : '-',
    device.connected ? formatRate(device.rxBps) : '-',
    device.connected ? formatRate(device.txBps) : '-',
    formatBytes(device.rxBytes),
    formatBytes(device.txBytes),
    device.remote ?? '',
  ];
}
