// Persists the user's intent (tunnel on/off, per-link modes) so the engine converges to it
// again after a restart or a reboot. Written atomically (temp file + rename).
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { LinkModeSchema } from '../../protocol/control';

const IntentSchema = z.object({
  target: z.enum(['connected', 'disconnected']).default('connected'),
  linkModes: z.record(z.string(), LinkModeSchema).default({}),
});
export type Intent = z.infer<typeof IntentSchema>;

export class IntentStore {
  constructor(private readonly file: string | undefined) {}

  load(): Intent {
    if (!this.file || !fs.existsSync(this.file)) return IntentSchema.parse({});
    try {
      return IntentSchema.parse(JSON.parse(fs.readFileSync(this.file, 'utf8')));
    } catch (error) {
      // a broken state file must not stop the engine: start from defaults and say so
      process.emitWarning(`ignoring unreadable state file ${this.file}: ${(error as Error).message}`);
      return IntentSchema.parse({});
    }
  }

  save(intent: Intent): void {
    if (!this.file) return;
    fs.mkdirSync(path.dirname(this.file), { recursive: true, mode: 0o755 });
    const temp = `${this.file}.${process.pid}.tmp`;
    fs.writeFileSync(temp, `${JSON.stringify(intent, null, 2)}\n`, { mode: 0o644 });
    fs.renameSync(temp, this.file);
  }
}
