// Link details in a namespace lab: systeminformation (in the engine's worker thread) fills
// status paths[].details, and a link NetworkManager calls metered starts as backup until the
// user says otherwise. NetworkManager is stood in for by an `nmcli` script on the engine's PATH.
//
//   client ns: bl0 (listed, mode from config), bl1 (found by the allow list, mode by default)
import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Lab } from '../netns/lab';
import { BraidLab, waitForStatus } from '../netns/braid';
import { parseEndpoints } from '../../electron/engine/paths/kernel-paths';
import { connectControl } from '../../electron/engine/control/client';
import type { ClientStatus, PathStatus } from '../../electron/protocol/control';

const isClient = (s: { mode: string }): s is ClientStatus => s.mode === 'client';
const pathOf = (s: ClientStatus, link: string) => s.paths.find((p) => p.link === link);

async function waitPath(braid: BraidLab, link: string, predicate: (p: PathStatus) => boolean, timeoutMs: number): Promise<PathStatus> {
  const status = (await waitForStatus(braid.clientSocket, (s) => isClient(s) && s.tunnel.state === 'connected' && Boolean(pathOf(s, link) && predicate(pathOf(s, link) as PathStatus)), timeoutMs)) as ClientStatus;
  return pathOf(status, link) as PathStatus;
}

test('link details show in status, and a metered link starts as backup unless the user chose otherwise', async (t) => {
  const bin = fs.mkdtempSync(path.join(os.tmpdir(), 'braid-nmcli-'));
  // `nmcli -t -g GENERAL.METERED device show IFACE`: the interface is the 6th argument
  fs.writeFileSync(path.join(bin, 'nmcli'), '#!/bin/sh\ncase "$6" in bl1) echo "yes (guessed)" ;; *) echo "no" ;; esac\n', { mode: 0o755 });
  const lab = await Lab.create({ links: [{ rateMbit: 20 }, { rateMbit: 20 }] });
  const braid = new BraidLab(lab, { links: [{ index: 0 }], allow: ['bl*'], env: { PATH: `${bin}:${process.env.PATH ?? ''}` } });
  t.after(async () => {
    await braid.stop();
    await lab.destroy();
    fs.rmSync(bin, { recursive: true, force: true });
  });
  await braid.start();

  const metered = await waitPath(braid, 'bl1', (p) => p.state === 'backup', 15_000);
  assert.equal(metered.mode, 'backup');
  assert.equal(metered.details?.metered, 'yes');
  assert.ok(metered.subflow?.backup, 'its subflow is a backup subflow');
  const endpoints = parseEndpoints((await lab.exec('client', ['ip', 'mptcp', 'endpoint', 'show'])).stdout);
  assert.ok(endpoints.find((e) => e.dev === 'bl1')?.flags.includes('backup'), `bl1 endpoint flagged backup: ${JSON.stringify(endpoints)}`);

  const plain = await waitPath(braid, 'bl0', (p) => p.state === 'active' && p.details?.type !== undefined, 10_000);
  assert.equal(plain.mode, 'on');
  assert.equal(plain.details?.metered, 'no');
  assert.equal(plain.details?.type, 'wired', 'systeminformation sees a veth as wired');
  assert.equal(plain.details?.speedMbps, 10_000, 'the veth driver reports 10 Gbit/s');

  // the user's choice wins over the metered default
  const control = await connectControl({ path: braid.clientSocket });
  try {
    await control.call('setLinkMode', { link: 'bl1', mode: 'on' });
  } finally {
    control.close();
  }
  const chosen = await waitPath(braid, 'bl1', (p) => p.state === 'active', 5000);
  assert.equal(chosen.mode, 'on');
  assert.equal(chosen.details?.metered, 'yes');
  const after = parseEndpoints((await lab.exec('client', ['ip', 'mptcp', 'endpoint', 'show'])).stdout);
  assert.ok(!after.find((e) => e.dev === 'bl1')?.flags.includes('backup'), 'bl1 endpoint no longer backup');
});
