// Who is on the other end of a control connection: SO_PEERCRED through the native addon, plus
// the caller's supplementary groups from /proc. Behind a port so unit tests can fake it.
import fs from 'node:fs';
import type net from 'node:net';
import type { NativeAddon } from '../../../native/lib';

export interface PeerIdentity {
  pid: number;
  /** effective uid/gid at connect() time, from the kernel */
  uid: number;
  gid: number;
  /** supplementary groups; empty when they could not be read */
  groups: number[];
}

export interface CredentialPort {
  /** throws when the peer cannot be identified; the connection then gets read access only */
  identify(socket: net.Socket): PeerIdentity;
}

/** the file descriptor behind an accepted net.Socket (Node exposes it on its pipe handle) */
export function socketFd(socket: net.Socket): number {
  const fd = (socket as unknown as { _handle?: { fd?: unknown } })._handle?.fd;
  if (typeof fd !== 'number' || fd < 0) throw new Error('control socket has no file descriptor');
  return fd;
}

/**
 * Supplementary groups of a process from /proc/<pid>/status. SO_PEERCRED does not carry them.
 * The pid could have exited and been reused since connect(), so the groups are only trusted
 * when the process still has the effective uid the kernel reported for the socket.
 */
export function procGroups(pid: number, uid: number, readFile: (file: string) => string = (f) => fs.readFileSync(f, 'utf8')): number[] {
  if (!Number.isInteger(pid) || pid <= 0) return [];
  let status: string;
  try {
    status = readFile(`/proc/${pid}/status`);
  } catch {
    return [];
  }
  const uids = /^Uid:\s+(\d+)\s+(\d+)/m.exec(status);
  if (!uids || Number(uids[2]) !== uid) return [];
  const groups = /^Groups:[ \t]*([0-9 \t]*)$/m.exec(status);
  if (!groups) return [];
  return groups[1]!.split(/\s+/).filter(Boolean).map(Number);
}

/** the real thing: SO_PEERCRED via the addon (loaded lazily: unit tests never need it) */
export function nativeCredentials(load: () => Pick<NativeAddon, 'peerCred'> = defaultLoad): CredentialPort {
  return {
    identify(socket) {
      const cred = load().peerCred(socketFd(socket));
      return { pid: cred.pid, uid: cred.uid, gid: cred.gid, groups: procGroups(cred.pid, cred.uid) };
    },
  };
}

function defaultLoad(): Pick<NativeAddon, 'peerCred'> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (require('../../../native/lib') as typeof import('../../../native/lib')).loadNative();
}
