// Split tunnelling: only the configured prefixes go through the tunnel; everything else keeps
// the links' own routes. Full tunnelling is covered by bonding.test.ts.
//
//   client ns (braidd, split: 198.18.0.0/24) --bl0 20M--> server ns --> internet ns
import test from 'node:test';
import assert from 'node:assert/strict';
import { Lab } from '../netns/lab';
import { BraidLab, waitForStatus } from '../netns/braid';

test('split routing sends only the listed prefixes through the tunnel', async (t) => {
  const lab = await Lab.create({ links: [{ rateMbit: 20 }] });
  const braid = new BraidLab(lab, { routing: { mode: 'split', prefixes: ['198.18.0.0/24'] } });
  t.after(async () => {
    await braid.stop();
    await lab.destroy();
  });
  await braid.start();
  await waitForStatus(braid.clientSocket, (s) => s.mode === 'client' && s.tunnel.state === 'connected', 15_000);
  const via = async (address: string) => (await lab.exec('client', ['ip', 'route', 'get', address])).stdout;
  assert.match(await via(lab.internetAddress), /dev braid0/, 'the listed prefix goes through the tunnel');
  assert.match(await via('203.0.113.9'), /dev bl0/, 'other destinations keep the link route');
  const routes = (await lab.exec('client', ['ip', 'route', 'show'])).stdout;
  assert.doesNotMatch(routes, /^(0\.0\.0\.0|128\.0\.0\.0)\/1/m, 'no full-tunnel routes');
  const ping = await lab.ping('client', lab.internetAddress, { count: 3, intervalMs: 200 });
  assert.equal(ping.received, 3, 'the tunnelled prefix is reachable');
});
