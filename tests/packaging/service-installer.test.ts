// The AppImage's "Install the Braid service" script (build/appimage/braid-service-install.sh),
// run against a scratch root: it installs the engine to /opt/braid with a unit that runs it,
// the installed engine runs, a second install upgrades in place, uninstall leaves the root as
// it found it, and it refuses what would not work (old Node, Node in a home directory, a
// distribution package already owning braidd.service).
import test, { after, before } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { ROOT, packageJson, parseUnit, run, runInRoot, runOk, snapshotTree, tempDir } from './helpers';

let out: string;
let resources: string;
let script: string;
const node = runOk('sh', ['-c', 'command -v node']).stdout.trim();
const { version } = packageJson();

before(() => {
  out = tempDir('braid-stage-');
  runOk('node', [path.join(ROOT, 'build/package-stage.mjs'), '--out', out]);
  resources = path.join(out, 'appimage', 'resources');
  script = path.join(resources, 'braid-service-install.sh');
});

after(() => {
  if (out) fs.rmSync(out, { recursive: true, force: true });
});

/** a scratch root shaped like an installed system: the directories a real one already has */
function scratchRoot(): string {
  const root = tempDir('braid-root-');
  for (const dir of ['etc/systemd/system/multi-user.target.wants', 'etc/sysusers.d', 'etc/tmpfiles.d', 'etc/sysctl.d', 'opt', 'usr/lib/systemd/system']) {
    fs.mkdirSync(path.join(root, dir), { recursive: true });
  }
  fs.writeFileSync(path.join(root, 'etc/hostname'), 'scratch\n');
  fs.writeFileSync(path.join(root, 'usr/lib/systemd/system/other.service'), '[Service]\nExecStart=/bin/true\n');
  fs.symlinkSync('/usr/lib/systemd/system/other.service', path.join(root, 'etc/systemd/system/multi-user.target.wants/other.service'));
  return root;
}

const installer = (...args: string[]) => run('sh', [script, ...args]);

test('install lays out /opt/braid, the unit and the system files, and enables the unit', () => {
  const root = scratchRoot();
  try {
    const result = installer('install', '--root', root, '--node', node);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, new RegExp(`installed Braid ${version.replace(/\./g, '\\.')} in /opt/braid`));

    const launcher = fs.readFileSync(path.join(root, 'opt/braid/bin/braidd'), 'utf8');
    assert.equal(launcher.trim().split('\n').pop(), `exec ${node} /opt/braid/dist/electron/engine/braidd.js "$@"`);
    assert.match(launcher, /^export BRAID_NATIVE_ADDON=\/opt\/braid\/braid_native\.node$/m);
    assert.equal(fs.statSync(path.join(root, 'opt/braid/bin/braidd')).mode & 0o777, 0o755);
    assert.equal(fs.statSync(path.join(root, 'opt/braid/braid_native.node')).mode & 0o777, 0o755);
    assert.equal(fs.statSync(path.join(root, 'opt/braid/dist/electron/engine/braidd.js')).mode & 0o777, 0o644);

    const unitText = fs.readFileSync(path.join(root, 'etc/systemd/system/braidd.service'), 'utf8');
    const unit = parseUnit(unitText);
    assert.equal(unit.get('ExecStart')?.[0], '/opt/braid/bin/braidd --config /etc/braid/client.json');
    const packaged = parseUnit(fs.readFileSync(path.join(ROOT, 'build/systemd/braidd.service'), 'utf8'));
    packaged.delete('ExecStart');
    unit.delete('ExecStart');
    assert.deepEqual(unit, packaged, 'otherwise the same hardened unit as the Arch package');
    assert.equal(fs.readlinkSync(path.join(root, 'etc/systemd/system/multi-user.target.wants/braidd.service')), '/etc/systemd/system/braidd.service');
    for (const [file, source] of [
      ['etc/sysusers.d/braid.conf', 'build/sysusers/braid.conf'],
      ['etc/tmpfiles.d/braid.conf', 'build/tmpfiles/braid.conf'],
      ['etc/sysctl.d/90-braid.conf', 'build/sysctl/90-braid.conf'],
    ] as const) {
      assert.equal(fs.readFileSync(path.join(root, file), 'utf8'), fs.readFileSync(path.join(ROOT, source), 'utf8'), file);
    }

    const status = installer('status', '--root', root);
    assert.equal(status.code, 0);
    assert.match(status.stdout, new RegExp(`installed ${version.replace(/\./g, '\\.')}`));
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
});

