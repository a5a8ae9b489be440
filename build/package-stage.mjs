#!/usr/bin/env node
// Stages what both packages are made of, from an already built tree (npm ci + npm run build):
//   out/stage/runtime/    engine + CLI run by the system Node (-> /usr/lib/braid, /opt/braid)
//   out/stage/app/        the Electron app's files, packed into out/stage/app.asar
//   out/stage/service/    unit and system files the AppImage's service installer installs
//   out/stage/appimage/resources/   what electron-builder puts beside Electron in the AppImage
// The app's files and the AppImage resources follow build/electron-builder.yml (validated with
// electron-builder's own schema), so CI checks what electron-builder packs where it can run.
//
// usage: node build/package-stage.mjs [--root DIR] [--out DIR] [--addon FILE]
//   --root   the built tree (default: this repository)
//   --out    output directory (default: ROOT/out/stage); emptied first
//   --addon  the compiled addon (default: ROOT/native/build/Release/braid_native.node)
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
// electron-builder's own dependencies (installed with it as a devDependency)
const require = createRequire(path.join(here, '..', 'package.json'));

/** files the packages cannot work without: a missing one means the tree is not built */
export const REQUIRED_BUILD_OUTPUTS = [
  'dist/electron/engine/braidd.js',
  'dist/electron/cli/braid.js',
  'dist/electron/main/index.js',
  'dist/native/lib/index.js',
  'dist/renderer/index.html',
  'dist/preload/preload.js',
];
/** Electron-only code, left out of the plain-Node runtime tree */
const ELECTRON_ONLY = ['dist/electron/main', 'dist/electron/preload', 'dist/preload', 'dist/renderer'];

export async function readBuilderConfig(root) {
  const yaml = require('js-yaml');
  const { validateConfiguration } = require('app-builder-lib/out/util/config/config');
  const config = yaml.load(fs.readFileSync(path.join(root, 'build', 'electron-builder.yml'), 'utf8'));
  await validateConfiguration(config, { isEnabled: false, add() {} });
  return config;
}

/** electron-builder `files` semantics, reduced to what our config uses: positive globs pick
 *  files, `!` globs drop them (also from node_modules) */
export function fileFilter(patterns) {
  const minimatch = require('minimatch');
  const include = patterns.filter((p) => !p.startsWith('!'));
  const exclude = patterns.filter((p) => p.startsWith('!')).map((p) => p.slice(1));
  return {
    include,
    excluded: (rel) => exclude.some((p) => minimatch(rel, p, { dot: true })),
    included: (rel) => include.some((p) => minimatch(rel, p, { dot: true })) && !exclude.some((p) => minimatch(rel, p, { dot: true })),
  };
}

function walk(root, rel, out = []) {
  const abs = path.join(root, rel);
  for (const entry of fs.readdirSync(abs, { withFileTypes: true })) {
    const child = path.posix.join(rel, entry.name);
    if (entry.isDirectory()) walk(root, child, out);
    else if (entry.isFile()) out.push(child);
  }
  return out;
}

function copyFile(from, to) {
  fs.mkdirSync(path.dirname(to), { recursive: true });
  fs.copyFileSync(from, to);
}

/** production dependency closure as package dirs relative to root (npm's nested layout
 *  resolved like require() does: nearest node_modules first) */
export function productionPackages(root) {
  const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
  const found = new Set();
  const visit = (fromDir, name) => {
    for (let dir = fromDir; ; dir = path.posix.dirname(dir)) {
      const candidate = path.posix.join(dir === '.' ? '' : dir, 'node_modules', name);
      if (fs.existsSync(path.join(root, candidate, 'package.json'))) {
        if (found.has(candidate)) return;
        found.add(candidate);
        const meta = JSON.parse(fs.readFileSync(path.join(root, candidate, 'package.json'), 'utf8'));
        for (const dep of Object.keys(meta.dependencies ?? {})) visit(candidate, dep);
        return;
      }
      if (dir === '.' || dir === '') throw new Error(`production dependency ${name} is not installed (run npm ci)`);
    }
  };
  for (const dep of Object.keys(pkg.dependencies ?? {})) visit('.', dep);
  return [...found].sort();
}

/** a package.json for the installed tree: identity and entry point, no scripts or deps */
function trimmedPackageJson(root, extra) {
  const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
  const { name, version, description, license } = pkg;
  return `${JSON.stringify({ name, version, description, license, private: true, ...extra }, null, 2)}\n`;
}

