// Start at login on Linux: Electron's setLoginItemSettings does nothing there, so we write an
// XDG autostart entry ($XDG_CONFIG_HOME/autostart/braid.desktop). The content is a pure
// function; Exec depends on how Braid was installed.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export const AUTOSTART_FILE = 'braid.desktop';
export const PACMAN_LAUNCHER = '/usr/bin/braid-app';

export interface LaunchContext {
  /** $APPIMAGE: set by the AppImage runtime to the image's own path */
  appImage?: string;
  /** true when the pacman launcher is installed and this app runs from it */
  pacmanLauncher?: boolean;
  /** development: the Electron binary and the app folder */
  execPath?: string;
  appPath?: string;
}

/** argv of the command that starts Braid at login (minimised to the tray) */
export function autostartCommand(ctx: LaunchContext): string[] {
  if (ctx.appImage) return [ctx.appImage, '--hidden'];
  if (ctx.pacmanLauncher) return [PACMAN_LAUNCHER, '--hidden'];
  if (ctx.execPath && ctx.appPath) return [ctx.execPath, ctx.appPath, '--hidden'];
  if (ctx.execPath) return [ctx.execPath, '--hidden'];
  throw new Error('cannot tell how Braid was started');
}

/** one Exec argument quoted per the Desktop Entry spec (reserved characters need quotes) */
export function quoteExecArg(arg: string): string {
  if (arg === '') return '""';
  if (!/[\s"'\\><~|&;$*?#()`=%]/.test(arg)) return arg;
  return `"${arg.replace(/(["`$\\])/g, '\\$1').replace(/%/g, '%%')}"`;
}

export function autostartEntry(argv: string[]): string {
  // the spec applies string escaping (\\ for \) to the whole value after quoting
  const exec = argv.map(quoteExecArg).join(' ').replace(/\\/g, '\\\\');
  return [
    '[Desktop Entry]',
    'Type=Application',
    'Name=Braid',
    'Comment=Bond every network link into one connection',
    `Exec=${exec}`,
    'Icon=braid',
    'Terminal=false',
    'X-GNOME-Autostart-enabled=true',
    'NoDisplay=false',
    '',
  ].join('\n');
}

export function autostartDir(env: NodeJS.ProcessEnv = process.env, home = os.homedir()): string {
  const base = env.XDG_CONFIG_HOME && path.isAbsolute(env.XDG_CONFIG_HOME) ? env.XDG_CONFIG_HOME : path.join(home, '.config');
  return path.join(base, 'autostart');
}

/** writes or removes the autostart entry; returns the file path */
export function applyAutostart(enabled: boolean, dir: string, ctx: LaunchContext): string {
  const file = path.join(dir, AUTOSTART_FILE);
  if (!enabled) {
    fs.rmSync(file, { force: true });
    return file;
  }
  fs.mkdirSync(dir, { recursive: true });
  const tmp = `${file}.tmp`;
  fs.writeFileSync(tmp, autostartEntry(autostartCommand(ctx)), { mode: 0o644 });
  fs.renameSync(tmp, file);
  return file;
}

/** is the autostart entry there? */
export function autostartEnabled(dir: string): boolean {
  return fs.existsSync(path.join(dir, AUTOSTART_FILE));
}
