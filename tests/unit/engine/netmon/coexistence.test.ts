import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describeCoexistence, findEndpointManagers } from '../../../../electron/engine/netmon/coexistence';

function fakeProc(processes: Record<string, string | null>): string {
  const proc = fs.mkdtempSync(path.join(os.tmpdir(), 'braid-proc-'));
  for (const [pid, comm] of Object.entries(processes)) {
    fs.mkdirSync(path.join(proc, pid));
    if (comm !== null) fs.writeFileSync(path.join(proc, pid, 'comm'), `${comm}\n`);
  }
  return proc;
}

test('NetworkManager and mptcpd are found by their process names in /proc', (t) => {
  const both = fakeProc({ '1': 'systemd', '412': 'NetworkManager', '977': 'mptcpd', '1200': null, self: 'mptcpd', sys: null });
  const nm = fakeProc({ '1': 'systemd', '412': 'NetworkManager', '500': 'nm-dispatcher' });
  const neither = fakeProc({ '1': 'systemd', '88': 'networkmanager', '89': 'mptcpd-helper' });
  t.after(() => [both, nm, neither].forEach((p) => fs.rmSync(p, { recursive: true, force: true })));
  assert.deepEqual(findEndpointManagers(both), { networkManager: true, mptcpd: true });
  assert.deepEqual(findEndpointManagers(nm), { networkManager: true, mptcpd: false });
  assert.deepEqual(findEndpointManagers(neither), { networkManager: false, mptcpd: false }, 'names match exactly; non-numeric entries are not processes');
  assert.deepEqual(findEndpointManagers(path.join(neither, 'missing')), { networkManager: false, mptcpd: false });
});

test('the coexistence message names who else manages endpoints and what Braid removed', () => {
  assert.equal(describeCoexistence({ networkManager: false, mptcpd: false }, 0), undefined);
  const nm = describeCoexistence({ networkManager: true, mptcpd: false }, 0);
  assert.match(nm ?? '', /^NetworkManager also manages MPTCP endpoints: Braid owns the endpoints on its links$/);
  assert.match(describeCoexistence({ networkManager: true, mptcpd: true }, 2) ?? '', /^NetworkManager and mptcpd .*removed 2 MPTCP endpoint\(s\)/);
  assert.match(describeCoexistence({ networkManager: false, mptcpd: false }, 1) ?? '', /^another tool also manages/);
});
