// The Arch packages: built with makepkg through `npm run package:pacman`, then read (.PKGINFO,
// file list, modes, units, launchers, app.asar), installed into a scratch root with
// `pacman --root` and run from there with the host's Node.
import test, { after, before } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import {
  buildPacmanPackages,
  expectedElectron,
  hasCommand,
  listPackage,
  packageJson,
  pacmanInstall,
  parseUnit,
  pngSize,
  readPkgInfo,
  runInRoot,
  runOk,
  tempDir,
} from './helpers';

let pkgs: { braid: string; server: string };
let root: string;
const electron = expectedElectron();
const { version } = packageJson();

before(() => {
  pkgs = buildPacmanPackages();
  root = pacmanInstall([pkgs.braid, pkgs.server]);
});

after(() => {
  if (root) fs.rmSync(root, { recursive: true, force: true });
});

const BRAID_FILES = [
  'usr/bin/braid-app',
  'usr/bin/braid',
  'usr/bin/braidd',
  'usr/lib/braid/app.asar',
  'usr/lib/braid/braid_native.node',
  'usr/lib/braid/package.json',
  'usr/lib/braid/dist/electron/engine/braidd.js',
  'usr/lib/braid/dist/electron/cli/braid.js',
  'usr/lib/braid/dist/native/lib/index.js',
  'usr/lib/braid/node_modules/zod/package.json',
  'usr/lib/systemd/system/braidd.service',
  'usr/lib/sysusers.d/braid.conf',
  'usr/lib/tmpfiles.d/braid.conf',
  'usr/lib/sysctl.d/90-braid.conf',
  'usr/share/polkit-1/rules.d/50-braid.rules',
  'usr/share/applications/braid.desktop',
  'usr/share/icons/hicolor/scalable/apps/braid.svg',
  'usr/share/icons/hicolor/16x16/apps/braid.png',
  'usr/share/icons/hicolor/48x48/apps/braid.png',
  'usr/share/icons/hicolor/256x256/apps/braid.png',
  'usr/share/icons/hicolor/512x512/apps/braid.png',
  'usr/share/licenses/braid/LICENSE',
];

const SERVER_FILES = [
  'usr/bin/braid-server',
  'usr/lib/braid-server/braid_native.node',
  'usr/lib/braid-server/dist/electron/cli/braid.js',
  'usr/lib/braid-server/dist/electron/engine/run.js',
  'usr/lib/systemd/system/braid-server.service',
  'usr/lib/sysusers.d/braid-server.conf',
  'usr/lib/tmpfiles.d/braid-server.conf',
  'usr/lib/sysctl.d/90-braid-server.conf',
  'etc/braid/server.json',
  'usr/share/licenses/braid-server/LICENSE',
];

test('braid .PKGINFO: version from package.json, depends on the versioned system Electron and the runtime tools', () => {
  const info = readPkgInfo(pkgs.braid);
  assert.deepEqual(info.get('pkgname'), ['braid']);
  assert.deepEqual(info.get('pkgver'), [`${version.replace(/-/g, '_')}-1`]);
  assert.deepEqual(info.get('license'), ['MIT']);
  const depends = info.get('depend') ?? [];
  for (const dep of [electron, 'nodejs', 'iproute2', 'nftables', 'openssl']) assert.ok(depends.includes(dep), `depends on ${dep}: ${depends}`);
  assert.ok(!depends.includes('electron'), 'depends on a versioned electronNN, not the moving "electron"');
  assert.ok(!depends.includes('http-parser'));
});

test('braid-server .PKGINFO: no Electron, keeps the edited server.json on upgrade', () => {
  const info = readPkgInfo(pkgs.server);
  assert.deepEqual(info.get('pkgname'), ['braid-server']);
  const depends = info.get('depend') ?? [];
  for (const dep of ['nodejs', 'iproute2', 'nftables', 'openssl']) assert.ok(depends.includes(dep), `depends on ${dep}: ${depends}`);
  assert.ok(!depends.some((d) => d.startsWith('electron')), `no electron dependency: ${depends}`);
  assert.deepEqual(info.get('backup'), ['etc/braid/server.json']);
});

