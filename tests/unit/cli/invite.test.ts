import test from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseCommand, UsageError } from '../../../electron/cli/args';
import { parseInvite } from '../../../electron/protocol/invite';
import { publicFromSecret, formatKey, parseKey } from '../../../electron/protocol/tunnel/keys';

const CLI = path.join(__dirname, '..', '..', '..', 'electron', 'cli', 'braid.js');

test('invite arguments: --host is required, --port is checked', () => {
  assert.deepEqual(parseCommand(['invite', '--host', 'vpn.example.org', '--name', 'laptop']), {
    kind: 'invite',
    host: 'vpn.example.org',
    name: 'laptop',
    port: undefined,
    config: '/etc/braid/server.json',
  });
  assert.throws(() => parseCommand(['invite']), UsageError);
  assert.throws(() => parseCommand(['invite', '--host', 'h', '--port', '70000']), /--port must be 1..65535/);
});

test('braid invite prints a device entry and an invite the app accepts, for this server', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'braid-invite-'));
  try {
    const keyFile = path.join(dir, 'server.key');
    const serverPublic = execFileSync(process.execPath, [CLI, 'keygen', '--secret-file', keyFile], { encoding: 'utf8' }).trim();
    const config = path.join(dir, 'server.json');
    fs.writeFileSync(config, JSON.stringify({ listen: { host: '0.0.0.0', port: 7555 }, secretKeyFile: keyFile, pool: '10.77.0.0/24', devices: [] }), { mode: 0o600 });
    const out = execFileSync(process.execPath, [CLI, 'invite', '--host', 'vpn.example.org', '--name', 'laptop', '--config', config], { encoding: 'utf8' });
    const entry = JSON.parse(/\{"name".*\}/.exec(out)?.[0] ?? '{}') as { name: string; publicKey: string };
    const invite = parseInvite(/braid:\/\/\S+/.exec(out)?.[0] ?? '');
    assert.equal(invite.host, 'vpn.example.org');
    assert.equal(invite.port, 7555);
    assert.equal(invite.serverPublicKey, serverPublic);
    assert.equal(invite.name, 'laptop');
    assert.equal(entry.name, 'laptop');
    assert.equal(entry.publicKey, invite.device?.publicKey);
    assert.equal(formatKey(publicFromSecret(parseKey(invite.device?.secret, 'secret'))), entry.publicKey, 'the invite holds the secret of the listed key');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
