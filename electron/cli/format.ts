// Human-readable `braid status`: rates in bits per second (decimal units, as links are sold),
// byte counts in binary units (as file sizes are shown). Pure functions of a status snapshot.
import type { ClientStatus, DeviceStatus, EngineStatus, PathStatus, ServerStatus } from '../protocol/control';

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
  lines.push('');
  if (status.paths.length === 0) {
    lines.push('no links');
  } else {
    const rows = [['LINK', 'KIND', 'MODE', 'STATE', 'RTT', 'UP', 'DOWN', 'SENT', 'RECEIVED', 'SHARE', '']];
    for (const path of status.paths) rows.push(pathRow(path));
    const a = status.aggregate;
    rows.push(['total', '', '', '', '', formatRate(a.txBps), formatRate(a.rxBps), formatBytes(a.txBytes), formatBytes(a.rxBytes), '', '']);
    lines.push(...table(rows));
  }
  lines.push('', `braidd ${status.version}`);
  return lines.join('\n');
}

function pathRow(path: PathStatus): string[] {
  const carries = path.state === 'active' || path.state === 'backup';
  return [
    path.link,
    path.kind,
    path.mode,
    path.state,
    path.subflow ? formatRtt(path.subflow.rttMs) : '-',
    carries ? formatRate(path.txBps) : '-',
    carries ? formatRate(path.rxBps) : '-',
    formatBytes(path.txBytes),
    formatBytes(path.rxBytes),
    carries ? `${Math.round(path.share * 100)}%` : '-',
    path.reason ?? '',
  ];
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
