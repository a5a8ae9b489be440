// `braid server`: one MPTCP listener, many devices. Authenticates each device, gives its
// session to the native pump (which routes packets by tunnel address), and NATs the pool.
import net from 'node:net';
import { EventEmitter } from 'node:events';
import type { NativeAddon, NativeSession, NativeTunnel, TunDevice } from '../../../native/lib';
import type { DeviceStatus, EngineEvent, ServerStatus } from '../../protocol/control';
import { HandshakeError, serverHandshake } from '../../protocol/tunnel/handshake';
import { EngineRequestError, type EngineApi } from '../engine-api';
import { braidVersion } from '../../protocol/version';
import type { NetworkPort } from '../ports';
import { EventLog } from '../stats/event-log';
import { RateMeter } from '../stats/rate-meter';
import { type DeviceEntry, DeviceRegistry } from './device-registry';
import { Nat } from './nat';
import { HandshakeGate } from './handshake-gate';
import { STALE_LOSS_COUNT } from '../paths/kernel-paths';
import { SendBufferTuner, baseRttMs } from '../tunnel/send-buffer';

export const SERVER_VERSION = braidVersion();
/** a device finishes its handshake in a round trip or two; a peer that idles is cut off */
const HANDSHAKE_TIMEOUT_MS = 5000;

export interface ServerSettings {
  listen: { host: string; port: number };
  serverSecret: Buffer;
  /** the pool in CIDR form, e.g. 10.77.0.0/24 */
  pool: string;
  /** the server's own tunnel address (first host of the pool) */
  serverAddress: string;
  poolPrefix: number;
  devices: DeviceEntry[];
  nat: { enabled: boolean; outInterface?: string };
  tun: { name: string; mtu: number; txQueueLen: number };
  limits: { subflows: number; addAddrAccepted: number };
  congestion: string;
  notsentLowat: number;
  rekeyAfterFrames?: number;
  queueBytes?: number;
}

interface LiveDevice {
  entry: DeviceEntry;
  /** our own duplicate of the session's socket for statistics: the pump owns and closes its
   *  descriptor, whose number the kernel may hand to the next socket */
  statsFd: number;
  subflows: number;
  sendBuffer: SendBufferTuner;
  session: NativeSession;
  fd: number;
  since: number;
  remote: string;
  mptcp: boolean;
}

export class ServerEngine implements EngineApi {
  readonly mode = 'server' as const;
  readonly version = SERVER_VERSION;
  private readonly emitter = new EventEmitter();
  private readonly events = new EventLog();
  private readonly rates = new RateMeter();
  private readonly registry: DeviceRegistry;
  private readonly nat: Nat;
  private readonly live = new Map<string, LiveDevice>();
  private readonly totals = new Map<string, { tx: number; rx: number }>();
  private listener?: net.Server;
  private listenFd?: number;
  private tun?: TunDevice;
  private tunnel?: NativeTunnel;
  private readonly gate = new HandshakeGate();
  private sampler?: NodeJS.Timeout;
  private deviceRates = new Map<string, { txBps: number; rxBps: number }>();
  private aggregate = { txBps: 0, rxBps: 0, txBytes: 0, rxBytes: 0 };

  constructor(
    private readonly settings: ServerSettings,
    private readonly native: NativeAddon,
    private readonly network: NetworkPort,
    private readonly log: (line: string) => void = () => undefined,
  ) {
    this.emitter.setMaxListeners(0);
    this.registry = new DeviceRegistry(settings.devices);
    this.nat = new Nat(network);
  }

  async start(): Promise<void> {
    const { tun: tunSettings, limits } = this.settings;
    await this.network.setSysctl('net/mptcp/enabled', '1');
    await this.network.setSysctl('net/mptcp/stale_loss_cnt', String(STALE_LOSS_COUNT)).catch(() => undefined);
    await this.network.ip(['mptcp', 'limits', 'set', 'subflow', String(limits.subflows), 'add_addr_accepted', String(limits.addAddrAccepted)]);
    this.tun = this.native.openTun({ name: tunSettings.name });
    await this.network.ip(['addr', 'add', `${this.settings.serverAddress}/${this.settings.poolPrefix}`, 'dev', this.tun.name]);
    await this.network.ip(['link', 'set', 'dev', this.tun.name, 'mtu', String(tunSettings.mtu), 'txqueuelen', String(tunSettings.txQueueLen), 'up']);
    if (this.settings.nat.enabled) await this.nat.install(this.settings.pool, this.tun.name, this.settings.nat.outInterface);
    this.tunnel = this.native.createTunnel(this.tun.fd, 'server');
    this.listenFd = this.native.mptcpListen({
      host: this.settings.listen.host,
      port: this.settings.listen.port,
      congestion: this.settings.congestion,
      notsentLowat: this.settings.notsentLowat,
    });
    const listener = net.createServer({ pauseOnConnect: false }, (socket) => this.onConnection(socket));
    listener.on('error', (error) => this.record('error', `listener: ${error.message}`));
    await new Promise<void>((resolve, reject) => {
      listener.once('error', reject);
      listener.listen({ fd: this.listenFd as number, backlog: 128 }, () => {
        listener.off('error', reject);
        resolve();
      });
    });
    this.listener = listener;
    this.sampler = setInterval(() => this.sample(), 1000);
    this.sampler.unref();
    this.record('listening', `listening on ${this.settings.listen.host}:${this.settings.listen.port}, tunnel ${this.tun.name} ${this.settings.serverAddress}/${this.settings.poolPrefix}`);
  }