test('the installed engine runs from /opt/braid and the installed unit verifies', () => {
  const root = scratchRoot();
  try {
    runOk('sh', [script, 'install', '--root', root, '--node', node]);
    const version_ = runInRoot(root, ['/opt/braid/bin/braidd', '--version']);
    assert.equal(version_.code, 0, version_.stderr);
    assert.ok(version_.stdout.includes(version), version_.stdout);
    const help = runInRoot(root, ['/opt/braid/bin/braid', 'server', '--help']);
    assert.equal(help.code, 0, help.stderr);
    const load = runInRoot(root, ['/bin/sh', '-c',
      `BRAID_NATIVE_ADDON=/opt/braid/braid_native.node ${node} -e "process.stdout.write(typeof require('/opt/braid/dist/native/lib/index.js').loadNative().openTun)"`]);
    assert.equal(load.stdout, 'function', load.stderr);
    const verify = runInRoot(root, ['systemd-analyze', 'verify', '/etc/systemd/system/braidd.service']);
    assert.equal(verify.code, 0, verify.stdout + verify.stderr);
    assert.equal(verify.stderr.trim(), '');
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
});

test('reinstall upgrades in place; uninstall leaves the root exactly as it was', () => {
  const root = scratchRoot();
  try {
    const before = snapshotTree(root);
    runOk('sh', [script, 'install', '--root', root, '--node', node]);
    fs.writeFileSync(path.join(root, 'opt/braid/stale-file'), 'from an older version');
    runOk('sh', [script, 'install', '--root', root, '--node', node]);
    assert.ok(!fs.existsSync(path.join(root, 'opt/braid/stale-file')), 'the new tree replaces the old one');
    assert.ok(!fs.existsSync(path.join(root, 'opt/braid.new')));

    const removed = installer('uninstall', '--root', root);
    assert.equal(removed.code, 0, removed.stderr);
    assert.deepEqual(snapshotTree(root), before);
    assert.equal(installer('status', '--root', root).code, 3, 'status says not installed');
    assert.equal(installer('uninstall', '--root', root).code, 0, 'uninstalling twice is fine');
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
});

test('--no-start installs files only; --purge also removes the saved state', () => {
  const root = scratchRoot();
  try {
    runOk('sh', [script, 'install', '--root', root, '--node', node, '--no-start']);
    assert.ok(fs.existsSync(path.join(root, 'etc/systemd/system/braidd.service')));
    assert.ok(!fs.existsSync(path.join(root, 'etc/systemd/system/multi-user.target.wants/braidd.service')), 'not enabled');
    fs.mkdirSync(path.join(root, 'var/lib/braid'), { recursive: true });
    fs.writeFileSync(path.join(root, 'var/lib/braid/client-state.json'), '{}');
    runOk('sh', [script, 'uninstall', '--root', root]);
    assert.ok(fs.existsSync(path.join(root, 'var/lib/braid/client-state.json')), 'state kept without --purge');
    runOk('sh', [script, 'install', '--root', root, '--node', node]);
    runOk('sh', [script, 'uninstall', '--root', root, '--purge']);
    assert.ok(!fs.existsSync(path.join(root, 'var/lib/braid')));
    assert.ok(!fs.existsSync(path.join(root, 'opt/braid')));
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
});

test('refuses a Node older than 20, a Node in a home directory, and a root where the braid package owns the unit', () => {
  const root = scratchRoot();
  const fakeDir = tempDir('braid-oldnode-');
  try {
    // a test double standing in for an old distribution Node: answers the version query only
    const oldNode = path.join(fakeDir, 'node');
    fs.writeFileSync(oldNode, '#!/bin/sh\necho 18\n', { mode: 0o755 });
    const old = installer('install', '--root', root, '--node', oldNode);
    assert.equal(old.code, 1);
    assert.match(old.stderr, /Node\.js 18; the engine needs 20 or newer/);

    const home = installer('install', '--root', root, '--node', '/home/someone/.nvm/versions/node/v22/bin/node');
    assert.equal(home.code, 1);
    assert.match(home.stderr, /inside a home directory/);

    const relative = installer('install', '--root', root, '--node', 'node');
    assert.equal(relative.code, 1);

    fs.writeFileSync(path.join(root, 'usr/lib/systemd/system/braidd.service'), '[Service]\n');
    const owned = installer('install', '--root', root, '--node', node);
    assert.equal(owned.code, 1);
    assert.match(owned.stderr, /already installed by your distribution's braid package/);
    assert.ok(!fs.existsSync(path.join(root, 'opt/braid')), 'nothing installed after a refusal');

    const badSource = installer('install', '--root', root, '--node', node, '--source', fakeDir);
    assert.equal(badSource.code, 1);
    assert.match(badSource.stderr, /--source must be the AppImage's resources directory/);
    assert.equal(installer('frobnicate').code, 2);
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
    fs.rmSync(fakeDir, { recursive: true, force: true });
  }
});
