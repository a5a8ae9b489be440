// Before talking to the engine, main checks who owns the control socket: only root or the
// configured service user may run the engine we trust with our intent (a local user could
// otherwise put a fake socket in place and show us anything).
import fs from 'node:fs/promises';

export type TrustVerdict =
  | { ok: true; uid: number }
  | { ok: false; reason: 'missing' }
  | { ok: false; reason: 'not-a-socket' | 'untrusted-owner'; uid?: number; message: string };

/** uid of a user name from /etc/passwd text, or undefined */
export function uidFromPasswd(passwd: string, user: string): number | undefined {
  for (const line of passwd.split('\n')) {
    const fields = line.split(':');
    if (fields[0] === user && fields.length >= 3) {
      const uid = Number(fields[2]);
      if (Number.isInteger(uid) && uid >= 0) return uid;
    }
  }
  return undefined;
}

/** the uids allowed to own the socket: root and the service user (if it exists) */
export async function trustedUids(serviceUser: string | undefined, passwdPath = '/etc/passwd'): Promise<Set<number>> {
  const uids = new Set<number>([0]);
  if (serviceUser) {
    const text = await fs.readFile(passwdPath, 'utf8').catch(() => '');
    const uid = uidFromPasswd(text, serviceUser);
    if (uid !== undefined) uids.add(uid);
  }
  return uids;
}

export function judgeSocket(stat: { uid: number; isSocket(): boolean }, trusted: Set<number>, path: string): TrustVerdict {
  if (!stat.isSocket()) return { ok: false, reason: 'not-a-socket', message: `${path} is not a socket` };
  if (!trusted.has(stat.uid)) {
    return {
      ok: false,
      reason: 'untrusted-owner',
      uid: stat.uid,
      message: `${path} is owned by uid ${stat.uid}, not root or the braid service user: refusing to use it`,
    };
  }
  return { ok: true, uid: stat.uid };
}

export async function checkSocket(path: string, trusted: Set<number>): Promise<TrustVerdict> {
  try {
    const stat = await fs.stat(path);
    return judgeSocket(stat, trusted, path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { ok: false, reason: 'missing' };
    throw err;
  }
}
