import fs from 'node:fs/promises';
import type { CommandRunner, NetworkPort } from '../ports';
import { execRunner } from './command-runner';

/** NetworkPort backed by iproute2, nftables and /proc/sys */
export class SystemNetwork implements NetworkPort {
  constructor(private readonly runner: CommandRunner = execRunner) {}

  async setSysctl(key: string, value: string): Promise<void> {
    await fs.writeFile(`/proc/sys/${key}`, value);
  }

  async readSysctl(key: string): Promise<string | undefined> {
    try {
      return (await fs.readFile(`/proc/sys/${key}`, 'utf8')).trim();
    } catch {
      return undefined;
    }
  }

  async ip(args: string[], options: { allowFailure?: boolean } = {}): Promise<string> {
    return (await this.runner.run(['ip', ...args], options)).stdout;
  }

  async nft(script: string, options: { allowFailure?: boolean } = {}): Promise<void> {
    await this.runner.run(['nft', '-f', '-'], { input: script, allowFailure: options.allowFailure });
  }
}
