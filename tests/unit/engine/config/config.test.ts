import test from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  ConfigError,
  loadClientConfig,
  loadServerConfig,
  parseClientConfig,
  parseServerConfig,
} from '../../../../electron/engine/config';

const key = (): string => crypto.randomBytes(32).toString('base64');
const SERVER_PUB = key();
const DEVICE_SECRET = key();

function client(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    server: { host: '203.0.113.7', port: 7443, publicKey: SERVER_PUB },
    device: { secretKey: DEVICE_SECRET },
    links: [{ name: 'eth0', mode: 'on' }],
    ...overrides,
  };
}

function server(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return { secretKey: DEVICE_SECRET, pool: '10.77.0.0/24', devices: [{ name: 'laptop', publicKey: key() }], ...overrides };
}

/** the problem lines of the ConfigError thrown by fn */
function problems(fn: () => unknown): string[] {
  try {
    fn();
  } catch (error) {
    assert.ok(error instanceof ConfigError, String(error));
    return error.message.split('\n');
  }
  assert.fail('expected a ConfigError');
}

function tmpdir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'braid-config-'));
  test.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

function writeFile(dir: string, name: string, text: string, mode = 0o600): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, text);
  fs.chmodSync(file, mode);
  return file;
}

test('client: minimal config gets every default', () => {
  const config = parseClientConfig(client(), 'client.json');
  assert.deepEqual(config, {
    server: { host: '203.0.113.7', port: 7443, publicKey: SERVER_PUB },
    device: { secretKey: DEVICE_SECRET },
    links: [{ name: 'eth0', mode: 'on' }],
    interfaces: { allow: [], deny: [] },
    routing: { mode: 'full' },
    tun: { name: 'braid0', mtu: 1500, txQueueLen: 64 },
    congestion: 'cubic',
    control: { socket: '/run/braid/engine.sock', group: 'braid' },
    stateDir: '/var/lib/braid',
    reconnect: { initialMs: 500, maxMs: 30000 },
  });
});

test('client: full config is kept as written', () => {
  const full = client({
    server: { host: 'vpn.example.com', port: 443, publicKey: SERVER_PUB },
    links: [
      { name: 'eth0', mode: 'on', gateway: '192.0.2.1' },
      { name: 'wlan0', mode: 'backup' },
      { name: 'wwan0', mode: 'off', gateway: 'fe80::1' },
    ],
    interfaces: { allow: ['eth*', 'wlan?'], deny: ['docker*'] },
    routing: { mode: 'split', prefixes: ['10.0.0.0/8', 'fd00::/8'] },
    tun: { name: 'tun7', mtu: 1400, txQueueLen: 500 },
    congestion: 'bbr',
    control: { socket: '/tmp/x.sock', group: 'wheel' },
    stateDir: '/srv/braid',
    reconnect: { initialMs: 100, maxMs: 100 },
  });
  const config = parseClientConfig(full, 'client.json');
  assert.deepEqual(config, { ...full, device: { secretKey: DEVICE_SECRET } });
});

test('client: the example message from the spec', () => {
  assert.deepEqual(
    problems(() => parseClientConfig(client({ server: { host: '203.0.113.7', publicKey: 'abc' } }), 'client.json')),
    ['client.json: server.publicKey: must be 44 base64 characters encoding 32 bytes'],
  );
});

