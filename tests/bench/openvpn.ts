// The peer tunnel for the bench: OpenVPN 2.6, TCP mode, TUN, AES-256-GCM, both ends run under
// `mptcpize run` so its one TCP connection becomes an MPTCP connection whose subflows use every
// link (the client ns must have the raw-MPTCP policy from tests/netns/mptcp-policy.ts).
// Throwaway PKI made with the openssl CLI: EC P-256 CA, server cert (serverAuth), client cert
// (clientAuth); `dh none` (ECDHE only). DCO is disabled: the kernel data channel would bypass
// mptcpize, and this kernel has no ovpn module anyway.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import type { Lab, LabProcess } from '../netns/lab';

const execFileP = promisify(execFile);

export const OPENVPN_POOL = '10.8.0.0/24';
export const OPENVPN_PORT = 1194;

async function openssl(dir: string, args: string[]): Promise<void> {
  await execFileP('openssl', args, { cwd: dir, timeout: 20_000 });
}

/** writes ca.crt, server.{crt,key}, client.{crt,key} into dir */
export async function makePki(dir: string): Promise<void> {
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  await openssl(dir, ['req', '-x509', ...ec, '-keyout', 'ca.key', '-out', 'ca.crt', '-days', '2', '-subj', '/CN=braid-bench-ca',
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign']);
  for (const [name, eku] of [['server', 'serverAuth'], ['client', 'clientAuth']] as const) {
    fs.writeFileSync(path.join(dir, `${name}.ext`), `basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=${eku}\n`);
    await openssl(dir, ['req', ...ec, '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=bench-${name}`]);
    await openssl(dir, ['x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial',
      '-out', `${name}.crt`, '-days', '2', '-extfile', `${name}.ext`]);
  }
}

export interface OpenvpnTunnel {
  server: LabProcess;
  client: LabProcess;
  /** pids whose CPU time is the tunnel's cost */
  clientPids: number[];
  serverPids: number[];
  /** client's tunnel address */
  tunnelAddress: string;
  /** established subflows of the outer connection, seen from the client */
  subflows: number;
  stop(): Promise<void>;
}

export async function startOpenvpn(lab: Lab, opts: { timeoutMs?: number } = {}): Promise<OpenvpnTunnel> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'braid-bench-ovpn-'));
  let server: LabProcess | undefined;
  let client: LabProcess | undefined;
  const cleanup = async () => {
    await client?.kill();
    await server?.kill();
    fs.rmSync(dir, { recursive: true, force: true });
  };
  try {
    await makePki(dir);
    const common = ['dev tun', 'ca ca.crt', 'data-ciphers AES-256-GCM', 'disable-dco', 'verb 3', 'mute-replay-warnings'];
    fs.writeFileSync(path.join(dir, 'server.conf'), [
      ...common, 'proto tcp-server', `local ${lab.serverAddress}`, `port ${OPENVPN_PORT}`, 'topology subnet',
      'server 10.8.0.0 255.255.255.0', 'cert server.crt', 'key server.key', 'dh none',
      `push "route ${lab.internetAddress.replace(/\.\d+$/, '.0')} 255.255.255.0"`,
    ].join('\n') + '\n');
    fs.writeFileSync(path.join(dir, 'client.conf'), [
      ...common, 'client', 'proto tcp-client', `remote ${lab.serverAddress} ${OPENVPN_PORT}`, 'nobind',
      'cert client.crt', 'key client.key', 'remote-cert-tls server', 'connect-retry-max 3',
    ].join('\n') + '\n');
    const timeoutMs = opts.timeoutMs ?? 20_000;
    server = lab.spawn('server', ['mptcpize', 'run', 'openvpn', '--cd', dir, '--config', 'server.conf']);
    await server.waitFor(/Initialization Sequence Completed/, timeoutMs);
    client = lab.spawn('client', ['mptcpize', 'run', 'openvpn', '--cd', dir, '--config', 'client.conf']);
    await client.waitFor(/Initialization Sequence Completed/, timeoutMs);
    const addr = /\/sbin\/ip addr add dev \S+ (\d+\.\d+\.\d+\.\d+)|net_addr_v4_add: (\d+\.\d+\.\d+\.\d+)/.exec(client.output());
    const tunnelAddress = addr?.[1] ?? addr?.[2] ?? '';
    // the kernel PM opens the extra subflows right after the handshake: give it a moment
    let subflows = 0;
    for (let k = 0; k < 20; k++) {
      const ss = await lab.exec('client', ['ss', '-Htn', 'state', 'established', 'dst', `${lab.serverAddress}:${OPENVPN_PORT}`]);
      subflows = ss.stdout.split('\n').filter((l) => l.trim()).length;
      if (subflows >= lab.links.length) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    for (const [p, want] of [[server, 'openvpn'], [client, 'openvpn']] as const) {
      const comm = fs.readFileSync(`/proc/${p.pid}/comm`, 'utf8').trim();
      if (comm !== want) throw new Error(`expected pid ${p.pid} to be ${want}, is ${comm}`);
    }
    const s = server;
    const c = client;
    return { server: s, client: c, clientPids: [c.pid], serverPids: [s.pid], tunnelAddress, subflows, stop: cleanup };
  } catch (e) {
    await cleanup();
    throw e;
  }
}
