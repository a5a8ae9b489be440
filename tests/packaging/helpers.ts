// Shared helpers for the packaging tests: run commands, read pacman packages, install them
// into a scratch root and run what got installed there with the host's system Node.
import { spawnSync, type SpawnSyncOptions } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** the repository root (this file runs from dist/tests/packaging) */
export const ROOT = path.resolve(__dirname, '..', '..', '..');

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function run(command: string, args: string[], options: SpawnSyncOptions = {}): RunResult {
  const result = spawnSync(command, args, { encoding: 'utf8', timeout: 240_000, maxBuffer: 64 << 20, ...options });
  if (result.error) throw result.error;
  return { code: result.status, stdout: String(result.stdout), stderr: String(result.stderr) };
}

/** runs and throws with the output when the exit code is not 0 */
export function runOk(command: string, args: string[], options: SpawnSyncOptions = {}): RunResult {
  const result = run(command, args, options);
  if (result.code !== 0) {
    throw new Error(`${command} ${args.join(' ')} exited ${result.code}\n${result.stdout}\n${result.stderr}`);
  }
  return result;
}

export function hasCommand(name: string): boolean {
  return run('sh', ['-c', `command -v ${name}`]).code === 0;
}

export function tempDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

export function packageJson(): { version: string; devDependencies?: Record<string, string>; dependencies?: Record<string, string> } {
  return JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
}

/** the system Electron the Arch package must depend on: electron + the major in package.json */
export function expectedElectron(): string {
  const pkg = packageJson();
  const spec = pkg.devDependencies?.electron ?? pkg.dependencies?.electron ?? '';
  const major = /(\d+)/.exec(spec);
  if (!major) throw new Error('package.json names no electron version');
  return `electron${major[1]}`;
}

/** .PKGINFO as key -> values (keys like depend repeat) */
export function readPkgInfo(pkgFile: string): Map<string, string[]> {
  const text = runOk('bsdtar', ['-xOf', pkgFile, '.PKGINFO']).stdout;
  const info = new Map<string, string[]>();
  for (const line of text.split('\n')) {
    const match = /^(\w+) = (.*)$/.exec(line);
    if (!match) continue;
    info.set(match[1]!, [...(info.get(match[1]!) ?? []), match[2]!]);
  }
  return info;
}

/** the paths a package installs (no leading slash, directories end in /), metadata left out */
export function listPackage(pkgFile: string): string[] {
  return runOk('bsdtar', ['-tf', pkgFile])
    .stdout.split('\n')
    .filter((line) => line !== '' && !line.startsWith('.'));
}

/** builds both pacman packages with the npm script, once per test process */
let built: { braid: string; server: string } | undefined;
export function buildPacmanPackages(): { braid: string; server: string } {
  if (built) return built;
  // the test runner built dist/ already; rebuilding it here would race the other test files
  runOk('npm', ['run', '--silent', 'package:pacman'], { cwd: ROOT, env: { ...process.env, BRAID_SKIP_BUILD: '1' }, timeout: 600_000 });
  const outDir = path.join(ROOT, 'out', 'pacman');
  const files = fs.readdirSync(outDir).filter((f) => f.endsWith('.pkg.tar.zst'));
  const { version } = packageJson();
  const pick = (name: string) => {
    const file = files.find((f) => f.startsWith(`${name}-${version.replace(/-/g, '_')}-`));
    if (!file) throw new Error(`no ${name} package in ${outDir}: ${files.join(', ')}`);
    return path.join(outDir, file);
  };
  built = { braid: pick('braid'), server: pick('braid-server') };
  return built;
}

/** pacman -U into a fresh root, no scriptlets (Debian's pacman has no dependency database) */
export function pacmanInstall(packages: string[]): string {
  const root = tempDir('braid-pacroot-');
  fs.mkdirSync(path.join(root, 'var', 'lib', 'pacman'), { recursive: true });
  runOk('pacman', ['--root', root, '--dbpath', path.join(root, 'var/lib/pacman'), '-U', '--nodeps', '--nodeps',
    '--noscriptlet', '--noconfirm', '--noprogressbar', ...packages]);
  return root;
}

// Builds a private view of the host in which the scratch root's top-level directories (usr,
// opt, etc) lie over the host's, then runs the command chrooted there: installed launchers
// call /usr/bin/node on /usr/lib/braid/... and find the host's Node beside the package's files.
const OVERLAY_SCRIPT = `set -e
R=$1; M=$2; shift 2
mount -t tmpfs braid-view "$M"
for entry in /*; do
  name=\${entry#/}
  if [ -L "$entry" ]; then ln -s "$(readlink "$entry")" "$M/$name"; continue; fi
  [ -d "$entry" ] || continue
  mkdir "$M/$name"
  case $name in
    proc|dev|sys|run|tmp) mount --rbind "$entry" "$M/$name" ;;
    *) if [ -d "$R/$name" ] && [ ! -L "$R/$name" ]; then
         mount -t overlay overlay -o "lowerdir=$R/$name:$entry" "$M/$name"
       else mount --rbind "$entry" "$M/$name"; fi ;;
  esac
done
for entry in "$R"/*; do
  name=\${entry##*/}
  [ -e "$M/$name" ] || { mkdir "$M/$name"; mount --rbind "$entry" "$M/$name"; }
done
exec chroot "$M" "$@"`;

/** runs argv inside the scratch root laid over the host (read-only, private mount namespace) */
export function runInRoot(root: string, argv: string[], env: NodeJS.ProcessEnv = {}): RunResult {
  const view = tempDir('braid-view-');
  try {
    return run('unshare', ['-m', '--propagation', 'private', 'sh', '-c', OVERLAY_SCRIPT, 'overlay', root, view, ...argv], {
      env: { PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', LANG: 'C.UTF-8', ...env },
      timeout: 60_000,
    });
  } finally {
    fs.rmdirSync(view);
  }
}

/** a unit file's [Service]/[Unit] settings as key -> list of values (repeated keys append) */
export function parseUnit(text: string): Map<string, string[]> {
  const settings = new Map<string, string[]>();
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';') || line.startsWith('[')) continue;
    const eq = line.indexOf('=');
    const key = line.slice(0, eq);
    settings.set(key, [...(settings.get(key) ?? []), line.slice(eq + 1)]);
  }
  return settings;
}

/** width and height from a PNG's IHDR chunk */
export function pngSize(file: string): { width: number; height: number } {
  const data = fs.readFileSync(file);
  if (data.subarray(0, 8).toString('hex') !== '89504e470d0a1a0a' || data.subarray(12, 16).toString() !== 'IHDR') {
    throw new Error(`${file} is not a PNG`);
  }
  return { width: data.readUInt32BE(16), height: data.readUInt32BE(20) };
}

/** every file and directory under dir with mode, owner and content hash, for before/after diffs */
export function snapshotTree(dir: string): Map<string, string> {
  const entries = new Map<string, string>();
  const visit = (rel: string) => {
    const abs = path.join(dir, rel);
    const stat = fs.lstatSync(abs);
    let what = `${(stat.mode & 0o7777).toString(8)} ${stat.uid}:${stat.gid}`;
    if (stat.isSymbolicLink()) what += ` -> ${fs.readlinkSync(abs)}`;
    else if (stat.isFile()) what += ` ${crypto.createHash('sha256').update(fs.readFileSync(abs)).digest('hex')}`;
    entries.set(rel || '.', what);
    if (stat.isDirectory()) for (const name of fs.readdirSync(abs).sort()) visit(path.join(rel, name));
  };
  visit('');
  return entries;
}
