import test from 'node:test';
import assert from 'node:assert/strict';
import {
  formatBytes,
  formatDuration,
  formatRate,
  formatRtt,
  renderClientStatus,
  renderServerStatus,
  table,
} from '../../../electron/cli/format';
import type { ClientStatus, ServerStatus } from '../../../electron/protocol/control';

test('rates in decimal bits, bytes in binary units', () => {
  assert.equal(formatRate(0), '0 bit/s');
  assert.equal(formatRate(999), '999 bit/s');
  assert.equal(formatRate(1000), '1.00 kbit/s');
  assert.equal(formatRate(12_345_678), '12.3 Mbit/s');
  assert.equal(formatRate(123_456_789), '123 Mbit/s');
  assert.equal(formatRate(2.5e9), '2.50 Gbit/s');
  assert.equal(formatRate(-5), '0 bit/s');
  assert.equal(formatBytes(0), '0 B');
  assert.equal(formatBytes(1023), '1023 B');
  assert.equal(formatBytes(1024), '1.00 KiB');
  assert.equal(formatBytes(1.5 * 1024 ** 3), '1.50 GiB');
  assert.equal(formatBytes(300 * 1024 ** 2), '300 MiB');
  assert.equal(formatDuration(59_999), '59s');
  assert.equal(formatDuration(192_000), '3m 12s');
  assert.equal(formatDuration(3 * 3600_000 + 5 * 60_000), '3h 5m');
  assert.equal(formatDuration(50 * 3600_000), '2d 2h');
  assert.equal(formatRtt(12.345), '12.3 ms');
  assert.equal(formatRtt(250.4), '250 ms');
  assert.deepEqual(table([['a', 'bb', 'c'], ['ccc', 'd', '']]), ['a    bb  c', 'ccc  d']);
});

const NOW = 1_700_000_200_000;

const client: ClientStatus = {
  mode: 'client',
  version: '0.1.0',
  tunnel: {
    state: 'connected',
    target: 'connected',
    since: NOW - 192_000,
    server: '203.0.113.7:7443',
    address: '10.77.0.2',
    interface: 'braid0',
    mptcp: true,
    reconnects: 2,
  },
  paths: [
    {
      link: 'eth0',
      kind: 'ethernet',
      mode: 'on',
      state: 'active',
      subflow: {
        localAddress: '192.0.2.10',
        remoteAddress: '203.0.113.7',
        rttMs: 12.34,
        deliveryRateBps: 90e6,
        retransmits: 0,
        bytesSent: 1,
        bytesReceived: 1,
        backup: false,
      },
      txBps: 1_200_000,
      rxBps: 45_600_000,
      txBytes: 1.25 * 1024 ** 3,
      rxBytes: 3.4 * 1024 ** 3,
      share: 0.75,
    },
    {
      link: 'wwan0',
      kind: 'wwan',
      mode: 'on',
      state: 'failed',
      reason: 'no route to the server',
      txBps: 0,
      rxBps: 0,
      txBytes: 0,
      rxBytes: 2048,
      share: 0,
    },
  ],
  aggregate: { txBps: 1_600_000, rxBps: 60_000_000, txBytes: 1.5 * 1024 ** 3, rxBytes: 4 * 1024 ** 3 },
  events: [],
};

test('client status: tunnel line, one row per path, totals', () => {
  assert.equal(
    renderClientStatus(client, NOW),
    [
      'connected to 203.0.113.7:7443 for 3m 12s, address 10.77.0.2 on braid0, multipath',
      'reconnects: 2',
      '',
      'LINK   KIND      MODE  STATE   RTT      UP           DOWN         SENT      RECEIVED  SHARE',
      'eth0   ethernet  on    active  12.3 ms  1.20 Mbit/s  45.6 Mbit/s  1.25 GiB  3.40 GiB  75%',
      'wwan0  wwan      on    failed  -        -            -            0 B       2.00 KiB  -      no route to the server',
      'total                                   1.60 Mbit/s  60.0 Mbit/s  1.50 GiB  4.00 GiB',
      '',
      'braidd 0.1.0',
    ].join('\n'),
  );
});

test('client status: other tunnel states', () => {
  const first = (tunnel: Partial<ClientStatus['tunnel']>, paths = client.paths) =>
    renderClientStatus({ ...client, paths, tunnel: { ...client.tunnel, ...tunnel } }, NOW).split('\n').slice(0, 2);
  assert.deepEqual(first({ mptcp: false, reconnects: 0 }), [
    'connected to 203.0.113.7:7443 for 3m 12s, address 10.77.0.2 on braid0',
    'warning: the connection fell back to plain TCP: only one link carries traffic',
  ]);
  assert.deepEqual(first({ state: 'connecting', cause: 'server unreachable', reconnects: 0 }), [
    'connecting to 203.0.113.7:7443 (for 3m 12s): server unreachable',
    '',
  ]);
  assert.equal(first({ state: 'disconnected', target: 'disconnected', reconnects: 0 })[0], 'disconnected');
  assert.equal(first({ state: 'disconnected', target: 'connected', reconnects: 0 })[0], 'disconnected (will reconnect)');
  assert.equal(first({ state: 'error', cause: 'server key not trusted' })[0], 'error: server key not trusted (retrying)');
  assert.equal(first({ state: 'disconnecting' })[0], 'disconnecting from 203.0.113.7:7443');
  assert.match(renderClientStatus({ ...client, paths: [] }, NOW), /\nno links\n/);
});

test('server status: devices from their own point of view', () => {
  const server: ServerStatus = {
    mode: 'server',
    version: '0.1.0',
    listen: '0.0.0.0:7443',
    devices: [
      {
        name: 'laptop',
        publicKey: 'k',
        address: '10.77.0.2',
        connected: true,
        since: NOW - 60_000,
        remote: '198.51.100.4:50122',
        subflows: 3,
        mptcp: true,
        txBytes: 1024,
        rxBytes: 2048,
        txBps: 8000,
        rxBps: 16000,
      },
      { name: 'phone', publicKey: 'p', address: '10.77.0.3', connected: false, subflows: 0, txBytes: 0, rxBytes: 0, txBps: 0, rxBps: 0 },
    ],
    aggregate: { txBps: 8000, rxBps: 16000, txBytes: 1024, rxBytes: 2048 },
    events: [],
  };
  assert.equal(
    renderServerStatus(server, NOW),
    [
      'server listening on 0.0.0.0:7443, 1 of 2 devices connected',
      '',
      'DEVICE  ADDRESS    STATE            SUBFLOWS  UP           DOWN         SENT      RECEIVED  FROM',
      'laptop  10.77.0.2  connected 1m 0s  3         16.0 kbit/s  8.00 kbit/s  2.00 KiB  1.00 KiB  198.51.100.4:50122',
      'phone   10.77.0.3  offline          -         -            -            0 B       0 B',
      'total                                         16.0 kbit/s  8.00 kbit/s  2.00 KiB  1.00 KiB',
      '',
      'braid server 0.1.0',
    ].join('\n'),
  );
});
