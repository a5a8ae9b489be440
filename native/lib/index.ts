// Typed facade over the C addon (native/src). Everything that touches packets, TUN or MPTCP
// socket internals lives in C; this file only loads the addon and gives it types.
import path from 'node:path';
import fs from 'node:fs';

export type Cipher = 'aes-256-gcm' | 'chacha20-poly1305';

export interface TunDevice {
  fd: number;
  name: string;
  /** true when IFF_VNET_HDR + TSO offloads were enabled (frames then carry GSO super-packets) */
  offload: boolean;
}

export interface OpenTunOptions {
  /** requested name, e.g. "braid0"; the kernel picks one when omitted */
  name?: string;
}

export interface MptcpSocketOptions {
  /** congestion control for the MPTCP socket's subflows, e.g. "cubic" */
  congestion?: string;
  /** TCP_NOTSENT_LOWAT in bytes: caps unsent data queued in the socket (latency under load) */
  notsentLowat?: number;
  /** bind the socket to this interface (SO_BINDTODEVICE) */
  bindDevice?: string;
  /** local address to bind before connect/listen */
  localAddress?: string;
  /** SO_MARK for policy routing */
  mark?: number;
}

export interface MptcpConnectOptions extends MptcpSocketOptions {
  host: string;
  port: number;
  timeoutMs: number;
}

export interface MptcpListenOptions extends MptcpSocketOptions {
  host: string;
  port: number;
}

/** struct mptcp_info subset; fields the running kernel did not fill are undefined */
export interface MptcpInfo {
  subflows?: number;
  addAddrSignal?: number;
  addAddrAccepted?: number;
  subflowsMax?: number;
  localAddrUsed?: number;
  localAddrMax?: number;
  csumEnabled?: boolean;
  retransmits?: number;
  bytesRetrans?: number;
  bytesSent?: number;
  bytesReceived?: number;
  bytesAcked?: number;
  subflowsTotal?: number;
}

export interface SubflowInfo {
  id: number;
  family: 4 | 6;
  localAddress: string;
  localPort: number;
  remoteAddress: string;
  remotePort: number;
  /** interface index the subflow is bound/routed through, 0 if unknown */
  ifindex: number;
  /** smoothed RTT in microseconds (tcpi_rtt) */
  rttUs: number;
  rttVarUs: number;
  /** lowest RTT the subflow has seen (tcpi_min_rtt): the path without queueing */
  minRttUs: number;
  /** bytes per second (tcpi_delivery_rate) */
  deliveryRate: number;
  pacingRate: number;
  totalRetrans: number;
  retransmits: number;
  bytesSent: number;
  bytesAcked: number;
  bytesReceived: number;
  cwnd: number;
  /** tcpi_state (1 = ESTABLISHED) */
  state: number;
  /** true when the subflow is marked backup by either end */
  backup: boolean;
}

export interface FullInfo {
  info: MptcpInfo;
  subflows: SubflowInfo[];
}

export interface PeerCred {
  pid: number;
  uid: number;
  gid: number;
}

export interface SessionKeys {
  cipher: Cipher;
  /** 32-byte key for frames this side sends */
  txKey: Buffer;
  /** 32-byte key for frames this side receives */
  rxKey: Buffer;
  /** next counter to use / expect (the handshake consumed some on the control path) */
  txCounter: number;
  rxCounter: number;
}

export type SessionEvent =
  | { type: 'control'; data: Buffer }
  | { type: 'closed'; reason: SessionCloseReason; message: string };

export type SessionCloseReason =
  | 'local' //         close() was called
  | 'peer-closed' //   orderly EOF from the peer
  | 'peer-bye' //      the peer sent a CLOSE frame (message carries its reason)
  | 'socket-error' //  read/write error (message has errno text)
  | 'auth-failed' //   a frame failed AEAD open: forged, replayed, reordered or corrupted
  | 'bad-frame'; //    a length or type outside the protocol, or CONTROL frames arriving
  //                    faster than onEvent takes them (over 1 MiB waiting for the JS thread)

export interface SessionStats {
  txBytes: number; // plaintext packet bytes sent into the tunnel
  rxBytes: number; // plaintext packet bytes received from the tunnel
  txPackets: number; // packets (GSO super-packets count once)
  rxPackets: number;
  txFrames: number;
  rxFrames: number;
  txDrops: number; // packets dropped because the session's send queue was full
  aqmDrops: number; // packets CoDel dropped to keep the tunnel's queueing delay near 5 ms
  rxDrops: number; // packets dropped on the way into TUN (spoofed source, TUN write error)
  txEpoch: number; // rekey generation of the send direction
  rxEpoch: number;
}

export interface SessionOptions {
  /** connected MPTCP (or TCP fallback) socket; the session takes ownership and closes it */
  fd: number;
  keys: SessionKeys;
  /** bytes already read from fd by the handshake that belong to the frame stream */
  pending?: Buffer;
  /** server side: tunnel addresses owned by this peer; packets to them are routed to it and
   *  packets from it must carry one of them as source. Client side: omit (all traffic).
   *  IPv4/IPv6, an optional "/prefix" is ignored, at most 16. A newer session takes over an
   *  address an older one still holds (reconnect). */
  addresses?: string[];
  /** rekey after this many frames in one direction (default 2^30) */
  rekeyAfterFrames?: number;
  /** rekey after this many bytes in one direction (default 2^36) */
  rekeyAfterBytes?: number;
  /** max bytes queued between TUN reader and socket writer before tail drop (default 4 MiB, a
   *  memory guard: CoDel on the queue keeps the delay low) */
  queueBytes?: number;
  /** called on the JS thread; 'closed' comes exactly once and last. Until then the session
   *  keeps the event loop alive, like a socket. */
  onEvent: (event: SessionEvent) => void;
}

