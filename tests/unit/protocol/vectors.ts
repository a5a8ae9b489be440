// Test vectors for docs/protocol.md, produced by running the real client and server handshakes
// with fixed keys (fixed ephemeral keys via testOnlyEphemeralSecret) and recording the bytes.
//
//   node dist/tests/unit/protocol/vectors.js --write      rewrites tests/unit/protocol/vectors.json
//   node dist/tests/unit/protocol/vectors.js --markdown   prints the block for docs/protocol.md
//
// vectors.test.ts regenerates them on every run and compares with the committed file, the doc,
// the C addon and an independent Python implementation.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Cipher } from '../../../native/lib/index';
import { clientHandshake, serverHandshake } from '../../../electron/protocol/tunnel/handshake';
import { nextKey, sealFrame, CIPHERS } from '../../../electron/protocol/tunnel/frame';
import { publicFromSecret, x25519, x25519KeyPair } from '../../../electron/protocol/tunnel/keys';
import { deriveKeys, transcriptHash } from '../../../electron/protocol/tunnel/handshake-wire';
import { mitm } from './helpers';

export const REPO = path.resolve(__dirname, '..', '..', '..', '..');
export const VECTORS_FILE = path.join(REPO, 'tests', 'unit', 'protocol', 'vectors.json');

const label = (text: string): Buffer => crypto.createHash('sha256').update(text).digest();
const hex = (b: Buffer): string => b.toString('hex');

export interface HandshakeVector {
  offered: number;
  cipher: Cipher;
  hello: string;
  serverHello: string;
  clientAuth: string;
  sharedSecret: string;
  transcriptHash: string;
  kHs: string;
  kC2s: string;
  kS2c: string;
  welcomeFrame: string;
}

export interface FrameVector {
  cipher: Cipher;
  key: string;
  counter: number;
  plaintext: string;
  frame: string;
}

export interface Vectors {
  description: string;
  inputs: {
    deviceSecret: string;
    devicePublic: string;
    serverSecret: string;
    serverPublic: string;
    clientEphemeralSecret: string;
    clientEphemeralPublic: string;
    serverEphemeralSecret: string;
    serverEphemeralPublic: string;
    welcome: string;
  };
  handshakes: HandshakeVector[];
  frames: FrameVector[];
  rekey: { key: string; next: string; nextNext: string };
}

const DEVICE_SECRET = label('braid v1 vector device');
const SERVER_SECRET = label('braid v1 vector server');
const CLIENT_EPHEMERAL = label('braid v1 vector client ephemeral');
const SERVER_EPHEMERAL = label('braid v1 vector server ephemeral');
const WELCOME = { type: 'welcome' as const, address: '10.77.0.2/24', address6: null, mtu: 1500, server: 'braid 0.1.0' };
const FRAME_KEY = Buffer.from([...Array(32).keys()]); // 00 01 .. 1f
/** DATA: type 1 | virtio_net_hdr (10 zero bytes) | a stand-in packet */
const FRAME_PLAINTEXT = Buffer.concat([Buffer.of(1), Buffer.alloc(10), Buffer.from('braid v1 test packet')]);
/** 0, 1, and one past 2^32 so the high half of the u64 counter is exercised */
const FRAME_COUNTERS = [0, 1, 2 ** 32 + 1];

async function recordHandshake(ciphers: Cipher[]): Promise<HandshakeVector> {
  const c2s: Buffer[] = [];
  const s2c: Buffer[] = [];
  const m = mitm(
    (chunk) => (c2s.push(chunk), chunk),
    (chunk) => (s2c.push(chunk), chunk),
  );
  const [client, server] = await Promise.all([
    clientHandshake(m.client, {
      deviceSecret: DEVICE_SECRET,
      serverPublic: publicFromSecret(SERVER_SECRET),
      ciphers,
      testOnlyEphemeralSecret: CLIENT_EPHEMERAL,
    }),
    serverHandshake(m.server, {
      serverSecret: SERVER_SECRET,
      admit: () => ({ ok: true, welcome: WELCOME }),
      testOnlyEphemeralSecret: SERVER_EPHEMERAL,
    }),
  ]);
  m.client.destroy();
  m.server.destroy();
  const up = Buffer.concat(c2s);
  const down = Buffer.concat(s2c);
  const hello = up.subarray(0, 42);
  const serverHello = down.subarray(0, 132);
  const shared = x25519(CLIENT_EPHEMERAL, x25519KeyPair(SERVER_EPHEMERAL).public)!;
  const transcript = transcriptHash(hello, serverHello.subarray(0, 68), serverHello.subarray(68));
  const k = deriveKeys(shared, transcript);
  // the keys the handshakes returned must be the ones derived here
  if (!client.keys.txKey.equals(k.c2s) || !client.keys.rxKey.equals(k.s2c) || !server.keys.txKey.equals(k.s2c)) {
    throw new Error('handshake keys differ from the key schedule');
  }
  return {
    offered: ciphers.reduce((mask, c) => mask | (c === 'aes-256-gcm' ? 1 : 2), 0),
    cipher: client.keys.cipher,
    hello: hex(hello),
    serverHello: hex(serverHello),
    clientAuth: hex(up.subarray(42)),
    sharedSecret: hex(shared),
    transcriptHash: hex(transcript),
    kHs: hex(k.hs),
    kC2s: hex(k.c2s),
    kS2c: hex(k.s2c),
    welcomeFrame: hex(down.subarray(132)),
  };
}

