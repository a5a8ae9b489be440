// The user's settings, persisted as JSON in the user's config dir (0600: it holds this
// device's secret key). Writes are atomic (temp file + rename). A broken file is kept aside
// and defaults are used, so a bad edit never stops the app.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';

export const StoredSettingsSchema = z.object({
  version: z.literal(1),
  server: z.object({ host: z.string(), port: z.number().int().min(1).max(65535), publicKey: z.string() }),
  device: z.object({ name: z.string(), secret: z.string().optional(), publicKey: z.string() }),
  routing: z.object({ mode: z.enum(['full', 'prefixes']), prefixes: z.array(z.string()) }),
  startAtLogin: z.boolean(),
  notifications: z.boolean(),
  clientConfigWrittenAt: z.number().optional(),
});
export type StoredSettings = z.infer<typeof StoredSettingsSchema>;

export function defaultSettings(hostname = os.hostname()): StoredSettings {
  return {
    version: 1,
    server: { host: '', port: 7443, publicKey: '' },
    device: { name: hostname.slice(0, 64), publicKey: '' },
    routing: { mode: 'full', prefixes: [] },
    startAtLogin: false,
    notifications: true,
  };
}

/** $XDG_CONFIG_HOME/braid or ~/.config/braid */
export function configDir(env: NodeJS.ProcessEnv = process.env, home = os.homedir()): string {
  const base = env.XDG_CONFIG_HOME && path.isAbsolute(env.XDG_CONFIG_HOME) ? env.XDG_CONFIG_HOME : path.join(home, '.config');
  return path.join(base, 'braid');
}

export class SettingsStore {
  private current: StoredSettings;
  readonly file: string;

  constructor(
    readonly dir: string,
    private readonly log: (message: string) => void = () => {},
  ) {
    this.file = path.join(dir, 'settings.json');
    this.current = this.load();
  }

  get value(): StoredSettings {
    return this.current;
  }

  private load(): StoredSettings {
    let text: string;
    try {
      text = fs.readFileSync(this.file, 'utf8');
    } catch {
      return defaultSettings();
    }
    try {
      const parsed = StoredSettingsSchema.safeParse(JSON.parse(text));
      if (parsed.success) return parsed.data;
      throw new Error(parsed.error.issues[0]?.message ?? 'invalid');
    } catch (err) {
      const aside = `${this.file}.broken-${Date.now()}`;
      this.log(`settings: ${this.file} is unreadable (${(err as Error).message}); moved to ${aside}, using defaults`);
      try {
        fs.renameSync(this.file, aside);
      } catch {
        /* keep going with defaults */
      }
      return defaultSettings();
    }
  }

  save(next: StoredSettings): StoredSettings {
    const checked = StoredSettingsSchema.parse(next);
    fs.mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    writeFileAtomic(this.file, `${JSON.stringify(checked, null, 2)}\n`, 0o600);
    this.current = checked;
    return checked;
  }
}

export function writeFileAtomic(file: string, content: string, mode: number): void {
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, content, { mode });
  fs.chmodSync(tmp, mode);
  fs.renameSync(tmp, file);
}