export interface NativeSession {
  /** queued ahead of data; throws ERR_BRAID_SESSION_CLOSED once closing, and
   *  ERR_BRAID_CONTROL_QUEUE_FULL past 1 MiB of unsent control data (never dropped silently) */
  sendControl(data: Buffer): void;
  /** atomic counters, never blocks */
  stats(): SessionStats;
  /** sends a CLOSE frame with reason (best effort), stops both threads, closes the socket.
   *  Returns at once; the 'closed' event (reason 'local') follows when the threads are done,
   *  at most ~1 s later if the peer does not answer. Idempotent. */
  close(reason?: string): void;
}

export interface NativeTunnel {
  addSession(options: SessionOptions): NativeSession;
  /** stops every session and the TUN reader; does not close the TUN fd. Synchronous: blocks
   *  at most ~0.5 s (sessions whose peer does not answer their CLOSE). Idempotent. */
  stop(): void;
}

/** what changed in one batch of rtnetlink messages (JS re-reads the state it needs) */
export interface NetlinkChange {
  link: boolean;
  addr: boolean;
  route: boolean;
}

/** an MPTCP in-kernel path-manager event (genl family mptcp_pm, group mptcp_pm_events) */
export interface MptcpEvent {
  type:
    | 'created'
    | 'established'
    | 'closed'
    | 'announced'
    | 'removed'
    | 'sub-established'
    | 'sub-closed'
    | 'sub-priority'
    | 'listener-created'
    | 'listener-closed'
    | 'unknown';
  token: number;
  /** 4, 6, or 0 when the event carries no addresses */
  family: number;
  saddr: string;
  daddr: string;
  sport: number;
  dport: number;
  locId: number;
  remId: number;
  /** -1 when absent */
  ifindex: number;
  /** errno of a closed subflow, -1 when absent */
  error: number;
  backup: boolean;
}

export interface NetlinkWatcher {
  stop(): void;
}

export interface NativeAddon {
  openTun(options: OpenTunOptions): TunDevice;
  /** resolves a connected, blocking fd (plain TCP if the kernel has MPTCP disabled: check
   *  isMptcp); rejects with code/errno like Node's system errors, e.g. ECONNREFUSED, ETIMEDOUT */
  mptcpConnect(options: MptcpConnectOptions): Promise<number>;
  /** bound and listening fd (SO_REUSEADDR), for net.Server#listen({ fd }) */
  mptcpListen(options: MptcpListenOptions): number;
  /** getsockopt(SOL_TCP, TCP_IS_MPTCP): false means the connection fell back to TCP */
  isMptcp(fd: number): boolean;
  mptcpInfo(fd: number): MptcpInfo;
  mptcpFullInfo(fd: number): FullInfo;
  peerCred(fd: number): PeerCred;
  dup(fd: number): number;
  close(fd: number): void;
  /** one packet pump per TUN device; mode server routes by destination to sessions */
  createTunnel(tunFd: number, mode: 'client' | 'server'): NativeTunnel;
  /** AEAD seal/open of one frame exactly as the pump does it (for tests and the handshake's
   *  first sealed frames): returns the full wire frame / the plaintext (type byte + body) */
  sealFrame(cipher: Cipher, key: Buffer, counter: number, plaintext: Buffer): Buffer;
  openFrame(cipher: Cipher, key: Buffer, counter: number, frame: Buffer): Buffer;
  /** HKDF-SHA256 rekey step used by the pump: next = HKDF(key, "braid v1 rekey") */
  nextKey(key: Buffer): Buffer;
  /** SO_SNDBUF on a socket (MPTCP copies it to every subflow and stops autotuning);
   *  returns what the kernel granted (twice the request: it counts bookkeeping too) */
  setSendBuffer(fd: number, bytes: number): number;
  /** rtnetlink link/address/route changes, coalesced; does not keep the process alive */
  watchNetlink(onChange: (change: NetlinkChange) => void): NetlinkWatcher;
  /** MPTCP path-manager events (needs CAP_NET_ADMIN); throws when the kernel has no mptcp_pm */
  watchMptcpEvents(onEvent: (event: MptcpEvent) => void): NetlinkWatcher;
}

function findAddon(): string {
  const candidates = [
    process.env.BRAID_NATIVE_ADDON,
    path.join(__dirname, '..', 'build', 'Release', 'braid_native.node'), // native/lib -> native/build
    path.join(__dirname, '..', '..', '..', 'native', 'build', 'Release', 'braid_native.node'), // dist/native/lib
    '/usr/lib/braid/braid_native.node',
    '/opt/braid/braid_native.node',
  ].filter((p): p is string => Boolean(p));
  for (const candidate of candidates) if (fs.existsSync(candidate)) return candidate;
  throw new Error(`braid native addon not found (looked in ${candidates.join(', ')}); run npm ci`);
}

let loaded: NativeAddon | undefined;

export function loadNative(): NativeAddon {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  loaded ??= require(findAddon()) as NativeAddon;
  return loaded;
}
