// The browser host: runs the same main-side AppCore as Electron and serves the built renderer
// on 127.0.0.1 under a random token, carrying the preload's API over a WebSocket with the same
// validation (dispatch.ts). Tests drive the real renderer through it; `npm start` uses it when
// no Electron runtime is installed. Plain Node.
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { channelName } from '../shared/ipc-channels';
import type { AppCore } from './app-core';

export interface BrowserHostOptions {
  core: AppCore;
  rendererDir: string;
  /** 0 = pick a free port */
  port?: number;
  token?: string;
  log?: (message: string) => void;
}

export interface BrowserHost {
  url: string;
  port: number;
  token: string;
  close(): Promise<void>;
}

const CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; connect-src 'self'; base-uri 'none'; form-action 'none'; object-src 'none'; frame-ancestors 'none'";

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.map': 'application/json',
};

/** 64 KiB: the largest invoke (settings) is far smaller */
const MAX_MESSAGE = 64 * 1024;

export function sameToken(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && crypto.timingSafeEqual(x, y);
}

/** checks Host (DNS rebinding) and the token prefix; returns the path inside the app or null */
export function routeRequest(url: string | undefined, host: string | undefined, port: number, token: string): string | null {
  if (host !== `127.0.0.1:${port}` && host !== `localhost:${port}`) return null;
  if (!url) return null;
  const pathname = url.split('?')[0]!;
  const parts = pathname.split('/');
  if (parts.length < 2 || !sameToken(parts[1] ?? '', token)) return null;
  return `/${parts.slice(2).join('/')}`;
}

/** percent-decoded path, or null when the escapes are malformed (decodeURIComponent throws) */
function decodePath(text: string): string | null {
  try {
    return decodeURIComponent(text);
  } catch {
    return null;
  }
}

export async function startBrowserHost(options: BrowserHostOptions): Promise<BrowserHost> {
  const token = options.token ?? crypto.randomBytes(18).toString('base64url');
  const root = path.resolve(options.rendererDir);
  if (!fs.existsSync(path.join(root, 'index.html'))) {
    throw new Error(`no built renderer in ${root}: run npm run build`);
  }
  const log = options.log ?? (() => {});
  const core = options.core;
  let port = 0;

  const server = http.createServer((req, res) => {
    const inner = routeRequest(req.url, req.headers.host, port, token);
    const headers = {
      'Content-Security-Policy': CSP,
      'X-Content-Type-Options': 'nosniff',
      'Referrer-Policy': 'no-referrer',
      'Cache-Control': 'no-store',
      'Cross-Origin-Opener-Policy': 'same-origin',
      'X-Frame-Options': 'DENY',
    };
    if (inner === null || (req.method !== 'GET' && req.method !== 'HEAD')) {
      res.writeHead(404, { ...headers, 'Content-Type': 'text/plain' }).end('not found\n');
      return;
    }
    if (inner === '/' && !req.url!.split('?')[0]!.endsWith('/')) {
      res.writeHead(308, { ...headers, Location: `/${token}/` }).end();
      return;
    }
    const rel = inner === '/' ? 'index.html' : decodePath(inner.slice(1));
    const file = rel === null ? '' : path.resolve(root, rel);
    if (!file.startsWith(root + path.sep) || !fs.existsSync(file) || !fs.statSync(file).isFile()) {
      res.writeHead(404, { ...headers, 'Content-Type': 'text/plain' }).end('not found\n');
      return;
    }
    res.writeHead(200, { ...headers, 'Content-Type': TYPES[path.extname(file)] ?? 'application/octet-stream' });
    if (req.method === 'HEAD') res.end();
    // an error here (the file went away) ends this response, not the process
    else fs.createReadStream(file).on('error', () => res.destroy()).pipe(res);
  });

  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_MESSAGE });
  server.on('upgrade', (req, socket: Duplex, head) => {
    const inner = routeRequest(req.url, req.headers.host, port, token);
    const origin = req.headers.origin;
    const originOk = origin === `http://127.0.0.1:${port}` || origin === `http://localhost:${port}`;
    if (inner !== '/ipc' || !originOk) {
      socket.end('HTTP/1.1 403 Forbidden\r\nConnection: close\r\n\r\n');
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => serveSocket(ws));
  });

  const serveSocket = (ws: WebSocket) => {
    const unsubscribe = core.subscribe((m) => {
      if (ws.readyState === ws.OPEN) ws.send(JSON.stringify({ t: 'notify', channel: channelName(m.group, m.name), notice: m.notice }));
    });
    ws.on('close', unsubscribe);
    ws.on('error', () => ws.terminate());
    ws.on('message', (data, isBinary) => {
      let message: { t?: unknown; id?: unknown; channel?: unknown; payload?: unknown };
      try {
        if (isBinary) throw new Error('binary');
        message = JSON.parse(data.toString()) as typeof message;
      } catch {
        ws.close(1003, 'not JSON');
        return;
      }
      if (message?.t !== 'invoke' || !Number.isSafeInteger(message.id)) {
        ws.close(1008, 'not an invoke');
        return;
      }
      void core.dispatch(message.channel, message.payload).then((result) => {
        if (ws.readyState === ws.OPEN) ws.send(JSON.stringify({ t: 'result', id: message.id, result }));
      });
    });
  };

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  port = (server.address() as { port: number }).port;
  const url = `http://127.0.0.1:${port}/${token}/`;
  log(`browser host listening on ${url}`);
  return {
    url,
    port,
    token,
    async close() {
      for (const client of wss.clients) client.terminate();
      wss.close();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
    },
  };
}