test('file lists: every required path, nothing under /opt, no bundled Electron, no file in both packages', () => {
  const braid = listPackage(pkgs.braid);
  const server = listPackage(pkgs.server);
  for (const file of BRAID_FILES) assert.ok(braid.includes(file), `braid ships ${file}`);
  for (const file of SERVER_FILES) assert.ok(server.includes(file), `braid-server ships ${file}`);
  for (const file of [...braid, ...server]) {
    assert.ok(!file.startsWith('opt/'), `nothing under /opt: ${file}`);
    if (file.endsWith('/')) continue;
    const base = path.posix.basename(file);
    assert.ok(!/^(electron|chrome-sandbox|chrome_crashpad_handler|libffmpeg\.so|icudtl\.dat|v8_context_snapshot\.bin|resources\.pak)$/.test(base), `no Electron runtime file: ${file}`);
    assert.ok(!file.includes('node_modules/electron/'), `no electron npm package: ${file}`);
    assert.ok(!/node_modules\/(react|react-dom|uplot|zustand)\//.test(file), `renderer libraries are bundled, not shipped: ${file}`);
    assert.ok(!file.startsWith('usr/lib/braid/dist/tests/') && !file.endsWith('.map'), `no tests or source maps: ${file}`);
  }
  const shared = braid.filter((f) => !f.endsWith('/') && server.includes(f));
  assert.deepEqual(shared, [], 'the packages can be installed together');
  assert.ok(!braid.some((f) => f.startsWith('usr/lib/braid/dist/electron/main/')), 'Electron code lives in app.asar only');
});

test('installed file modes and owners', () => {
  const mode = (rel: string) => fs.statSync(path.join(root, rel)).mode & 0o7777;
  for (const bin of ['usr/bin/braid-app', 'usr/bin/braid', 'usr/bin/braidd', 'usr/bin/braid-server']) assert.equal(mode(bin), 0o755, bin);
  assert.equal(mode('usr/lib/braid/braid_native.node'), 0o755);
  assert.equal(mode('usr/lib/braid/app.asar'), 0o644);
  assert.equal(mode('usr/lib/systemd/system/braidd.service'), 0o644);
  assert.equal(mode('etc/braid/server.json'), 0o644);
  const rules = fs.statSync(path.join(root, 'usr/share/polkit-1/rules.d'));
  assert.equal(rules.mode & 0o7777, 0o750, 'polkit rules.d is 750');
  assert.equal(rules.uid, 0);
  assert.equal(rules.gid, 102, "polkit rules.d belongs to Arch's polkitd group (gid 102)");
  // nothing setuid/setgid or world-writable, everything owned by root
  const walk = (rel: string) => {
    const stat = fs.lstatSync(path.join(root, rel));
    if (rel.startsWith('var/lib/pacman')) return;
    assert.equal(stat.mode & 0o6002, 0, `${rel} is neither setuid/setgid nor world-writable`);
    assert.equal(stat.uid, 0, `${rel} owned by root`);
    if (stat.isDirectory()) for (const name of fs.readdirSync(path.join(root, rel))) walk(path.join(rel, name));
  };
  walk('usr');
  walk('etc');
});

test('launchers: braid-app runs app.asar on the system electronNN, braid/braidd run the system Node', () => {
  const read = (rel: string) => fs.readFileSync(path.join(root, rel), 'utf8');
  const lastLine = (rel: string) => read(rel).trim().split('\n').pop();
  assert.ok(read('usr/bin/braid-app').startsWith('#!/bin/sh\n'));
  assert.equal(lastLine('usr/bin/braid-app'), `exec /usr/bin/${electron} /usr/lib/braid/app.asar "$@"`);
  assert.equal(lastLine('usr/bin/braid'), 'exec /usr/bin/node /usr/lib/braid/dist/electron/cli/braid.js "$@"');
  assert.equal(lastLine('usr/bin/braidd'), 'exec /usr/bin/node /usr/lib/braid/dist/electron/engine/braidd.js "$@"');
  assert.match(read('usr/bin/braid-server'), /^cli=\/usr\/lib\/braid-server\/dist\/electron\/cli\/braid\.js$/m);
  assert.equal(lastLine('usr/bin/braid-server'), 'exec /usr/bin/node "$cli" server "$@"');
  for (const bin of ['braid-app', 'braid', 'braidd', 'braid-server']) runOk('sh', ['-n', path.join(root, 'usr/bin', bin)]);
});

test('app.asar: the Electron app with its entry point, preload and renderer; no Electron, no renderer libraries', async () => {
  const asar = await import('@electron/asar');
  const archive = path.join(root, 'usr/lib/braid/app.asar');
  const files = asar.listPackage(archive, { isPack: false }).map((f) => f.replace(/^\//, ''));
  const meta = JSON.parse(asar.extractFile(archive, 'package.json').toString('utf8')) as { main: string; version: string };
  assert.equal(meta.version, version);
  assert.ok(files.includes(meta.main), `app.asar holds its main ${meta.main}`);
  assert.ok(files.includes('dist/renderer/index.html'));
  assert.ok(files.includes('dist/preload/preload.js'), 'the bundled preload the main process loads');
  assert.ok(!files.some((f) => f.startsWith('dist/electron/preload/')), 'not the unbundled preload');
  assert.ok(files.includes('node_modules/zod/package.json'));
  assert.ok(!files.some((f) => /^node_modules\/(electron|react|react-dom)(\/|$)/.test(f)), 'no electron/react in app.asar');
});

test('braidd.service: hardened as the issue asks, verified by systemd-analyze', () => {
  const unit = parseUnit(fs.readFileSync(path.join(root, 'usr/lib/systemd/system/braidd.service'), 'utf8'));
  const one = (key: string) => {
    const values = unit.get(key);
    assert.ok(values && values.length === 1, `${key} set once`);
    return values[0]!;
  };
  const set = (key: string) => new Set(one(key).split(/\s+/));
  assert.deepEqual(set('CapabilityBoundingSet'), new Set(['CAP_NET_ADMIN', 'CAP_NET_RAW']));
  assert.deepEqual(set('AmbientCapabilities'), new Set(['CAP_NET_ADMIN', 'CAP_NET_RAW']));
  assert.deepEqual(set('RestrictAddressFamilies'), new Set(['AF_NETLINK', 'AF_UNIX', 'AF_INET', 'AF_INET6']));
  assert.equal(one('ProtectSystem'), 'strict');
  assert.equal(one('ProtectHome'), 'yes');
  assert.equal(one('NoNewPrivileges'), 'yes');
  assert.equal(one('DevicePolicy'), 'closed');
  assert.equal(one('DeviceAllow'), '/dev/net/tun rw');
  assert.deepEqual(set('ReadWritePaths'), new Set(['/var/lib/braid', '/run/braid']));
  assert.notEqual(one('User'), 'root');
  assert.equal(one('ExecStart').split(' ')[0], '/usr/bin/braidd');
  assert.deepEqual(unit.get('WantedBy'), ['multi-user.target']);

  // the units load, and their ExecStart exists, in the installed tree over the host's systemd
  const verify = runInRoot(root, ['systemd-analyze', 'verify', '/usr/lib/systemd/system/braidd.service', '/usr/lib/systemd/system/braid-server.service']);
  assert.equal(verify.code, 0, `systemd-analyze verify:\n${verify.stdout}${verify.stderr}`);
  assert.equal(verify.stderr.trim(), '', 'no warnings');

  for (const name of ['braidd.service', 'braid-server.service']) {
    const security = runOk('systemd-analyze', ['security', '--offline=yes', `--root=${root}`, '--no-pager', name]);
    const score = /Overall exposure level for \S+: ([\d.]+)/.exec(security.stdout);
    assert.ok(score, security.stdout);
    assert.ok(Number(score[1]) <= 3.0, `${name} exposure ${score[1]} (systemd-analyze security), want <= 3.0`);
  }
});

test('braid-server.service runs braid server unprivileged with what it needs', () => {
  const unit = parseUnit(fs.readFileSync(path.join(root, 'usr/lib/systemd/system/braid-server.service'), 'utf8'));
  assert.equal(unit.get('ExecStart')?.[0], '/usr/bin/braid-server --config /etc/braid/server.json');
  assert.equal(unit.get('User')?.[0], 'braidd');
  assert.deepEqual(new Set(unit.get('CapabilityBoundingSet')?.[0]?.split(' ')), new Set(['CAP_NET_ADMIN', 'CAP_NET_BIND_SERVICE']));
  assert.equal(unit.get('ProtectSystem')?.[0], 'strict');
});

test('sysusers and tmpfiles create the braidd user, the braid group and /run/braid, /var/lib/braid', () => {
  // the real systemd tools, pointed at the scratch root (what the pacman hooks run on Arch)
  const scratch = tempDir('braid-sysusers-');
  try {
    fs.cpSync(path.join(root, 'usr'), path.join(scratch, 'usr'), { recursive: true, verbatimSymlinks: true });
    fs.mkdirSync(path.join(scratch, 'etc'));
    runOk('systemd-sysusers', [`--root=${scratch}`]);
    const passwd = fs.readFileSync(path.join(scratch, 'etc/passwd'), 'utf8');
    const group = fs.readFileSync(path.join(scratch, 'etc/group'), 'utf8');
    const user = passwd.split('\n').find((l) => l.startsWith('braidd:'))?.split(':');
    assert.ok(user, passwd);
    assert.ok(Number(user[2]) > 0 && Number(user[2]) < 1000, 'braidd is a system user');
    assert.equal(user[5], '/var/lib/braid');
    assert.ok(group.split('\n').some((l) => l.startsWith('braid:')), group);
    runOk('systemd-tmpfiles', [`--root=${scratch}`, '--create']);
    const run = fs.statSync(path.join(scratch, 'run/braid'));
    assert.equal(run.mode & 0o777, 0o755, '/run/braid lets every user reach the control socket');
    assert.equal(run.uid, Number(user[2]), '/run/braid belongs to braidd');
    assert.equal(fs.statSync(path.join(scratch, 'var/lib/braid')).mode & 0o777, 0o750);
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
});

test('sysctl.d turns MPTCP on and reverse-path filtering to loose', () => {
  const conf = fs.readFileSync(path.join(root, 'usr/lib/sysctl.d/90-braid.conf'), 'utf8');
  const settings = Object.fromEntries(
    conf.split('\n').filter((l) => /^\s*[a-z]/.test(l)).map((l) => l.split('=').map((s) => s.trim())),
  );
  assert.equal(settings['net.mptcp.enabled'], '1');
  assert.equal(settings['net.ipv4.conf.all.rp_filter'], '2');
  assert.equal(settings['net.ipv4.conf.default.rp_filter'], '2');
  assert.equal(fs.readFileSync(path.join(root, 'usr/lib/sysctl.d/90-braid-server.conf'), 'utf8').match(/^net\.mptcp\.enabled = 1$/m)?.[0], 'net.mptcp.enabled = 1');
});

test('desktop entry and hicolor icons', () => {
  assert.ok(hasCommand('desktop-file-validate'), 'desktop-file-validate is installed (desktop-file-utils, build/deps.sh)');
  const desktop = path.join(root, 'usr/share/applications/braid.desktop');
  const validate = runOk('desktop-file-validate', [desktop]);
  assert.equal(validate.stdout.trim(), '', validate.stdout);
  const text = fs.readFileSync(desktop, 'utf8');
  assert.match(text, /^Exec=\/usr\/bin\/braid-app$/m);
  assert.match(text, /^Icon=braid$/m);
  const icons = path.join(root, 'usr/share/icons/hicolor');
  const sizes = fs.readdirSync(icons).filter((d) => /^\d+x\d+$/.test(d));
  assert.ok(sizes.length >= 6, `PNG sizes: ${sizes}`);
  for (const dir of sizes) {
    const { width, height } = pngSize(path.join(icons, dir, 'apps', 'braid.png'));
    assert.equal(`${width}x${height}`, dir, `${dir}/apps/braid.png has the size its directory says`);
  }
  assert.match(fs.readFileSync(path.join(icons, 'scalable/apps/braid.svg'), 'utf8'), /<svg[^>]*viewBox="0 0 512 512"/);
});

test('install message says how to enable the service; the license is MIT', () => {
  const install = runOk('bsdtar', ['-xOf', pkgs.braid, '.INSTALL']).stdout;
  assert.match(install, /systemctl enable --now braidd\.service/);
  assert.match(install, /usermod -aG braid/);
  const serverInstall = runOk('bsdtar', ['-xOf', pkgs.server, '.INSTALL']).stdout;
  assert.match(serverInstall, /systemctl enable --now braid-server\.service/);
  assert.match(fs.readFileSync(path.join(root, 'usr/share/licenses/braid/LICENSE'), 'utf8'), /^MIT License/);
});

test('pacman sees the installed files unaltered', () => {
  const check = runOk('pacman', ['--root', root, '--dbpath', path.join(root, 'var/lib/pacman'), '-Qkk', 'braid', 'braid-server']);
  assert.match(check.stdout, /braid: \d+ total files, 0 altered files/);
  assert.match(check.stdout, /braid-server: \d+ total files, 0 altered files/);
});

test('the installed braidd, braid and braid server run with the system Node', () => {
  const braidd = runInRoot(root, ['/usr/bin/braidd', '--version']);
  assert.equal(braidd.code, 0, braidd.stderr);
  assert.match(braidd.stdout, new RegExp(`\\b${version.replace(/\./g, '\\.')}\\b`));
  const help = runInRoot(root, ['/usr/bin/braid', '--help']);
  assert.equal(help.code, 0, help.stderr);
  assert.match(help.stdout, /server/, 'braid --help lists the server command');
  const server = runInRoot(root, ['/usr/bin/braid', 'server', '--help']);
  assert.equal(server.code, 0, server.stderr);
  assert.match(server.stdout, /--config/);
  const serverPkg = runInRoot(root, ['/usr/bin/braid-server', '--help']);
  assert.equal(serverPkg.code, 0, serverPkg.stderr);
  assert.equal(serverPkg.stdout, server.stdout, 'braid-server is braid server');
  // a server without the braid package still has the operator's commands
  const keygen = runInRoot(root, ['/usr/bin/braid-server', 'keygen']);
  assert.equal(keygen.code, 0, keygen.stderr);
  assert.match(keygen.stdout, /^public: [A-Za-z0-9+/]{43}=$/m);
  const serverVersion = runInRoot(root, ['/usr/bin/braid-server', '--version']);
  assert.equal(serverVersion.code, 0, serverVersion.stderr);
  assert.ok(serverVersion.stdout.includes(version), serverVersion.stdout);
});

test('the installed engine loads the packaged addon', () => {
  const script = "const n = require('/usr/lib/braid/dist/native/lib/index.js').loadNative(); process.stdout.write(typeof n.openTun)";
  const braid = runInRoot(root, ['/usr/bin/node', '-e', script]);
  assert.equal(braid.code, 0, braid.stderr);
  assert.equal(braid.stdout, 'function');
  const server = runInRoot(root, ['/usr/bin/node', '-e', script.replace('/usr/lib/braid/', '/usr/lib/braid-server/')], {
    BRAID_NATIVE_ADDON: '/usr/lib/braid-server/braid_native.node',
  });
  assert.equal(server.code, 0, server.stderr);
  assert.equal(server.stdout, 'function');
});

test('the example server.json is a valid server config', () => {
  const script = `const { ServerFileSchema } = require('/usr/lib/braid-server/dist/electron/engine/config/index.js');
    const r = ServerFileSchema.safeParse(JSON.parse(require('fs').readFileSync('/etc/braid/server.json', 'utf8')));
    process.stdout.write(r.success ? 'ok' : JSON.stringify(r.error.issues));`;
  const result = runInRoot(root, ['/usr/bin/node', '-e', script]);
  assert.equal(result.code, 0, result.stderr);
  assert.equal(result.stdout, 'ok');
});
