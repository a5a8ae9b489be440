// The version printed by `braid --version`: package.json's, found by walking up from this file
// (dist/electron/cli in development, the app directory when packaged).
import fs from 'node:fs';
import path from 'node:path';

export function braidVersion(start = __dirname): string {
  for (let dir = start; ; dir = path.dirname(dir)) {
    try {
      const pkg = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'braid' && typeof pkg.version === 'string') return pkg.version;
    } catch {
      // no package.json here: keep walking up
    }
    if (path.dirname(dir) === dir) return 'unknown';
  }
}
