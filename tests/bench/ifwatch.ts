// Byte counters of some interfaces of one namespace, sampled every few ms, for the failover bench:
// which links carried the flow when. Runs inside the namespace (`ip netns exec` mounts that
// namespace's /sys):  node ifwatch.js --if sl0,sl1,sl2 --seconds N [--every MS]
// Prints "ifwatch: started" once the first sample is taken, then "ifwatch-result <json>" after N
// seconds or on SIGTERM, and exits.
import fs from 'node:fs';

export interface IfWatchResult {
  interfaces: string[];
  /** [wall-clock ms, then per interface rx bytes, tx bytes] */
  samples: number[][];
}

function read(ifname: string, what: 'rx_bytes' | 'tx_bytes'): number {
  return Number(fs.readFileSync(`/sys/class/net/${ifname}/statistics/${what}`, 'utf8'));
}

function main(): void {
  const argv = process.argv.slice(2);
  let ifs: string[] = [];
  let seconds = 0;
  let every = 10;
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--if') ifs = argv[++i].split(',').filter(Boolean);
    else if (argv[i] === '--seconds') seconds = Number(argv[++i]);
    else if (argv[i] === '--every') every = Number(argv[++i]);
    else throw new Error(`unknown argument ${argv[i]}`);
  }
  if (!ifs.length || !(seconds > 0 && seconds <= 120) || !(every >= 1 && every <= 1000)) throw new Error('usage: --if A,B --seconds N [--every MS]');
  const samples: number[][] = [];
  const sample = () => {
    const row = [Date.now()];
    for (const i of ifs) row.push(read(i, 'rx_bytes'), read(i, 'tx_bytes'));
    samples.push(row);
  };
  sample();
  process.stdout.write('ifwatch: started\n');
  const timer = setInterval(sample, every);
  let done = false;
  const finish = () => {
    if (done) return;
    done = true;
    clearInterval(timer);
    const r: IfWatchResult = { interfaces: ifs, samples };
    process.stdout.write(`ifwatch-result ${JSON.stringify(r)}\n`, () => process.exit(0));
  };
  setTimeout(finish, seconds * 1000);
  process.once('SIGTERM', finish);
}

if (require.main === module) main();
