import test from 'node:test';
import assert from 'node:assert/strict';
import { subflowForLink, withShares, type LinkObservation } from '../../../../electron/engine/paths/path-status';
import type { SubflowInfo } from '../../../../native/lib';

const link = (extra: Partial<LinkObservation> = {}): LinkObservation => ({ address: '10.0.0.2', ifindex: 4, ...extra });
const subflow = (extra: Partial<SubflowInfo> = {}) => ({ id: 1, family: 4, localAddress: '10.0.0.2', localPort: 1, remoteAddress: '198.19.0.1', remotePort: 7443, ifindex: 0, rttUs: 1000, rttVarUs: 1, deliveryRate: 1, pacingRate: 1, totalRetrans: 0, retransmits: 0, bytesSent: 0, bytesAcked: 0, bytesReceived: 0, cwnd: 10, state: 1, backup: false, ...extra }) as SubflowInfo;

test('subflows map to links by ifindex, else by local address; closed subflows do not count', () => {
  assert.equal(subflowForLink(link(), [subflow({ ifindex: 4, localAddress: 'x' })])?.localAddress, 'x');
  assert.equal(subflowForLink(link(), [subflow()])?.localAddress, '10.0.0.2');
  assert.equal(subflowForLink(link(), [subflow({ state: 7 })]), undefined);
});

test('shares add up to one', () => {
  const base = { link: 'a', kind: 'ethernet' as const, mode: 'on' as const, state: 'active' as const, txBytes: 0, rxBytes: 0 };
  const shares = withShares([{ ...base, txBps: 30, rxBps: 0 }, { ...base, link: 'b', txBps: 10, rxBps: 0 }, { ...base, link: 'c', txBps: 0, rxBps: 0 }]).map((p) => p.share);
  assert.deepEqual(shares, [0.75, 0.25, 0]);
});
