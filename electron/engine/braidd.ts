#!/usr/bin/env node
// braidd: the privileged client engine (systemd service). `braid engine` is the same thing.
import { DEFAULT_CLIENT_CONFIG } from './config';
import { ENGINE_VERSION } from './client-engine';
import { runClient } from './run';

const USAGE = `usage: braidd [--config FILE] [--socket PATH] [--state-dir DIR]
  --config FILE     client config (default ${DEFAULT_CLIENT_CONFIG})
  --socket PATH     control socket (default from the config, /run/braid/engine.sock)
  --state-dir DIR   where the user's intent is kept (default from the config, /var/lib/braid)
  --version         print the version`;

function main(argv: string[]): void {
  const options: { config: string; socket?: string; stateDir?: string } = { config: DEFAULT_CLIENT_CONFIG };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = () => {
      const next = argv[++i];
      if (next === undefined) usage(`${arg} needs a value`);
      return next as string;
    };
    if (arg === '--version') {
      process.stdout.write(`braidd ${ENGINE_VERSION}\n`);
      return;
    } else if (arg === '--help' || arg === '-h') {
      process.stdout.write(`${USAGE}\n`);
      return;
    } else if (arg === '--config') options.config = value();
    else if (arg === '--socket') options.socket = value();
    else if (arg === '--state-dir') options.stateDir = value();
    else usage(`unknown argument ${arg}`);
  }
  runClient(options).then(
    () => process.exit(0),
    (error: Error) => {
      process.stderr.write(`braidd: ${error.message}\n`);
      process.exit(1);
    },
  );
}

function usage(message: string): never {
  process.stderr.write(`braidd: ${message}\n${USAGE}\n`);
  process.exit(2);
}

main(process.argv.slice(2));