test('client: every broken field is reported with its path', () => {
  const cases: Array<[Record<string, unknown>, string[]]> = [
    [{ server: undefined }, ['server: is required']],
    [{ server: { host: '203.0.113.7', port: 70000, publicKey: SERVER_PUB } }, ['server.port: must be at most 65535']],
    [{ server: { host: '203.0.113.7', port: '7443', publicKey: SERVER_PUB } }, ['server.port: must be a number']],
    [{ server: { host: '203.0.113.7', port: 1.5, publicKey: SERVER_PUB } }, ['server.port: must be a whole number']],
    [{ server: { host: '1.2.3', publicKey: SERVER_PUB } }, ['server.host: is not a valid IPv4 address']],
    [{ server: { host: 'bad host!', publicKey: SERVER_PUB } }, ['server.host: must be an IP address or a host name']],
    [
      { server: { hots: '203.0.113.7', publicKey: SERVER_PUB } },
      ['server.host: is required', 'server.hots: unknown key (did you mean "host"?)'],
    ],
    // a non-canonical encoding (last char has stray bits) and a 33-byte key
    [{ server: { host: 'h', publicKey: SERVER_PUB.slice(0, 42) + 'B=' } }, []],
    [{ server: { host: 'h', publicKey: crypto.randomBytes(33).toString('base64') } }, ['server.publicKey: must be 44 base64 characters encoding 32 bytes']],
    [{ device: {} }, ['device.secretKey: is required (or give secretKeyFile, the path of a file holding the key)']],
    [{ device: { secretKey: DEVICE_SECRET, secretKeyFile: '/k' } }, ['device.secretKeyFile: give either secretKey or secretKeyFile, not both']],
    [{ device: { secretKey: 'short' } }, ['device.secretKey: must be 44 base64 characters encoding 32 bytes']],
    [{ interfaces: { allow: [''] } }, ['interfaces.allow[0]: must not be empty']],
    [{ links: [{ name: 'eth0', mode: 'maybe' }] }, ['links[0].mode: must be one of "on", "backup", "off"']],
    [{ links: [{ name: 'a-very-long-interface', mode: 'on' }] }, ["links[0].name: must be an interface name: 1 to 15 characters, no '/', ':', quotes, backslashes or spaces"]],
    [{ links: [{ name: 'eth0', mode: 'on', gateway: '192.0.2.300' }] }, ['links[0].gateway: must be an IPv4 or IPv6 address']],
    [{ links: [{ name: 'eth0', mode: 'on' }, { name: 'eth0', mode: 'off' }] }, ['links[1].name: duplicates links[0].name']],
    [{ links: [{ name: 'eth0', mode: 'on', gw: '1.1.1.1' }] }, ['links[0].gw: unknown key']],
    [{ routing: { mode: 'split' } }, ['routing.prefixes: is required when mode is "split"']],
    [{ routing: { mode: 'split', prefixes: [] } }, ['routing.prefixes: must have at least 1 entry']],
    [{ routing: { mode: 'full', prefixes: ['10.0.0.0/8'] } }, ['routing.prefixes: only applies when mode is "split"']],
    [{ routing: { mode: 'split', prefixes: ['10.1.0.0/8'] } }, ['routing.prefixes[0]: has host bits set (did you mean 10.0.0.0/8?)']],
    [{ routing: { mode: 'some' } }, ['routing.mode: must be one of "full", "split"']],
    [{ tun: { mtu: 100 } }, ['tun.mtu: must be at least 576']],
    [{ tun: { txQueueLen: 0 } }, ['tun.txQueueLen: must be at least 1']],
    [{ congestion: 'Cubic!' }, ['congestion: must be a congestion control name like "cubic" or "bbr"']],
    [{ control: { socket: 'run/braid.sock' } }, ['control.socket: must be an absolute path']],
    [{ control: { socket: '/' + 'x'.repeat(120) } }, ['control.socket: must be at most 107 bytes (the Unix socket path limit)']],
    [{ control: { group: '9 lives' } }, ['control.group: must be a group name like "braid"']],
    [{ stateDir: 'var/lib' }, ['stateDir: must be an absolute path']],
    [{ reconnect: { initialMs: 5000, maxMs: 1000 } }, ['reconnect.maxMs: must not be smaller than initialMs']],
    [{ reconnect: { initialMs: 10 } }, ['reconnect.initialMs: must be at least 50']],
    [{ extra: true }, ['extra: unknown key']],
    [{ rooting: { mode: 'full' } }, ['rooting: unknown key (did you mean "routing"?)']],
  ];
  for (const [override, expected] of cases) {
    const value = client(override);
    for (const [k, v] of Object.entries(override)) if (v === undefined) delete value[k];
    if (expected.length === 0) {
      // non-canonical base64 must fail too, whatever the exact message
      assert.throws(() => parseClientConfig(value, 'client.json'), ConfigError, JSON.stringify(override));
      continue;
    }
    assert.deepEqual(
      problems(() => parseClientConfig(value, 'client.json')),
      expected.map((line) => `client.json: ${line}`),
      JSON.stringify(override),
    );
  }
});

