import test from 'node:test';
import assert from 'node:assert/strict';
import {
  formatBytes,
  formatCap,
  formatDate,
  formatDuration,
  formatGap,
  formatRate,
  formatRtt,
  formatUsage,
  renderClientStatus,
  renderLinks,
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

const localDay = (y: number, m: number, d: number): number => new Date(y, m - 1, d).getTime();

const capped: ClientStatus = {
  ...client,
  paths: [
    { ...client.paths[0]!, usage: { periodStart: localDay(2026, 3, 1), periodEnd: localDay(2026, 4, 1), txBytes: 1.2e9, rxBytes: 2e9 } },
    {
      ...client.paths[1]!,
      mode: 'backup',
      state: 'failed',
      reason: 'data cap reached',
      usage: {
        periodStart: localDay(2026, 3, 5),
        periodEnd: localDay(2026, 4, 5),
        txBytes: 2e9,
        rxBytes: 8.5e9,
        cap: { bytes: 10e9, billingDay: 5, action: 'backup' },
        capFraction: 1.05,
      },
    },
  ],
  lastFailover: { link: 'wlan0', gapMs: 420, at: NOW - 60_000 },
  coexistence: { networkManager: true, mptcpd: false, message: 'Braid owns the endpoints of its links' },
};

test('usage and caps: decimal units, percentage rounded down', () => {
  assert.equal(formatUsage({ periodStart: 0, txBytes: 1.2e9, rxBytes: 2e9 }), '3.20 GB');
  assert.equal(formatUsage({ periodStart: 0, txBytes: 0, rxBytes: 9.996e9, cap: { bytes: 10e9, billingDay: 1, action: 'off' } }), '10.0 GB / 10.0 GB (99%)');
  assert.equal(formatUsage({ periodStart: 0, txBytes: 5e8, rxBytes: 0, cap: { bytes: 2e9, billingDay: 1, action: 'off' } }), '500 MB / 2.00 GB (25%)');
  assert.equal(formatCap({ bytes: 10e9, billingDay: 5, action: 'backup' }), '10.0 GB a period from day 5, then backup');
  assert.equal(formatDate(localDay(2026, 4, 5)), '2026-04-05');
  assert.equal(formatGap(420.4), '420 ms');
  assert.equal(formatGap(1260), '1.3 s');
});

test('client status with usage, a reached cap, the last failover and other MPTCP managers', () => {
  assert.equal(
    renderClientStatus(capped, NOW),
    [
      'connected to 203.0.113.7:7443 for 3m 12s, address 10.77.0.2 on braid0, multipath',
      'reconnects: 2',
      'last failover: 420 ms when wlan0 was lost, 1m 0s ago',
      'also managing MPTCP endpoints: NetworkManager (Braid owns the endpoints of its links)',
      '',
      'LINK   KIND      MODE    STATE   RTT      UP           DOWN         SENT      RECEIVED  SHARE  PERIOD                    ',
      'eth0   ethernet  on      active  12.3 ms  1.20 Mbit/s  45.6 Mbit/s  1.25 GiB  3.40 GiB  75%    3.20 GB',
      'wwan0  wwan      backup  failed  -        -            -            0 B       2.00 KiB  -      10.5 GB / 10.0 GB (105%)  data cap reached',
      'total                                     1.60 Mbit/s  60.0 Mbit/s  1.50 GiB  4.00 GiB',
      '',
      'wwan0 reached its data cap of 10.0 GB: backup until 2026-04-05',
      '',
      'braidd 0.1.0',
    ]
      .map((line) => line.trimEnd())
      .join('\n'),
  );
  const other = renderClientStatus({ ...capped, coexistence: { networkManager: false, mptcpd: true } }, NOW);
  assert.match(other, /\nalso managing MPTCP endpoints: mptcpd\n/);
  const none = renderClientStatus({ ...capped, coexistence: { networkManager: false, mptcpd: false } }, NOW);
  assert.doesNotMatch(none, /MPTCP endpoints/);
});

test('braid links: state and reason, rates, RTT, this period against the cap', () => {
  assert.equal(
    renderLinks(capped),
    [
      'LINK   KIND      MODE    STATE   UP           DOWN         RTT      THIS PERIOD',
      'eth0   ethernet  on      active  1.20 Mbit/s  45.6 Mbit/s  12.3 ms  3.20 GB',
      'wwan0  wwan      backup  failed  -            -            -        10.5 GB / 10.0 GB (105%)  data cap reached',
      '',
      'wwan0: cap 10.0 GB a period from day 5, then backup; next period starts 2026-04-05',
    ].join('\n'),
  );
  assert.equal(renderLinks({ ...client, paths: [] }), 'no links');
  // an engine that reports no usage yet
  assert.match(renderLinks(client), /^LINK .*\neth0 .* 12\.3 ms +-\n/);
});
