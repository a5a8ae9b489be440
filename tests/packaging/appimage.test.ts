// The AppImage's contents, checked without electron-builder's downloads: build/package-stage.mjs
// validates build/electron-builder.yml with electron-builder's own schema and lays out the
// resources directory the AppImage gets (app.asar, the engine tree, the addon, the service
// installer and its unit files); this test reads that directory and runs the staged engine.
import test, { after, before } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { ROOT, packageJson, pngSize, run, runOk, tempDir } from './helpers';

let out: string;
let resources: string;
const { version } = packageJson();
const ADDON = path.join(ROOT, 'native/build/Release/braid_native.node');

before(() => {
  out = tempDir('braid-stage-');
  runOk('node', [path.join(ROOT, 'build/package-stage.mjs'), '--out', out]);
  resources = path.join(out, 'appimage', 'resources');
});

after(() => {
  if (out) fs.rmSync(out, { recursive: true, force: true });
});

const sha = (file: string) => crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex');

test('electron-builder.yml: an AppImage of the app, the engine outside app.asar, icons that exist', async () => {
  const text = fs.readFileSync(path.join(ROOT, 'build/electron-builder.yml'), 'utf8');
  // the same loader and schema check electron-builder itself uses (also run by the stager)
  const yaml = require(require.resolve('js-yaml', { paths: [require.resolve('app-builder-lib')] })) as { load(s: string): any };
  const config = yaml.load(text);
  const { validateConfiguration } = require('app-builder-lib/out/util/config/config');
  await validateConfiguration(config, { isEnabled: false, add() {} });
  assert.deepEqual(config.linux.target.map((t: { target: string }) => t.target), ['AppImage']);
  assert.equal(config.npmRebuild, false, 'the addon runs under the system Node, not Electron: no rebuild');
  const targets = config.extraResources.map((r: { to: string }) => r.to).sort();
  assert.deepEqual(targets, ['braid-service-install.sh', 'braid_native.node', 'engine', 'service']);
  for (const { from } of config.extraResources as { from: string }[]) {
    if (!from.startsWith('out/')) assert.ok(fs.existsSync(path.join(ROOT, from)), `extraResources source ${from} exists`);
  }
  const icons = path.join(ROOT, config.linux.icon);
  for (const file of fs.readdirSync(icons)) {
    const { width, height } = pngSize(path.join(icons, file));
    assert.equal(file, `${width}x${height}.png`);
  }
  assert.ok(fs.existsSync(path.join(icons, '512x512.png')), 'a 512px icon for the AppImage');
});

test('resources/app.asar holds the app, its preload and renderer, without Electron or the renderer libraries', async () => {
  const asar = await import('@electron/asar');
  const archive = path.join(resources, 'app.asar');
  const files = asar.listPackage(archive, { isPack: false }).map((f) => f.replace(/^\//, ''));
  const meta = JSON.parse(asar.extractFile(archive, 'package.json').toString('utf8')) as { main: string; version: string; scripts?: unknown };
  assert.equal(meta.version, version);
  assert.equal(meta.scripts, undefined, 'no npm scripts in the shipped package.json');
  assert.ok(files.includes(meta.main), `main ${meta.main} is in app.asar`);
  for (const file of ['dist/renderer/index.html', 'dist/electron/main/index.js', 'node_modules/zod/package.json']) {
    assert.ok(files.includes(file), `app.asar has ${file}`);
  }
  assert.ok(files.includes('dist/preload/preload.js'), 'the bundled preload the main process loads');
  assert.ok(!files.some((f) => f.startsWith('dist/electron/preload/')), 'not the unbundled preload');
  assert.ok(!files.some((f) => /^node_modules\/(electron|react|react-dom|uplot|zustand)(\/|$)/.test(f)));
  assert.ok(!files.some((f) => f.startsWith('dist/tests/') || f.endsWith('.map') || f.endsWith('.ts')), 'no tests, maps or sources');
});

test('resources/engine is the plain-Node engine and CLI with their dependencies', () => {
  const engine = path.join(resources, 'engine');
  for (const file of ['package.json', 'dist/electron/engine/braidd.js', 'dist/electron/cli/braid.js', 'dist/native/lib/index.js',
    'node_modules/zod/package.json', 'node_modules/ws/package.json', 'node_modules/systeminformation/package.json']) {
    assert.ok(fs.existsSync(path.join(engine, file)), `engine/${file}`);
  }
  assert.ok(!fs.existsSync(path.join(engine, 'dist/electron/main')), 'no Electron main process code');
  assert.ok(!fs.existsSync(path.join(engine, 'node_modules/electron')));
  assert.equal(sha(path.join(resources, 'braid_native.node')), sha(ADDON), 'the addon npm ci built');
  const installer = fs.statSync(path.join(resources, 'braid-service-install.sh'));
  assert.ok(installer.mode & 0o100, 'the service installer is executable');
  for (const file of ['braidd.service', 'sysusers.conf', 'tmpfiles.conf', 'sysctl.conf']) {
    assert.ok(fs.existsSync(path.join(resources, 'service', file)), `service/${file}`);
  }
  assert.equal(
    fs.readFileSync(path.join(resources, 'service/braidd.service'), 'utf8'),
    fs.readFileSync(path.join(ROOT, 'build/systemd/braidd.service'), 'utf8'),
    'the AppImage installs the same hardened unit as the Arch package',
  );
});

test('the staged engine runs on the system Node and loads the staged addon', () => {
  const engine = path.join(resources, 'engine');
  const env = { ...process.env, BRAID_NATIVE_ADDON: path.join(resources, 'braid_native.node') };
  const braidd = run('node', [path.join(engine, 'dist/electron/engine/braidd.js'), '--version'], { env, cwd: out });
  assert.equal(braidd.code, 0, braidd.stderr);
  assert.ok(braidd.stdout.includes(version), braidd.stdout);
  const help = run('node', [path.join(engine, 'dist/electron/cli/braid.js'), 'server', '--help'], { env, cwd: out });
  assert.equal(help.code, 0, help.stderr);
  const load = run('node', ['-e', `process.stdout.write(typeof require(${JSON.stringify(path.join(engine, 'dist/native/lib/index.js'))}).loadNative().openTun)`], { env, cwd: out });
  assert.equal(load.stdout, 'function', load.stderr);
});