test('client: all problems are listed at once, and a secret never appears in a message', () => {
  const secretLooking = 'c2VjcmV0IHNlY3JldCBzZWNyZXQgc2VjcmV0IHNlY3JldA'; // wrong length, would be leaked if echoed
  const lines = problems(() =>
    parseClientConfig(client({ device: { secretKey: secretLooking }, links: [{ name: 'eth0', mode: secretLooking }] }), 'c.json'),
  );
  assert.equal(lines.length, 2);
  for (const line of lines) assert.ok(!line.includes(secretLooking), line);
  assert.deepEqual(problems(() => parseClientConfig([], 'c.json')), ['c.json: must be an object']);
});

test('server: minimal config: defaults, pool allocation, resolved secret', () => {
  const devices = [
    { name: 'laptop', publicKey: key() },
    { name: 'phone', publicKey: key(), address: '10.77.0.2' },
    { name: 'desk', publicKey: key() },
  ];
  const config = parseServerConfig(server({ devices }), 'server.json');
  assert.deepEqual(config, {
    listen: { host: '0.0.0.0', port: 7443 },
    secretKey: DEVICE_SECRET,
    pool: '10.77.0.0/24',
    poolPrefix: 24,
    address: '10.77.0.1',
    devices: [
      { ...devices[0], address: '10.77.0.3' },
      { ...devices[1], address: '10.77.0.2' },
      { ...devices[2], address: '10.77.0.4' },
    ],
    nat: { enabled: true },
    tun: { name: 'braids0', mtu: 1500 },
    limits: { subflows: 8, addAddrAccepted: 8 },
    congestion: 'cubic',
    control: { socket: '/run/braid/server.sock', group: 'braid' },
  });
  assert.deepEqual(parseServerConfig(server({ devices: [] }), 's').devices, []);
});

