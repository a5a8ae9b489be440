import test from 'node:test';
import assert from 'node:assert/strict';
import { defaultMode, isCandidate, linkIdentity, matchesAny, type LinkSelection } from '../../../../electron/engine/paths/link-policy';
import type { LinkKind } from '../../../../electron/protocol/control';

const selection = (extra: Partial<LinkSelection> = {}): LinkSelection => ({ allow: [], deny: [], listed: [], tunName: 'braid0', ...extra });
const iface = (name: string, kind: LinkKind) => ({ name, kind });

test('by default every physical link is a candidate; virtual, unknown, loopback and our TUN are not', () => {
  const s = selection();
  for (const kind of ['ethernet', 'wifi', 'usb-tether', 'wwan'] as const) assert.equal(isCandidate(iface('x0', kind), s), true, kind);
  assert.equal(isCandidate(iface('veth0', 'virtual'), s), false);
  assert.equal(isCandidate(iface('gone0', 'unknown'), s), false);
  assert.equal(isCandidate(iface('lo', 'ethernet'), s), false);
  assert.equal(isCandidate(iface('braid0', 'ethernet'), s), false);
});

test('an allow list replaces the default (and may take virtual links); deny wins over everything', () => {
  const allow = selection({ allow: ['bl*', 'wlan?'] });
  assert.equal(isCandidate(iface('bl0', 'virtual'), allow), true, 'allowed veth');
  assert.equal(isCandidate(iface('wlan1', 'wifi'), allow), true);
  assert.equal(isCandidate(iface('wlan10', 'wifi'), allow), false, '? is one character');
  assert.equal(isCandidate(iface('eth0', 'ethernet'), allow), false, 'not allowed');
  const deny = selection({ deny: ['docker*', 'eth1'], listed: ['eth1', 'veth9'] });
  assert.equal(isCandidate(iface('eth1', 'ethernet'), deny), false, 'deny beats listed');
  assert.equal(isCandidate(iface('veth9', 'virtual'), deny), true, 'listed links are candidates even when virtual');
  assert.equal(isCandidate(iface('docker0', 'ethernet'), deny), false);
  assert.equal(isCandidate(iface('braid0', 'ethernet'), selection({ allow: ['*'], listed: ['braid0'] })), false, 'our TUN never');
});

test('globs are literal apart from * and ?', () => {
  assert.equal(matchesAny('eth0', ['eth.']), false);
  assert.equal(matchesAny('eth.', ['eth.']), true);
  assert.equal(matchesAny('enp0s3', ['enp*']), true);
  assert.equal(matchesAny('xenp0s3', ['enp*']), false, 'anchored');
  assert.equal(matchesAny('a+b', ['a+b']), true);
  assert.equal(matchesAny('anything', []), false);
});

test('default modes: ethernet and wifi on, tethers and modems backup, metered links backup', () => {
  assert.equal(defaultMode('ethernet'), 'on');
  assert.equal(defaultMode('wifi'), 'on');
  assert.equal(defaultMode('virtual'), 'on');
  assert.equal(defaultMode('usb-tether'), 'backup');
  assert.equal(defaultMode('wwan'), 'backup');
  assert.equal(defaultMode('wifi', true), 'backup');
  assert.equal(defaultMode('ethernet', true), 'backup');
  assert.equal(defaultMode('wifi', false), 'on');
});

test('a link is known by its MAC when it has one, else by its name', () => {
  assert.equal(linkIdentity({ name: 'usb0', mac: '0a:1b:2c:3d:4e:5f' }), 'mac:0a:1b:2c:3d:4e:5f');
  assert.equal(linkIdentity({ name: 'wwan0' }), 'name:wwan0');
});
