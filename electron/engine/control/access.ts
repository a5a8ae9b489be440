// Read or write? uid 0, or membership of the configured group, gets write; everyone else read.
// Membership counts from the caller's primary and supplementary groups (what the kernel and
// /proc say now) and from /etc/group's member list (so a user just added to the group does not
// have to log in again).
import fs from 'node:fs';
import type { PeerIdentity } from './credentials';

export type Access = 'read' | 'write';

export interface AccountsPort {
  group(name: string): { gid: number; members: string[] } | undefined;
  userName(uid: number): string | undefined;
}

/** /etc/group and /etc/passwd, read on every lookup so edits take effect for new connections */
export function systemAccounts(files = { group: '/etc/group', passwd: '/etc/passwd' }): AccountsPort {
  const lines = (file: string): string[][] => {
    try {
      return fs
        .readFileSync(file, 'utf8')
        .split('\n')
        .filter((line) => line && !line.startsWith('#'))
        .map((line) => line.split(':'));
    } catch {
      return [];
    }
  };
  return {
    group(name) {
      const entry = lines(files.group).find((fields) => fields[0] === name && fields.length >= 3);
      if (!entry || !/^\d+$/.test(entry[2]!)) return undefined;
      return { gid: Number(entry[2]), members: (entry[3] ?? '').split(',').filter(Boolean) };
    },
    userName(uid) {
      return lines(files.passwd).find((fields) => fields[2] === String(uid))?.[0];
    },
  };
}

export function decideAccess(identity: PeerIdentity, groupName: string | undefined, accounts: AccountsPort): Access {
  if (identity.uid === 0) return 'write';
  if (!groupName) return 'read';
  const group = accounts.group(groupName);
  if (!group) return 'read';
  if (identity.gid === group.gid || identity.groups.includes(group.gid)) return 'write';
  const user = accounts.userName(identity.uid);
  return user !== undefined && group.members.includes(user) ? 'write' : 'read';
}