test('server: every broken field is reported with its path', () => {
  const pub = key();
  const cases: Array<[Record<string, unknown>, string[]]> = [
    [{ secretKey: undefined }, ['secretKey: is required (or give secretKeyFile, the path of a file holding the key)']],
    [{ secretKeyFile: '/etc/braid/server.key' }, ['secretKeyFile: give either secretKey or secretKeyFile, not both']],
    [{ pool: '10.77.0.1/24' }, ['pool: has host bits set (did you mean 10.77.0.0/24?)']],
    [{ pool: '10.77.0.0/31' }, ["pool: 10.77.0.0/31 is too small: it needs room for the server and one device (use /30 or larger)"]],
    [{ pool: 'fd00::/64' }, ['pool: must be an IPv4 prefix like 10.77.0.0/24']],
    [{ pool: undefined }, ['pool: is required']],
    [{ devices: undefined }, ['devices: is required']],
    [{ devices: [{ name: 'a b', publicKey: pub }] }, ['devices[0].name: must be 1 to 64 letters, digits, ".", "_" or "-", starting with a letter or digit']],
    [{ devices: [{ name: 'a', publicKey: 'x' }] }, ['devices[0].publicKey: must be 44 base64 characters encoding 32 bytes']],
    [{ devices: [{ name: 'a', publicKey: pub, address: '10.78.0.5' }] }, ['devices[0].address: 10.78.0.5 is outside the pool 10.77.0.0/24']],
    [{ devices: [{ name: 'a', publicKey: pub, address: '10.77.0.1' }] }, ["devices[0].address: 10.77.0.1 is the server's own address (the pool's first host)"]],
    [{ devices: [{ name: 'a', publicKey: pub, address: '10.77.0.255' }] }, ['devices[0].address: 10.77.0.255 is the network or broadcast address of 10.77.0.0/24']],
    [{ devices: [{ name: 'a', publicKey: pub, address: 'ten' }] }, ['devices[0].address: must be an IPv4 address like 192.0.2.1']],
    [
      { devices: [{ name: 'a', publicKey: pub, address: '10.77.0.5' }, { name: 'a', publicKey: pub, address: '10.77.0.5' }] },
      ['devices[1].name: duplicates devices[0].name', 'devices[1].publicKey: duplicates devices[0].publicKey', 'devices[1].address: 10.77.0.5 is already used by devices[0]'],
    ],
    [
      { pool: '10.77.0.0/30', devices: [{ name: 'a', publicKey: key() }, { name: 'b', publicKey: key() }] },
      ['devices[1]: no free address left in the pool 10.77.0.0/30'],
    ],
    [{ listen: { host: 'example.com' } }, ['listen.host: must be an IPv4 or IPv6 address']],
    [{ listen: { port: 0 } }, ['listen.port: must be at least 1']],
    [{ nat: { enabled: 'yes' } }, ['nat.enabled: must be true or false']],
    [{ nat: { outInterface: 'eth 0' } }, ["nat.outInterface: must be an interface name: 1 to 15 characters, no '/', ':', quotes, backslashes or spaces"]],
    [{ nat: { outInterface: 'eth0"x' } }, ["nat.outInterface: must be an interface name: 1 to 15 characters, no '/', ':', quotes, backslashes or spaces"]],
    [{ limits: { subflows: 9 } }, ['limits.subflows: must be at most 8']],
    [{ limits: { addAddrAccepted: -1 } }, ['limits.addAddrAccepted: must be at least 0']],
    [{ tun: { name: 'braids0', mtu: 1500, txQueueLen: 5 } }, ['tun.txQueueLen: unknown key']],
    [{ control: { socket: '/run/braid/server.sock', grup: 'braid' } }, ['control.grup: unknown key (did you mean "group"?)']],
    [{ link: [] }, ['link: unknown key']],
  ];
  for (const [override, expected] of cases) {
    const value = server(override);
    for (const [k, v] of Object.entries(override)) if (v === undefined) delete value[k];
    assert.deepEqual(
      problems(() => parseServerConfig(value, 'server.json')),
      expected.map((line) => `server.json: ${line}`),
      JSON.stringify(override),
    );
  }
});

test('load: file problems name the file', () => {
  const dir = tmpdir();
  const missing = path.join(dir, 'nope.json');
  assert.deepEqual(problems(() => loadClientConfig(missing)), [`${missing}: file not found`]);
  assert.deepEqual(problems(() => loadClientConfig(dir)), [`${dir}: is not a regular file`]);
  const cases: Array<[string, string]> = [
    ['{\n  "server": {\n    "host": "x",\n  }\n}', "4:3: invalid JSON: trailing comma before '}'"],
    ['{\n  "a": 1\n  "b": 2\n}', "3:3: invalid JSON: expected ',' or '}' after a value, found '\"'"],
    ['', '1:1: invalid JSON: file is empty (expected a JSON object)'],
    ['{"a": 1, "a": 2}', '1:10: invalid JSON: duplicate key "a"'],
    ["{'a': 1}", "1:2: invalid JSON: expected a double-quoted key, found '''"],
    ['{"a": [1, 2,]}', "1:13: invalid JSON: trailing comma before ']'"],
    ['{"a": tru}', "1:7: invalid JSON: expected a value, found 't'"],
    ['{"a": 01}', '1:8: invalid JSON: bad number (no leading zeros)'],
    ['{"a": "x\ny"}', '1:9: invalid JSON: line break or control character inside a string (strings must be on one line)'],
    ['{"a": 1} x', "1:10: invalid JSON: unexpected 'x' after the end of the JSON value"],
    ['{"a": 1', "1:8: invalid JSON: expected ',' or '}' after a value, found end of file"],
    ['[' .repeat(100), '1:65: invalid JSON: nested too deeply'],
  ];
  for (const [text, message] of cases) {
    const file = writeFile(dir, 'bad.json', text);
    assert.deepEqual(problems(() => loadClientConfig(file)), [`${file}: ${message}`], JSON.stringify(text));
  }
});

