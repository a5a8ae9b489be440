import test from 'node:test';
import assert from 'node:assert/strict';
import { OptionsError, parseMainOptions } from '../../../electron/main/options';
import { findElectron } from '../../../electron/main/start';

test('defaults, env and flags', () => {
  const o = parseMainOptions([], {}, false, '/home/ann');
  assert.equal(o.socketPath, '/run/braid/engine.sock');
  assert.equal(o.serviceUser, 'braidd');
  assert.equal(o.configDir, '/home/ann/.config/braid');
  assert.equal(o.spawnEngine, undefined);
  const p = parseMainOptions(['--socket', '/tmp/e.sock', '--port', '8080', '--hidden', '--no-sandbox'], { BRAID_SERVICE_USER: 'svc' }, false, '/h');
  assert.deepEqual([p.socketPath, p.port, p.hidden, p.serviceUser], ['/tmp/e.sock', 8080, true, 'svc']);
  assert.throws(() => parseMainOptions(['--socket', 'relative.sock'], {}, false), OptionsError);
  assert.throws(() => parseMainOptions(['--port', '99999'], {}, false), OptionsError);
  assert.throws(() => parseMainOptions(['--socket'], {}, false), OptionsError);
});

test('spawning braidd is a root-only development option', () => {
  assert.throws(() => parseMainOptions(['--engine-config', '/etc/braid/client.json'], {}, false), /root/);
  assert.deepEqual(parseMainOptions(['--engine-config', '/x/client.json'], {}, true).spawnEngine, { config: '/x/client.json' });
});

test('no Electron runtime is detected as such', () => {
  assert.match(findElectron(() => { throw new Error('Electron failed to install correctly'); }).why!, /without its binary/);
  assert.match(findElectron(() => '/nonexistent/electron').why!, /no Electron binary/);
  assert.match(findElectron(() => '/bin/false').why!, /does not run/);
  assert.equal(findElectron(() => process.execPath).path, process.execPath, 'a runnable binary is accepted');
});
