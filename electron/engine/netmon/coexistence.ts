// Finds other MPTCP endpoint managers on this machine (NetworkManager >= 1.40 adds endpoints
// for its connections; mptcpd adds them from its plugins). Braid takes sole ownership of the
// endpoints on its links; this tells the user who else is around.
import fs from 'node:fs';

export interface Coexistence {
  networkManager: boolean;
  mptcpd: boolean;
}

export function findEndpointManagers(proc = '/proc'): Coexistence {
  const found: Coexistence = { networkManager: false, mptcpd: false };
  let entries: string[] = [];
  try {
    entries = fs.readdirSync(proc);
  } catch {
    return found;
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    let comm = '';
    try {
      comm = fs.readFileSync(`${proc}/${entry}/comm`, 'utf8').trim();
    } catch {
      continue; // exited meanwhile
    }
    if (comm === 'NetworkManager') found.networkManager = true;
    if (comm === 'mptcpd') found.mptcpd = true;
  }
  return found;
}

export function describeCoexistence(found: Coexistence, evicted: number): string | undefined {
  const who = [found.networkManager ? 'NetworkManager' : '', found.mptcpd ? 'mptcpd' : ''].filter(Boolean).join(' and ');
  if (!who && evicted === 0) return undefined;
  const removed = evicted > 0 ? `; removed ${evicted} MPTCP endpoint(s) they added on Braid's links` : '';
  return `${who || 'another tool'} also manages MPTCP endpoints: Braid owns the endpoints on its links${removed}`;
}
