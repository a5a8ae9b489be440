// Tray icons drawn in code: one per state, different in shape as well as colour (an outline
// when off, an open arc while connecting, a filled disc when connected, a disc with a notch
// when degraded, a cross on error), encoded as PNG. No image files to keep in sync.
import zlib from 'node:zlib';
import type { TrayIconState } from './menu';

const COLORS: Record<TrayIconState, [number, number, number]> = {
  off: [140, 146, 156],
  connecting: [230, 162, 60],
  connected: [43, 179, 120],
  degraded: [230, 162, 60],
  error: [214, 69, 69],
};

/** coverage 0..1 of a pixel by the icon's shape, for anti-aliasing by distance */
function coverage(state: TrayIconState, x: number, y: number, size: number): { alpha: number; white: boolean } {
  const c = size / 2;
  const r = size * 0.42;
  const dx = x + 0.5 - c;
  const dy = y + 0.5 - c;
  const d = Math.hypot(dx, dy);
  const edge = (dist: number) => Math.max(0, Math.min(1, 0.5 - dist));
  const ring = size * 0.11;
  const disc = edge(d - r);
  switch (state) {
    case 'off':
      return { alpha: Math.min(edge(d - r), edge(r - ring - d)), white: false };
    case 'connecting': {
      const angle = Math.atan2(dy, dx);
      const arc = angle > -Math.PI / 2 && angle < Math.PI ? 1 : 0.35;
      return { alpha: Math.min(edge(d - r), edge(r - ring - d)) * arc, white: false };
    }
    case 'connected':
      return { alpha: disc, white: false };
    case 'degraded': {
      // a white bar and dot: "!"
      const inBar = Math.abs(dx) < size * 0.06 && dy > -r * 0.6 && dy < r * 0.15;
      const inDot = Math.hypot(dx, dy - r * 0.45) < size * 0.07;
      return { alpha: disc, white: inBar || inDot };
    }
    case 'error': {
      const a = Math.abs(dx - dy) / Math.SQRT2;
      const b = Math.abs(dx + dy) / Math.SQRT2;
      const inCross = (a < size * 0.06 || b < size * 0.06) && d < r * 0.62;
      return { alpha: disc, white: inCross };
    }
  }
}

export function renderTrayIconRgba(state: TrayIconState, size: number): Buffer {
  const [r, g, b] = COLORS[state];
  const out = Buffer.alloc(size * size * 4);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const { alpha, white } = coverage(state, x, y, size);
      const i = (y * size + x) * 4;
      out[i] = white ? 255 : r;
      out[i + 1] = white ? 255 : g;
      out[i + 2] = white ? 255 : b;
      out[i + 3] = Math.round(alpha * 255);
    }
  }
  return out;
}

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

export function crc32(buf: Buffer): number {
  let c = 0xffffffff;
  for (const byte of buf) c = CRC_TABLE[(c ^ byte) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Buffer): Buffer {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([len, body, crc]);
}

/** RGBA (8 bit, non-interlaced) to PNG */
export function encodePng(width: number, height: number, rgba: Buffer): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 6; // RGBA
  const raw = Buffer.alloc((width * 4 + 1) * height);
  for (let y = 0; y < height; y++) {
    raw[y * (width * 4 + 1)] = 0; // filter: none
    rgba.copy(raw, y * (width * 4 + 1) + 1, y * width * 4, (y + 1) * width * 4);
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', zlib.deflateSync(raw)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

export function trayIconPng(state: TrayIconState, size = 32): Buffer {
  return encodePng(size, size, renderTrayIconRgba(state, size));
}