export async function computeVectors(): Promise<Vectors> {
  const next = nextKey(FRAME_KEY);
  return {
    description:
      'Braid tunnel protocol v1 test vectors (docs/protocol.md). Bytes are hex. Secrets are SHA-256 of ' +
      '"braid v1 vector device|server|client ephemeral|server ephemeral"; generated by tests/unit/protocol/vectors.ts.',
    inputs: {
      deviceSecret: hex(DEVICE_SECRET),
      devicePublic: hex(publicFromSecret(DEVICE_SECRET)),
      serverSecret: hex(SERVER_SECRET),
      serverPublic: hex(publicFromSecret(SERVER_SECRET)),
      clientEphemeralSecret: hex(CLIENT_EPHEMERAL),
      clientEphemeralPublic: hex(x25519KeyPair(CLIENT_EPHEMERAL).public),
      serverEphemeralSecret: hex(SERVER_EPHEMERAL),
      serverEphemeralPublic: hex(x25519KeyPair(SERVER_EPHEMERAL).public),
      welcome: JSON.stringify(WELCOME),
    },
    handshakes: [await recordHandshake(['aes-256-gcm', 'chacha20-poly1305']), await recordHandshake(['chacha20-poly1305'])],
    frames: CIPHERS.flatMap((cipher) =>
      FRAME_COUNTERS.map((counter) => ({
        cipher,
        key: hex(FRAME_KEY),
        counter,
        plaintext: hex(FRAME_PLAINTEXT),
        frame: hex(sealFrame(cipher, FRAME_KEY, counter, FRAME_PLAINTEXT)),
      })),
    ),
    rekey: { key: hex(FRAME_KEY), next: hex(next), nextNext: hex(nextKey(next)) },
  };
}

export function readCommittedVectors(): Vectors {
  return JSON.parse(fs.readFileSync(VECTORS_FILE, 'utf8')) as Vectors;
}

/** the vectors as the fenced block docs/protocol.md carries */
export function markdown(v: Vectors): string {
  const lines: string[] = [];
  const put = (name: string, value: string | number): void => {
    lines.push(`${name.padEnd(30)} ${value}`);
  };
  for (const [name, value] of Object.entries(v.inputs)) put(name, value);
  for (const h of v.handshakes) {
    lines.push('', `# handshake, HELLO offers ${h.offered}, server picks ${h.cipher}`);
    for (const key of ['hello', 'serverHello', 'clientAuth', 'sharedSecret', 'transcriptHash', 'kHs', 'kC2s', 'kS2c', 'welcomeFrame'] as const) {
      put(key, h[key]);
    }
  }
  lines.push('', `# DATA frames, key ${v.frames[0]!.key}`, `${'plaintext'.padEnd(30)} ${v.frames[0]!.plaintext}`);
  for (const f of v.frames) put(`${f.cipher} #${f.counter}`, f.frame);
  lines.push('', '# rekey');
  put('key', v.rekey.key);
  put('next', v.rekey.next);
  put('next of next', v.rekey.nextNext);
  return ['```', ...lines, '```'].join('\n');
}

if (require.main === module) {
  void computeVectors().then((v) => {
    if (process.argv.includes('--write')) {
      fs.writeFileSync(VECTORS_FILE, `${JSON.stringify(v, null, 2)}\n`);
      console.log(`wrote ${VECTORS_FILE}`);
    }
    if (process.argv.includes('--markdown')) console.log(markdown(v));
  });
}
