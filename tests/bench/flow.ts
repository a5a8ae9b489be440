// One bulk TCP flow for the failover bench, run as its own process inside a lab namespace:
//   node flow.js --listen ADDR:PORT | --connect ADDR:PORT   --send | --recv   --seconds N
// The sender writes as fast as the path takes for N seconds, then closes. The receiver records
// when bytes reach the application, summed per wall-clock millisecond (Date.now(): the clock
// every namespace and the bench share, so arrivals line up with the bench's link-down and
// link-up times). iperf3 cannot do this: its intervals are relative to its own start and, for an
// upload, the client's are sender-side (bytes handed to the socket, not bytes that arrived).
// Output lines: "flow: listening" once bound (listen side), "flow: sending until <ms>" (sender),
// "flow-result <json>" (receiver, when the sender closes or the hard limit hits).
// Bounded: whatever happens, the process exits N + 15 s after it started.
import net from 'node:net';

export interface FlowResult {
  /** [wall-clock ms, bytes that arrived in that ms], ascending */
  arrivals: Array<[number, number]>;
  totalBytes: number;
  /** the sender closed the connection (false: cut short by an error or the hard limit) */
  complete: boolean;
  error?: string;
}

interface Args {
  listen?: { host: string; port: number };
  connect?: { host: string; port: number };
  send: boolean;
  seconds: number;
}

function parseAddr(s: string | undefined): { host: string; port: number } {
  const m = /^(.+):(\d+)$/.exec(s ?? '');
  if (!m) throw new Error(`expected ADDR:PORT, got ${s}`);
  return { host: m[1], port: Number(m[2]) };
}

function parseArgs(argv: string[]): Args {
  const a: Partial<Args> = {};
  for (let i = 0; i < argv.length; i++) {
    const k = argv[i];
    if (k === '--listen') a.listen = parseAddr(argv[++i]);
    else if (k === '--connect') a.connect = parseAddr(argv[++i]);
    else if (k === '--send') a.send = true;
    else if (k === '--recv') a.send = false;
    else if (k === '--seconds') a.seconds = Number(argv[++i]);
    else throw new Error(`unknown argument ${k}`);
  }
  if (!a.listen === !a.connect) throw new Error('give exactly one of --listen and --connect');
  if (a.send === undefined) throw new Error('give --send or --recv');
  if (!(a.seconds! > 0 && a.seconds! <= 60)) throw new Error('--seconds must be 1..60');
  return a as Args;
}

function send(sock: net.Socket, seconds: number): void {
  const until = Date.now() + seconds * 1000;
  process.stdout.write(`flow: sending until ${until}\n`);
  const chunk = Buffer.alloc(128 * 1024);
  const pump = () => {
    while (Date.now() < until) {
      if (!sock.write(chunk)) {
        sock.once('drain', pump);
        return;
      }
    }
    sock.end();
  };
  // a path that stalls past the deadline never drains: close anyway
  setTimeout(() => sock.end(), seconds * 1000 + 100).unref();
  pump();
}

function receive(sock: net.Socket, done: (r: FlowResult) => void): void {
  const arrivals: Array<[number, number]> = [];
  let total = 0;
  sock.on('data', (d: Buffer) => {
    const now = Date.now();
    total += d.length;
    const last = arrivals[arrivals.length - 1];
    if (last && last[0] === now) last[1] += d.length;
    else arrivals.push([now, d.length]);
  });
  const finish = (complete: boolean, error?: string) => done({ arrivals, totalBytes: total, complete, ...(error ? { error } : {}) });
  sock.on('end', () => finish(true));
  sock.on('error', (e) => finish(false, e.message));
  process.once('SIGTERM', () => finish(false, 'terminated'));
  hardLimit = () => finish(false, 'hard time limit');
}

let hardLimit: () => void = () => process.exit(3);
let reported = false;

function report(r: FlowResult): void {
  if (reported) return;
  reported = true;
  process.stdout.write(`flow-result ${JSON.stringify(r)}\n`, () => process.exit(r.complete ? 0 : 1));
}

function main(): void {
  const a = parseArgs(process.argv.slice(2));
  setTimeout(() => hardLimit(), (a.seconds + 15) * 1000).unref();
  const onSocket = (sock: net.Socket) => {
    sock.setNoDelay(true);
    if (a.send) {
      send(sock, a.seconds);
      sock.on('close', () => process.exit(0));
      sock.on('error', (e) => {
        process.stderr.write(`flow: ${e.message}\n`);
        process.exit(1);
      });
    } else receive(sock, report);
  };
  if (a.listen) {
    const server = net.createServer((sock) => {
      server.close(); // one flow per process
      onSocket(sock);
    });
    server.listen(a.listen.port, a.listen.host, () => process.stdout.write('flow: listening\n'));
  } else {
    const failed = (e: Error) => {
      process.stderr.write(`flow: connect: ${e.message}\n`);
      process.exit(1);
    };
    const sock = net.connect(a.connect!.port, a.connect!.host, () => {
      sock.off('error', failed);
      onSocket(sock);
    });
    sock.once('error', failed);
  }
}

if (require.main === module) main();
