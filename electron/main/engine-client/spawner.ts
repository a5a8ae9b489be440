// Development only (running as root, no system service): main starts braidd itself and
// restarts it with backoff when it exits. Packaged installs run braidd as a systemd service.
import { spawn, type ChildProcess } from 'node:child_process';
import { Backoff } from './backoff';

export interface SpawnerOptions {
  command: string;
  args: string[];
  env?: NodeJS.ProcessEnv;
  log?: (message: string) => void;
  backoff?: Backoff;
}

export class EngineSpawner {
  private child: ChildProcess | undefined;
  private restartTimer: NodeJS.Timeout | undefined;
  private stopped = false;
  private startedAt = 0;
  private readonly backoff: Backoff;

  constructor(private readonly options: SpawnerOptions) {
    this.backoff = options.backoff ?? new Backoff(500, 10_000);
  }

  get running(): boolean {
    return this.child !== undefined;
  }

  ensureRunning(): void {
    if (this.stopped || this.child || this.restartTimer) return;
    this.launch();
  }

  private launch(): void {
    const { command, args, env, log } = this.options;
    log?.(`starting engine: ${command} ${args.join(' ')}`);
    this.startedAt = Date.now();
    const child = spawn(command, args, { env: env ?? process.env, stdio: ['ignore', 'inherit', 'inherit'] });
    this.child = child;
    child.on('error', (err) => log?.(`engine spawn failed: ${err.message}`));
    child.on('exit', (code, signal) => {
      this.child = undefined;
      if (this.stopped) return;
      // a run that lasted a while earns a fresh backoff
      if (Date.now() - this.startedAt > 30_000) this.backoff.reset();
      const delay = this.backoff.next();
      log?.(`engine exited (${signal ?? code}); restarting in ${delay} ms`);
      this.restartTimer = setTimeout(() => {
        this.restartTimer = undefined;
        if (!this.stopped) this.launch();
      }, delay);
    });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.restartTimer) clearTimeout(this.restartTimer);
    const child = this.child;
    if (!child) return;
    await new Promise<void>((resolve) => {
      const kill = setTimeout(() => child.kill('SIGKILL'), 5000);
      child.once('exit', () => {
        clearTimeout(kill);
        resolve();
      });
      child.kill('SIGTERM');
    });
  }
}