test('load: a BOM is allowed and relative secretKeyFile is read next to the config', () => {
  const dir = tmpdir();
  writeFile(dir, 'device.key', `${DEVICE_SECRET}\n`);
  const file = writeFile(dir, 'client.json', '\ufeff' + JSON.stringify(client({ device: { secretKeyFile: 'device.key' } })), 0o644);
  const warnings: string[] = [];
  const config = loadClientConfig(file, { warn: (m) => warnings.push(m) });
  assert.deepEqual(config.device, { secretKey: DEVICE_SECRET, secretKeyFile: path.join(dir, 'device.key') });
  assert.deepEqual(warnings, []);
});

test('load: client warns about a world-readable secret, server refuses', () => {
  const dir = tmpdir();
  const clientFile = writeFile(dir, 'client.json', JSON.stringify(client()), 0o644);
  const warnings: string[] = [];
  loadClientConfig(clientFile, { warn: (m) => warnings.push(m) });
  assert.deepEqual(warnings, [
    `${clientFile}: device.secretKey: this file holds a secret key but is readable by every user (mode 0644); run: chmod 640 ${clientFile} (group braidd when the service reads it) or move the key to a secretKeyFile`,
  ]);
  warnings.length = 0;
  fs.chmodSync(clientFile, 0o640);
  loadClientConfig(clientFile, { warn: (m) => warnings.push(m) });
  assert.deepEqual(warnings, []);

  const serverFile = writeFile(dir, 'server.json', JSON.stringify(server()), 0o644);
  assert.deepEqual(problems(() => loadServerConfig(serverFile)), [
    `${serverFile}: secretKey: this file holds a secret key but is readable by every user (mode 0644); run: chmod 640 ${serverFile} (group braidd when the service reads it) or move the key to a secretKeyFile`,
  ]);
  fs.chmodSync(serverFile, 0o600);
  assert.equal(loadServerConfig(serverFile).address, '10.77.0.1');

  // key in a separate file: the config may be world-readable, the key file may not
  const keyFile = writeFile(dir, 'server.key', DEVICE_SECRET, 0o604);
  const withKeyFile = writeFile(dir, 'server2.json', JSON.stringify(server({ secretKey: undefined, secretKeyFile: keyFile })), 0o644);
  assert.deepEqual(problems(() => loadServerConfig(withKeyFile)), [
    `${withKeyFile}: secretKeyFile: ${keyFile}: is readable by every user (mode 0604); run: chmod 640 ${keyFile} (group braidd when the service reads it)`,
  ]);
  fs.chmodSync(keyFile, 0o600);
  assert.equal(loadServerConfig(withKeyFile).secretKey, DEVICE_SECRET);
});

test('load: broken key files and world-writable configs are refused', () => {
  const dir = tmpdir();
  const badKey = writeFile(dir, 'bad.key', 'not a key');
  const file = writeFile(dir, 'client.json', JSON.stringify(client({ device: { secretKeyFile: badKey } })));
  assert.deepEqual(problems(() => loadClientConfig(file)), [
    `${file}: device.secretKeyFile: ${badKey}: must hold 44 base64 characters encoding 32 bytes`,
  ]);
  const missingKey = writeFile(dir, 'c2.json', JSON.stringify(client({ device: { secretKeyFile: '/nonexistent/braid.key' } })));
  assert.deepEqual(problems(() => loadClientConfig(missingKey)), [
    `${missingKey}: device.secretKeyFile: /nonexistent/braid.key: file not found`,
  ]);
  const writable = writeFile(dir, 'c3.json', JSON.stringify(client()), 0o666);
  assert.deepEqual(problems(() => loadClientConfig(writable)), [
    `${writable}: is writable by every user (mode 0666); run: chmod o-w ${writable}`,
  ]);
});