  async stop(): Promise<void> {
    if (this.sampler) clearInterval(this.sampler);
    this.listener?.close();
    this.listener = undefined;
    for (const device of this.live.values()) device.session.close('server shutting down');
    this.live.clear();
    this.tunnel?.stop();
    this.tunnel = undefined;
    if (this.tun) this.native.close(this.tun.fd);
    this.tun = undefined;
    if (this.settings.nat.enabled) await this.nat.remove();
    this.record('stopped', 'server stopped');
  }

  status(): ServerStatus {
    const devices: DeviceStatus[] = this.registry.all().map((entry) => {
      const live = this.live.get(entry.publicKey);
      const total = this.totals.get(entry.publicKey) ?? { tx: 0, rx: 0 };
      const stats = live?.session.stats();
      const rates = this.deviceRates.get(entry.publicKey) ?? { txBps: 0, rxBps: 0 };
      const subflows = live?.subflows ?? 0;
      return {
        name: entry.name,
        publicKey: entry.publicKey,
        address: entry.address,
        connected: Boolean(live),
        since: live?.since,
        remote: live?.remote,
        subflows,
        mptcp: live?.mptcp,
        txBytes: total.tx + (stats?.txBytes ?? 0),
        rxBytes: total.rx + (stats?.rxBytes ?? 0),
        ...rates,
      };
    });
    return {
      mode: 'server',
      version: this.version,
      listen: `${this.settings.listen.host}:${this.settings.listen.port}`,
      devices,
      aggregate: { ...this.aggregate },
      events: this.events.list(),
    };
  }

  onChange(listener: () => void): () => void {
    this.emitter.on('change', listener);
    return () => this.emitter.off('change', listener);
  }

  async setTargetState(): Promise<void> {
    throw new EngineRequestError('the server has no tunnel state to set; stop it with systemctl stop braid-server');
  }

  async setLinkMode(): Promise<void> {
    throw new EngineRequestError('link modes are set on the device, not on the server');
  }

  async setLinkCap(): Promise<void> {
    throw new EngineRequestError('data caps are set on the device, not on the server');
  }

  history(): never {
    throw new EngineRequestError('rate history is kept by the device engine, not on the server');
  }

  private onConnection(socket: net.Socket): void {
    const remote = `${socket.remoteAddress}:${socket.remotePort}`;
    socket.on('error', () => undefined); // handshake failures are reported below
    const ticket = this.gate.admit(socket.remoteAddress ?? '?', () => socket.destroy());
    if (!ticket) {
      this.record('refused', `too many handshakes in progress from ${socket.remoteAddress}; dropped ${remote}`);
      socket.destroy();
      return;
    }
    let admitted: DeviceEntry | undefined;
    serverHandshake(socket, {
      serverSecret: this.settings.serverSecret,
      timeoutMs: HANDSHAKE_TIMEOUT_MS,
      admit: (devicePublic: Buffer) => {
        const entry = this.registry.lookup(devicePublic);
        if (!entry) {
          return {
            ok: false as const,
            code: 'unknown-device',
            message: `device key ${devicePublic.toString('base64')} is not admitted by this server`,
          };
        }
        admitted = entry;
        return {
          ok: true as const,
          welcome: {
            type: 'welcome' as const,
            address: `${entry.address}/${this.settings.poolPrefix}`,
            address6: null,
            mtu: this.settings.tun.mtu,
            server: `braid ${this.version}`,
          },
        };
      },
    })
      .then((result) => {
        const entry = admitted as DeviceEntry;
        socket.pause();
        const fd = this.native.dup((socket as unknown as { _handle: { fd: number } })._handle.fd);
        socket.destroy();
        this.attach(entry, fd, result, remote);
      })
      .catch((error: Error) => {
        socket.destroy();
        // devices probe each link by connecting and closing at once: not worth an event
        if (error instanceof HandshakeError && error.code === 'closed') return;
        this.record('handshake-failed', `${remote}: ${error.message}`);
      })
      .finally(() => ticket.release());
  }