function copyNodeModules(root, dest, filter) {
  const copied = [];
  for (const dir of productionPackages(root)) {
    if (filter.excluded(dir)) continue;
    for (const rel of walk(root, dir)) {
      if (filter.excluded(rel)) continue;
      copyFile(path.join(root, rel), path.join(dest, rel));
    }
    copied.push(dir);
  }
  return copied;
}

export async function stage({ root, out, addon }) {
  const missing = REQUIRED_BUILD_OUTPUTS.filter((rel) => !fs.existsSync(path.join(root, rel)));
  if (!fs.existsSync(addon)) missing.push(addon);
  if (missing.length > 0) {
    throw new Error(`the tree is not built (npm ci && npm run build); missing:\n  ${missing.join('\n  ')}`);
  }
  const config = await readBuilderConfig(root);
  const filter = fileFilter(config.files);
  fs.rmSync(out, { recursive: true, force: true });

  // 1. runtime: everything under dist/ the app patterns pick, minus Electron-only code
  const runtime = path.join(out, 'runtime');
  const appFiles = [];
  for (const pattern of filter.include) {
    const base = pattern.slice(0, pattern.search(/[*?{[]/)).replace(/\/$/, '');
    if (fs.existsSync(path.join(root, base))) appFiles.push(...walk(root, base).filter((rel) => filter.included(rel)));
  }
  for (const rel of appFiles) {
    if (ELECTRON_ONLY.some((dir) => rel.startsWith(`${dir}/`))) continue;
    copyFile(path.join(root, rel), path.join(runtime, rel));
  }
  fs.writeFileSync(path.join(runtime, 'package.json'), trimmedPackageJson(root, {}));
  const runtimeModules = copyNodeModules(root, runtime, filter);

  // 2. app: the same patterns, Electron code and renderer included, packed with @electron/asar
  const app = path.join(out, 'app');
  for (const rel of appFiles) copyFile(path.join(root, rel), path.join(app, rel));
  const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
  fs.writeFileSync(path.join(app, 'package.json'), trimmedPackageJson(root, { main: pkg.main, desktopName: 'braid.desktop' }));
  copyNodeModules(root, app, filter);
  const asar = require('@electron/asar');
  await asar.createPackage(app, path.join(out, 'app.asar'));

  // 3. service files the AppImage's installer puts in place (paths rewritten at install time)
  const service = path.join(out, 'service');
  copyFile(path.join(root, 'build/systemd/braidd.service'), path.join(service, 'braidd.service'));
  copyFile(path.join(root, 'build/sysusers/braid.conf'), path.join(service, 'sysusers.conf'));
  copyFile(path.join(root, 'build/tmpfiles/braid.conf'), path.join(service, 'tmpfiles.conf'));
  copyFile(path.join(root, 'build/sysctl/90-braid.conf'), path.join(service, 'sysctl.conf'));
  fs.copyFileSync(addon, path.join(out, 'braid_native.node'));

  // 4. the AppImage's resources directory, as electron-builder lays it out from the config
  const resources = path.join(out, 'appimage', 'resources');
  fs.mkdirSync(resources, { recursive: true });
  fs.copyFileSync(path.join(out, 'app.asar'), path.join(resources, 'app.asar'));
  for (const { from, to } of config.extraResources ?? []) {
    const source = from === 'native/build/Release/braid_native.node' ? addon : path.resolve(root, from.replace(/^out\/stage\//, `${path.relative(root, out)}/`));
    const target = path.join(resources, to);
    if (fs.statSync(source).isDirectory()) fs.cpSync(source, target, { recursive: true });
    else copyFile(source, target);
  }
  return { out, runtimeModules };
}

async function main(argv) {
  const options = { root: path.resolve(here, '..') };
  for (let i = 0; i < argv.length; i += 2) {
    const [flag, value] = [argv[i], argv[i + 1]];
    if (value === undefined || !['--root', '--out', '--addon'].includes(flag)) {
      throw new Error('usage: package-stage.mjs [--root DIR] [--out DIR] [--addon FILE]');
    }
    options[flag.slice(2)] = path.resolve(value);
  }
  options.out ??= path.join(options.root, 'out', 'stage');
  options.addon ??= path.join(options.root, 'native', 'build', 'Release', 'braid_native.node');
  const { out, runtimeModules } = await stage(options);
  process.stdout.write(`staged ${out} (runtime modules: ${runtimeModules.map((d) => path.posix.basename(d)).join(', ')})\n`);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main(process.argv.slice(2)).catch((error) => {
    process.stderr.write(`package-stage: ${error.message}\n`);
    process.exit(1);
  });
}
