import { execFile } from 'node:child_process';
import type { CommandRunner } from '../ports';

/** runs system tools (ip, nft) without a shell; commands are short and bounded in time */
export const execRunner: CommandRunner = {
  run(argv, options = {}) {
    return new Promise((resolve, reject) => {
      const child = execFile(argv[0], argv.slice(1), { timeout: 10_000, maxBuffer: 8 << 20 }, (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        if (error && !options.allowFailure) {
          reject(new Error(`${argv.join(' ')}: ${String(stderr).trim() || error.message}`));
          return;
        }
        resolve({ stdout: String(stdout), code });
      });
      if (options.input !== undefined) child.stdin?.end(options.input);
    });
  },
};
