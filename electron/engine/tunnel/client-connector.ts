// The real Connector: applies per-link routing and endpoints, opens the MPTCP connection from
// the primary link, authenticates with the handshake, then hands the socket to the native pump.
import net from 'node:net';
import dns from 'node:dns/promises';
import type { NativeAddon, NativeSession, NativeTunnel, TunDevice } from '../../../native/lib';
import { clientHandshake, HandshakeError } from '../../protocol/tunnel/handshake';
import type { NetworkPort } from '../ports';
import type { LinkManager } from '../paths/link-manager';
import { ConnectError, type Connector, type LiveSession } from './machine';
import { configureTun, removeTunRoutes, type Routing, type TunSettings } from './tun-routes';

export interface ClientSettings {
  server: { host: string; port: number; publicKey: Buffer };
  deviceSecret: Buffer;
  routing: Routing;
  tun: TunSettings;
  congestion: string;
  /** TCP_NOTSENT_LOWAT on the tunnel socket: keeps little unsent data queued (latency) */
  notsentLowat: number;
  connectTimeoutMs: number;
  /** rekey thresholds (tests lower them) */
  rekeyAfterFrames?: number;
  /** bytes queued between TUN and socket before tail drop (default: the pump's) */
  queueBytes?: number;
}

/** handshake failures that retrying cannot fix without the user changing keys */
const PERMANENT_HANDSHAKE_CODES = new Set(['server-key-not-trusted', 'unknown-device', 'bad-signature', 'version', 'no-common-cipher']);

export interface ActiveConnection {
  session: NativeSession;
  /** our duplicate of the tunnel socket, for statistics and tuning (closed with the session) */
  fd: number;
  address: string;
  mptcp: boolean;
  primaryLink: string;
  serverAddress: string;
}

export class ClientConnector implements Connector {
  private tun?: TunDevice;
  private tunnel?: NativeTunnel;
  active?: ActiveConnection;

  constructor(
    private readonly native: NativeAddon,
    private readonly network: NetworkPort,
    private readonly links: LinkManager,
    private readonly settings: ClientSettings,
  ) {}

  async connect(_attempt: number, onClosed: (reason: string, message: string) => void): Promise<LiveSession> {
    const serverAddress = await this.resolveServer();
    const primary = await this.links.preparePrimary(serverAddress);
    if (!primary?.address) throw new ConnectError(`no usable link (${this.links.whyNoLink()})`, true);
    this.ensureTun();
    const fd = await this.native
      .mptcpConnect({
        host: serverAddress,
        port: this.settings.server.port,
        timeoutMs: this.settings.connectTimeoutMs,
        congestion: this.settings.congestion,
        notsentLowat: this.settings.notsentLowat,
        localAddress: primary.address,
      })
      .catch((error: Error) => {
        throw new ConnectError(`cannot reach server ${serverAddress}:${this.settings.server.port} via ${primary.name}: ${error.message}`, true);
      });
    const socket = new net.Socket({ fd, readable: true, writable: true });
    socket.on('error', () => undefined); // the handshake reports failures itself
    let result;
    try {
      result = await clientHandshake(socket, {
        deviceSecret: this.settings.deviceSecret,
        serverPublic: this.settings.server.publicKey,
      });
    } catch (error) {
      socket.destroy();
      const permanent = error instanceof HandshakeError && PERMANENT_HANDSHAKE_CODES.has(error.code);
      throw new ConnectError(error instanceof Error ? error.message : String(error), !permanent);
    }
    // take the socket away from libuv: pause reading, keep a duplicate for the pump, close
    // libuv's descriptor (closing one of two descriptors does not shut the connection down)
    socket.pause();
    const owned = this.native.dup(fd);
    socket.destroy();
    // the pump owns `owned` and closes it; statistics and socket tuning use our own duplicate,
    // so they never reach a recycled descriptor number
    let statsFd: number | undefined;
    let session: NativeSession | undefined;
    let closed = false;
    const address = result.welcome.address;
    try {
      statsFd = this.native.dup(owned);
      await configureTun(this.network, { ...this.settings.tun, name: (this.tun as TunDevice).name }, address, this.settings.routing);
      const tunnel = this.tunnel as NativeTunnel;
      const statsCopy = statsFd;
      session = tunnel.addSession({
        fd: owned,
        keys: result.keys,
        pending: result.pending,
        rekeyAfterFrames: this.settings.rekeyAfterFrames,
        queueBytes: this.settings.queueBytes,
        onEvent: (event) => {
          if (event.type !== 'closed') return;
          this.native.close(statsCopy);
          if (closed) return;
          closed = true;
          if (this.active?.session === session) this.active = undefined;
          onClosed(event.reason, event.message);
        },
      });
    } catch (error) {
      if (!session) {
        this.native.close(owned); // the pump never took it
        if (statsFd !== undefined) this.native.close(statsFd);
      }
      throw new ConnectError(`cannot start the tunnel: ${(error as Error).message}`, true);
    } finally {
      result.keys.txKey.fill(0); // the pump keeps its own copy
      result.keys.rxKey.fill(0);
    }
    const live = session;
    const mptcp = this.native.isMptcp(statsFd);
    this.active = { session: live, fd: statsFd, address, mptcp, primaryLink: primary.name, serverAddress };
    return {
      address,
      mptcp,
      close: (reason) => {
        if (closed) return;
        closed = true;
        if (this.active?.session === live) this.active = undefined;
        live.close(reason);
      },
    };
  }

  async teardown(): Promise<void> {
    this.active?.session.close('disconnect');
    this.active = undefined;
    this.tunnel?.stop();
    this.tunnel = undefined;
    if (this.tun) {
      await removeTunRoutes(this.network, this.settings.tun, this.settings.routing);
      this.native.close(this.tun.fd); // the kernel removes a non-persistent TUN with its last fd
      this.tun = undefined;
    }
    await this.links.removeAll();
  }

  private ensureTun(): void {
    if (this.tun) return;
    this.tun = this.native.openTun({ name: this.settings.tun.name });
    this.tunnel = this.native.createTunnel(this.tun.fd, 'client');
  }

  /** the server address of the live session, else the last resolved one */
  serverAddress?: string;

  private async resolveServer(): Promise<string> {
    const host = this.settings.server.host;
    if (net.isIP(host)) return (this.serverAddress = host);
    try {
      return (this.serverAddress = (await dns.lookup(host, { family: 4 })).address);
    } catch (error) {
      throw new ConnectError(`cannot resolve server ${host}: ${(error as Error).message}`, true);
    }
  }
}