  private attach(entry: DeviceEntry, fd: number, result: Awaited<ReturnType<typeof serverHandshake>>, remote: string): void {
    const tunnel = this.tunnel;
    if (!tunnel) {
      this.native.close(fd);
      return;
    }
    const previous = this.live.get(entry.publicKey);
    if (previous) {
      this.detach(entry.publicKey, previous);
      previous.session.close('replaced by a new connection from the same device');
    }
    let statsFd: number;
    let mptcp: boolean;
    try {
      statsFd = this.native.dup(fd);
      mptcp = this.native.isMptcp(fd);
    } catch (error) {
      this.native.close(fd);
      this.record('error', `${entry.name}: cannot take over its connection: ${(error as Error).message}`);
      return;
    }
    let device: LiveDevice | undefined;
    let session: NativeSession;
    try {
      session = tunnel.addSession({
      fd,
      keys: result.keys,
      pending: result.pending,
      addresses: [entry.address],
      rekeyAfterFrames: this.settings.rekeyAfterFrames,
      queueBytes: this.settings.queueBytes,
      onEvent: (event) => {
        if (event.type !== 'closed') return;
        if (device && this.live.get(entry.publicKey) === device) this.detach(entry.publicKey, device);
        this.native.close(statsFd);
        this.record('device-closed', `${entry.name} (${remote}): ${event.reason}${event.message ? `: ${event.message}` : ''}`);
      },
      });
    } catch (error) {
      this.native.close(fd);
      this.native.close(statsFd);
      this.record('error', `${entry.name}: cannot start its session: ${(error as Error).message}`);
      return;
    } finally {
      result.keys.txKey.fill(0); // the pump keeps its own copy
      result.keys.rxKey.fill(0);
    }
    device = { entry, session, fd, statsFd, subflows: 0, since: Date.now(), remote, mptcp, sendBuffer: new SendBufferTuner() };
    this.live.set(entry.publicKey, device);
    this.record('device-connected', `${entry.name} connected from ${remote} as ${entry.address}${mptcp ? '' : ' (no MPTCP: fell back to TCP)'}`);
  }

  /** keeps a closed session's byte counts in the device's running totals */
  private detach(key: string, device: LiveDevice): void {
    const stats = device.session.stats();
    const total = this.totals.get(key) ?? { tx: 0, rx: 0 };
    this.totals.set(key, { tx: total.tx + stats.txBytes, rx: total.rx + stats.rxBytes });
    this.live.delete(key);
  }

  private sample(): void {
    const now = Date.now();
    let txBytes = 0;
    let rxBytes = 0;
    for (const device of this.status().devices) {
      txBytes += device.txBytes;
      rxBytes += device.rxBytes;
      const rates = {
        txBps: this.rates.sample(`${device.publicKey}/tx`, device.txBytes, now),
        rxBps: this.rates.sample(`${device.publicKey}/rx`, device.rxBytes, now),
      };
      this.deviceRates.set(device.publicKey, rates);
      const live = this.live.get(device.publicKey);
      if (live) this.tuneSendBuffer(live, rates.txBps);
    }
    this.aggregate = {
      txBps: this.rates.sample('agg/tx', txBytes, now),
      rxBps: this.rates.sample('agg/rx', rxBytes, now),
      txBytes,
      rxBytes,
    };
    this.emitter.emit('change');
  }

  /** keeps the device's download queue near the delay budget (see tunnel/send-buffer.ts) */
  private tuneSendBuffer(device: LiveDevice, txBps: number): void {
    let subflows: { minRttUs: number; state: number }[] = [];
    try {
      subflows = this.native.mptcpFullInfo(device.statsFd).subflows;
    } catch {
      return;
    }
    device.subflows = subflows.length; // status() reads this instead of asking the kernel
    const size = device.sendBuffer.update(txBps / 8, baseRttMs(subflows));
    if (size === undefined) return;
    try {
      this.native.setSendBuffer(device.statsFd, size);
    } catch {
      // the session is closing: its socket is gone
    }
  }

  private record(kind: string, message: string): void {
    const event: EngineEvent = { at: Date.now(), kind, message };
    this.events.add(event);
    this.log(`${kind}: ${message}`);
    this.emitter.emit('change');
  }
}
