// CPU time and memory of tunnel processes, from /proc (pids are global, so this works for
// processes inside any namespace).
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';

let clkTck: number | undefined;

function ticksPerSecond(): number {
  if (clkTck === undefined) {
    try {
      clkTck = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      clkTck = 100;
    }
  }
  return clkTck;
}

/** utime+stime of one /proc/<pid>/stat line, in seconds */
export function parseStatCpuSeconds(stat: string, hz: number): number {
  // fields after "(comm)": state is field 3, utime 14, stime 15 (1-based)
  const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(rest[11]) + Number(rest[12])) / hz;
}

/** total user+system CPU seconds of the pids (threads included); a vanished pid throws */
export function cpuSeconds(pids: number[]): number {
  const hz = ticksPerSecond();
  return pids.reduce((sum, pid) => sum + parseStatCpuSeconds(fs.readFileSync(`/proc/${pid}/stat`, 'utf8'), hz), 0);
}

/** VmRSS in KiB summed over the pids */
export function rssKiB(pids: number[]): number {
  let sum = 0;
  for (const pid of pids) {
    const m = /^VmRSS:\s+(\d+) kB/m.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    if (m) sum += Number(m[1]);
  }
  return sum;
}
