// The units run the engine and the server as an unprivileged user with only the capabilities
// in AmbientCapabilities=. This checks, in a network namespace of its own, that exactly those
// credentials (read from the unit files) let a process do what the engine does — ip links,
// addresses and MPTCP endpoints, an nftables NAT table, TUN devices, net.* sysctls, a
// low listen port for the server — and that without them it cannot.
import test from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { ROOT, parseUnit, run, runOk } from './helpers';

const NOBODY = 65534;

function unitCaps(name: string): string[] {
  const unit = parseUnit(fs.readFileSync(path.join(ROOT, 'build/systemd', name), 'utf8'));
  const ambient = unit.get('AmbientCapabilities')?.[0]?.split(/\s+/) ?? [];
  assert.deepEqual(new Set(ambient), new Set(unit.get('CapabilityBoundingSet')?.[0]?.split(/\s+/)), 'ambient = bounding set');
  assert.notEqual(unit.get('User')?.[0], 'root');
  return ambient;
}

/** runs script in a fresh namespace as uid/gid 65534 holding only caps (like the unit does) */
function asServiceUser(caps: string[], script: string) {
  const ns = `braidpkg-${crypto.randomBytes(4).toString('hex')}`;
  runOk('ip', ['netns', 'add', ns]);
  try {
    runOk('ip', ['-n', ns, 'link', 'set', 'lo', 'up']);
    const list = caps.map((c) => `+${c.replace(/^CAP_/, '').toLowerCase()}`).join(',');
    const capArgs = caps.length > 0
      ? [`--inh-caps=-all,${list}`, `--ambient-caps=-all,${list}`, `--bounding-set=-all,${list}`]
      : ['--inh-caps=-all', '--bounding-set=-all'];
    return run('ip', ['netns', 'exec', ns, 'setpriv', `--reuid=${NOBODY}`, `--regid=${NOBODY}`, '--clear-groups',
      ...capArgs, '--no-new-privs', 'sh', '-euc', script], { timeout: 30_000 });
  } finally {
    run('ip', ['netns', 'del', ns]);
  }
}

const CLIENT_SCRIPT = `
ip link add bp0 type veth peer name bp1
ip link set bp0 up
ip addr add 192.0.2.1/24 dev bp0
ip route add default via 192.0.2.2 dev bp0 table 100
ip rule add from 192.0.2.1 table 100
ip mptcp limits set subflows 4 add_addr_accepted 4
ip mptcp endpoint add 192.0.2.1 dev bp0 subflow
ip tuntap add dev braidt0 mode tun
echo 1 > /proc/sys/net/mptcp/enabled
echo 2 > /proc/sys/net/ipv4/conf/all/rp_filter
echo 2 > /proc/sys/net/ipv4/conf/bp0/rp_filter
echo done`;

const SERVER_SCRIPT = `
ip tuntap add dev braids0 mode tun
ip addr add 198.51.100.1/24 dev braids0
nft add table inet braid_test
nft add chain inet braid_test post '{ type nat hook postrouting priority 100; }'
nft add rule inet braid_test post ip saddr 198.51.100.0/24 masquerade
echo 1 > /proc/sys/net/ipv4/ip_forward
echo 1 > /proc/sys/net/mptcp/enabled
node -e "require('net').createServer().listen(443, '127.0.0.1', function () { this.close(); })"
echo done`;

test("braidd.service's capabilities are enough for the engine's network work, and needed", () => {
  const caps = unitCaps('braidd.service');
  const withCaps = asServiceUser(caps, CLIENT_SCRIPT);
  assert.equal(withCaps.code, 0, withCaps.stderr);
  assert.equal(withCaps.stdout.trim(), 'done');
  const without = asServiceUser([], CLIENT_SCRIPT);
  assert.notEqual(without.code, 0, 'an unprivileged user without the capabilities is refused');
});

test("braid-server.service's capabilities are enough for the server (TUN, NAT, forwarding, port 443)", () => {
  const caps = unitCaps('braid-server.service');
  const withCaps = asServiceUser(caps, SERVER_SCRIPT);
  assert.equal(withCaps.code, 0, withCaps.stderr);
  assert.equal(withCaps.stdout.trim(), 'done');
  const noBind = asServiceUser(caps.filter((c) => c !== 'CAP_NET_BIND_SERVICE'), SERVER_SCRIPT);
  assert.notEqual(noBind.code, 0, 'port 443 needs CAP_NET_BIND_SERVICE');
});
