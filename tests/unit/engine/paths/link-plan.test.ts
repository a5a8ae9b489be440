import test from 'node:test';
import assert from 'node:assert/strict';
import { endpointAddCommand, planLinks, policyRoutingCommands, primaryLink } from '../../../../electron/engine/paths/link-plan';

const info = (name: string, extra: object = {}) => ({ name, ifindex: 3, up: true, ipv4: '10.0.0.2', ipv4Prefix: 24, gateway: '10.0.0.1', ...extra });

test('plans say plainly why a link cannot be used', () => {
  const plans = planLinks(
    [
      { name: 'eth0', mode: 'on' },
      { name: 'wlan0', mode: 'on' },
      { name: 'usb0', mode: 'on' },
      { name: 'wwan0', mode: 'on' },
      { name: 'eth1', mode: 'off' },
    ],
    [undefined, info('wlan0', { up: false }), info('usb0', { ipv4: undefined }), info('wwan0', { gateway: undefined }), info('eth1')],
  );
  assert.deepEqual(
    plans.map((p) => [p.usable, p.reason]),
    [
      [false, 'interface not found'],
      [false, 'link is down'],
      [false, 'no IPv4 address'],
      [false, 'no gateway (set links[].gateway or add a default route)'],
      [false, 'turned off'],
    ],
  );
});

test('a configured gateway wins over the learned one; tables and endpoint ids are per index', () => {
  const [a, b] = planLinks([{ name: 'eth0', mode: 'on', gateway: '10.0.0.254' }, { name: 'usb0', mode: 'backup' }], [info('eth0'), info('usb0', { ipv4: '10.1.0.2', gateway: '10.1.0.1' })]);
  assert.equal(a.gateway, '10.0.0.254');
  assert.deepEqual(policyRoutingCommands(b), [
    ['route', 'replace', 'default', 'via', '10.1.0.1', 'dev', 'usb0', 'table', '7101'],
    ['rule', 'add', 'from', '10.1.0.2', 'lookup', '7101', 'priority', '7101'],
  ]);
  assert.deepEqual(endpointAddCommand(b), ['mptcp', 'endpoint', 'add', '10.1.0.2', 'dev', 'usb0', 'id', '65', 'subflow', 'backup']);
  assert.deepEqual(endpointAddCommand(a).slice(-1), ['subflow']);
});

test('the primary link is the first usable "on" link, a backup only when nothing else works', () => {
  const plans = planLinks([{ name: 'usb0', mode: 'backup' }, { name: 'eth0', mode: 'on' }], [info('usb0'), info('eth0', { up: false })]);
  assert.equal(primaryLink(plans)?.name, 'usb0');
  const both = planLinks([{ name: 'usb0', mode: 'backup' }, { name: 'eth0', mode: 'on' }], [info('usb0'), info('eth0')]);
  assert.equal(primaryLink(both)?.name, 'eth0');
});
